"""The runs table: a line-API widget that renders only the rows on screen.

It keeps no rows of its own: it is handed the rows it draws (`rows`, the dashboard's
`core.runs.ordering.LiveOrder.rows`, a view of the order's records, which hold the store's
immutable `Row` values) and the keys to show, in order. `apply()` takes a batch the order has
already taken and the order's keys: no clearing, no rebuild; the cursor stays on the run it was
on and, when the user has scrolled down, the rows on screen stay on screen even as new runs
arrive at the top. What one run's line reads (columns,
cells, the strip) is drawn by run_line.py; this widget decides which run is on which line.

Nothing here costs in proportion to the number of runs: a batch or a new order is taken as it is
(no copy, no index of every key: the cursor's row is found with a remembered position), a frame
renders only the visible lines, and a line whose row, width, style and clock-dependent cells are
the same as last time is not rendered again.

Write little: when a run changes in place (a batch, the clock tick, its HISTORY strip), its new
line is drawn at once and compared with the one on screen, and only the span from the first
changed cell to the last is refreshed (a running duration refreshes its own cell, and only in
the seconds it reads differently); a line that reads the same refreshes nothing. What reaches
the terminal is then cut down to the changed cells by ui/terminal_writer.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from rich.cells import get_character_cell_size
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qa_tui.core.history.eta import Estimate
from qa_tui.core.history.index import HistoryCell
from qa_tui.core.model import Run
from qa_tui.core.runs.store import Changes, Row, RunKey
from qa_tui.ui.runs.run_line import Column, header_strip, layout, row_strip, time_texts

SCREENS_KEPT = 2
"""Drawn lines are kept for at most this many screens' worth of runs (see `_draw`)."""


class _Drawn(NamedTuple):
    """What a line was drawn from: the same again draws the same line."""

    row: Row
    width: int
    base: Style
    started: str
    duration: str
    nested: bool
    watched: bool | str
    history: HistoryCell | None


