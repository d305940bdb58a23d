"""ETA on the simulator: a running run's DURATION says the time it has left, from the median of
its test's last passed runs on the same target in the run history (`~` from fewer than 3)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from qa_tui.core.history.results import Result, series_of
from qa_tui.core.model import Run, RunKind, RunStatus
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, build_monitor, first_key, rows_of


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, history=True)
    yield built
    await built.aclose()


def passed_before(run: Run, number: int, took_s: float) -> Result:
    """A passed run of the same test on the same target, as the history keeps it."""
    provider, test, target = series_of(run)
    ended = (run.started or run.queued).timestamp() - 3600 * number  # type: ignore[union-attr]
    result = Result(provider, f"old-{number}", RunKind.TEST, run.name, test, target,
                    RunStatus.PASSED, ended)  # fmt: skip
    return replace_duration(result, took_s)


def replace_duration(result: Result, took_s: float) -> Result:
    return result._replace(duration_s=took_s)


async def test_a_running_run_says_its_time_left_from_its_tests_passed_runs(
    monitor: SimMonitor,
) -> None:
    """GIVEN a running BugBug run whose test's last ten passed runs on its target took 12
    minutes (the median) THEN its DURATION reads the minutes left of those 12, not the time
    so far; and the estimate moves with the next passed run recorded."""
    app = monitor.app
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: len(rows_of(app, "web")) > 3, what="web runs")
        key = first_key(app, provider="web", kind="test", status="running")
        assert key is not None
        table = app.dashboard.table
        history = app.engine.history
        assert history is not None
        await wait_until(pilot, lambda: history.loaded, what="the history read")
        run = table.rows[key].run
        history.record([passed_before(run, n, 720.0) for n in range(1, 11)])
        table.move_cursor_to(key)

        def line() -> str:
            y = table.order.index(key) - int(table.scroll_y) + 1
            return widget_text(table).splitlines()[y]

        def minutes_left() -> int:
            elapsed = (app.clock.now() - table.rows[key].run.started).total_seconds()  # type: ignore[operator]
            return math.ceil((720 - elapsed) / 60)

        await wait_until(pilot, lambda: f" {minutes_left()}m left" in line(), what="12m less")
        history.record([passed_before(run, n, 1800.0) for n in range(0, -6, -1)])
        estimate = history.estimate(table.rows[key].run)
        assert estimate is not None and estimate.expected_s == 1800.0 and not estimate.approximate
        await wait_until(pilot, lambda: f" {minutes_left() + 18}m left" in line(), what="30m less")
