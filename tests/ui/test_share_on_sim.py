"""`Y` on the simulator: a failed run's Markdown summary is copied (OSC 52) with its failing
step, error and screenshot, fetched from the provider when the table alone does not know them."""

from __future__ import annotations

from tests.support.pilot import wait_until
from tests.support.sim_monitor import SimMonitor, first_key, rows_of


async def test_shift_y_on_a_failed_bugbug_run_copies_its_failure_as_markdown(
    monitor: SimMonitor,
) -> None:
    app = monitor.app
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_until(pilot, lambda: len(rows_of(app, "web")) > 3, what="web runs")
        key = first_key(app, provider="web", kind="test", status="failed")
        assert key is not None
        run = app.dashboard.table.rows[key].run
        app.dashboard.table.move_cursor_to(key)
        await pilot.press("Y")
        await wait_until(pilot, lambda: bool(app.clipboard), what="a summary copied")
        copied = app.clipboard
        assert copied.startswith("**FAILED** · ")
        assert f"- **Provider:** web (bugbug), test run {key[1]}" in copied
        assert f"- **Link:** [{run.url}]" in copied
        assert "- **Failing step:** " in copied and "- **Screenshot:** [screenshot](http" in copied
        assert "- **Error:**\n\n```text\n" in copied
