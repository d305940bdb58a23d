"""BugBug in every dialect: its links, page sizes, orderings, time filters, ``stepsRuns`` and
durations as each reading of providers.md §1.1-§1.3 and §6.1-§6.2 has them, and the runs made
in a user's browser (``ScenarioSpec.bugbug_local_runs``)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from qa_tui.sim import ScenarioClock, ScenarioSpec, build_app
from qa_tui.sim.bugbug.world import LOCAL_ERROR
from qa_tui.sim.dialects import parse_dialect
from qa_tui.sim.triage import OUTAGE_HOST
from tests.sim.conftest import BUGBUG, client_for, spoken_app

API = "/bugbug/api/v2"
BIG: dict[str, Any] = {"bugbug_test_runs_finished": 60, "bugbug_suite_runs_finished": 25}
"""A world of 60 finished test runs and 26 suite runs, enough to see pages of 20, 25 and 50."""
Json = dict[str, Any]


async def page(client: httpx.AsyncClient, url: str) -> Json:
    response = await client.get(url, headers=BUGBUG)
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    return answer


def on_this_server(link: str) -> str:
    """A link's path and query, to ask this simulator whatever host the link names."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def counted(client: httpx.AsyncClient, kind: str = "test") -> int:
    """How many BugBug runs of `kind` exist, as the simulator's truth says."""
    truth = (await client.get("/_sim/truth")).json()["runs"]
    return sum(1 for r in truth if r["provider"] == "bugbug" and r["kind"] == kind)


async def follow_next(client: httpx.AsyncClient, first: str) -> list[Json]:
    runs, url = [], first
    while url:
        answer = await page(client, url)
        runs += answer["results"]
        url = answer["next"] and on_this_server(answer["next"])
    return runs


# -- bugbug.next ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reading", "starts"),
    [
        ("absolute", "http://sim.test/bugbug/api/v2/testruns/?"),
        ("relative", "/bugbug/api/v2/testruns/?"),
        ("other-host", "http://bugbug-internal.invalid:8000/bugbug/api/v2/testruns/?"),
    ],
)
async def test_bugbug_next_links_are_written_as_the_reading_says_with_the_same_path_and_query(
    reading: str, starts: str
) -> None:
    async with client_for(spoken_app(f"bugbug.next={reading}", **BIG)) as client:
        first = await page(client, f"{API}/testruns/?page_size=10&status=passed")
        assert first["next"].startswith(starts)
        assert on_this_server(first["next"]) == (
            "/bugbug/api/v2/testruns/?page_size=10&status=passed&page=2"
        )
        second = await page(client, on_this_server(first["next"]))
        assert second["previous"] == starts.rstrip("?") + "?page_size=10&status=passed"
        runs = await follow_next(client, f"{API}/testruns/?page_size=10&status=passed")
    assert len(runs) == first["count"] == len({r["id"] for r in runs})


async def test_bugbug_next_null_still_counts_every_run() -> None:
    async with client_for(spoken_app("bugbug.next=null", **BIG)) as client:
        first = await page(client, f"{API}/testruns/?page_size=20")
        assert first["next"] is None and first["previous"] is None
        runs, number = list(first["results"]), 1
        while len(runs) < first["count"]:  # full pages and the count are the only signs
            number += 1
            later = await page(client, f"{API}/testruns/?page_size=20&page={number}")
            assert later["next"] is None and later["previous"] is None
            runs += later["results"]
        assert first["count"] == await counted(client) > 100
    assert len({r["id"] for r in runs}) == first["count"]


