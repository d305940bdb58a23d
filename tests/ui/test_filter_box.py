"""Typing a filter: half-typed terms do not pop warnings; enter on a bad filter says why."""

from __future__ import annotations

from textual.message import Message
from textual.notifications import Notify
from textual.widgets import Input

from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.pilot import wait_until
from tests.ui.test_dashboard import _app, _source


async def test_typing_a_filter_term_letter_by_letter_raises_no_warning() -> None:
    warnings: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify) and message.notification.severity == "warning":
            warnings.append(message.notification.message)

    app = _app(_source())
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) == 3, what="three rows")
        await pilot.press("slash", *"status:failed")  # "status:" on the way is not a filter yet
        await wait_until(pilot, lambda: [k[1] for k in table.order] == ["r2"], what="filtered")
        await pilot.press("enter")
        await pilot.pause()
        assert warnings == []
        assert table.has_focus


async def test_enter_on_a_bad_filter_says_why_and_stays_in_the_box() -> None:
    warnings: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify) and message.notification.severity == "warning":
            warnings.append(message.notification.message)

    app = _app(_source())
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) == 3, what="three rows")
        await pilot.press("slash", *"since:soon")
        assert warnings == []
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(warnings) == 1, what="a warning")
        assert "since:soon" in warnings[0]
        assert app.query_one("#filter", Input).has_focus
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"2h", "enter")
        await wait_until(pilot, lambda: table.has_focus, what="the table again")
        assert len(warnings) == 1
