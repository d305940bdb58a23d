"""Opening qa-tui is quiet: on the real simulator with 50 runs already over (passes and failures
of the same tests, suites and plans among them), every rule on, nothing is sent to the
terminal and no toast says a run ended, however many polls follow."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.notifications import Notify

from qa_tui.core.notify.settings import Method
from qa_tui.sim import ScenarioSpec
from tests.support.notify import FakeTerminal, center_for
from tests.support.pilot import table_with_rows, wait_until
from tests.support.sim_monitor import build_monitor

FINISHED = ScenarioSpec(
    bugbug_test_runs_finished=26,
    bugbug_test_runs_active=0,
    bugbug_suite_runs_finished=2,
    bugbug_suite_runs_active=0,
    tests_per_suite=1,
    bugbrain_finished=20,
    bugbrain_active=0,
    new_run_every_s=None,
)
"""26 test runs, 2 suite runs of one test each (2 more test runs), 20 executions: 50."""


async def test_fifty_runs_already_over_make_no_notification(tmp_path: Path) -> None:
    terminal = FakeTerminal()
    center = center_for(terminal, method=Method.OSC9, suite_finished=True, unhealthy_minutes=0)
    monitor = build_monitor(tmp_path, spec=FINISHED, notify=center, terminal=terminal.write)
    toasts: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification.title)

    try:
        async with monitor.app.run_test(size=(120, 40), message_hook=hook) as pilot:
            table = await table_with_rows(pilot, 50)
            for key in table.order:  # everything watched, each run and each test
                run = table.rows[key].run
                center.watchlist.toggle_run(run)
                if not center.watchlist.watches_target(run):
                    center.watchlist.toggle_target(run)
            assert all(table.marked(table.rows[key].run) for key in table.order)
            spent = sum(source.budget.spent for source in monitor.sources)
            monitor.advance(600)
            await wait_until(
                pilot,
                lambda: sum(s.budget.spent for s in monitor.sources) > spent + 10,
                what="ten more requests after the first sync",
            )
            assert len(table.order) == 50
            assert all(table.rows[key].run.status.is_terminal for key in table.order)
            assert terminal.writes == []
            assert toasts == []
            assert "⚑" not in monitor.app.dashboard.health_bar.render().plain
    finally:
        await monitor.aclose()