# -- bugbug.page_size ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reading", "asked", "served"),
    [
        ("honoured", 7, 7),
        ("honoured", 100, 69),
        ("fixed", 7, 25),
        ("fixed", 100, 25),
        ("capped", 7, 7),
        ("capped", 100, 50),
    ],
)
async def test_bugbug_page_size_is_served_as_the_reading_says(
    reading: str, asked: int, served: int
) -> None:
    world: dict[str, Any] = {"bugbug_test_runs_finished": 60}
    async with client_for(spoken_app(f"bugbug.page_size={reading}", **world)) as client:
        answer = await page(client, f"{API}/testruns/?page_size={asked}")
        tests = await page(client, f"{API}/tests/?page_size=1")
    assert answer["count"] == 60 + 3 + 3 + 3  # finished, active, two suite runs of three
    assert len(answer["results"]) == served
    assert (answer["next"] is None) == (served == answer["count"])
    assert len(tests["results"]) == (12 if reading == "fixed" else 1)  # all 12 tests: one page


# -- bugbug.suite_page_size, bugbug.suite_ordering -------------------------------------------------
@pytest.mark.parametrize(("reading", "served"), [("honoured", 5), ("ignored", 20)])
async def test_the_suite_run_list_pages_by_what_is_asked_or_always_by_20(
    reading: str, served: int
) -> None:
    async with client_for(spoken_app(f"bugbug.suite_page_size={reading}", **BIG)) as client:
        suites = await page(client, f"{API}/suiteruns/?page_size=5")
        tests = await page(client, f"{API}/testruns/?page_size=5")
    assert suites["count"] == 26 and len(suites["results"]) == served  # 25 finished, 1 active
    assert len(tests["results"]) == 5  # the test-run list is not the suite-run list


async def test_suite_ordering_honoured_sorts_by_start_either_way() -> None:
    async with client_for(spoken_app("bugbug.suite_ordering=honoured", **BIG)) as client:
        newest = await page(client, f"{API}/suiteruns/?ordering=-started&page_size=100")
        oldest = await page(client, f"{API}/suiteruns/?ordering=started&page_size=100")
    started = [r["started"] for r in oldest["results"] if r["started"]]
    assert started == sorted(started)
    assert [r["id"] for r in newest["results"]] != [r["id"] for r in oldest["results"]]


async def test_suite_ordering_ignored_always_returns_the_oldest_suite_run_first() -> None:
    async with client_for(spoken_app("bugbug.suite_ordering=ignored", **BIG)) as client:
        lists = [
            (await page(client, f"{API}/suiteruns/?page_size=100{q}"))["results"]
            for q in ("", "&ordering=-started", "&ordering=started")
        ]
        tests = (await page(client, f"{API}/testruns/?ordering=started&page_size=100"))["results"]
    assert lists[0] == lists[1] == lists[2]
    sequences = [r["sequence"] for r in lists[0]]
    assert sequences == sorted(sequences)  # created one after another: oldest first
    started = [r["started"] for r in tests if r["started"]]
    assert started == sorted(started)  # the test-run list still honours ordering


# -- bugbug.time_range ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["testruns", "suiteruns"])
async def test_time_range_honoured_keeps_only_runs_started_in_it(path: str) -> None:
    async with client_for(spoken_app("bugbug.time_range=honoured", **BIG)) as client:
        every = await page(client, f"{API}/{path}/?page_size=100")
        recent = await page(
            client, f"{API}/{path}/?page_size=100&started_after=2025-06-02T10:00:00Z"
        )
        bad = await client.get(f"{API}/{path}/?started_before=yesterday", headers=BUGBUG)
    assert 0 < recent["count"] < every["count"]
    assert all(r["started"] >= "2025-06-02T10:00:00" for r in recent["results"])
    assert bad.status_code == 400


@pytest.mark.parametrize("path", ["testruns", "suiteruns"])
async def test_time_range_ignored_lists_every_run_whatever_the_range_says(path: str) -> None:
    async with client_for(spoken_app("bugbug.time_range=ignored", **BIG)) as client:
        every = await page(client, f"{API}/{path}/?page_size=100")
        recent = await page(
            client, f"{API}/{path}/?page_size=100&started_after=2025-06-02T10:00:00Z"
        )
        before = await page(client, f"{API}/{path}/?page_size=100&started_before=yesterday")
        assert every["count"] == await counted(
            client, {"testruns": "test", "suiteruns": "suite"}[path]
        )
    assert recent["results"] == every["results"] == before["results"]
    assert recent["count"] == every["count"] == before["count"]