class RunsTable(ScrollView, can_focus=True):
    """Every visible run, one line each, with a keyboard cursor."""

    DEFAULT_CSS = """
    RunsTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    RunsTable > .runs-table--header { text-style: bold; }
    RunsTable > .runs-table--cursor { background: $accent 40%; }
    RunsTable:focus > .runs-table--cursor { background: $accent; color: $text; }
    RunsTable > .runs-table--stale { color: $text-muted; }
    RunsTable:nocolor > .runs-table--cursor { background: transparent; text-style: reverse; }
    RunsTable:nocolor:focus > .runs-table--cursor { background: transparent; text-style: reverse bold; }
    """
    COMPONENT_CLASSES = {
        "runs-table--header",
        "runs-table--cursor",
        "runs-table--stale",
    }
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("home,g", "first", "Top", show=False),
        Binding("end,G", "last", "Bottom", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved to another run (or to none)."""

        def __init__(self, key: RunKey | None) -> None:
            super().__init__()
            self.key = key

    class Selected(Message):
        """The user chose a run (enter or double click)."""

        def __init__(self, key: RunKey) -> None:
            super().__init__()
            self.key = key

    class HeaderClicked(Message):
        """A click on the titles line, `x` cells from its left (the dashboard sorts by it)."""

        def __init__(self, x: int) -> None:
            super().__init__()
            self.x = x

    def __init__(
        self,
        rows: Mapping[RunKey, Row],
        *,
        production: frozenset[str] = frozenset(),
        id: str | None = None,
    ) -> None:
        """`rows`: the rows to draw, by key, kept up to date by their owner (the table only
        reads them: a batch is applied to them before it is handed to `apply`); `production`:
        providers with `production = true` (their PROVIDER cells are tinted)."""
        super().__init__(id=id)
        self.rows = rows
        """Every row the table can show, by key (its owner's, not a copy)."""
        self.production = production
        self.order: list[RunKey] = []
        """The keys shown, in order; a list this table never changes in place."""
        self._positions: dict[RunKey, int] = {}
        """Where some keys (the cursor's, the top line's) were last seen in `order`."""
        self._lines: dict[RunKey, tuple[_Drawn, Strip]] = {}
        """Each recently drawn row's line, with what it was drawn from: at most `_lines_kept()`,
        the longest unchanged going first (a line is a Strip with caches of its own, about 1.5
        kB: kept for every run ever drawn, an all-day table grew by megabytes an hour)."""
        self._frame_style: Style | None = None
        """The widget's style, looked up once per drawing pass rather than once per line."""
        self.cursor_key: RunKey | None = None
        self.sort_title = "STARTED"
        self.now = datetime.now(UTC)
        self.marked: Callable[[Run], bool | str] = _never
        """A watched run's mark (`◉`, `◎`; True: `◉`), else empty: its name is marked (the app
        hands the watch list's test)."""
        self._history: Callable[[Run], HistoryCell | None] | None = None
        self._columns: frozenset[str] | None = None
        self.expected: Callable[[Run], Estimate | None] = _no_estimate
        """A running run's expected duration (the history's ETA; the dashboard hands it)."""

    @property
    def columns(self) -> frozenset[str] | None:
        """The columns a saved view shows (None: every column that fits)."""
        return self._columns

    @columns.setter
    def columns(self, keys: frozenset[str] | None) -> None:
        if keys != self._columns:
            self._columns = keys
            self._lines.clear()  # the columns changed: no line drawn before is right any more
            self.refresh()

    def column_layout(self, width: int) -> tuple[Column, ...]:
        """The columns at `width` (what a click on a title is matched against too)."""
        return layout(width, self.history is not None, self._columns)

    @property
    def history(self) -> Callable[[Run], HistoryCell | None] | None:
        """A run's HISTORY cell (strip and flaky badge); None: no history, no column."""
        return self._history

    @history.setter
    def history(self, cell_of: Callable[[Run], HistoryCell | None] | None) -> None:
        self._history = cell_of
        self._lines.clear()  # the columns changed: no line drawn before is right any more
        self.refresh()

    # --- data -----------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        position = self._position(self.cursor_key)
        return 0 if position is None else position

    def _position(self, key: RunKey | None) -> int | None:
        """Where `key` is in the order, or None when it is not shown."""
        if key is None:
            return None
        hint = self._positions.get(key)
        if hint is not None and hint < len(self.order) and self.order[hint] == key:
            return hint
        try:
            position = self.order.index(key)
        except ValueError:
            return None
        if len(self._positions) > 64:
            self._positions.clear()
        self._positions[key] = position
        return position

    @property
    def highlighted(self) -> Row | None:
        return self.rows.get(self.cursor_key) if self.cursor_key else None

    def apply(self, changes: Changes, order: Sequence[RunKey]) -> None:
        """Show one change batch (already in `rows`) and the new order, keeping the cursor and
        the view in place."""
        changed = [row.key for row in (*changes.added, *changes.updated)]
        if order is self.order and not changes.removed:  # nothing moved: redraw what changed
            self._refresh_rows(changed)
            return
        self.set_order(order)

    def _on_screen(self) -> Iterator[tuple[int, RunKey]]:
        """(line, key) of each run on screen; line 0 is the header, so a table `height` lines
        tall shows `height - 1` runs (the run below them is not on screen: refreshing its line
        would repaint whatever is under the table)."""
        top = int(self.scroll_y)
        return enumerate(self.order[top : top + max(0, self.size.height - 1)], 1)

    def _refresh_line(self, y: int) -> None:
        width = self.scrollable_content_region.width  # not the scrollbar: it has not changed
        self.refresh(Region(0, y, width, 1))

    def _refresh_changed_cells(self, y: int, key: RunKey) -> None:
        """Redraw the part of line `y` (the run `key`'s) that reads differently now: the span
        from its first changed cell to its last, or nothing when it reads the same. The new line
        is drawn here and kept, so the frame that follows takes it as it is."""
        before = self._lines.get(key)
        row_index = int(self.scroll_y) + y - 1
        after = self._draw(row_index, key)
        if after is None:
            return
        if before is None or before[0].width != after[0].width:
            self._refresh_line(y)
            return
        span = changed_span(before[1], after[1])
        if span is not None:
            first, end = whole_cells(span, self.column_layout(after[0].width), after[0].width)
            self.refresh(Region(first, y, end - first, 1))

    def _refresh_rows(self, keys: Iterable[RunKey]) -> None:
        """Redraw the changed cells of these runs' lines that are on screen, and nothing else."""
        on_screen = {key: y for y, key in self._on_screen()}
        for key in keys:
            y = on_screen.get(key)
            if y is not None:
                self._refresh_changed_cells(y, key)

    def set_order(self, order: Sequence[RunKey]) -> None:
        """Show these keys in this order (after a batch, a new filter or a new sort). The keys
        are keys of `rows`; the list is kept as it is, not copied."""
        top = int(self.scroll_y)
        anchor = self.order[top] if 0 < top < len(self.order) else None
        old_cursor_row = self.cursor_row
        self.order = order if isinstance(order, list) else list(order)
        if self.cursor_key is not None and self._position(self.cursor_key) is None:
            # its run left the order: the cursor stays on the line it was on (no cursor yet
            # stays none: the dashboard puts the first one on the top row)
            new_row = min(old_cursor_row, len(self.order) - 1)
            self._move_to(new_row if new_row >= 0 else None, scroll=False)
        self.virtual_size = Size(self.size.width, len(self.order) + 1)
        position = self._position(anchor)
        if position is not None and position != top:
            self.scroll_to(y=position, animate=False, immediate=True)
        self.refresh()

    def history_moved(self) -> None:
        """The history has new results: redraw the on-screen lines whose HISTORY cell reads
        differently now, and no other line."""
        cell_of = self._history
        if cell_of is None:
            return
        for y, key in self._on_screen():
            row = self.rows.get(key)
            drawn = self._lines.get(key)
            if row is not None and (drawn is None or drawn[0].history != cell_of(row.run)):
                self._refresh_changed_cells(y, key)

    def tick(self, now: datetime) -> None:
        """Advance relative times and running durations: on the on-screen lines whose time
        text reads differently now, only the cells that changed are redrawn (a running run's
        duration, each second it shows; a STARTED "5m ago", each minute)."""
        self.now = now
        for y, key in self._on_screen():
            row = self.rows.get(key)
            if row is None:
                continue
            drawn = self._lines.get(key)
            texts = time_texts(row.run, now, self.expected(row.run))
            if drawn is None or (drawn[0].started, drawn[0].duration) != texts:
                self._refresh_changed_cells(y, key)

    # --- cursor ---------------------------------------------------------------------------

    def _move_to(self, row: int | None, *, scroll: bool = True) -> None:
        previous = self.cursor_key
        self.cursor_key = self.order[row] if row is not None and self.order else None
        if scroll and row is not None:
            self.scroll_to_region(
                Region(0, row + 1, 1, 1), animate=False, spacing=None, immediate=True
            )
            first = int(self.scroll_y)
            if row < first:
                self.scroll_to(y=row, animate=False, immediate=True)
        if self.cursor_key != previous:
            self.post_message(self.Highlighted(self.cursor_key))
        self.refresh()

    def move_cursor_to(self, key: RunKey) -> None:
        position = self._position(key)
        if position is not None:
            self._move_to(position)

    def _step(self, delta: int) -> None:
        if self.order:
            self._move_to(max(0, min(len(self.order) - 1, self.cursor_row + delta)))

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        if self.cursor_key is None and self.order:
            self._move_to(0)
        else:
            self._step(1)

    def action_page_up(self) -> None:
        self._step(-max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self._step(max(1, self.size.height - 2))

    def action_first(self) -> None:
        self._step(-len(self.order))

    def action_last(self) -> None:
        self._step(len(self.order))

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self.cursor_key))

    def show_cursor(self) -> None:
        """Bring the cursor's line on screen (after a filter, a sort, esc, a resize); with no
        cursor, put it on the first run."""
        position = self._position(self.cursor_key)
        if position is None and self.order:
            position = 0
        if position is not None:
            self._move_to(position)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:  # the titles line, which stays in place when the rows scroll
            self.post_message(self.HeaderClicked(event.x))
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.order):
            self._move_to(row, scroll=False)
            if event.chain >= 2:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.order) + 1)

    # --- rendering ------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = self.column_layout(width)
        if y == 0:
            style = self.rich_style + self.get_component_rich_style("runs-table--header")
            return header_strip(columns, width, style, self.sort_title)
        row_index = int(self.scroll_y) + y - 1
        key = self.order[row_index] if row_index < len(self.order) else None
        drawn = self._draw(row_index, key) if key is not None else None
        if drawn is None:
            style = self.rich_style if self._frame_style is None else self._frame_style
            return Strip.blank(width, style)
        return drawn[1]

    def _draw(self, row_index: int, key: RunKey) -> tuple[_Drawn, Strip] | None:
        """The line of the run `key` at `row_index` in the order, as it reads now (the one
        drawn before when nothing it is drawn from changed); None when `rows` lacks the run."""
        row = self.rows.get(key)
        if row is None:
            return None
        width = self.scrollable_content_region.width
        columns = self.column_layout(width)
        style = self.rich_style if self._frame_style is None else self._frame_style
        base = style
        if row.stale:
            base = base + self.get_component_rich_style("runs-table--stale")
        if key == self.cursor_key:
            base = base + self.get_component_rich_style("runs-table--cursor")
        started, duration = time_texts(row.run, self.now, self.expected(row.run))
        nested = self._under_its_parent(row_index)
        watched = self.marked(row.run)
        history = self.history(row.run) if self.history is not None else None
        drawn_from = _Drawn(row, width, base, started, duration, nested, watched, history)
        cached = self._lines.get(key)
        if cached is not None and cached[0] == drawn_from:
            return cached
        no_color = self.app.no_color
        strip = row_strip(
            row, columns, width, base, started, duration, nested=nested, no_color=no_color,
            watched=watched, history=history, production=row.run.provider in self.production,
        )  # fmt: skip
        lines = self._lines
        lines.pop(key, None)  # a line drawn again goes to the end: the first is the stalest
        if len(lines) >= self.lines_kept():
            self._forget_lines_off_screen()
        drawn = lines[key] = (drawn_from, strip)
        return drawn

    def lines_kept(self) -> int:
        """The most drawn lines the table keeps: two screens' worth.

        A kept line is worth its memory only while its run is on screen (it is read again when
        the clock or the history moves, and compared with the next drawing of the line); a line
        drawn once is a Strip that Textual hangs its own crops, divisions and styled copies on,
        about 10 kB in all. A busy table draws a new line for each new run at its top and
        scrolls the older ones down out of sight: a bound of hundreds of lines (512 before)
        filled at the pace of new runs for hours, the largest part of an all-day session's
        growth (bench/allday.py). Paging back draws a screen again (about a millisecond)."""
        return SCREENS_KEPT * max(self.size.height, 8)

    def _forget_lines_off_screen(self) -> None:
        """Drop the lines of runs not on screen now (and, should that not make room, the
        stalest)."""
        lines = self._lines
        on_screen = {key for _, key in self._on_screen()}
        for key in [key for key in lines if key not in on_screen]:
            del lines[key]
        while len(lines) >= self.lines_kept():
            del lines[next(iter(lines))]

    def _under_its_parent(self, row_index: int) -> bool:
        """True when the run at `row_index` is drawn under its suite run (the parent, then only
        siblings, above it). A test run whose suite run is filtered out stands alone: no `└`."""
        row = self.rows.get(self.order[row_index])
        if row is None or not row.run.parent_id:
            return False
        parent = (row.run.provider, row.run.parent_id)
        for index in range(row_index - 1, -1, -1):
            above = self.rows.get(self.order[index])
            if above is None:
                return False
            if above.key == parent:
                return True
            if (above.run.provider, above.run.parent_id) != parent:
                return False
        return False


