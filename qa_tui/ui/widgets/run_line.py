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

from qa_tui.core.history.index import HistoryCell
from qa_tui.core.model import Run
from qa_tui.core.store import Row
from qa_tui.core.textsafe import clip, pad
from qa_tui.ui import render
from qa_tui.ui.widgets import history_cell


@dataclass(frozen=True)
class Column:
    """One column of the table: its cell key, its title and its width in cells (the name's is
    what the others leave)."""

    key: str
    title: str
    width: int
    priority: int
    """Columns with a higher number are dropped first on a narrow terminal."""


COLUMNS: tuple[Column, ...] = (
    Column("status", "STATUS", 12, 0),
    Column("provider", "PROVIDER", 9, 3),
    Column("kind", "KIND", 9, 6),
    Column("name", "NAME", 0, 0),
    Column("progress", "PROGRESS", 14, 2),
    Column("history", "HISTORY", history_cell.WIDTH, 4),
    Column("started", "STARTED", 8, 5),
    Column("duration", "DURATION", 8, 1),
    Column("trigger", "TRIGGER", 9, 7),
    Column("bug", "BUG", 9, 8),
)
"""Every column; HISTORY only when the app keeps a run history (`layout(width, history=…)`)."""

MIN_NAME_WIDTH = 18
"""Narrower than this, the name column takes a column of lower priority instead."""
CELL_LIMIT = 400
"""No cell is wider than this: provider strings are cut to it before they are escaped."""
WATCH_MARK = "◉"
"""Before the name of a watched run (`w`, or `W` on a run of the same test)."""


def time_texts(run: Run, now: datetime) -> tuple[str, str]:
    """The STARTED and DURATION cells at `now`: the two that change with the clock alone."""
    started = render.relative_time(run.started or run.queued, now)
    return started, render.format_duration(render.run_duration(run, now))


@functools.lru_cache(maxsize=16)
def layout(width: int, history: bool = False) -> tuple[Column, ...]:
    """`layout_columns(width)`, worked out once per width (every line of a frame asks)."""
    return tuple(layout_columns(width, history=history))


def layout_columns(width: int, *, history: bool = False) -> list[Column]:
    """The columns that fit `width`, the name column taking what is left (at least 18)."""
    columns = [c for c in COLUMNS if history or c.key != "history"]
    while True:
        fixed = sum(c.width + 1 for c in columns if c.key != "name")
        name_width = width - fixed
        if name_width >= MIN_NAME_WIDTH or len(columns) <= 3:
            break
        columns.remove(max(columns, key=lambda c: c.priority))
    return [
        Column(c.key, c.title, max(MIN_NAME_WIDTH, name_width), c.priority)
        if c.key == "name"
        else c
        for c in columns
    ]


def header_strip(columns: Iterable[Column], width: int, style: Style, sort_title: str) -> Strip:
    """The titles line; the column the table is sorted by is marked `▾`."""
    cells = []
    for column in columns:
        title = f"{column.title}▾" if column.title == sort_title else column.title
        cells.append(pad(clip(title, column.width), column.width))
    return Strip([Segment(pad(" ".join(cells), width)[:width], style)], width)


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
    watched: bool = False,
    history: HistoryCell | None = None,
) -> Strip:
    """One run's line, exactly `width` cells: `started` and `duration` are its clock texts
    (`time_texts`), `nested` draws it under its suite run (`└`), `no_color` its status without
    colour, `watched` marks its name (`◉`), `history` its HISTORY cell (history_cell.py)."""
    segments: list[Segment] = []
    plain: list[str] = []  # cells in the base style, joined into one segment
    bug_hidden = row.bug_id and all(column.key != "bug" for column in columns)
    for column in columns:
        if column.key == "history":
            if plain:
                segments.append(Segment("".join(plain), base))
                plain = []
            segments.extend(
                history_cell.history_segments(history, column.width, base, no_color=no_color)
            )
            plain.append(" ")
            continue
        if column.key == "started":
            text, style = started, None
        elif column.key == "duration":
            text, style = duration, None
        else:
            text, style = cell_text(row, column.key, no_color=no_color)
        if column.key == "name" and watched:
            text = f"{WATCH_MARK} {text}"
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
            f"{render.STATUS_GLYPHS[run.status]} {render.status_word(run)}",
            render.NO_COLOR_STYLES[run.status] if no_color else render.STATUS_STYLES[run.status],
        )
    if key == "provider":
        return render.safe(run.provider, CELL_LIMIT), None
    if key == "kind":  # a run in the user's own browser says so (BugBug `runMode`)
        return run.mode or run.kind.value, None
    if key == "name":
        return render.safe(run.name, CELL_LIMIT), None
    if key == "progress":
        return render.progress_bar(run), None
    if key == "trigger":
        return render.safe(run.triggered_by, CELL_LIMIT), None
    if key == "bug":
        return render.safe(row.bug_id, CELL_LIMIT), None
    return "", None
