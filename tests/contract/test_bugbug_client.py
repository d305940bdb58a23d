"""The BugBug client against the simulator: every endpoint, the RunSource, faults, real sockets.

Most tests run in-process (httpx.ASGITransport). Time never passes by sleeping: the client's clock
is a ManualClock whose sleeps also move the simulator's scenario clock, so "waiting out a
Retry-After" takes no real time and the simulator sees the time pass. The last section runs
against the simulator served by uvicorn on 127.0.0.1 (port 0), and a tiny local app plays the
corners the simulator does not (a redirect to another host, an opaque `stepsRuns`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NetworkError,
    NotFound,
    RequestRejected,
    Unsupported,
)
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.model import ProviderKind, Run, RunKind, RunStatus
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bugbug import BugBugSource, auth_headers
from qa_tui.sim import FaultPlan, RunningSim, ScenarioClock, ScenarioSpec, Simulator, build_app
from qa_tui.sim.credentials import BUGBUG_TOKEN
from qa_tui.sim.server import start_in_thread
from tests.support.linked_clock import LinkedClock

SIM_HOST = "http://sim.test"


@dataclass
class World:
    """A simulator, its clocks and faults, and a BugBug source talking to it."""

    app: Starlette
    clock: ScenarioClock
    faults: FaultPlan
    source: BugBugSource
    client_clock: LinkedClock
    answers: list[int] = field(default_factory=list)
    """Status code of every answered request, in order."""

    @property
    def sim(self) -> Simulator:
        simulator: Simulator = self.app.state.sim
        return simulator

    def true_status(self, run_id: str) -> str:
        status: str = next(r["status"] for r in bugbug_truth(self.sim) if r["id"] == run_id)
        return status


def bugbug_truth(sim: Simulator) -> list[dict[str, Any]]:
    """The simulator's own account of every BugBug run that exists now."""
    return [r for r in sim.truth()["runs"] if r["provider"] == "bugbug"]


def small_world(**changes: Any) -> ScenarioSpec:
    """A few runs of each kind and no new runs appearing on their own."""
    spec: dict[str, Any] = {
        "bugbug_test_runs_finished": 6,
        "bugbug_test_runs_active": 3,
        "bugbug_suite_runs_finished": 2,
        "bugbug_suite_runs_active": 1,
        "new_run_every_s": None,
    }
    spec.update(changes)
    return ScenarioSpec(**spec)


def make_source(
    base_url: str,
    clock: LinkedClock,
    answers: list[int],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    token: str = BUGBUG_TOKEN,
    per_minute: float = 6000,
) -> BugBugSource:
    http = ProviderHttp(
        "web",
        base_url,
        headers=auth_headers(token),
        budget=RequestBudget(per_minute, burst=100, clock=clock),
        clock=clock,
        transport=transport,
        on_response=lambda info: answers.append(info.status_code),
    )
    return BugBugSource("web", http)


def build_world(spec: ScenarioSpec | None = None, token: str = BUGBUG_TOKEN) -> World:
    clock, faults = ScenarioClock.manual_at(), FaultPlan()
    app = build_app(seed=7, clock=clock, faults=faults, scenario=spec or small_world())
    client_clock, answers = LinkedClock(clock), list[int]()
    transport = httpx.ASGITransport(app=app)
    source = make_source(
        f"{SIM_HOST}/bugbug", client_clock, answers, transport=transport, token=token
    )
    return World(app, clock, faults, source, client_clock, answers)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    built = build_world()
    yield built
    await built.source.aclose()


async def a_run(world: World, status: RunStatus, kind: RunKind = RunKind.TEST) -> Run:
    """A listed run in `status`, letting scenario time pass (5 s at a time) until there is one."""
    for _ in range(60):
        runs = (await world.source.list_runs(limit=200)).runs
        found = [r for r in runs if r.status is status and r.kind is kind]
        if found:
            return found[0]
        world.clock.advance(5)
    raise AssertionError(f"no {kind} run became {status}")


async def a_running_test_we_started(world: World) -> Run:
    """Start the first test and let it get going."""
    test = world.sim.bugbug.tests[0]
    run = await world.source.start_test(test.id)
    for _ in range(20):
        world.clock.advance(3)
        run = await world.source.refresh_run(run)
        if run.provider_status == "running":
            return run
    raise AssertionError("the started run never ran")


# ---- test runs ---------------------------------------------------------------------------


