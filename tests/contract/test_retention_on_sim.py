"""Retention against the simulator: providers that keep only their newest runs (as real ones
delete old runs) and a session left open while hours of new runs come and go. The table holds
what the providers hold, not every run it ever saw. The real sources and engine, in-process, on
a manual scenario clock, sweeping as often as they can."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from qa_tui.sim import ScenarioSpec
from tests.support.sim_monitor import FAST, PROVIDER_OF_KIND, SimMonitor, build_monitor

KEPT = 20
WORLD = ScenarioSpec(
    bugbug_test_runs_finished=30,
    bugbug_test_runs_active=2,
    bugbug_suite_runs_finished=3,
    bugbug_suite_runs_active=0,
    tests_per_suite=2,
    bugbrain_finished=30,
    bugbrain_active=2,
    bugnet_bugs=0,
    new_run_every_s=10.0,
    active_span_s=(30.0, 60.0),
    retain_runs=KEPT,
)
"""Each provider keeps its newest 20 runs (a suite run with its test runs counting as one)."""


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(
        tmp_path, spec=WORLD, settings=replace(FAST, sweep_min_interval_s=0.0, sweep_share=1.0)
    )
    built.source("plans").budget.per_hour = None  # hours pass in seconds: not BugBrain's 500
    yield built
    await built.aclose()


async def sweep_every_provider(monitor: SimMonitor) -> None:
    """Cycles of BugBug's poller until it has finished one more sweep, then BugBrain's (one at
    a time: a poller cycling while it waits for another's sweep spends BugBrain's 30 a minute)."""
    for kind in ("bugbug", "bugbrain"):
        poller = monitor.engine.pollers[PROVIDER_OF_KIND[kind]]
        goal = poller.sweeps.sweeps_done + 1
        for _ in range(100):
            if poller.sweeps.sweeps_done >= goal:
                break
            await poller.cycle()
        else:
            raise AssertionError(f"{kind}: a sweep never finished")


def held(monitor: SimMonitor, kind: str) -> tuple[set[str], set[str]]:
    """The ids of `kind`'s runs: what the provider holds, and what the table holds."""
    truth = {r["id"] for r in monitor.sim.truth()["runs"] if r["provider"] == kind}
    table = {run.id for run in monitor.engine.store.runs_of(PROVIDER_OF_KIND[kind])}
    return truth, table


async def test_the_table_holds_what_providers_that_delete_old_runs_hold_hour_after_hour(
    monitor: SimMonitor,
) -> None:
    await sweep_every_provider(monitor)
    seen: set[str] = set()
    for _step in range(12):  # two hours, ten minutes at a time
        monitor.advance(600.0)  # 60 new runs of each provider, all but their newest 20 gone
        await sweep_every_provider(monitor)
        await sweep_every_provider(monitor)  # a run that never started: two whole walks
        for kind in ("bugbug", "bugbrain"):
            truth, table = held(monitor, kind)
            assert table == truth, (
                f"{kind}: held {len(table - truth)} gone runs, missed {len(truth - table)}"
            )
            seen |= table
    assert len(seen) > 12 * KEPT  # runs really came and went