# -- bugbug.steps_runs ---------------------------------------------------------------------------
async def failed_run(client: httpx.AsyncClient) -> Json:
    runs = await follow_next(client, f"{API}/testruns/?status=failed&page_size=100")
    return runs[0]


@pytest.mark.parametrize(
    ("reading", "check"),
    [
        ("json", lambda v: isinstance(v, str) and json.loads(v)[-1]["status"] == "failed"),
        ("array", lambda v: isinstance(v, list) and v[-1]["status"] == "failed"),
        ("opaque", lambda v: isinstance(v, str) and re.fullmatch(r"stepsrun_[0-9a-f]{12}", v)),
        ("empty", lambda v: v == "[]"),
    ],
)
async def test_steps_runs_is_written_as_the_reading_says(reading: str, check: Any) -> None:
    async with client_for(spoken_app(f"bugbug.steps_runs={reading}")) as client:
        run = await failed_run(client)
        again = await page(client, f"{API}/testruns/{run['id']}/")
    assert check(run["stepsRuns"])
    assert again["stepsRuns"] == run["stepsRuns"]


@pytest.mark.parametrize("reading", ["json", "array", "opaque", "empty"])
async def test_every_steps_runs_reading_still_leads_to_the_failing_step_and_its_own_error(
    reading: str,
) -> None:
    """The triage world's outage runs fail at their first step with the 503's own text: the
    screenshots list names the step runs, and each step run tells its status, type and error."""
    dialect = parse_dialect(f"bugbug.steps_runs={reading}")
    app = build_app(seed=7, clock=ScenarioClock.manual_at(),
                    scenario=ScenarioSpec(triage=True, dialect=dialect))  # fmt: skip
    async with client_for(app) as client:
        truth = (await client.get("/_sim/truth")).json()["triage"]["runs"]
        outage = [r["id"] for r in truth if r["provider"] == "bugbug" and r["role"] == "outage"]
        flaky = [r["id"] for r in truth if r["role"] == "flaky" and r["outcome"] == "fail"]
        for run_id in [outage[0], flaky[0]]:
            shots = await page(client, f"{API}/testruns/{run_id}/screenshots/")
            assert shots["id"] == run_id and shots["stepsRuns"]
            steps = [await page(client, f"{API}/stepruns/{s['id']}/") for s in shots["stepsRuns"]]
            assert [s["id"] for s in steps] == [s["id"] for s in shots["stepsRuns"]]
            assert all(s["type"] and s["testRunId"] == run_id for s in steps)
            assert [s["status"] for s in steps[:-1]] == ["passed"] * (len(steps) - 1)
            failing = steps[-1]
            assert failing["status"] == "failed" and failing["errorCode"]
            if run_id == outage[0]:
                assert len(steps) == 1 and failing["type"] == "goto"
                assert failing["error"].startswith(
                    f"503 Service Unavailable from GET {OUTAGE_HOST}"
                )
            else:
                assert failing["error"].startswith("Timed out after")
                assert "#pay-button" in failing["error"]


# -- bugbug.duration -----------------------------------------------------------------------------
def seconds_of(duration: str) -> float:
    found = re.fullmatch(r"(?:(\d+) )?(\d\d):(\d\d):(\d\d(?:\.\d+)?)", duration)
    assert found, duration
    days, h, m, s = found.groups()
    return ((int(days or 0) * 24 + int(h)) * 60 + int(m)) * 60 + float(s)


