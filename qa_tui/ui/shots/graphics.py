"""How this terminal can draw a picture, asked once, before Textual starts.

textual-image asks the terminal when it is first imported, if stdout is a terminal: Sixel
through the Primary Device Attributes report (`ESC [ c`; a "4" among the attributes), then the
Kitty graphics protocol through a query transmission (`ESC _G a=q ... ESC \\`) that only a
terminal speaking it answers `OK`. Nothing is guessed from `$TERM`. Once Textual runs, its input
thread would take the answers, so `detect()` runs before the app starts (`cli/tui.py`).

Where neither is answered (tmux, screen, most terminals, a browser through textual-serve, the
tests), pictures are drawn in half-blocks: two pixels a cell, in colour. Under `NO_COLOR` they
are drawn in shades (`█▓▒░`), which need no colour to be seen. `QA_TUI_GRAPHICS` (kitty, sixel,
half-blocks, text) overrides what was detected, for a terminal that answers wrongly.
"""

from __future__ import annotations

import os
import threading
from enum import StrEnum

from PIL import Image
from textual.widget import Widget

HALF_BLOCK_BOX = (480, 300)
"""Half-blocks and shades draw two pixels a cell (shades one): 480 x 300 is more than a
240-column, 150-line terminal can show, so a bigger picture is shrunk to it once, instead of
textual-image copying and shrinking the whole picture on every redraw."""


class Graphics(StrEnum):
    KITTY = "kitty"
    SIXEL = "sixel"
    HALF_BLOCKS = "half-blocks"
    TEXT = "text"


_detected: Graphics | None = None
_asking = threading.Lock()


def choose(answered: Graphics | None, *, no_color: bool, override: str | None) -> Graphics:
    """What to draw with: an override first, then what the terminal answered, else half-blocks
    (shades under NO_COLOR)."""
    if override:
        try:
            return Graphics(override.strip().lower())
        except ValueError:
            pass
    if answered is not None:
        return answered
    return Graphics.TEXT if no_color else Graphics.HALF_BLOCKS


def terminal_answer() -> Graphics | None:
    """What textual-image learned from the terminal when it was imported (this imports it)."""
    import textual_image.renderable as detected
    from textual_image.renderable.sixel import Image as SixelRenderable
    from textual_image.renderable.tgp import Image as TGPRenderable

    if detected.Image is SixelRenderable:
        return Graphics.SIXEL
    if detected.Image is TGPRenderable:
        return Graphics.KITTY
    return None


def detect() -> Graphics:
    """Ask once (the answer is kept for the process); call before the app starts. A second
    caller (the app, while a thread started early is still asking) waits for that answer."""
    global _detected
    with _asking:
        return _detected or _ask()


def _ask() -> Graphics:
    global _detected
    if _detected is None:
        answered = terminal_answer()
        import textual_image.widget  # noqa: F401  (reads the cell size: also before Textual)

        _detected = choose(
            answered,
            no_color=bool(os.environ.get("NO_COLOR")),
            override=os.environ.get("QA_TUI_GRAPHICS"),
        )
    return _detected


def image_widget(graphics: Graphics | None = None) -> type[Widget]:
    """The textual-image widget class that draws with `graphics` (default: `detect()`)."""
    from textual_image.widget import HalfcellImage, SixelImage, TGPImage, UnicodeImage

    kinds: dict[Graphics, type[Widget]] = {
        Graphics.KITTY: TGPImage,
        Graphics.SIXEL: SixelImage,
        Graphics.HALF_BLOCKS: HalfcellImage,
        Graphics.TEXT: UnicodeImage,
    }
    return kinds[graphics or detect()]


PIXEL_BOX = (1600, 1200)
"""Kitty and Sixel send real pixels: a picture is kept up to this size for them."""


def display_box(graphics: Graphics | None = None) -> tuple[int, int]:
    """How big a screenshot is worth keeping for this terminal (the fetcher shrinks to it)."""
    return (
        PIXEL_BOX if (graphics or detect()) in (Graphics.KITTY, Graphics.SIXEL) else HALF_BLOCK_BOX
    )


def drawable(image: Image.Image, graphics: Graphics | None = None) -> Image.Image:
    """The picture to hand textual-image: as it is for Kitty and Sixel (they send pixels), else
    no bigger than `HALF_BLOCK_BOX`."""
    if (graphics or detect()) in (Graphics.KITTY, Graphics.SIXEL):
        return image
    box_w, box_h = HALF_BLOCK_BOX
    if image.width <= box_w and image.height <= box_h:
        return image
    small = image.copy()
    small.thumbnail(HALF_BLOCK_BOX, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return small
