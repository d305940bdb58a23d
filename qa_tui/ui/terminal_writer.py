"""Writing to the terminal only the cells that changed.

Textual repaints a region by writing its lines from the left edge of the widget to the region's
right edge, with a full style (reset, colours and attributes) before every segment: a duration
ticking at the right of the runs table rewrites nearly the whole row, and a widget refreshed with
the same content (the footer recomposed, the header laid out again) is written again byte for
byte. Over SSH, in a tmux pane left open all day, those bytes are most of what qa-tui sends.

`ScreenMirror` keeps what the terminal shows, cell by cell (its text and its look: colours and
attributes, never Textual's mouse metadata), and turns each of Textual's frames into the bytes
that change what differs and nothing else:

- on each line, the changed cells are joined into runs (two runs fewer than `JOIN_GAP` cells
  apart are one: rewriting a few cells costs less than moving the cursor);
- each run is reached with one cursor move (none when the cursor is already there), and a style
  is written only where it differs from the pen's: only the colour that changed, when the
  attributes are the same; a reset only when an attribute must go; the pen is reset at the end
  of the frame, so bytes written by anything else start from a clean pen as they expect;
- a frame that changes nothing writes nothing, not even the synchronized-update markers.

It takes Textual's frames where Textual writes them (the app overrides Textual's private
`App._display`, and reads the driver and the cursor as that method does): with a Textual that
lacks any of it, or on any error here, the frame goes out as Textual writes it.

What it cannot read as cells (a segment with escape sequences of its own, such as a picture
drawn with the Kitty or Sixel protocol, a hyperlink, or a renderable that is not a compositor
update) goes out as Textual writes it, and the cells it covers are forgotten, so the next frame
writes them in full. A resize, a new driver or a resumed app forgets everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.cells import get_character_cell_size
from rich.color import ColorSystem
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.app import App

JOIN_GAP = 6
"""Unchanged cells between two changed runs of a line that are rewritten rather than skipped:
a cursor move (`ESC[y;xH`) costs 6 to 8 bytes."""

Cell = tuple[str, Style]
"""One cell as the terminal shows it: its text ("" for the right half of a wide character) and
its look."""

_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("bold", "1"),
    ("dim", "2"),
    ("italic", "3"),
    ("underline", "4"),
    ("blink", "5"),
    ("blink2", "6"),
    ("reverse", "7"),
    ("conceal", "8"),
    ("strike", "9"),
    ("underline2", "21"),
    ("frame", "51"),
    ("encircle", "52"),
    ("overline", "53"),
)
_PLAIN = Style()


class _Unreadable(Exception):
    """A segment this module cannot lay out as cells (escape sequences of its own, a link)."""


class ScreenMirror:
    """What the terminal shows, and the fewest bytes that make it show a new frame."""

    def __init__(self, color_system: ColorSystem = ColorSystem.TRUECOLOR) -> None:
        self.color_system = color_system
        self.width = 0
        self.height = 0
        self.lines: list[list[Cell | None]] = []
        """Each line's cells; None where the terminal's content is not known."""
        self._looks: dict[Style, Style] = {}
        self._codes: dict[Style, tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]] = {}

    def forget(self, width: int | None = None, height: int | None = None) -> None:
        """Know nothing of the screen (a resize, a new driver, after a suspend)."""
        if width is not None and height is not None:
            self.width, self.height = width, height
        self.lines = [[None] * self.width for _ in range(self.height)]
        self._looks.clear()
        self._codes.clear()

    def forget_span(self, y: int, x1: int, x2: int) -> None:
        if 0 <= y < self.height:
            line = self.lines[y]
            for x in range(max(0, x1), min(self.width, x2)):
                line[x] = None

    # --- frames ---------------------------------------------------------------------------

    def frame(self, update: object, width: int, height: int) -> str | None:
        """The bytes that turn the screen into `update`'s, or None when this module cannot
        read `update` (its spans are then forgotten: the caller writes it as Textual would)."""
        if (width, height) != (self.width, self.height):
            self.forget(width, height)
        try:
            if isinstance(update, LayoutUpdate):
                spans = list(_layout_spans(update))
            elif isinstance(update, ChopsUpdate):
                spans = list(_chops_spans(update))
            else:
                self.forget()
                return None
            wanted = [(y, x, self._cells(strip)) for y, x, strip in spans]
        except _Unreadable:
            if isinstance(update, ChopsUpdate):
                for y, x1, x2 in update.spans:
                    self.forget_span(y, x1, x2)
            else:
                self.forget()
            return None
        if len(self._looks) > 4096:  # styles come and go (a theme change): keep the recent
            self._looks.clear()
            self._codes.clear()
        return self._write(wanted)

    def _cells(self, strip: Strip) -> list[Cell]:
        cells: list[Cell] = []
        looks = self._looks
        for segment in strip:
            text, style, control = segment
            if control:
                raise _Unreadable
            if style is None:
                look = _PLAIN
            else:
                look = looks.get(style)  # type: ignore[assignment]
                if look is None:
                    if style.link:
                        raise _Unreadable
                    look = looks[style] = style.clear_meta_and_links()
            if text.isascii() and text.isprintable():
                cells.extend((char, look) for char in text)
                continue
            for char in text:
                if char < " " or "\x7f" <= char < "\xa0":
                    raise _Unreadable  # an escape sequence or a control character
                size = get_character_cell_size(char)
                if size == 0:
                    if cells:
                        cells[-1] = (cells[-1][0] + char, cells[-1][1])
                    continue
                cells.append((char, look))
                if size == 2:
                    cells.append(("", look))
        return cells

    def _write(self, wanted: list[tuple[int, int, list[Cell]]]) -> str:
        out: list[str] = []
        cursor: tuple[int, int] | None = None
        pen: Style | None = None  # None: the terminal's default pen (after a reset)
        for y, x0, cells in wanted:
            if not 0 <= y < self.height:
                continue
            line = self.lines[y]
            end = min(self.width, x0 + len(cells))
            for first, last in _runs(line, cells, x0, end):
                while first > x0 and cells[first - x0][0] == "":
                    first -= 1  # never start in the right half of a wide character
                if last + 1 < end and cells[last + 1 - x0][0] == "":
                    last += 1  # a wide character's right half goes with it
                if cursor != (first, y):
                    out.append(f"\x1b[{y + 1};{first + 1}H")
                for x in range(first, last + 1):
                    cell = cells[x - x0]
                    text, look = cell
                    line[x] = cell
                    if not text:
                        continue
                    if look != pen:
                        out.append(self._pen_change(pen, look))
                        pen = look
                    out.append(text)
                cursor = (last + 1, y)
        if pen is not None and pen != _PLAIN:
            out.append("\x1b[0m")
        return "".join(out)

    # --- styles ---------------------------------------------------------------------------

    def _style_codes(self, look: Style) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
        codes = self._codes.get(look)
        if codes is None:
            attributes = frozenset(code for name, code in _ATTRIBUTES if getattr(look, name))
            system = self.color_system
            fg = look.color.downgrade(system).get_ansi_codes(True) if look.color else ()
            bg = look.bgcolor.downgrade(system).get_ansi_codes(False) if look.bgcolor else ()
            codes = self._codes[look] = (attributes, tuple(fg), tuple(bg))
        return codes

    def _pen_change(self, pen: Style | None, look: Style) -> str:
        """The SGR that turns the pen `pen` (None: reset) into `look`."""
        attributes, fg, bg = self._style_codes(look)
        if pen is None:
            codes = sorted(attributes, key=int) + list(fg) + list(bg)
            return f"\x1b[{';'.join(codes)}m" if codes else ""
        was_attributes, was_fg, was_bg = self._style_codes(pen)
        if not was_attributes <= attributes:  # an attribute must go: start from a reset
            codes = ["0", *sorted(attributes, key=int), *fg, *bg]
            return f"\x1b[{';'.join(codes)}m"
        codes = sorted(attributes - was_attributes, key=int)
        if fg != was_fg:
            codes += fg or ("39",)
        if bg != was_bg:
            codes += bg or ("49",)
        return f"\x1b[{';'.join(codes)}m" if codes else ""


def _runs(
    line: list[Cell | None], cells: list[Cell], x0: int, end: int
) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of changed cells in `line[x0:end]`, near runs joined."""
    start = last = -1
    for x in range(x0, end):
        if line[x] == cells[x - x0]:
            continue
        if start < 0:
            start = last = x
        elif x - last - 1 <= JOIN_GAP:
            last = x
        else:
            yield start, last
            start = last = x
    if start >= 0:
        yield start, last