@pytest.mark.parametrize(
    ("reading", "shape", "read"),
    [
        ("django", r"\d\d:\d\d:\d\d(\.\d{6})?", seconds_of),
        ("seconds", r"\d+(\.\d{1,6})?", float),
        ("suffixed", r"\d+(\.\d{1,6})?s", lambda d: float(d[:-1])),
    ],
)
async def test_durations_are_written_as_the_reading_says_and_mean_the_same_time(
    reading: str, shape: str, read: Any
) -> None:
    async with client_for(spoken_app("")) as plain_client:
        plain = await follow_next(plain_client, f"{API}/testruns/?page_size=100")
        plain_suites = await follow_next(plain_client, f"{API}/suiteruns/")
    async with client_for(spoken_app(f"bugbug.duration={reading},bugbug.steps_runs=array")) as c:
        runs = await follow_next(c, f"{API}/testruns/?page_size=100")
        suites = await follow_next(c, f"{API}/suiteruns/")
        ended = next(r for r in runs if r["duration"] and r["stepsRuns"])
        step = await page(c, f"{API}/stepruns/{ended['stepsRuns'][0]['id']}/")
    expected = {r["id"]: r["duration"] for r in plain + plain_suites}
    written = [(r["id"], r["duration"]) for r in runs + suites if r["duration"]]
    assert written and len(written) == sum(1 for d in expected.values() if d)
    for run_id, duration in written:
        assert re.fullmatch(shape, duration), duration
        assert read(duration) == pytest.approx(seconds_of(expected[run_id]), abs=1e-6)
    assert re.fullmatch(shape, step["duration"]) and re.fullmatch(
        shape, ended["stepsRuns"][0]["duration"]
    )


# -- ScenarioSpec.bugbug_local_runs --------------------------------------------------------------
async def test_local_runs_are_finished_local_or_recording_runs_some_failed_with_one_error() -> None:
    async with client_for(spoken_app("", bugbug_local_runs=6)) as client:
        runs = await follow_next(client, f"{API}/testruns/?page_size=100")
        truth = (await client.get("/_sim/truth")).json()["runs"]
        local = [r for r in runs if r["runMode"] != "server"]
        failed = [r for r in local if r["status"] == "failed"]
        shots = await page(client, f"{API}/testruns/{failed[0]['id']}/screenshots/")
        failing = await page(client, f"{API}/stepruns/{shots['stepsRuns'][-1]['id']}/")
    assert len(local) == 6 and {r["runMode"] for r in local} == {"local", "recording"}
    assert {r["status"] for r in local} == {"failed", "passed"} and len(failed) == 4
    assert all(r["ended"] and r["triggeredBy"] == "user" for r in local)
    assert {r["name"] for r in local} == {"Checkout with card"}
    assert {r["errorCode"] for r in failed} == {"FAILED_WAITING_CONDITIONS"}
    assert failing["error"] == LOCAL_ERROR
    marked = {r["id"]: r["run_mode"] for r in truth if "run_mode" in r}
    assert marked == {r["id"]: r["runMode"] for r in local}


async def test_the_triage_world_keeps_its_local_runs_failing() -> None:
    spec = ScenarioSpec(triage=True, bugbug_local_runs=3)
    async with client_for(build_app(seed=7, clock=ScenarioClock.manual_at(), scenario=spec)) as c:
        runs = await follow_next(c, f"{API}/testruns/?page_size=100")
    local = [r for r in runs if r["runMode"] != "server"]
    assert [r["status"] for r in sorted(local, key=lambda r: r["sequence"])].count("failed") == 2


async def test_without_local_runs_every_run_is_a_cloud_run_and_the_truth_says_nothing_more() -> (
    None
):
    async with client_for(spoken_app("")) as client:
        runs = await follow_next(client, f"{API}/testruns/?page_size=100")
        truth = (await client.get("/_sim/truth")).json()["runs"]
    assert {r["runMode"] for r in runs} == {"server"}
    assert not any("run_mode" in r for r in truth)