async def test_listing_test_runs_follows_next_links_across_several_pages() -> None:
    """GIVEN 23 finished runs and pages of 5 WHEN listing all THEN every run, one page a request."""
    world = build_world(small_world(bugbug_test_runs_finished=23, bugbug_suite_runs_finished=0))
    world.source.api.page_size = 5
    parsed = await world.source.api.list_test_runs(limit=None)
    truth = [r for r in bugbug_truth(world.sim) if r["kind"] == "test"]
    assert sorted(r.id for r in parsed.items) == sorted(r["id"] for r in truth)
    assert parsed.skipped == 0
    assert len(world.answers) == -(-len(truth) // 5) >= 5
    await world.source.aclose()


async def test_listing_test_runs_stops_at_the_limit_asked_for(world: World) -> None:
    """GIVEN pages of 5 WHEN 7 runs are asked for THEN 7 come back from two requests."""
    world.source.api.page_size = 5
    parsed = await world.source.api.list_test_runs(limit=7)
    assert len(parsed.items) == 7
    assert len(world.answers) == 2


async def test_test_runs_can_be_filtered_by_status_test_and_start_time(world: World) -> None:
    """GIVEN the documented filters THEN BugBug applies each of them."""
    everything = (await world.source.api.list_test_runs(limit=None)).items
    failed = (await world.source.api.list_test_runs(status="failed", limit=None)).items
    assert failed and {r.status for r in failed} == {"failed"}
    test_id = everything[0].test_id
    assert test_id is not None
    of_test = (await world.source.api.list_test_runs(test_id=test_id, limit=None)).items
    assert of_test and {r.test_id for r in of_test} == {test_id}
    started = sorted(r.started for r in everything if r.started is not None)
    middle = started[len(started) // 2]
    later = (await world.source.api.list_test_runs(started_after=middle, limit=None)).items
    earlier = (await world.source.api.list_test_runs(started_before=middle, limit=None)).items
    assert all(r.started is not None and r.started >= middle for r in later)
    assert all(r.started is not None and r.started <= middle for r in earlier)
    oldest_first = (await world.source.api.list_test_runs(ordering="started", limit=3)).items
    assert oldest_first[0].started == started[0]


async def test_starting_a_test_returns_its_status_and_the_run_reads_back(world: World) -> None:
    """GIVEN a test, a profile and variables WHEN started THEN a new run of that test exists."""
    test, profile = world.sim.bugbug.tests[1], world.sim.bugbug.profiles[1]
    started = await world.source.api.start_test_run(
        test.id, profile_id=profile.id, variables={"email": "qa@example.com", "empty": None}
    )
    assert started.status in ("initialized", "queued")
    assert started.total_steps == len(test.steps)
    run = await world.source.api.get_test_run(started.id)
    assert (run.name, run.test_id, run.run_profile_id) == (test.name, test.id, profile.id)
    assert run.triggered_by == "api"


async def test_starting_an_unknown_test_is_rejected_with_bugbugs_words(world: World) -> None:
    """GIVEN a test id BugBug does not know THEN RequestRejected carrying its message."""
    with pytest.raises(RequestRejected) as caught:
        await world.source.api.start_test_run("00000000-0000-4000-8000-000000000000")
    assert "testId" in caught.value.message


async def test_a_test_run_status_counts_finished_and_total_steps(world: World) -> None:
    """GIVEN a running test run THEN /status/ says how many of its steps are finished."""
    run = await a_running_test_we_started(world)
    status = await world.source.api.test_run_status(run.id)
    assert status.status == "running"
    assert status.total_steps == len(world.sim.bugbug.tests[0].steps)
    assert status.finished_steps is not None
    assert 0 <= status.finished_steps <= status.total_steps


async def test_stopping_a_running_test_run_turns_it_stopped(world: World) -> None:
    """GIVEN a running test run WHEN stopped THEN BugBug and the run both say stopped."""
    run = await a_running_test_we_started(world)
    answer = await world.source.api.stop_test_run(run.id)
    assert answer.status == "stopped"
    assert world.true_status(run.id) == "stopped"


async def test_stopping_a_finished_run_is_rejected(world: World) -> None:
    """GIVEN a passed run WHEN stopped THEN BugBug's 400 is a RequestRejected saying why."""
    run = await a_run(world, RunStatus.PASSED)
    with pytest.raises(RequestRejected, match="not running"):
        await world.source.api.stop_test_run(run.id)


async def test_an_unknown_run_is_not_found(world: World) -> None:
    """GIVEN a run id nobody knows THEN NotFound, for test runs and suite runs alike."""
    with pytest.raises(NotFound):
        await world.source.api.get_test_run("00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFound):
        await world.source.get_run("00000000-0000-4000-8000-000000000000")


async def test_screenshots_list_the_step_runs_with_images_to_download(world: World) -> None:
    """GIVEN a finished run THEN one screenshot per step run, each a PNG on BugBug's origin."""
    run = await a_run(world, RunStatus.PASSED)
    shots = await world.source.api.test_run_screenshots(run.id)
    assert shots.id == run.id
    assert run.progress is not None
    assert len(shots.steps_runs) == run.progress.total
    url = shots.steps_runs[0].screenshot_url
    assert url is not None
    assert (await world.source.download(url)).startswith(b"\x89PNG")


async def test_a_step_run_has_its_type_status_and_screenshot(world: World) -> None:
    """GIVEN a step run id from the screenshots THEN /stepruns/{id}/ describes that step."""
    run = await a_run(world, RunStatus.FAILED)
    shots = await world.source.api.test_run_screenshots(run.id)
    last = shots.steps_runs[-1]
    assert last.id is not None
    step = await world.source.api.get_step_run(last.id)
    assert (step.id, step.step_id, step.test_run_id) == (last.id, last.step_id, run.id)
    assert step.status == "failed"
    assert step.error_code == run.error
    assert step.type


async def test_debug_artifacts_are_listed_and_read_by_kind(world: World) -> None:
    """GIVEN a failed run THEN its debug artifacts list, and each kind reads on its own."""
    run = await a_run(world, RunStatus.FAILED)
    artifacts = await world.source.api.debug_artifacts(run.id)
    assert artifacts
    for artifact in artifacts:
        assert artifact.kind is not None
        one = await world.source.api.debug_artifact(run.id, artifact.kind)
        assert one == artifact
        assert (one.expiration_time is None) == (one.kind == "dom_snapshot")  # null: never expires
    with pytest.raises(NotFound):
        await world.source.api.debug_artifact(run.id, "visual_regression_screenshot")


async def test_the_log_is_read_through_the_302(world: World) -> None:
    """GIVEN a finished run WHEN its log is read THEN the redirect is followed to the text."""
    run = await a_run(world, RunStatus.FAILED)
    text = await world.source.api.test_run_log(run.id)
    assert f"test run {run.id} created" in text
    assert 302 in world.answers


async def test_a_missing_log_is_not_found(world: World) -> None:
    """GIVEN a run whose logs are gone THEN NotFound (BugBug: "Logs not found or expired")."""
    now = world.clock.now()
    gone = next(
        r
        for r in world.sim.bugbug.test_runs.values()
        if not r.has_logs and r.timeline.started(now) is not None
    )
    with pytest.raises(NotFound, match="expired"):
        await world.source.api.test_run_log(gone.id)


async def test_junit_comes_as_xml_bytes_despite_its_json_label(world: World) -> None:
    """GIVEN a finished run THEN its JUnit report is the XML bytes, not a JSON error."""
    run = await a_run(world, RunStatus.FAILED)
    report = await world.source.api.test_run_junit(run.id)
    assert report.lstrip().startswith(b"<?xml")
    assert b"<testcase" in report


# ---- suite runs --------------------------------------------------------------------------


async def test_suite_runs_list_with_their_test_runs(world: World) -> None:
    """GIVEN suite runs THEN the list carries each with its test runs pointing back to it."""
    suites = (await world.source.api.list_suite_runs(limit=None)).items
    assert len(suites) == 3
    for suite in suites:
        assert suite.test_runs
        assert {child.suite_run_id for child in suite.test_runs} == {suite.id}


async def test_starting_a_suite_creates_a_suite_run_of_its_tests(world: World) -> None:
    """GIVEN a suite and a profile WHEN started THEN the suite run holds one run per test."""
    suite, profile = world.sim.bugbug.suites[1], world.sim.bugbug.profiles[2]
    started = await world.source.api.start_suite_run(suite.id, profile_id=profile.id)
    assert started.status in ("initialized", "queued")
    run = await world.source.api.get_suite_run(started.id)
    assert (run.name, run.profile_id) == (suite.name, profile.id)
    assert len(run.test_runs) == len(suite.tests)
    status = await world.source.api.suite_run_status(started.id)
    assert status.id == started.id


async def test_stopping_a_suite_run_stops_it_and_its_test_runs(world: World) -> None:
    """GIVEN a running suite run WHEN stopped THEN it and every child say stopped."""
    suite = world.sim.bugbug.suites[0]
    started = await world.source.api.start_suite_run(suite.id)
    world.clock.advance(6)
    answer = await world.source.api.stop_suite_run(started.id)
    assert answer.status == "stopped"
    children = (await world.source.api.get_suite_run(started.id)).test_runs
    assert {child.status for child in children} == {"stopped"}


async def test_suite_run_screenshots_and_junit(world: World) -> None:
    """GIVEN a finished suite run THEN screenshots per test run (`testsRuns`) and one JUnit file."""
    suite = await a_run(world, RunStatus.FAILED, RunKind.SUITE)
    shots = await world.source.api.suite_run_screenshots(suite.id)
    assert shots.id == suite.id
    assert len(shots.tests_runs) == 3
    assert any(test.steps_runs for test in shots.tests_runs)
    report = await world.source.api.suite_run_junit(suite.id)
    assert report.lstrip().startswith(b"<?xml")
    assert report.count(b"<testcase") == 3


# ---- what runs can be started from -------------------------------------------------------


async def test_tests_suites_and_profiles_are_listed_and_searched(world: World) -> None:
    """GIVEN the catalogue THEN tests, suites and profiles list, and names can be searched."""
    tests = await world.source.list_tests()
    assert len(tests.items) == len(world.sim.bugbug.tests)
    assert [t.name for t in (await world.source.list_tests("Login")).items] == ["Login with email"]
    suites = await world.source.list_suites("Smoke")
    assert [s.name for s in suites.items] == ["Smoke"]
    assert suites.items[0].tests_count == 3
    profiles = await world.source.list_profiles()
    assert {p.name for p in profiles.items} == {"Default", "Staging", "Mobile"}


async def test_check_is_one_cheap_authenticated_call(world: World) -> None:
    """GIVEN a good token THEN check() says so in one request."""
    assert await world.source.check() == f"token accepted; {len(world.sim.bugbug.tests)} tests"
    assert world.answers == [200]


# ---- the RunSource -----------------------------------------------------------------------


async def test_the_source_is_a_run_source_with_bugbugs_capabilities(world: World) -> None:
    """GIVEN a BugBug source THEN it satisfies RunSource and offers all but analysis."""
    assert isinstance(world.source, RunSource)
    assert world.source.kind is ProviderKind.BUGBUG
    caps = world.source.capabilities
    assert caps.stop and caps.rerun and caps.start and caps.artifacts and caps.logs and caps.junit
    assert not caps.analysis
    assert BUGBUG_TOKEN not in repr(world.source)


async def test_list_runs_merges_test_and_suite_runs_newest_first(world: World) -> None:
    """GIVEN test runs and suite runs THEN one list, newest first, children naming their suite."""
    runs = (await world.source.list_runs(limit=100)).runs
    truth = {r["id"]: r for r in bugbug_truth(world.sim)}
    assert {r.id for r in runs} == set(truth)
    assert {r.kind for r in runs} == {RunKind.TEST, RunKind.SUITE}
    for run in runs:
        assert run.provider_status == truth[run.id]["status"]
        assert run.parent_id == truth[run.id]["parent_id"]
    suite_ids = {r.id for r in runs if r.kind is RunKind.SUITE}
    assert suite_ids <= {r.parent_id for r in runs if r.parent_id}
    moments = [r.started for r in runs if r.started is not None]
    assert moments == sorted(moments, reverse=True)
    first_started = next(i for i, r in enumerate(runs) if r.started is not None)
    assert all(r.started is None for r in runs[:first_started])
    few = (await world.source.list_runs(limit=5)).runs  # up to 5 of each list, with children
    suites = {r.id for r in few if r.kind is RunKind.SUITE}
    alone = [r for r in few if r.kind is RunKind.TEST and r.parent_id not in suites]
    assert 0 < len(suites) <= 5 and 0 < len(alone) <= 5


async def test_list_runs_filters_by_normalized_status(world: World) -> None:
    """GIVEN a status filter THEN only runs with that normalized status, suite runs included."""
    failed = (await world.source.list_runs(status=RunStatus.FAILED)).runs
    assert failed and {r.status for r in failed} == {RunStatus.FAILED}
    assert RunKind.SUITE in {r.kind for r in failed}
    queued = (await world.source.list_runs(status=RunStatus.QUEUED)).runs
    assert {r.provider_status for r in queued} <= {"initialized", "queued"}
    assert queued


async def test_refresh_uses_the_status_endpoint_then_reads_the_end_once(world: World) -> None:
    """GIVEN a started run WHEN refreshed THEN cheap /status/ calls, and one full read at the end."""
    run = await a_running_test_we_started(world)
    assert run.progress is not None and run.progress.total == len(world.sim.bugbug.tests[0].steps)
    world.answers.clear()
    world.clock.advance(200)
    done = await world.source.refresh_run(run)
    assert done.status.is_terminal
    assert done.ended is not None and done.duration_s is not None
    assert done.name == run.name and done.test_id == run.test_id
    assert len(world.answers) == 2  # /status/, then the full run once
    again = await world.source.refresh_run(done)
    assert again.ended == done.ended
    assert len(world.answers) == 3


async def test_refreshing_a_suite_run_reads_its_end_and_children(world: World) -> None:
    """GIVEN a suite run in the list WHEN it has finished THEN refresh fills end and progress."""
    suite = await a_run(world, RunStatus.QUEUED, RunKind.SUITE)
    world.clock.advance(600)
    done = await world.source.refresh_run(suite)
    assert done.status.is_terminal and done.ended is not None
    assert done.progress is not None and done.progress.done == done.progress.total


async def test_stop_run_turns_a_running_run_stopped(world: World) -> None:
    """GIVEN a running run WHEN stop_run THEN the returned run is stopped, raw word kept."""
    run = await a_running_test_we_started(world)
    stopped = await world.source.stop_run(run)
    assert (stopped.status, stopped.provider_status) == (RunStatus.STOPPED, "stopped")
    assert stopped.name == run.name


async def test_get_run_finds_test_runs_and_suite_runs(world: World) -> None:
    """GIVEN ids of a test run and of a suite run THEN get_run reads either."""
    suite = await a_run(world, RunStatus.FAILED, RunKind.SUITE)
    test = await a_run(world, RunStatus.PASSED)
    assert (await world.source.get_run(suite.id)).kind is RunKind.SUITE
    assert (await world.source.get_run(test.id)).kind is RunKind.TEST


async def test_rerun_of_a_test_run_starts_the_same_test_with_the_same_profile(
    world: World,
) -> None:
    """GIVEN a finished test run WHEN re-run THEN a new run of that test, same profile."""
    old = await a_run(world, RunStatus.FAILED)
    old_wire = await world.source.api.get_test_run(old.id)
    new = await world.source.rerun(old)
    assert new.id != old.id
    assert (new.kind, new.test_id, new.name) == (RunKind.TEST, old.test_id, old.name)
    assert new.status is RunStatus.QUEUED
    new_wire = await world.source.api.get_test_run(new.id)
    assert new_wire.run_profile_id == old_wire.run_profile_id


async def test_rerun_of_a_listed_suite_run_finds_its_suite_by_name(world: World) -> None:
    """GIVEN a suite run qa-tui did not start WHEN re-run THEN its suite (named alike) starts."""
    old = await a_run(world, RunStatus.FAILED, RunKind.SUITE)
    assert old.test_id is None
    new = await world.source.rerun(old)
    assert new.id != old.id and new.kind is RunKind.SUITE and new.name == old.name
    suite = next(s for s in world.sim.bugbug.suites if s.name == old.name)
    assert new.test_id == suite.id
    again = await world.source.rerun(new)  # remembered this time, no search
    assert again.test_id == suite.id


async def test_detail_of_a_finished_test_run_has_steps_and_artifacts(world: World) -> None:
    """GIVEN a failed run THEN steps from stepsRuns, and debug artifacts, shots, log, JUnit."""
    run = await a_run(world, RunStatus.FAILED)
    detail = await world.source.run_detail(run)
    steps = detail.steps.items
    assert steps and steps[-1].status is RunStatus.FAILED
    assert all(s.status is RunStatus.PASSED for s in steps[:-1])
    assert steps[-1].error == run.error
    kinds = {a.kind for a in detail.artifacts.items}
    assert {"screenshot", "logs", "junit"} <= kinds
    debug = await world.source.api.debug_artifacts(run.id)
    assert {a.kind for a in debug} <= kinds
    assert detail.children.unavailable and detail.analysis.unavailable
    log = next(a for a in detail.artifacts.items if a.kind == "logs")
    assert log.url is not None
    assert run.id in (await world.source.download(log.url)).decode()


async def test_detail_of_a_suite_run_lists_its_test_runs_as_children(world: World) -> None:
    """GIVEN a finished suite run THEN children are its test runs; steps live in them."""
    suite = await a_run(world, RunStatus.FAILED, RunKind.SUITE)
    detail = await world.source.run_detail(suite)
    assert len(detail.children.items) == 3
    assert {c.parent_id for c in detail.children.items} == {suite.id}
    assert detail.steps.unavailable
    assert "junit" in {a.kind for a in detail.artifacts.items}
    assert await world.source.fetch_junit(suite)
    with pytest.raises(Unsupported):
        await world.source.fetch_log(suite)


async def test_fetch_log_and_junit_of_a_test_run(world: World) -> None:
    """GIVEN a finished test run THEN its log text and its JUnit bytes."""
    run = await a_run(world, RunStatus.FAILED)
    assert run.name in await world.source.fetch_log(run)
    assert b"<testsuite" in await world.source.fetch_junit(run)


# ---- faults ------------------------------------------------------------------------------


async def test_a_bad_token_is_auth_failed_without_the_token_in_the_message() -> None:
    """GIVEN a wrong token THEN AuthFailed with BugBug's words, and no token anywhere."""
    world = build_world(token="not-the-token")
    with pytest.raises(AuthFailed) as caught:
        await world.source.check()
    assert caught.value.message == "Invalid token."
    assert "not-the-token" not in str(caught.value)
    await world.source.aclose()


async def test_a_token_revoked_mid_run_is_auth_failed(world: World) -> None:
    """GIVEN a working source WHEN BugBug starts refusing the token THEN AuthFailed."""
    await world.source.check()
    world.sim.revoke("bugbug")
    with pytest.raises(AuthFailed):
        await world.source.list_runs()


async def test_malformed_json_is_a_bad_payload_not_a_crash(world: World) -> None:
    """GIVEN answers cut in half THEN BadPayload naming the call, for lists and single runs."""
    run = await a_run(world, RunStatus.PASSED)
    world.faults.set("bugbug", malformed_rate=1.0)
    with pytest.raises(BadPayload, match="malformed JSON"):
        await world.source.api.get_test_run(run.id)
    with pytest.raises(BadPayload):
        await world.source.list_runs()


async def test_a_429_with_retry_after_is_waited_out_not_failed(world: World) -> None:
    """GIVEN BugBug allows 3 requests a minute WHEN a 4th is needed THEN it waits, then succeeds."""
    world.faults.set("bugbug", rpm=3)
    world.source.api.page_size = 2
    parsed = await world.source.api.list_test_runs(limit=8)  # four pages
    assert len(parsed.items) == 8
    assert 429 in world.answers
    assert world.answers[-1] == 200
    assert max(world.client_clock.slept) >= 1.0  # the Retry-After, waited on the clock


async def test_server_errors_on_reads_are_retried(world: World) -> None:
    """GIVEN BugBug failing every other request with a 5xx THEN reads still succeed."""
    world.faults.set("bugbug", error_rate=0.5)
    runs = (await world.source.list_runs()).runs
    assert runs
    assert any(code >= 500 for code in world.answers)


# ---- real sockets ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSim]:
    with start_in_thread(clock=ScenarioClock.manual_at(), scenario=small_world()) as running:
        yield running


@pytest.fixture
async def over_loopback(served: RunningSim) -> AsyncIterator[tuple[RunningSim, BugBugSource]]:
    source = make_source(f"{served.base_url}/bugbug", LinkedClock(served.sim.clock), [])
    yield served, source
    await source.aclose()
    served.sim.faults.clear()


async def test_over_loopback_runs_list_and_the_token_is_checked(
    over_loopback: tuple[RunningSim, BugBugSource],
) -> None:
    """GIVEN the simulator on 127.0.0.1 THEN check and list_runs work over real sockets."""
    served, source = over_loopback
    assert (await source.check()).startswith("token accepted")
    runs = (await source.list_runs()).runs
    assert {r.id for r in runs} == {r["id"] for r in bugbug_truth(served.sim)}


async def test_over_loopback_a_started_run_is_stopped(
    over_loopback: tuple[RunningSim, BugBugSource],
) -> None:
    """GIVEN a test started over real sockets WHEN stopped THEN it reads stopped."""
    served, source = over_loopback
    run = await source.start_test(served.sim.bugbug.tests[2].id)
    served.sim.clock.advance(6)
    stopped = await source.stop_run(await source.refresh_run(run))
    assert stopped.status is RunStatus.STOPPED
    assert (await source.refresh_run(stopped)).status is RunStatus.STOPPED


async def test_over_loopback_logs_follow_the_302_and_junit_is_bytes(
    over_loopback: tuple[RunningSim, BugBugSource],
) -> None:
    """GIVEN a finished run over real sockets THEN its log through the 302, its JUnit as bytes."""
    served, source = over_loopback
    now = served.sim.clock.now()
    finished = next(
        r
        for r in served.sim.bugbug.test_runs.values()
        if r.has_logs and r.timeline.ended(now) is not None and r.timeline.started(now)
    )
    assert f"test run {finished.id} created" in await source.api.test_run_log(finished.id)
    assert (await source.api.test_run_junit(finished.id)).lstrip().startswith(b"<?xml")


async def test_over_loopback_a_provider_that_is_down_is_a_network_error(
    over_loopback: tuple[RunningSim, BugBugSource],
) -> None:
    """GIVEN BugBug dropping every connection THEN NetworkError after the retries, no crash."""
    served, source = over_loopback
    served.sim.faults.set("bugbug", down=True)
    with pytest.raises(NetworkError):
        await source.list_runs()


# ---- corners the simulator does not play: a tiny local app -------------------------------


@dataclass
class Seen:
    """What the tiny app was asked: (host, path, Authorization header) per request."""

    requests: list[tuple[str, str, str | None]] = field(default_factory=list)

    def auth_on(self, host: str) -> set[str | None]:
        return {auth for h, _, auth in self.requests if h == host}


def tiny_bugbug(seen: Seen) -> Starlette:
    """A BugBug that redirects logs to another host and sends an opaque `stepsRuns`."""
    api = "/bugbug/api/v2"

    async def record(request: Request) -> None:
        path = request.url.path
        seen.requests.append((request.url.netloc, path, request.headers.get("authorization")))

    async def logs(request: Request) -> Response:
        await record(request)
        where = request.path_params["id"]
        target = "http://files.example/log.txt" if where == "far" else "/bugbug/media/log.txt"
        return RedirectResponse(target, status_code=302)

    async def log_file(request: Request) -> Response:
        await record(request)
        return PlainTextResponse(f"log from {request.url.netloc}")

    async def test_run(request: Request) -> Response:
        await record(request)
        return JSONResponse(
            {"id": "r1", "name": "Opaque", "status": "passed", "testId": "t1",
             "stepsRuns": "stepsrun_123", "started": "2026-01-01T12:00:00Z",
             "ended": "2026-01-01T12:00:10Z", "duration": "10s"}
        )  # fmt: skip

    async def screenshots(request: Request) -> Response:
        await record(request)
        shots = [
            {"id": f"s{i}", "stepId": f"st{i}", "screenshotUrl": f"http://cdn.example/{i}.png"}
            for i in range(3)
        ]
        return JSONResponse({"id": "r1", "stepsRuns": shots})

    async def step_run(request: Request) -> Response:
        await record(request)
        i = request.path_params["id"]
        return JSONResponse({"id": i, "type": "click", "status": "passed", "duration": "1.5"})

    async def nothing(request: Request) -> Response:
        await record(request)
        return JSONResponse([])

    async def junit(request: Request) -> Response:
        await record(request)
        return JSONResponse('<?xml version="1.0"?><testsuite/>')  # XML, JSON-quoted

    async def suite_run(request: Request) -> Response:
        await record(request)
        return JSONResponse({"id": "sr1", "name": "Renamed", "status": "failed", "testRuns": []})

    async def suites(request: Request) -> Response:
        await record(request)
        return JSONResponse({"count": 0, "next": None, "previous": None, "results": []})

    async def png(request: Request) -> Response:
        await record(request)
        return Response(b"\x89PNG fake", media_type="image/png")

    return Starlette(
        routes=[
            Route(f"{api}/testruns/{{id}}/logs/", logs),
            Route(f"{api}/testruns/{{id}}/", test_run),
            Route(f"{api}/testruns/{{id}}/screenshots/", screenshots),
            Route(f"{api}/testruns/{{id}}/debug-artifacts/", nothing),
            Route(f"{api}/testruns/{{id}}/report/junit/", junit),
            Route(f"{api}/stepruns/{{id}}/", step_run),
            Route(f"{api}/suiteruns/{{id}}/", suite_run),
            Route(f"{api}/suites/", suites),
            Route("/bugbug/media/log.txt", log_file),
            Route("/log.txt", log_file),
            Route("/{name}.png", png),
        ]
    )


@pytest.fixture
async def tiny() -> AsyncIterator[tuple[Seen, BugBugSource]]:
    seen = Seen()
    clock = LinkedClock(ScenarioClock.manual_at())
    transport = httpx.ASGITransport(app=tiny_bugbug(seen))
    source = make_source(f"{SIM_HOST}/bugbug", clock, [], transport=transport)
    yield seen, source
    await source.aclose()


async def test_a_log_redirect_to_another_host_gets_no_token(
    tiny: tuple[Seen, BugBugSource],
) -> None:
    """GIVEN logs redirected to another host THEN that host never sees the token."""
    seen, source = tiny
    assert await source.api.test_run_log("far") == "log from files.example"
    assert seen.auth_on("files.example") == {None}
    assert seen.auth_on("sim.test") == {f"Token {BUGBUG_TOKEN}"}


async def test_a_log_redirect_on_bugbugs_own_origin_keeps_the_token(
    tiny: tuple[Seen, BugBugSource],
) -> None:
    """GIVEN logs redirected within BugBug's origin THEN the file is fetched with the token."""
    seen, source = tiny
    assert await source.api.test_run_log("near") == "log from sim.test"
    assert seen.requests[-1] == ("sim.test", "/bugbug/media/log.txt", f"Token {BUGBUG_TOKEN}")


async def test_downloads_from_another_host_carry_no_token(
    tiny: tuple[Seen, BugBugSource],
) -> None:
    """GIVEN a screenshot on a CDN THEN it downloads without BugBug's token."""
    seen, source = tiny
    assert await source.download("http://cdn.example/0.png") == b"\x89PNG fake"
    assert seen.auth_on("cdn.example") == {None}


async def test_an_opaque_steps_runs_falls_back_to_screenshots_and_step_runs(
    tiny: tuple[Seen, BugBugSource],
) -> None:
    """GIVEN stepsRuns "stepsrun_123" THEN steps come from screenshots + step runs, read once."""
    seen, source = tiny
    run = await source.get_run("r1")
    assert run.progress is None and run.duration_s == 10.0
    detail = await source.run_detail(run)
    steps = detail.steps.items
    assert [(s.id, s.name, s.status) for s in steps] == [
        (f"s{i}", "click", RunStatus.PASSED) for i in range(3)
    ]
    assert [s.screenshot_url for s in steps] == [f"http://cdn.example/{i}.png" for i in range(3)]
    assert steps[0].duration_s == 1.5
    step_calls = sum(1 for _, path, _ in seen.requests if "/stepruns/" in path)
    await source.run_detail(run)
    assert sum(1 for _, path, _ in seen.requests if "/stepruns/" in path) == step_calls == 3


async def test_junit_sent_as_a_json_string_is_unwrapped(tiny: tuple[Seen, BugBugSource]) -> None:
    """GIVEN the XML quoted as a JSON string THEN the XML bytes come back."""
    _, source = tiny
    assert await source.api.test_run_junit("r1") == b'<?xml version="1.0"?><testsuite/>'


async def test_rerun_of_a_suite_run_whose_suite_is_unknown_is_unsupported(
    tiny: tuple[Seen, BugBugSource],
) -> None:
    """GIVEN a suite run whose suite BugBug never names and no suite matches THEN Unsupported."""
    seen, source = tiny
    listed = Run(
        provider="web",
        provider_kind=ProviderKind.BUGBUG,
        id="sr1",
        kind=RunKind.SUITE,
        name="Renamed",
        status=RunStatus.FAILED,
        provider_status="failed",
    )
    with pytest.raises(Unsupported, match="which suite"):
        await source.rerun(listed)
    assert not [path for _, path, _ in seen.requests if path.endswith("/suiteruns/")]
