"""The terminal writer: what it writes makes the terminal show exactly what Textual's own bytes
would, and only the changed cells are written.

Frames are replayed through a terminal emulator (pyte) twice, once as Textual writes them and
once as the writer does, and the two screens are compared cell by cell (text and look).
"""

from __future__ import annotations

import random

import pyte
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from qa_tui.ui.terminal_writer import ScreenMirror

WIDTH, HEIGHT = 40, 6
WORDS = ("passed", "failed", "✓", "✗ 漢字", "●", "██░░", " ", "Checkout with card", "0/5")
STYLES = (
    Style(color="#e0e0e0", bgcolor="#121212"),
    Style(color="#98e024", bgcolor="#121212"),
    Style(color="#f4005f", bgcolor="#121212", bold=True),
    Style(reverse=True),
    Style(color="#58d1eb", bgcolor="#242f38", italic=True),
)


def random_line(rng: random.Random) -> Strip:
    segments = [Segment(rng.choice(WORDS), rng.choice(STYLES)) for _ in range(rng.randint(1, 8))]
    return Strip(segments).crop(0, WIDTH).extend_cell_length(WIDTH, STYLES[0])


def screen_after(chunks: list[str]) -> list[list[object]]:
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.Stream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    return [[screen.buffer[y][x] for x in range(WIDTH)] for y in range(HEIGHT)]


def test_the_writer_makes_the_terminal_show_what_textual_would() -> None:
    """GIVEN fifty frames, each changing a few lines of the last (wide characters, colours,
    bold, reverse) THEN after every frame the terminal fed the writer's bytes shows the same
    cells, text and look, as the one fed Textual's own bytes; and a frame equal to the last
    writes nothing."""
    rng = random.Random(22)
    console = Console(color_system="truecolor", force_terminal=True, width=WIDTH)
    mirror = ScreenMirror(ColorSystem.TRUECOLOR)
    lines = [random_line(rng) for _ in range(HEIGHT)]
    textual_bytes: list[str] = []
    written: list[str] = []
    for _ in range(50):
        for y in rng.sample(range(HEIGHT), rng.randint(0, 3)):
            lines[y] = random_line(rng)
        update = LayoutUpdate([[line] for line in lines], Region(0, 0, WIDTH, HEIGHT))
        textual_bytes.append(update.render_segments(console))
        text = mirror.frame(update, WIDTH, HEIGHT)
        assert text is not None
        written.append(text)
        assert screen_after(written) == screen_after(textual_bytes)
    same = LayoutUpdate([[line] for line in lines], Region(0, 0, WIDTH, HEIGHT))
    assert mirror.frame(same, WIDTH, HEIGHT) == ""


def test_a_changed_colour_is_written_as_that_colour_alone() -> None:
    """GIVEN a line on screen WHEN one word changes colour only THEN the writer moves to it and
    writes the new foreground and the word, not the line nor a full style."""
    mirror = ScreenMirror(ColorSystem.TRUECOLOR)
    base = Style(color="#e0e0e0", bgcolor="#121212")
    green = Style(color="#98e024", bgcolor="#121212")
    first = Strip([Segment("run ", base), Segment("passed", base), Segment(" " * 30, base)])
    second = Strip([Segment("run ", base), Segment("passed", green), Segment(" " * 30, base)])
    mirror.frame(LayoutUpdate([[first]], Region(0, 0, WIDTH, 1)), WIDTH, 1)
    text = mirror.frame(LayoutUpdate([[second]], Region(0, 0, WIDTH, 1)), WIDTH, 1)
    assert text == "\x1b[1;5H\x1b[38;2;152;224;36;48;2;18;18;18mpassed\x1b[0m"
