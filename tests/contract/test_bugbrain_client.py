"""The BugBrain client against the simulator: executions listed, followed, started, cancelled.

The client's ManualClock is linked to the simulator's scenario clock: whenever the client waits
(its budget, a Retry-After), simulated time moves by the same amount, so nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.core.errors import AuthFailed, NotFound, RequestRejected, ServerError, Unsupported
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp, ResponseInfo
from qa_tui.core.model import RunKind, RunStatus
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bugbrain import (
    DEFAULT_REQUESTS_PER_MINUTE,
    BugBrainSource,
    auth_headers,
)
from qa_tui.sim import FaultPlan, ScenarioClock, ScenarioSpec, Simulator, build_app
from qa_tui.sim.bugbrain.world import Execution as SimExecution
from qa_tui.sim.credentials import (
    BUGBRAIN_API_KEY,
    BUGBRAIN_OTHER_PROJECT_ID,
    BUGBRAIN_PROJECT_ID,
)
from qa_tui.sim.server import start_in_thread
from tests.support.linked_clock import LinkedClock

SMALL = ScenarioSpec(bugbrain_finished=12, bugbrain_active=3, new_run_every_s=None)


class Harness:
    """One simulator, a linked clock, and a way to build sources that count their requests."""

    def __init__(self, spec: ScenarioSpec = SMALL) -> None:
        self.scenario = ScenarioClock.manual_at()
        self.faults = FaultPlan()
        self.app: Starlette = build_app(
            seed=11, clock=self.scenario, faults=self.faults, scenario=spec
        )
        self.sim: Simulator = self.app.state.sim
        self.clock = LinkedClock(self.scenario)
        self.requests: list[ResponseInfo] = []
        self.loopback_url = ""
        """Set when the simulator also serves on a real loopback socket."""

    def source(
        self,
        *,
        token: str = BUGBRAIN_API_KEY,
        style: str = "bearer",
        project_id: str = BUGBRAIN_PROJECT_ID,
        base_url: str = "http://sim.test/bugbrain/api/v1",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> BugBrainSource:
        http = ProviderHttp(
            "plans",
            base_url,
            headers=auth_headers(token, style),
            budget=RequestBudget(DEFAULT_REQUESTS_PER_MINUTE, clock=self.clock),
            clock=self.clock,
            transport=transport or httpx.ASGITransport(app=self.app),
            rng=random.Random(0),
            on_response=self.requests.append,
        )
        return BugBrainSource("plans", http, project_id=project_id, clock=self.clock)

    def executions(self) -> list[SimExecution]:
        now = self.sim.now()
        return [e for e in self.sim.bugbrain.executions.values() if e.timeline.exists(now)]

    def status_of(self, execution_id: str) -> str:
        ex = self.sim.bugbrain.executions[execution_id]
        return ex.timeline.status(self.sim.now())


@pytest.fixture
def harness() -> Harness:
    return Harness()


@pytest.fixture
async def source(harness: Harness) -> AsyncIterator[BugBrainSource]:
    src = harness.source()
    yield src
    await src.aclose()


def _first(harness: Harness, **want: Any) -> SimExecution:
    """The first simulated execution matching: status, failing (bool), analysis (bool)."""
    now = harness.sim.now()
    for ex in harness.executions():
        if "status" in want and ex.timeline.status(now) != want["status"]:
            continue
        if "failing" in want and bool(ex.failing) != want["failing"]:
            continue
        if "analysis" in want and ex.has_analysis != want["analysis"]:
            continue
        return ex
    pytest.skip(f"seed 11 has no execution with {want}")


async def test_the_source_satisfies_the_run_source_protocol(source: BugBrainSource) -> None:
    assert isinstance(source, RunSource)
    assert BUGBRAIN_API_KEY not in repr(source) + repr(source.http)


async def test_runs_are_listed_newest_first_with_their_raw_status_kept(
    harness: Harness, source: BugBrainSource
) -> None:
    page = await source.list_runs(limit=100)
    truth = {e.id: e for e in harness.executions()}
    assert sorted(r.id for r in page.runs) == sorted(truth)
    assert page.skipped == 0
    created = [truth[r.id].timeline.created for r in page.runs]
    assert created == sorted(created, reverse=True)
    for run in page.runs:
        assert run.kind is RunKind.EXECUTION
        assert run.provider_status == harness.status_of(run.id)
        assert run.name == f"plan {truth[run.id].plan.id}"
        assert run.test_id == truth[run.id].plan.id


async def test_offset_pagination_is_followed_across_several_pages(
    harness: Harness, source: BugBrainSource
) -> None:
    """GIVEN 15 executions WHEN read 4 at a time THEN 4 pages are read and none is missed."""
    parsed = await source.api.list_executions(limit=None, page_size=4)
    assert len(parsed.items) == len(harness.executions()) == 15
    assert len({e.id for e in parsed.items}) == 15
    assert len(harness.requests) == 4


async def test_a_limit_stops_the_paging_early(harness: Harness, source: BugBrainSource) -> None:
    parsed = await source.api.list_executions(limit=6, page_size=4)
    assert len(parsed.items) == 6
    assert len(harness.requests) == 2


async def test_a_completed_execution_with_failed_tests_is_failed(
    harness: Harness, source: BugBrainSource
) -> None:
    ex = _first(harness, status="completed", failing=True)
    run = next(r for r in (await source.list_runs()).runs if r.id == ex.id)
    assert (run.status, run.provider_status) == (RunStatus.FAILED, "completed")
    assert run.progress is not None and run.progress.done == run.progress.total


async def test_a_status_filter_the_provider_lacks_is_applied_client_side(
    harness: Harness, source: BugBrainSource
) -> None:
    queued = await source.list_runs(status=RunStatus.QUEUED)
    assert all(r.provider_status in ("queued", "pending") for r in queued.runs)
    failed = await source.list_runs(status=RunStatus.FAILED)
    assert failed.runs and all(r.status is RunStatus.FAILED for r in failed.runs)
    assert {r.id for r in failed.runs} == {
        e.id
        for e in harness.executions()
        if e.timeline.status(harness.sim.now()) == "completed" and e.failing
    }
    assert (await source.list_runs(status=RunStatus.SKIPPED)).runs == []


async def test_a_running_execution_then_its_done_shape_are_both_read(
    harness: Harness, source: BugBrainSource
) -> None:
    ex = _first(harness, status="running")
    listed = next(r for r in (await source.list_runs()).runs if r.id == ex.id)
    running = await source.refresh_run(listed)
    assert running.status is RunStatus.RUNNING
    assert running.progress is not None and running.progress.done < running.progress.total
    assert running.name == listed.name  # the status shape has no plan id: kept from the list
    assert running.ended is None
    harness.scenario.advance(3600)
    done = await source.refresh_run(running)
    assert done.status.is_terminal
    assert done.provider_status == harness.status_of(ex.id)
    assert done.ended is not None and done.started == listed.started
    assert done.test_id == ex.plan.id


async def test_get_run_finds_the_plan_through_the_results(
    harness: Harness, source: BugBrainSource
) -> None:
    ex = _first(harness, status="completed")
    run = await source.get_run(ex.id)
    assert run.test_id == ex.plan.id
    assert run.name == f"plan {ex.plan.id}"
    with pytest.raises(NotFound):
        await source.get_run("exec_does_not_exist")


async def test_the_detail_shows_tests_as_steps_screenshots_and_the_failure_analysis(
    harness: Harness, source: BugBrainSource
) -> None:
    ex = _first(harness, status="completed", failing=True, analysis=True)
    run = next(r for r in (await source.list_runs()).runs if r.id == ex.id)
    detail = await source.run_detail(run)
    assert [s.name for s in detail.steps.items] == [t.name for t in ex.plan.tests][
        : len(detail.steps.items)
    ]
    failed_steps = [s for s in detail.steps.items if s.status is RunStatus.FAILED]
    assert failed_steps and all(s.error and s.screenshot_url for s in failed_steps)
    assert len(detail.artifacts.items) == len(failed_steps)
    assert detail.children.unavailable
    assert detail.analysis.items
    first = detail.analysis.items[0]
    assert first.category and first.confidence is not None and first.fix_suggestions
    png = await source.download(detail.artifacts.items[0].url or "")
    assert png.startswith(b"\x89PNG")


async def test_a_missing_failure_analysis_is_empty_not_an_error(
    harness: Harness, source: BugBrainSource
) -> None:
    ex = _first(harness, status="completed", failing=True, analysis=False)
    assert await source.api.failure_analysis(ex.id) == []
    run = next(r for r in (await source.list_runs()).runs if r.id == ex.id)
    detail = await source.run_detail(run)
    assert detail.analysis.items == ()
    assert detail.analysis.unavailable is not None and "optional" in detail.analysis.unavailable


async def test_an_async_start_is_queued_and_can_be_cancelled(
    harness: Harness, source: BugBrainSource
) -> None:
    run = await source.start_plan("tp_smoke_web")
    assert (run.status, run.provider_status, run.test_id) == (
        RunStatus.QUEUED,
        "queued",
        "tp_smoke_web",
    )
    assert run.id in harness.sim.bugbrain.executions
    stopped = await source.stop_run(run)
    assert (stopped.status, stopped.provider_status) == (RunStatus.STOPPED, "cancelled")
    assert stopped.ended is not None and stopped.name == run.name
    assert harness.status_of(run.id) == "cancelled"
    with pytest.raises(RequestRejected, match="already cancelled"):
        await source.api.cancel_execution(run.id)


async def test_a_rerun_starts_the_same_plan_again(harness: Harness, source: BugBrainSource) -> None:
    ex = _first(harness, status="completed")
    old = await source.get_run(ex.id)
    new = await source.rerun(old)
    assert new.id != old.id
    assert harness.sim.bugbrain.executions[new.id].plan.id == ex.plan.id


async def test_a_sync_start_without_waiting_answers_at_once(
    harness: Harness, source: BugBrainSource
) -> None:
    started = await source.start_execution(
        "tp_checkout_prod", wait_for_completion=False, environment="staging", variables={"a": "1"}
    )
    assert started.execution.status in ("queued", "pending")
    assert started.execution.test_plan_id == "tp_checkout_prod"
    assert started.results.test_results == []


async def test_a_sync_start_blocks_until_the_execution_ends_and_returns_its_results(
    harness: Harness, source: BugBrainSource
) -> None:
    before = set(harness.sim.bugbrain.executions)
    task = asyncio.create_task(source.start_execution("tp_smoke_web", timeout_seconds=600))
    while set(harness.sim.bugbrain.executions) == before:
        await asyncio.sleep(0)  # let the request reach the simulator
    harness.scenario.advance(900)  # the execution runs to its end on the scenario clock
    started = await task
    assert started.execution.status in ("completed", "failed")
    assert started.results.summary is not None
    plan = harness.sim.bugbrain.plans["tp_smoke_web"]
    if started.execution.status == "completed":
        assert len(started.results.test_results) == len(plan.tests)


async def test_an_execution_that_outlives_its_timeout_is_an_error(
    harness: Harness, source: BugBrainSource
) -> None:
    started = await source.start_execution(
        "tp_nightly_full", timeout_seconds=1, wait_for_completion=False
    )
    harness.scenario.advance(900)
    run = await source.get_run(started.execution.id)
    assert (run.status, run.provider_status) == (RunStatus.ERROR, "failed")
    assert run.error is not None and "timed out" in run.error


async def test_a_start_that_failed_on_the_server_is_not_sent_twice(
    harness: Harness, source: BugBrainSource
) -> None:
    harness.faults.set("bugbrain", error_rate=1.0)
    with pytest.raises(ServerError):
        await source.api.start_execution_async("tp_smoke_web")
    assert len(harness.requests) == 1  # a POST is never retried once it may have arrived


async def test_test_cases_are_listed_with_search_and_status(source: BugBrainSource) -> None:
    everything = await source.api.list_test_cases()
    assert len(everything.items) >= 12
    archived = await source.api.list_test_cases(status="archived")
    assert [c.status for c in archived.items] == ["archived"]
    found = await source.api.list_test_cases(search="cart")
    assert [c.name for c in found.items] == ["Add to Cart"]
    in_plan = await source.api.list_test_cases(test_plan_id="tp_smoke_web")
    assert len(in_plan.items) == 4 and all(c.steps for c in in_plan.items)


async def test_logs_and_junit_are_unsupported(source: BugBrainSource) -> None:
    run = (await source.list_runs(limit=1)).runs[0]
    with pytest.raises(Unsupported):
        await source.fetch_log(run)
    with pytest.raises(Unsupported):
        await source.fetch_junit(run)


async def test_a_screenshot_on_another_host_is_fetched_without_the_key(harness: Harness) -> None:
    """GIVEN a result's screenshot on a CDN WHEN it is downloaded THEN the CDN never sees the
    key (the API host does)."""
    seen: list[tuple[str, str | None]] = []
    sim = httpx.ASGITransport(app=harness.app)

    async def handle(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get("authorization")))
        if request.url.host == "cdn.bugbrain.tech":
            return httpx.Response(200, content=b"\x89PNG cdn")
        return await sim.handle_async_request(request)

    source = harness.source(transport=httpx.MockTransport(handle))
    try:
        assert await source.download("https://cdn.bugbrain.tech/x.png") == b"\x89PNG cdn"
        await source.list_runs(limit=1)
    finally:
        await source.aclose()
    assert {auth for host, auth in seen if host == "cdn.bugbrain.tech"} == {None}
    assert {auth for host, auth in seen if host == "sim.test"} == {f"Bearer {BUGBRAIN_API_KEY}"}


async def test_check_counts_the_projects_executions(source: BugBrainSource) -> None:
    assert await source.check() == f"project {BUGBRAIN_PROJECT_ID}: 15 executions"


async def test_the_gen_b_api_key_header_is_accepted(harness: Harness) -> None:
    source = harness.source(style="x-api-key")
    assert "15 executions" in await source.check()


async def test_check_tells_a_bad_key_from_a_wrong_or_forbidden_project(harness: Harness) -> None:
    with pytest.raises(AuthFailed, match="API key was refused") as bad_key:
        await harness.source(token="bugbrain_sk_dev_wrong").check()
    assert bad_key.value.status_code == 401
    assert "bugbrain_sk_dev_wrong" not in str(bad_key.value)
    with pytest.raises(NotFound, match="check project_id"):
        await harness.source(project_id="proj_typo").check()
    with pytest.raises(AuthFailed, match="no access to project") as forbidden:
        await harness.source(project_id=BUGBRAIN_OTHER_PROJECT_ID).check()
    assert forbidden.value.status_code == 403


@pytest.fixture
def loopback() -> Iterator[Harness]:
    harness = Harness()
    running = start_in_thread(seed=11, clock=harness.scenario, scenario=SMALL)
    harness.app = running.app
    harness.sim = running.sim
    harness.loopback_url = running.base_url
    try:
        yield harness
    finally:
        running.stop()


async def test_the_client_works_over_real_loopback_sockets(loopback: Harness) -> None:
    base = f"{loopback.loopback_url}/bugbrain/api/v1"
    source = loopback.source(base_url=base, transport=httpx.AsyncHTTPTransport())
    try:
        assert "15 executions" in await source.check()
        page = await source.list_runs(limit=100)
        assert len(page.runs) == 15
        failed = next(r for r in page.runs if r.status is RunStatus.FAILED)
        detail = await source.run_detail(failed)
        assert any(s.status is RunStatus.FAILED for s in detail.steps.items)
        run = await source.start_plan("tp_smoke_web")
        assert (await source.stop_run(run)).status is RunStatus.STOPPED
    finally:
        await source.aclose()
