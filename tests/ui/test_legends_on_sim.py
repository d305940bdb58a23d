"""The screen explains itself (issue 22, part 1): `?` explains every glyph, chip and column;
Bug0 triggers are counted as triggered; `f`, pause and a filter stay on screen as markers.

The real app, engine and clients on the simulator (tests/support/sim_monitor.py); every wait is
on what the user would see.
"""

from __future__ import annotations

import re

from textual.widgets import Static

from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.help import HelpScreen
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, rows_of

STATUS_LEGEND = (
    "◌ queued", "↗ triggered", "● running", "✓ passed", "✗ failed", "! error", "■ stopped",
    "↷ skipped", "? unknown", "paused",
)  # fmt: skip
"""Every glyph and word the STATUS column draws (the HISTORY strip draws the same glyphs)."""
CHIP_LEGEND = (
    "web·BugBug ✓", "✓ ok", "○ unverified", "… unknown", "~ slow", "⧗ rate-limited",
    "✗ auth failed", "✗ unreachable", "✗ error", "✓web", "✓ 2 ok", "⏸ PAUSED", "✉ 2 sending",
    "✉ 1 needs you (B)", "⚑ 1 new", "team: poller",
)  # fmt: skip
"""Every chip form and state, and every marker the header draws."""
MARKS = (
    "◉",
    "◎",
    "└",
    "· bug ID",
    "STARTED▾",
    "NAME▴",
    "FILTER status:failed",
    "flaky 30%",
    "underlined",
)
COLUMNS = (
    "STATUS", "PROVIDER", "KIND", "NAME", "TARGET", "PROGRESS", "HISTORY", "STARTED", "DURATION",
    "TRIGGER", "BUG",
)  # fmt: skip


def help_text(app: QaTuiApp) -> str:
    return "\n".join(widget_text(static) for static in app.screen.query(Static))


def header(app: QaTuiApp) -> str:
    return widget_text(app.query_one(HealthBar))


def filter_line(app: QaTuiApp) -> str:
    return widget_text(app.dashboard.query_one("#filter-status", Static)).strip()


async def test_question_mark_explains_every_glyph_chip_mark_and_column(monitor: SimMonitor) -> None:
    """GIVEN the monitor on the simulator WHEN `?` is pressed
    THEN the help names every status glyph with its word (the HISTORY glyphs `!`, `■`, `↷`,
    `◌` among them), how the strip marks the row's own result, both watch marks, every chip
    form and state (`unverified`, the folded `✓ 2 ok`), the header's markers, the sort arrows,
    the filter line, and every column, each with what it means."""
    app = monitor.app
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: bool(rows_of(app, "web")), what="runs")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        await pilot.pause()
        text = help_text(app)
        for shown in (*STATUS_LEGEND, *CHIP_LEGEND, *MARKS):
            assert shown in text, f"the help does not explain {shown!r}"
        for title in COLUMNS:
            assert re.search(rf"^{title}\s+\S", text, re.M), f"no line explains column {title}"
        assert re.search(r"◉\s+before a name: you watch this run \(w\)", text)
        assert re.search(r"◎\s+before a name: you watch every run of its test", text)


async def test_bug0_triggers_are_counted_as_triggered_not_queued(monitor: SimMonitor) -> None:
    """GIVEN two Bug0 runs triggered from here (Bug0 has no read API: never followed)
    WHEN the monitor shows them THEN each reads `↗ triggered` and the header counts them as
    `triggered 2`, apart from the queued runs of the other providers."""
    await monitor.trigger_previews(2)
    app = monitor.app
    async with app.run_test(size=(140, 35)) as pilot:  # wide enough for counts in words
        await wait_until(pilot, lambda: len(rows_of(app, "previews")) == 2, what="the triggers")
        await wait_until(pilot, lambda: bool(rows_of(app, "web")), what="web runs")
        queued = sum(
            1
            for provider in ("web", "plans")
            for run in rows_of(app, provider)
            if run.status.value == "queued"
        )
        await wait_until(pilot, lambda: "triggered 2" in header(app), what="triggered 2")
        assert f"queued {queued} " in header(app)
        table = widget_text(app.dashboard.table)
        assert table.count("↗ triggered") == 2


async def test_failed_only_a_filter_and_pause_stay_on_screen_not_only_in_a_toast(
    monitor: SimMonitor,
) -> None:
    """GIVEN the monitor WHEN `f` is pressed, a filter typed and entered, and `p` pressed
    THEN, with every toast gone, the filter line still says `f: failed and errored only`, the
    filter's text and how many runs match, and the header says `⏸ PAUSED`; undoing each takes
    its marker away."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(rows_of(app, "web")), what="runs")
        await pilot.press("f")
        await pilot.press("slash", *"provider:web", "enter")
        await pilot.press("p")
        app.clear_notifications()
        await pilot.pause()
        total = len(app.dashboard.table.rows)
        shown = len(app.dashboard.table.order)
        line = filter_line(app)
        assert "provider:web" in line
        assert "f: failed and errored only" in line
        assert f"{shown} of {total} runs" in line
        assert "⏸ PAUSED" in header(app)
        await pilot.press("p", "f")
        await wait_until(pilot, lambda: "⏸ PAUSED" not in header(app), what="resumed")
        assert "f: failed" not in filter_line(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: filter_line(app) == "", what="no filter")
