"""`F` on the simulator: a BugBug suite run's failed and errored tests are started again, each
as a test run with the suite run's profile, after one question naming them."""

from __future__ import annotations

from textual.message import Message
from textual.notifications import Notify

from qa_tui.core.model import RunKind
from qa_tui.ui.confirm import ConfirmScreen
from tests.support.pilot import wait_until
from tests.support.sim_monitor import SimMonitor, rows_of


async def test_shift_f_on_a_bugbug_suite_run_starts_its_failed_tests_again_with_its_profile(
    monitor: SimMonitor,
) -> None:
    """GIVEN a finished BugBug suite run with a failed, an errored and a passed test WHEN the
    user presses F THEN one question names the two to start again and the profile; after y the
    simulator has two new test runs of those tests with the suite run's profile, and each
    outcome is told."""
    app = monitor.app
    toasts: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification.message)

    async with app.run_test(size=(110, 30), message_hook=hook) as pilot:
        await wait_until(pilot, lambda: len(rows_of(app, "web")) > 3, what="web runs")
        checkout = next(
            run
            for run in rows_of(app, "web")
            if run.kind is RunKind.SUITE and run.name == "Checkout flow" and run.status.is_terminal
        )
        before = set(monitor.sim.bugbug.test_runs)
        app.dashboard.table.move_cursor_to(checkout.key)
        await pilot.press("F")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.question)
        assert "Re-run 2 failed tests with profile Default?" in question
        assert "Search products, Sign up" in question and "Password reset" not in question
        await pilot.press("y")
        await wait_until(
            pilot, lambda: any(t.startswith("Re-run failed:") for t in toasts), what="told"
        )
        told = next(t for t in toasts if t.startswith("Re-run failed:"))
        assert told.startswith("Re-run failed: 2 done")
        started = [run for key, run in monitor.sim.bugbug.test_runs.items() if key not in before]
        assert sorted(run.test.name for run in started) == ["Search products", "Sign up"]
        assert {run.profile.id for run in started} == {checkout.target_id}
        assert all(run.suite_run_id is None for run in started)
