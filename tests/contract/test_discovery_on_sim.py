"""Discovery against the simulator: active runs past the first page of every list are found and
then followed, for BugBug test runs, suite runs whose running test sits deep, and BugBrain
executions. The real sources and engine, in-process, on a manual scenario clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from qa_tui.core.model import RunStatus
from qa_tui.core.providers.bugbrain import BugBrainSource
from qa_tui.core.providers.bugbug import BugBugSource
from qa_tui.sim import ScenarioSpec
from tests.support.sim_monitor import SimMonitor, build_monitor

DEEP_WORLD = ScenarioSpec(
    bugbug_test_runs_finished=150,
    bugbug_test_runs_active=4,
    bugbug_test_runs_deep=3,
    bugbug_suite_runs_finished=4,
    bugbug_suite_runs_active=0,
    bugbug_suite_runs_deep=1,
    tests_per_suite=2,
    bugbrain_finished=130,
    bugbrain_active=3,
    bugbrain_deep=2,
    bugnet_bugs=0,
    new_run_every_s=None,
    active_span_s=(60.0, 120.0),
    history_span_s=3 * 3600.0,
    deep_below=120,
)
"""Deep runs sit below 120 newer ones: past the first page of 100 that a cycle lists."""

TERMINAL = {"passed", "failed", "error", "stopped", "skipped", "completed", "cancelled"}


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, spec=DEEP_WORLD)
    yield built
    await built.aclose()


def active_in_truth(monitor: SimMonitor, provider: str) -> dict[str, str]:
    runs = monitor.sim.truth()["runs"]
    return {
        r["id"]: r["status"]
        for r in runs
        if r["provider"] == provider and r["status"] not in TERMINAL
    }


async def sweep_every_provider(monitor: SimMonitor) -> None:
    pollers = [monitor.engine.pollers[name] for name in ("web", "plans")]
    for _ in range(20):
        if all(p.sweeps.sweeps_done for p in pollers):
            return
        for poller in pollers:
            await poller.cycle()
    raise AssertionError("a sweep never finished")


async def test_every_active_run_is_in_the_table_after_one_sweep_however_deep(
    monitor: SimMonitor,
) -> None:
    await sweep_every_provider(monitor)
    for provider, name in (("bugbug", "web"), ("bugbrain", "plans")):
        active = active_in_truth(monitor, provider)
        known = {run.id: run for run in monitor.engine.store.runs_of(name)}
        missing = sorted(set(active) - set(known))
        assert not missing, f"{provider}: active runs never seen: {missing}"
        assert {run_id: known[run_id].provider_status for run_id in active} == active


async def test_the_world_really_puts_them_past_the_first_page(monitor: SimMonitor) -> None:
    """The deep runs are not in the newest 100 of their lists (else the test above says little):
    three test runs, the suite run's running test, two executions."""
    web, plans = monitor.source("web"), monitor.source("plans")
    assert isinstance(web, BugBugSource) and isinstance(plans, BugBrainSource)
    test_runs = {run.id for run in (await web.api.list_test_runs(limit=100)).items}
    executions = {e.id for e in (await plans.api.list_executions(limit=100)).items}
    deep_tests = set(active_in_truth(monitor, "bugbug")) - test_runs
    suites = {s.id for s in monitor.sim.bugbug.suite_runs.values()}
    assert len(deep_tests - suites) >= 3 + 1
    assert len(set(active_in_truth(monitor, "bugbrain")) - executions) >= 2


async def test_deep_runs_are_followed_to_their_end(monitor: SimMonitor) -> None:
    await sweep_every_provider(monitor)
    deep_ids = set(active_in_truth(monitor, "bugbug")) | set(active_in_truth(monitor, "bugbrain"))
    monitor.advance(200.0)  # every active run of this world has ended by now
    for name in ("web", "plans"):
        await monitor.engine.pollers[name].cycle()
        await monitor.engine.pollers[name].cycle()
    truth = {r["id"]: r["status"] for r in monitor.sim.truth()["runs"]}
    for name in ("web", "plans"):
        for run in monitor.engine.store.runs_of(name):
            if run.id in deep_ids:
                assert run.provider_status == truth[run.id]
                assert run.status is not RunStatus.RUNNING
