"""The filter bar, over the runs table: the box a filter is typed in (`/`), and a line saying
what filters the table for as long as anything does, so a filter or `f` is never on only in a
toast that has gone:

    FILTER status:failed -checkout · f: failed and errored only · 3 of 250 runs · / edits · esc clears

While a term typed is not one (`statu:failed`, `provider:nowhere`), the line says why, in the
error colour, and the table is filtered by the rest of the text: a typo never reads as an empty
table.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from qa_tui.ui import render

MARK = " FILTER"
"""Before the filter line, in reverse like the header's `⏸ PAUSED` (a word: no font lacks it)."""
MARK_STYLE = Style(bold=True, reverse=True)
PLACEHOLDER = "filter: words -word status:failed raw:completed provider:web since:2h (esc clears)"
ACTIVE = Style(bold=True)
BAD = Style(color="red", bold=True)


@dataclass(frozen=True)
class FilterState:
    """What filters the table."""

    text: str = ""
    """The filter text in force (the last one that parsed)."""
    failed_only: bool = False
    """`f`: failed and errored runs only."""
    shown: int = 0
    total: int = 0
    """Runs shown, of all the runs known."""
    error: str | None = None
    """Why a term in the box is not one (left out: `text` is the rest)."""

    @property
    def active(self) -> bool:
        return bool(self.text.strip()) or self.failed_only


def what_filters(state: FilterState) -> str:
    """`status:failed and f (failed and errored only)`: the filters in force, in words."""
    parts = []
    if state.text.strip():
        parts.append(render.safe(" ".join(state.text.split()), 60))
    if state.failed_only:
        parts.append("f (failed and errored only)")
    return " and ".join(parts)


def status_line(state: FilterState) -> Text | None:
    """The line under the box (None: nothing filters the table and nothing is wrong)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    if state.error is not None:
        line.append(f"✗ {render.safe(state.error)}", style=BAD)
        rest = f" by {what_filters(state)}" if state.active else ""
        line.append(f" · left out: {state.shown} of {state.total} runs shown{rest}", style="dim")
        return line
    if not state.active:
        return None
    line.append(MARK, style=MARK_STYLE)
    line.append(" ")
    if state.text.strip():
        line.append(render.safe(" ".join(state.text.split()), 60), style=ACTIVE)
    if state.failed_only:
        if state.text.strip():
            line.append(" · ")
        line.append("f: failed and errored only", style=ACTIVE)
    line.append(f" · {state.shown} of {state.total} runs")
    hints = " · / edits · esc clears" if state.text.strip() else " · f again shows every status"
    line.append(hints, style="dim")
    return line


class FilterBar(Vertical):
    """The filter box (shown while typing) and the line saying what filters the table."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar #filter { height: 1; border: none; padding: 0 1; display: none; }
    FilterBar #filter.visible { display: block; }
    FilterBar #filter.bad-filter { color: $error; }
    FilterBar #filter-status { height: 1; padding: 0 1; display: none; }
    FilterBar #filter-status.visible { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = FilterState()
        self.box = Input(placeholder=PLACEHOLDER, id="filter")
        self._status = Static(id="filter-status", markup=False)

    def compose(self) -> ComposeResult:
        yield self.box
        yield self._status

    def show(self, state: FilterState) -> None:
        """Say what filters the table now (only redrawn when it reads differently)."""
        if state == self.state:
            return
        self.state = state
        line = status_line(state)
        self._status.set_class(line is not None, "visible")
        self._status.update(line or "")
        self.box.set_class(state.error is not None, "bad-filter")
        self.box.tooltip = state.error
