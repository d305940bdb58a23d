"""How one run reads as one line of the runs table: its columns, their layout at a width, the
cell texts, and the strips of the header and of a run's line.

Pure drawing: the table (runs_table.py) decides which run goes on which line, with which style
and clock texts, and remembers the lines it drew; this module turns those into a `Strip`.
Provider strings are made terminal-safe and cut to `CELL_LIMIT` before they are measured.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from qa_tui.core.history.eta import Estimate, eta_of
from qa_tui.core.history.index import HistoryCell
from qa_tui.core.model import Run
from qa_tui.core.runs.store import Row
from qa_tui.core.textsafe import clip, pad
from qa_tui.ui import render
from qa_tui.ui.history import history_cell


@dataclass(frozen=True)
class Column:
    """One column of the table: its cell key, its title and its width in cells (the name's is
    what the others leave)."""

    key: str
    title: str
    width: int
    priority: int
    """Columns with a higher number are dropped first on a narrow terminal."""
    help: str = ""
    """What the column says (the help screen's legend)."""


COLUMNS: tuple[Column, ...] = (
    Column("status", "STATUS", 12, 0, "the run's status, a glyph and a word (see Status)"),
    Column("provider", "PROVIDER", 9, 4, "the provider's name in your config"),
    Column("kind", "KIND", 9, 7, "test, suite, execution (a BugBrain plan) or trigger (Bug0); "
           "local or recording for a BugBug run in your own browser"),
    Column("name", "NAME", 0, 0, "what ran: the test, suite or plan (└ a test run in its suite "
           "run); ◉ ◎ watch marks; · bug ID when BUG does not fit"),
    Column("target", "TARGET", 14, 6, "what it ran against: BugBug's run profile, BugBrain's "
           "environment, the URL a Bug0 trigger ran on"),
    Column("progress", "PROGRESS", 14, 2, "steps (BugBug) or tests (BugBrain) done of all"),
    Column("history", "HISTORY", history_cell.WIDTH, 5, "the test's last ten results on this "
           "target, oldest first (see History)"),
    Column("started", "STARTED", 8, 3, "when it started (or was queued or triggered)"),
    Column("duration", "DURATION", 9, 1, "how long it ran, or has run so far while running; "
           "while running, the time left when the history knows how long the test takes "
           "(~ from fewer than 3 passed runs; over: past it)"),
    Column("trigger", "TRIGGER", 9, 8, "what started it: api, user, scheduler, github, qa-tui..."),
    Column("bug", "BUG", 9, 9, "the bug filed for it from here (b)"),
)  # fmt: skip
"""Every column; HISTORY only when the app keeps a run history (`layout(width, history=…)`).
On a narrow terminal the highest priority goes first: BUG, TRIGGER, KIND, TARGET, HISTORY,
then PROVIDER; STARTED is kept as long as PROGRESS is (at 80x24 a 27-second-old error must not
look like a 2-hour-old one). DURATION is 9 wide so `DURATION▾` is never cut."""

MIN_NAME_WIDTH = 18
"""Narrower than this, the name column takes a column of lower priority instead."""
ROOMY_NAME_WIDTH = 28
"""Narrower than this, the name column takes an extra's place (KIND, TRIGGER, BUG: what the
row says elsewhere or rarely has), so a wide terminal does not show every column and a cut name."""
EXTRA = 7
"""Columns of this priority or more are extras."""
CELL_LIMIT = 400
"""No cell is wider than this: provider strings are cut to it before they are escaped."""
WATCH_MARK = "◉"
"""Before the name of a run watched by itself (`w`)."""
TEST_WATCH_MARK = "◎"
"""Before the name of a run watched through its test, suite or plan (`W`)."""
SORT_ARROWS = ("▾", "▴")
"""After the sorted column's title: its usual order (newest first...), and reversed."""


def time_texts(run: Run, now: datetime, estimate: Estimate | None = None) -> tuple[str, str]:
    """The STARTED and DURATION cells at `now`: the two that change with the clock alone. A
    running run with an `estimate` (core/history/eta.py) shows the time it has left instead of
    the time so far (`3m left`, `~3m left` from fewer than 3 passed runs, `over 1m` past it)."""
    started = render.relative_time(run.started or run.queued, now)
    eta = eta_of(estimate, run, now)
    if eta is not None:
        return started, eta
    return started, render.format_duration(render.run_duration(run, now))


@functools.lru_cache(maxsize=16)
def layout(
    width: int, history: bool = False, only: frozenset[str] | None = None
) -> tuple[Column, ...]:
    """`layout_columns(width)`, worked out once per width (every line of a frame asks)."""
    return tuple(layout_columns(width, history=history, only=only))


def layout_columns(
    width: int, *, history: bool = False, only: frozenset[str] | None = None
) -> list[Column]:
    """The columns that fit `width`, the name column taking what is left (at least 18, and at
    least 28 before an extra is kept); `only`: a saved view's columns (NAME always)."""
    columns = [
        c
        for c in COLUMNS
        if (history or c.key != "history") and (only is None or c.key in only or c.key == "name")
    ]
    while True:
        fixed = sum(c.width + 1 for c in columns if c.key != "name")
        name_width = width - fixed
        if name_width >= MIN_NAME_WIDTH or len(columns) <= 3:
            break
        columns.remove(max(columns, key=lambda c: c.priority))
    while name_width < ROOMY_NAME_WIDTH and max(c.priority for c in columns) >= EXTRA:
        extra = max(columns, key=lambda c: c.priority)
        columns.remove(extra)
        name_width += extra.width + 1
    return [
        Column(c.key, c.title, max(MIN_NAME_WIDTH, name_width), c.priority)
        if c.key == "name"
        else c
        for c in columns
    ]


def sort_title(title: str, *, reverse: bool) -> str:
    """The sorted column's header: `STARTED▾` (its usual order) or `STARTED▴` (reversed)."""
    return f"{title}{SORT_ARROWS[reverse]}"


def header_strip(columns: Iterable[Column], width: int, style: Style, sorted_by: str) -> Strip:
    """The titles line; the column the table is sorted by carries its arrow (`sorted_by` is
    its title with the arrow, `sort_title`; a bare title means the usual order, `▾`)."""
    bare = sorted_by.rstrip("".join(SORT_ARROWS))
    arrow = sorted_by[len(bare) :] or SORT_ARROWS[0]
    cells = []
    for column in columns:
        title = f"{column.title}{arrow}" if column.title == bare else column.title
        cells.append(pad(clip(title, column.width), column.width))
    return Strip([Segment(pad(" ".join(cells), width)[:width], style)], width)


def column_at(columns: Sequence[Column], x: int) -> Column | None:
    """The column under cell `x` of a line (a click on the header)."""
    left = 0
    for column in columns:
        if left <= x < left + column.width + 1:
            return column
        left += column.width + 1
    return None


def row_strip(
    row: Row,
    columns: Sequence[Column],
    width: int,
    base: Style,
    started: str,
    duration: str,
    *,
    nested: bool,
    no_color: bool,
    watched: bool | str = False,
    history: HistoryCell | None = None,
    production: bool = False,
) -> Strip:
    """One run's line, exactly `width` cells: `started` and `duration` are its clock texts
    (`time_texts`), `nested` draws it under its suite run (`└`), `no_color` its status without
    colour, `watched` marks its name (the mark itself, `◉` or `◎`; True: `◉`), `history` its
    HISTORY cell (history_cell.py, its own result marked), `production` tints its PROVIDER cell
    (`production = true`; reversed under NO_COLOR)."""
    mark = watched if isinstance(watched, str) else (WATCH_MARK if watched else "")
    segments: list[Segment] = []
    plain: list[str] = []  # cells in the base style, joined into one segment
    bug_hidden = row.bug_id and all(column.key != "bug" for column in columns)
    for column in columns:
        if column.key == "history":
            if plain:
                segments.append(Segment("".join(plain), base))
                plain = []
            segments.extend(
                history_cell.history_segments(
                    history, column.width, base, no_color=no_color, own=row.run.id
                )
            )
            plain.append(" ")
            continue
        if column.key == "started":
            text, style = started, None
        elif column.key == "duration":
            text, style = duration, None
        else:
            text, style = cell_text(row, column.key, no_color=no_color)
            if production and column.key == "provider":
                style = render.PRODUCTION_NO_COLOR if no_color else render.PRODUCTION_STYLE
        if column.key == "name" and mark:
            text = f"{mark} {text}"
        if column.key == "name" and nested:
            text = f"  └ {text}"
        if column.key == "name" and bug_hidden:  # too narrow for the BUG column: say it here
            text = f"{clip(text, max(4, column.width - 15))} · bug {render.safe(row.bug_id)[:8]}"
        cell = pad(clip(text, column.width), column.width)
        if style:
            if plain:
                segments.append(Segment("".join(plain), base))
                plain = []
            segments.append(Segment(cell, base + style))
            plain.append(" ")
        else:
            plain.append(cell)
            plain.append(" ")
    if plain:
        text = "".join(plain)
        if sum(column.width + 1 for column in columns) == width + 1:
            text = text[:-1]  # the usual case: the cells fill the width, but for one space
        segments.append(Segment(text, base))
    strip = Strip(segments)
    if strip.cell_length == width:
        return strip
    return strip.crop(0, width).extend_cell_length(width, base)


def cell_text(row: Row, key: str, *, no_color: bool) -> tuple[str, Style | None]:
    """The text of one cell (not the clock's two) and its own style, if any, over the line's."""
    run = row.run
    if key == "status":
        return (
            f"{render.status_glyph(run)} {render.status_word(run)}",
            render.status_style(run, no_color=no_color),
        )
    if key == "provider":
        return render.safe(run.provider, CELL_LIMIT), None
    if key == "kind":  # a run in the user's own browser says so (BugBug `runMode`)
        return run.mode or run.kind.value, None
    if key == "name":
        return render.safe(run.name, CELL_LIMIT), None
    if key == "target":
        return render.safe(target_text(run.target), CELL_LIMIT), None
    if key == "progress":
        return render.progress_bar(run), None
    if key == "trigger":
        return render.safe(run.triggered_by, CELL_LIMIT), None
    if key == "bug":
        return render.safe(row.bug_id, CELL_LIMIT), None
    return "", None


def target_text(target: str | None) -> str:
    """The TARGET cell's text: a URL without its scheme (`pr-42.preview.shop.example`)."""
    text = target or ""
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            return text[len(scheme) :]
    return text