def _never(_: Run) -> bool:
    return False


def _no_estimate(_: Run) -> Estimate | None:
    return None


def whole_cells(span: tuple[int, int], columns: Sequence[Column], width: int) -> tuple[int, int]:
    """`span` (first, end) widened to the whole cells it touches, within `width`.

    What is repainted is still only what changed (the terminal writer sends the cells that
    read differently), but the regions asked for are then a few per line (a duration cell, a
    progress cell), not one per span of characters: Textual keeps the regions it was asked to
    repaint in caches of a few thousand (`Region.intersection`, `Region.overlaps`), and exact
    spans (a duration's last digit, then its last two...) filled them at the pace of the clock
    for an hour and more of an all-day session (bench/allday.py --census)."""
    first, end = span
    left = 0
    for column in columns:
        right = left + column.width + 1
        if left <= span[0] < right:
            first = left
        if left < span[1] <= right:
            end = min(right - 1, width) if span[1] <= right - 1 else min(right, width)
        left = right
    return first, max(end, span[1])


def changed_span(before: Strip, after: Strip) -> tuple[int, int] | None:
    """(first, end) of the cells that read differently in `after` than in `before` (text or
    style), end exclusive; None when the two lines read the same."""
    old, new = _cells(before), _cells(after)
    if old == new:
        return None
    first = next((x for x, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if first is None:
        first = min(len(old), len(new))
    last = max(len(old), len(new))
    while last > first and last <= min(len(old), len(new)) and old[last - 1] == new[last - 1]:
        last -= 1
    return first, last


def _cells(strip: Strip) -> list[tuple[str, Style | None]]:
    """A line's cells, each a character and its style (a wide character's right half is "")."""
    cells: list[tuple[str, Style | None]] = []
    for text, style, _ in strip:
        if text.isascii():
            cells.extend((char, style) for char in text)
            continue
        for char in text:
            size = get_character_cell_size(char)
            if size:
                cells.append((char, style))
            if size == 2:
                cells.append(("", style))
    return cells
