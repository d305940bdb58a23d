"""Fuzzed payloads: provider answers built from the real shapes (the simulator's own pages), then
mutated — fields missing, null, of the wrong type, 200,000-character strings, unknown enum words,
nesting 500 deep, hostile text, items that are not objects at all — go through each client's
parsing and normalization and into the runs table. Nothing crashes; a bad item is skipped and
counted; every good item of the same page still comes through, with its status.

Deterministic: each round's mutations come from `random.Random(round)`; no sleeps, no network
(the fuzzed bodies are served by `httpx.MockTransport`)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import ProviderError
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp, RetryPolicy
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.bugbrain import BugBrainSource
from qa_tui.core.providers.bugbug import BugBugSource
from qa_tui.core.providers.bugnet import BugnetClient
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.core.runs.store import RunStore
from qa_tui.sim import credentials
from qa_tui.sim.app import build_app
from qa_tui.sim.scenario import ScenarioClock, ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs.runs_table import RunsTable
from tests.hostile.corpus import HOSTILE, forbidden_in
from tests.hostile.test_injection import frame
from tests.support.fakes import FakeSource
from tests.support.pilot import wait_until

ROUNDS = 25
MUTATIONS = (
    "drop",
    "null",
    "wrong type",
    "huge string",
    "unknown enum",
    "deep nesting",
    "hostile text",
    "not an object",
)
Json = Any


# --- the valid shapes, from the simulator ------------------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> dict[str, Json]:
    """One real page of each list, and one real status answer, as the simulator sends them."""
    import asyncio

    async def fetch() -> dict[str, Json]:
        app = build_app(seed=3, clock=ScenarioClock.manual_at(), scenario=ScenarioSpec())
        bugbug = {"Authorization": f"Token {credentials.BUGBUG_TOKEN}"}
        brain = {"Authorization": f"Bearer {credentials.BUGBRAIN_API_KEY}"}
        bugnet = {"Authorization": f"Bearer {credentials.BUGNET_TOKEN}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:

            async def get(path: str, headers: dict[str, str], **params: Any) -> Json:
                response = await sim.get(path, params=params, headers=headers)
                response.raise_for_status()
                return response.json()

            tests = await get("/bugbug/api/v2/testruns/", bugbug, page=1, page_size=30)
            suites = await get("/bugbug/api/v2/suiteruns/", bugbug, page=1, page_size=10)
            first = tests["results"][0]["id"]
            trigger = await sim.post(
                "/bug0/api/run-tests",
                json={"projectId": credentials.BUG0_PROJECT_ID},
                headers={"x-api-key": credentials.BUG0_API_KEY},
            )
            trigger.raise_for_status()
            return {
                "trigger_answer": trigger.json(),
                "testruns": tests["results"],
                "suiteruns": suites["results"],
                "testrun_status": await get(f"/bugbug/api/v2/testruns/{first}/status/", bugbug),
                "executions": (
                    await get(
                        "/bugbrain/api/v1/executions",
                        brain,
                        project_id=credentials.BUGBRAIN_PROJECT_ID,
                        limit=30,
                        offset=0,
                    )
                )["data"],
                "bugs": (
                    await get(f"/bugnet/api/projects/{credentials.BUGNET_PROJECT}/bugs", bugnet)
                )["data"],
            }

    return asyncio.run(fetch())


# --- mutations ---------------------------------------------------------------------------------


def deep(levels: int) -> Json:
    value: Json = "bottom"
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


def mutate(item: Json, rng: random.Random, serial: int) -> tuple[Json, str]:
    """One mutation of one payload object; returns it and what was done."""
    kind = rng.choice(MUTATIONS)
    if kind == "not an object":
        return rng.choice([None, 42, "a run", [item], True]), kind
    out = dict(item)  # a shallow copy: only a top-level key changes
    key = rng.choice(sorted(out))
    if kind == "drop":
        del out[key]
    elif kind == "null":
        out[key] = None
    elif kind == "wrong type":
        out[key] = rng.choice([100_000 + serial, 3.5 + serial, True, [serial, "x"], {"n": serial}])
    elif kind == "huge string":
        out[key] = f"{serial}-" + "H" * 200_000
    elif kind == "unknown enum":
        out[
            rng.choice(
                [k for k in ("status", "triggeredBy", "category", "priority") if k in out] or [key]
            )
        ] = f"brand_new_word_{serial}"
    elif kind == "deep nesting":
        out[key] = deep(500)
    else:
        out[key] = f"{rng.choice(list(HOSTILE.values()))}-{serial}"
    return out, kind


def fuzz_page(items: list[Json], seed: int) -> tuple[list[Json], list[Json]]:
    """Mutate about half of `items` (at least one, never all): (served page, untouched items)."""
    rng = random.Random(seed)
    chosen = set(rng.sample(range(len(items)), k=max(1, min(len(items) - 1, len(items) // 2))))
    page = [
        mutate(item, rng, seed * 1000 + i)[0] if i in chosen else item
        for i, item in enumerate(items)
    ]
    untouched = [item for i, item in enumerate(items) if i not in chosen]
    return page, untouched


# --- serving -----------------------------------------------------------------------------------


def serve(routes: dict[str, Callable[[httpx.Request], Json]]) -> httpx.MockTransport:
    """Answer each request from the first route whose path fragment is in the URL path."""

    def handler(request: httpx.Request) -> httpx.Response:
        for fragment, body in routes.items():
            if fragment in request.url.path:
                return httpx.Response(
                    200,
                    content=json.dumps(body(request)).encode(),
                    headers={"content-type": "application/json"},
                )
        return httpx.Response(404, json={"detail": "Not found."})

    return httpx.MockTransport(handler)


def session(name: str, transport: httpx.MockTransport) -> ProviderHttp:
    return ProviderHttp(
        name,
        "https://provider.test",
        budget=RequestBudget(1_000_000),
        transport=transport,
        retry=RetryPolicy(attempts=1),
    )


def drf(results: list[Json]) -> Callable[[httpx.Request], Json]:
    return lambda _: {"count": len(results), "next": None, "previous": None, "results": results}


def offsets(data: list[Json]) -> Callable[[httpx.Request], Json]:
    def page(request: httpx.Request) -> Json:
        offset = int(parse_qs(urlsplit(str(request.url)).query).get("offset", ["0"])[0])
        return {"data": data if offset == 0 else [], "pagination": {"total": len(data)}}

    return page


FUZZED_RUNS: list[Run] = []
"""Every run that came out of a fuzzed page, for the table test at the end."""


def check_untouched(runs: list[Run], untouched: list[Json], status_key: str) -> None:
    by_id = {run.id: run for run in runs}
    for item in untouched:
        run = by_id.get(str(item["id"]))
        assert run is not None, f"a good item was lost: {item['id']}"
        assert run.provider_status == (item.get(status_key) or run.provider_status)
    for run in runs:
        assert isinstance(run.status, RunStatus)
        if run.provider_status.startswith("brand_new_word_"):
            assert run.status is RunStatus.UNKNOWN


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_a_fuzzed_bugbug_test_run_page_keeps_its_good_runs(
    shapes: dict[str, Json], round_: int
) -> None:
    page, untouched = fuzz_page(shapes["testruns"], round_)
    source = BugBugSource(
        "web", session("web", serve({"/testruns/": drf(page), "/suiteruns/": drf([])}))
    )
    result = await source.list_runs(limit=1000)
    assert len(result.runs) + result.skipped == len(page)
    check_untouched(result.runs, untouched, "status")
    FUZZED_RUNS.extend(result.runs)


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_a_fuzzed_bugbug_suite_run_page_keeps_its_good_suites_and_their_tests(
    shapes: dict[str, Json], round_: int
) -> None:
    suites = copy.deepcopy(shapes["suiteruns"])
    rng = random.Random(10_000 + round_)
    for suite in suites:  # the nested test runs are fuzzed too
        suite["testRuns"] = [
            mutate(child, rng, 10_000 + round_)[0] if rng.random() < 0.5 else child
            for child in suite.get("testRuns", [])
        ]
    page, untouched = fuzz_page(suites, 20_000 + round_)
    source = BugBugSource(
        "web", session("web", serve({"/testruns/": drf([]), "/suiteruns/": drf(page)}))
    )
    result = await source.list_runs(limit=1000)
    check_untouched(result.runs, untouched, "status")
    FUZZED_RUNS.extend(result.runs)


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_a_fuzzed_bugbrain_execution_page_keeps_its_good_executions(
    shapes: dict[str, Json], round_: int
) -> None:
    page, untouched = fuzz_page(shapes["executions"], 30_000 + round_)
    source = BugBrainSource(
        "plans", session("plans", serve({"/executions": offsets(page)})), project_id="p"
    )
    result = await source.list_runs(limit=1000)
    assert len(result.runs) + result.skipped == len(page)
    check_untouched(result.runs, untouched, "status")
    FUZZED_RUNS.extend(result.runs)


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_a_fuzzed_bugnet_bug_list_keeps_its_good_bugs(
    shapes: dict[str, Json], round_: int
) -> None:
    page, untouched = fuzz_page(shapes["bugs"], 40_000 + round_)
    body = {"ok": True, "data": page, "pagination": {"total": len(page)}}
    client = BugnetClient(
        session("bugnet", serve({"/bugs": lambda _: body})), project="g", token="t"
    )
    result = await client.list_bugs()
    assert len(result.bugs) + result.skipped == len(page)
    got = {bug.id for bug in result.bugs}
    assert {item["id"] for item in untouched} <= got


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_a_fuzzed_status_answer_is_read_or_refused_never_a_crash(
    shapes: dict[str, Json], round_: int
) -> None:
    """One object, not a list: a mutation either still reads or is a BadPayload, nothing else."""
    rng = random.Random(50_000 + round_)
    answer, _ = mutate(shapes["testrun_status"], rng, round_)
    full = shapes["testruns"][0]
    source = BugBugSource(
        "web",
        session("web", serve({"/status/": lambda _: answer, "/testruns/": lambda _: full})),
    )
    [run] = [
        r
        for r in (
            await BugBugSource(
                "web", session("web", serve({"/testruns/": drf([full]), "/suiteruns/": drf([])}))
            ).list_runs()
        ).runs
    ]
    try:
        fresh = await source.refresh_run(run)
    except ProviderError:
        return
    assert fresh.id == run.id
    assert isinstance(fresh.status, RunStatus)


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_a_fuzzed_bug0_trigger_answer_is_recorded_or_refused_never_a_crash(
    shapes: dict[str, Json], round_: int, tmp_path: Path
) -> None:
    answer, _ = mutate(shapes["trigger_answer"], random.Random(60_000 + round_), round_)
    triggers = TriggerLog(tmp_path / "t.sqlite")
    source = Bug0Source(
        "previews",
        session("previews", serve({"/api/run-tests": lambda _: answer})),
        project_id="p",
        triggers=triggers,
    )
    try:
        run = await source.trigger(url="https://preview.test")
    except ProviderError:
        assert not (await source.list_runs()).runs  # nothing recorded for a refused answer
        return
    assert [r.id for r in (await source.list_runs()).runs] == [run.id]


async def test_every_run_that_came_through_the_fuzz_shows_in_the_table() -> None:
    """Last: the runs read from all fuzzed pages (strings huge, hostile, odd) in the live table."""
    assert FUZZED_RUNS, "run the fuzz tests of this module first"
    source = FakeSource("web", clock=SYSTEM_CLOCK, per_minute=1_000_000)
    oddest = sorted(FUZZED_RUNS, key=lambda r: -len(r.name + r.provider_status + (r.error or "")))
    runs = {f"{i}:{run.id}"[:300]: run for i, run in enumerate(oddest[:300])}
    source.put(
        *(run.model_copy(update={"id": key, "provider": "web"}) for key, run in runs.items())
    )
    fast = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, initial_window=len(runs))
    app = QaTuiApp(Engine([source], RunStore(), settings=fast), tick_seconds=0)
    async with app.run_test(size=(160, 60)) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) == len(runs), what="every fuzzed run")
        for _ in range(0, len(runs), 50):  # page through all of it: every row is drawn
            assert not forbidden_in(frame(app))
            await pilot.press("pagedown")