def _layout_spans(update: LayoutUpdate) -> Iterable[tuple[int, int, Strip]]:
    x = update.region.x
    for y, line in enumerate(update.strips, update.region.y):
        yield y, x, Strip.join(list(line))


def _chops_spans(update: ChopsUpdate) -> Iterable[tuple[int, int, Strip]]:
    """What Textual would write for each span: each chop that meets it, from the chop's left
    edge to the span's right edge (more than changed: the mirror keeps only the difference)."""
    for y, x1, x2 in update.spans:
        line = update.chops[y]
        for end, (x, strip) in zip(update.chop_ends[y], line.items(), strict=False):
            if strip is None or x > x2 or end <= x1:
                continue
            if end > x2:
                strip = strip.crop(0, x2 - x)
            yield y, x, strip


def display(app: App[Any], mirror: ScreenMirror, renderable: object) -> bool:
    """Write `renderable` (one of Textual's frames) to `app`'s terminal as the changes from what
    `mirror` knows the terminal shows. False when it must go out as Textual writes it (headless,
    inline, or a frame the mirror cannot read): the caller then hands it to Textual."""
    if renderable is None:  # nothing to draw: Textual's own path does nothing either
        return False
    try:  # Textual's own `_display` reads these; a Textual without them draws as it did
        driver = app._driver
        ready = driver is not None and not app.is_headless and not driver.is_inline
        ready = ready and app._running and not app._closed and not app._batch_count
        color_system = app.console._color_system or ColorSystem.TRUECOLOR  # as Strip.render
    except AttributeError:
        return False
    if not ready or driver is None:
        return False
    width, height = app.size
    if color_system != mirror.color_system:
        mirror.color_system = color_system
        mirror.forget()
    try:
        text = mirror.frame(renderable, width, height)
    except Exception:  # whatever went wrong here, Textual's own path still draws the frame
        mirror.forget()
        return False
    if text is None:
        return False
    cursor = app.screen.outer_size.clamp_offset(app.cursor_position)
    if not text and cursor == app._previous_cursor_position:
        app.post_display_hook()
        return True
    app._previous_cursor_position = cursor
    app._begin_update()
    try:
        driver.write(f"{text}\x1b[{cursor.y + 1};{cursor.x + 1}H")
    finally:
        app._end_update()
    driver.flush()
    app.post_display_hook()
    return True
