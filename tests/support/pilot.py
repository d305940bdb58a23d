"""Waiting on what the user would see, and reading it as text."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from qa_tui.ui.runs.runs_table import RunsTable


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], bool], *, timeout: float = 10.0, what: str = ""
) -> None:
    """Let the app run until `predicate()` holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def widget_text(widget: Widget) -> str:
    """The widget's lines as the terminal shows them, styles dropped."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return "\n".join(strip.text.rstrip() for strip in strips)


async def table_with_rows(pilot: Pilot[Any], count: int) -> RunsTable:
    """The dashboard's runs table, once it shows `count` rows."""
    table = pilot.app.query_one(RunsTable)
    await wait_until(pilot, lambda: len(table.order) == count, what=f"{count} rows")
    return table


def chip_ok(header: str, name: str) -> bool:
    """The header shows `name` healthy, in any of its forms: in full (`web·BugBug ✓`,
    `previews·Bug0 ○ unverified`), shrunk (`✓web`, `○previews`), or folded into a count."""
    import re

    full = rf"(^|\s){re.escape(name)}·\w+ (✓|○ unverified)"
    short = rf"(^|\s)[✓○]{re.escape(name)}(\s|$)"
    return re.search(full, header, re.M) is not None or re.search(short, header, re.M) is not None


def chip_says(header: str, name: str, word: str) -> bool:
    """The header shows `name` failing with `word` (`plans·BugBrain ✗ error`): always in full."""
    import re

    return re.search(rf"(^|\s){re.escape(name)}·\w+ \S {re.escape(word)}", header, re.M) is not None


def palette_hits(app: App[Any]) -> list[str]:
    """The open palette's hits, first line each ([] while no palette is open)."""
    if not isinstance(app.screen, CommandPalette) or not app.screen.query(CommandList):
        return []
    results = app.screen.query_one(CommandList)
    prompts = (str(results.get_option_at_index(i).prompt) for i in range(results.option_count))
    return [prompt.split("\n")[0] for prompt in prompts]


def toasts_on_screen(app: App[Any]) -> set[str]:
    """The identities of the toasts on screen now (a toast leaves when its time is up, so a
    count taken before an action says nothing of which toasts came after it)."""
    return {notification.identity for notification in list(app._notifications)}


def toasts_since(app: App[Any], before: set[str]) -> list[str]:
    """The messages of the toasts on screen that were not among `before`."""
    return [n.message for n in list(app._notifications) if n.identity not in before]
