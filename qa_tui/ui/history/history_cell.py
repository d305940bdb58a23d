"""The runs table's HISTORY cell: the test's last ten final results on its target, oldest
first (`✓✓✗✓✓✗✓✓✓✓`), then `flaky 20%` when it both passed and failed there within the window.

Glyphs are the status glyphs of the rest of the table, coloured like them; under `NO_COLOR`
they are plain (the glyph carries the result) and the badge is bold. The row's own result, when
it is among the ten, is underlined (with or without colour). Pure drawing.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from qa_tui.core.history.index import HistoryCell
from qa_tui.ui import render

WIDTH = 20
"""Ten glyphs, a space, and `flaky 100%`."""
BADGE_STYLE = Style(color="yellow", bold=True)
NO_COLOR_BADGE = Style(bold=True)
OWN_STYLE = Style(underline=True, bold=True)
"""The row's own result in the strip."""


def badge_text(cell: HistoryCell | None) -> str:
    if cell is None or cell.flake_rate is None:
        return ""
    return f"flaky {round(cell.flake_rate * 100)}%"


def plain_text(cell: HistoryCell | None) -> str:
    """The cell as one string (tests, the detail view, narrow places)."""
    if cell is None:
        return ""
    strip = "".join(render.STATUS_GLYPHS[status] for status in cell.strip)
    badge = badge_text(cell)
    return f"{strip} {badge}" if badge else strip


def own_index(cell: HistoryCell | None, run_id: str | None) -> int | None:
    """Where the run `run_id` is in the cell's strip (None: not among its results)."""
    if cell is None or run_id is None or run_id not in cell.run_ids:
        return None
    return cell.run_ids.index(run_id) - (len(cell.strip) - len(cell.strip[-10:]))


def history_segments(
    cell: HistoryCell | None, width: int, base: Style, *, no_color: bool, own: str | None = None
) -> list[Segment]:
    """Exactly `width` cells: the strip (the result of run `own` marked), the badge, padding
    in the line's style."""
    segments: list[Segment] = []
    used = 0
    if cell is not None:
        styles = render.NO_COLOR_STYLES if no_color else render.STATUS_STYLES
        mine = own_index(cell, own)
        run: list[str] = []  # glyphs of one status in a row go out as one segment
        previous = None
        for index, status in enumerate(cell.strip[-10:]):
            if (status is not previous or index == mine) and run and previous is not None:
                segments.append(Segment("".join(run), base + styles[previous]))
                run = []
            if index == mine:
                glyph = render.STATUS_GLYPHS[status]
                segments.append(Segment(glyph, base + styles[status] + OWN_STYLE))
                previous = None
            else:
                run.append(render.STATUS_GLYPHS[status])
                previous = status
            used += 1
        if run and previous is not None:
            segments.append(Segment("".join(run), base + styles[previous]))
        badge = badge_text(cell)
        if badge and used + 1 + len(badge) <= width:
            segments.append(Segment(" ", base))
            segments.append(Segment(badge, base + (NO_COLOR_BADGE if no_color else BADGE_STYLE)))
            used += 1 + len(badge)
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    return segments
