"""Marks on the simulator: `space` and `*` mark runs, `esc` clears them, and `x` stops every
marked run that can stop, asking once, telling each run's outcome (those left out too)."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.notifications import Notify
from textual.widgets import Input, TextArea

from qa_tui.core.model import RunStatus
from qa_tui.ui.bugs.file_bug import FileBugScreen
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.health.health_bar import HealthBar
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_bugs import build_desk
from tests.support.sim_monitor import SimMonitor, first_key, rows_of


async def test_x_on_marked_runs_stops_each_running_one_and_names_the_finished_one_left_out(
    monitor: SimMonitor,
) -> None:
    """GIVEN two running BugBug runs and a passed one marked with space WHEN the user presses
    x THEN one question names 2 runs and the passed one left out; after y both are stopped
    in the simulator and the toast tells each of the three runs' outcome."""
    app = monitor.app
    toasts: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification.message)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await wait_until(pilot, lambda: len(rows_of(app, "web")) > 3, what="web runs")
        table = app.dashboard.table
        running = [
            key
            for key in table.order
            if key[0] == "web" and table.rows[key].run.status is RunStatus.RUNNING
        ][:2]
        passed = first_key(app, provider="web", status="passed")
        assert len(running) == 2 and passed is not None
        for key in (*running, passed):
            table.move_cursor_to(key)
            await pilot.press("space")
        header = app.query_one(HealthBar)
        await wait_until(pilot, lambda: "│ +3 marked" in widget_text(header), what="3 marked")
        line = widget_text(table).splitlines()[table.order.index(running[0]) + 1]
        assert "+ " in line
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.question)
        assert "Stop 2 marked runs?" in question
        assert table.rows[running[0]].run.name[:20] in question
        assert "Left out (1)" in question and "already passed" in question
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: all(table.rows[key].run.status is RunStatus.STOPPED for key in running),
            what="both rows stopped",
        )
        assert all(monitor.truth(key[1])["status"] == "stopped" for key in running)
        await wait_until(pilot, lambda: any(t.startswith("Stop:") for t in toasts), what="told")
        told = next(t for t in toasts if t.startswith("Stop:"))
        assert told.startswith("Stop: 2 done, 1 not")
        assert told.count("✓ ") == 2 and "already passed" in told


async def test_star_marks_every_run_shown_and_esc_clears_the_marks_then_the_filter(
    monitor: SimMonitor,
) -> None:
    """GIVEN the table filtered to web WHEN the user presses * THEN every run shown is
    marked (and no other); esc clears the marks and keeps the filter; a second esc clears it."""
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len(rows_of(app, "web")) > 1, what="web runs")
        await pilot.press("slash", *"provider:web", "enter")
        dashboard = app.dashboard
        await wait_until(
            pilot, lambda: all(key[0] == "web" for key in dashboard.order.keys), what="filter"
        )
        shown = list(dashboard.order.keys)
        await pilot.press("asterisk")
        assert set(dashboard.marks.keys) == set(shown)
        header = app.query_one(HealthBar)
        await wait_until(
            pilot, lambda: f"+{len(shown)} marked" in widget_text(header), what="counted"
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: "marked" not in widget_text(header), what="cleared")
        assert not dashboard.marks and dashboard.filter_text == "provider:web"
        await pilot.press("escape")
        await wait_until(pilot, lambda: dashboard.filter_text == "", what="filter cleared")


async def test_b_on_marked_runs_files_one_bug_listing_every_marked_failed_run(
    tmp_path: Path,
) -> None:
    """GIVEN two failed BugBug runs and a passed one marked WHEN the user presses b THEN one
    bug form lists the two failed runs (the passed one is named as left out); ctrl+s files one
    bug in Bugnet naming both runs."""
    desk = build_desk(tmp_path)
    app = desk.app
    toasts: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification.message)

    try:
        async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
            await wait_until(pilot, lambda: len(rows_of(app, "web")) > 3, what="web runs")
            table = app.dashboard.table
            failed = [
                key
                for key in table.order
                if key[0] == "web" and table.rows[key].run.status is RunStatus.FAILED
            ][:2]
            passed = first_key(app, provider="web", status="passed")
            assert len(failed) == 2 and passed is not None
            for key in (*failed, passed):
                table.move_cursor_to(key)
                await pilot.press("space")
            await pilot.press("b")
            await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="form")
            title = app.screen.query_one("#title", Input).value
            assert title.startswith("2 runs failed: ")
            description = app.screen.query_one("#description", TextArea).text
            assert all(f"run {key[1]}" in description for key in failed)
            assert passed[1] not in description
            assert any("Left out of the bug" in t and "passed, not failed" in t for t in toasts)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: len(desk.bugs_titled(title)) == 1, what="filed")
            assert all(key[1] in desk.bugs_titled(title)[0].description for key in failed)
    finally:
        await desk.aclose()
