"""Every provider's status words and dates in every dialect: their case (``status_case``), the
phases no doc names (``status_words``) and the date formats (``dates``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.sim import ScenarioClock
from qa_tui.sim.bugbrain.world import TERMINAL as BUGBRAIN_TERMINAL
from qa_tui.sim.bugbug.runs import RUN_STATUSES, TERMINAL
from qa_tui.sim.bugnet.world import STATUSES as BUGNET_STATUSES
from qa_tui.sim.credentials import BUGBRAIN_PROJECT_ID, BUGNET_PROJECT
from tests.sim.conftest import BUGBRAIN, BUGBUG, BUGNET, client_for, spoken_app

Json = dict[str, Any]
BUGBUG_RUNS = "/bugbug/api/v2/testruns/"
EXECUTIONS = "/bugbrain/api/v1/executions"
BUGS = f"/bugnet/api/projects/{BUGNET_PROJECT}/bugs"
BUGBRAIN_WORDS = {"queued", "pending", "running", "completed", "failed", "cancelled", "passed"}


async def get(client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def everything(client: httpx.AsyncClient) -> dict[str, list[Json]]:
    """BugBug runs and step runs, BugBrain executions and their results, Bugnet bugs."""
    runs = (await get(client, BUGBUG_RUNS, BUGBUG, page_size=100))["results"]
    failed = next(r for r in runs if r["status"].lower() == "failed")
    shots = await get(client, f"{BUGBUG_RUNS}{failed['id']}/screenshots/", BUGBUG)
    steps = [await get(client, f"/bugbug/api/v2/stepruns/{s['id']}/", BUGBUG)
             for s in shots["stepsRuns"]]  # fmt: skip
    executions = (await get(client, EXECUTIONS, BUGBRAIN, project_id=BUGBRAIN_PROJECT_ID))["data"]
    results = []
    for e in executions:
        results += (await get(client, f"{EXECUTIONS}/{e['id']}/results", BUGBRAIN))["test_results"]
    statuses = [await get(client, f"{EXECUTIONS}/{e['id']}/status", BUGBRAIN) for e in executions]
    bugs = (await get(client, BUGS, BUGNET, limit=100))["data"]
    return {"bugbug": runs + steps, "bugbrain": executions + results + statuses, "bugnet": bugs}


# -- status_case ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "spell"), [("upper", str.upper), ("title", str.capitalize)])
async def test_every_status_word_of_every_provider_is_written_in_the_readings_case(
    reading: str, spell: Any
) -> None:
    async with client_for(spoken_app(f"status_case={reading}", limits=False)) as client:
        seen = await everything(client)
        truth = (await client.get("/_sim/truth")).json()
    words = {"bugbug": RUN_STATUSES, "bugbrain": BUGBRAIN_WORDS, "bugnet": set(BUGNET_STATUSES)}
    for provider, items in seen.items():
        served = {i["status"] for i in items}
        assert served and served <= {spell(w) for w in words[provider]}, (provider, served)
    strings = "".join(r["stepsRuns"] for r in seen["bugbug"] if "stepsRuns" in r)
    inside = re.findall(r'"status": "([^"]+)"', strings)  # strings holding the steps: words too
    assert inside and all(spell(w) == w for w in inside)
    assert {r["status"] for r in truth["runs"]} <= RUN_STATUSES | BUGBRAIN_WORDS  # truth: as is


async def test_status_case_lower_is_the_documented_lower_case() -> None:
    async with client_for(spoken_app("status_case=lower", limits=False)) as client:
        seen = await everything(client)
    for items in seen.values():
        assert all(i["status"] == i["status"].lower() for i in items)


@pytest.mark.parametrize(("reading", "served", "refused"), [
    ("upper", ("FAILED", "COMPLETED", "OPEN"), ("Failed", "Completed", "Open")),
    ("title", ("Failed", "Completed", "Open"), ("FAILED", "COMPLETED", "OPEN")),
])  # fmt: skip
async def test_status_filters_take_the_documented_word_and_the_served_one(
    reading: str, served: tuple[str, str, str], refused: tuple[str, str, str]
) -> None:
    lists = [
        (BUGBUG_RUNS, BUGBUG, {}, "failed", "results"),
        (EXECUTIONS, BUGBRAIN, {"project_id": BUGBRAIN_PROJECT_ID}, "completed", "data"),
        (BUGS, BUGNET, {}, "open", "data"),
    ]
    async with client_for(spoken_app(f"status_case={reading}", limits=False)) as client:
        for (url, headers, params, word, key), spelt, wrong in zip(
            lists, served, refused, strict=True
        ):
            documented = (await get(client, url, headers, status=word, **params))[key]
            in_case = (await get(client, url, headers, status=spelt, **params))[key]
            assert documented and documented == in_case
            assert {i["status"] for i in documented} == {spelt}
            other = await client.get(url, headers=headers, params={"status": wrong, **params})
            assert other.status_code == 400 or other.json()[key] == []
        cases = await get(client, "/bugbrain/api/v1/test-cases", BUGBRAIN,
                          project_id=BUGBRAIN_PROJECT_ID)  # fmt: skip
    assert {c["status"] for c in cases["data"]} == {"active", "archived"}  # not a run's word


# -- status_words --------------------------------------------------------------------------------
async def phases(
    client: Any, clock: ScenarioClock, url: str, headers: dict[str, str], stop_at: str = ""
) -> list[str]:
    """Every status a run shows, a quarter second at a time, until it ends (or shows
    `stop_at`)."""
    seen: list[str] = []
    for _ in range(2000):
        status = (await get(client, url, headers))["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in TERMINAL | BUGBRAIN_TERMINAL | {stop_at}:
            return seen
        clock.advance(0.25)
    raise AssertionError(f"never ended: {seen}")


def started_app(words: str) -> tuple[Starlette, ScenarioClock]:
    app = spoken_app(f"status_words={words}", limits=False)
    clock: ScenarioClock = app.state.sim.clock
    return app, clock


@pytest.mark.parametrize(("words", "before"), [
    ("documented", ["initialized", "queued", "running"]),
    ("extra", ["initialized", "queued", "preparing", "running"]),
])  # fmt: skip
async def test_a_bugbug_run_passes_through_preparing_only_in_the_extra_words(
    words: str, before: list[str]
) -> None:
    app, clock = started_app(words)
    test = app.state.sim.bugbug.tests[0]
    async with client_for(app) as client:
        started = await client.post(BUGBUG_RUNS, headers=BUGBUG, json={"testId": test.id})
        run = started.json()["id"]
        seen = await phases(client, clock, f"{BUGBUG_RUNS}{run}/status/", BUGBUG)
    assert seen[: len(before)] == before
    assert seen[-1] in TERMINAL  # runs still end with a documented word


async def test_a_bugbug_suite_run_prepares_while_its_first_test_run_does_and_can_be_listed_so() -> (
    None
):
    app, clock = started_app("extra")
    suite = app.state.sim.bugbug.suites[0]
    async with client_for(app) as client:
        started = await client.post("/bugbug/api/v2/suiteruns/", headers=BUGBUG,
                                    json={"suiteId": suite.id})  # fmt: skip
        run = started.json()["id"]
        url = f"/bugbug/api/v2/suiteruns/{run}/status/"
        seen = await phases(client, clock, url, BUGBUG, stop_at="preparing")
        first = (await get(client, f"/bugbug/api/v2/suiteruns/{run}/", BUGBUG))["testRuns"][0]
        listed = (await get(client, BUGBUG_RUNS, BUGBUG, status="preparing"))["results"]
    assert seen[-1] == "preparing" and first["status"] == "preparing"
    assert first["id"] in {r["id"] for r in listed}
    assert {r["status"] for r in listed} == {"preparing"}


@pytest.mark.parametrize(("words", "before"), [
    ("documented", ["queued", "pending", "running"]),
    ("extra", ["queued", "provisioning", "running"]),
])  # fmt: skip
async def test_a_bugbrain_execution_provisions_instead_of_pending_only_in_the_extra_words(
    words: str, before: list[str]
) -> None:
    app, clock = started_app(words)
    plan = next(iter(app.state.sim.bugbrain.plans))
    body = {"test_plan_id": plan, "project_id": BUGBRAIN_PROJECT_ID}
    async with client_for(app) as client:
        run = (await client.post(f"{EXECUTIONS}/async", headers=BUGBRAIN, json=body)).json()["id"]
        seen = await phases(client, clock, f"{EXECUTIONS}/{run}/status", BUGBRAIN)
    assert seen[: len(before)] == before
    assert seen[-1] in BUGBRAIN_TERMINAL


@pytest.mark.parametrize(("words", "triaged"), [("documented", False), ("extra", True)])
async def test_some_bugnet_bugs_are_triaged_only_in_the_extra_words(
    words: str, triaged: bool
) -> None:
    async with client_for(spoken_app(f"status_words={words}")) as client:
        bugs = (await get(client, BUGS, BUGNET, limit=100))["data"]
        filtered = (await get(client, BUGS, BUGNET, status="triaged"))["data"]
    assert ("triaged" in {b["status"] for b in bugs}) is triaged
    assert bool(filtered) is triaged
    assert {b["status"] for b in bugs} - {"triaged"} <= {"open", "in_progress", "closed"}


# -- dates ---------------------------------------------------------------------------------------
async def dated(client: httpx.AsyncClient) -> dict[str, str]:
    run = next(r for r in (await get(client, BUGBUG_RUNS, BUGBUG, page_size=100))["results"]
               if r["ended"] and r["started"] != r["started"][:19] + "Z")  # fmt: skip
    executions = await get(client, EXECUTIONS, BUGBRAIN, project_id=BUGBRAIN_PROJECT_ID)
    bug = (await get(client, BUGS, BUGNET))["data"][0]
    return {
        "bugbug": run["started"],
        "bugbug-whole": (await get(client, "/bugbug/api/v2/suites/", BUGBUG))["results"][0][
            "created"
        ],
        "bugbrain": executions["data"][0]["created_at"],
        "bugnet": bug["created_at"],
    }


DATE_SHAPES = {
    "documented": {"bugbug": r"\.\d{6}Z", "bugbug-whole": r"Z", "bugbrain": r"Z", "bugnet": r"\.\d{3}Z"},
    "no-zone": {"bugbug": r"\.\d{6}", "bugbug-whole": r"", "bugbrain": r"", "bugnet": r"\.\d{3}"},
    "micros": dict.fromkeys(("bugbug", "bugbug-whole", "bugbrain", "bugnet"), r"\.\d{6}Z"),
    "offset": {"bugbug": r"\.\d{6}\+00:00", "bugbug-whole": r"\+00:00", "bugbrain": r"\+00:00",
               "bugnet": r"\.\d{3}\+00:00"},
}  # fmt: skip


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.mark.parametrize("reading", list(DATE_SHAPES))
async def test_dates_are_written_as_the_reading_says_and_name_the_same_moment(reading: str) -> None:
    async with client_for(spoken_app("")) as client:
        documented = await dated(client)
    async with client_for(spoken_app(f"dates={reading}")) as client:
        written = await dated(client)
    for what, text in written.items():
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" + DATE_SHAPES[reading][what], text)
        assert instant(text) == instant(documented[what])
