"""Turning untrusted bytes into an image that is safe to keep and draw.

A provider's "PNG" may be anything: 50 MB of noise, a few kilobytes declaring a 40,000 x 40,000
picture (a decompression bomb), a truncated file, or a format whose decoder should never run on
untrusted input. `prepare()` refuses each with a sentence a user can read (`ImageRefused`), reads
the header before decoding anything, decodes only the formats screenshots come in, and keeps the
picture no bigger than a screen needs (`display_box`), so memory stays bounded by that box.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from qa_tui.core.errors import QaTuiError

FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
"""The formats screenshots come in; no other decoder is ever tried on a provider's bytes."""


class ImageRefused(QaTuiError):
    """The bytes are not a screenshot qa-tui will draw; the message says why, for the user."""


@dataclass(frozen=True)
class ImageLimits:
    """How much of an untrusted image is accepted."""

    max_bytes: int = 10_000_000
    """The file's size (checked while it downloads, and again here)."""
    max_pixels: int = 16_000_000
    """Width x height as the header declares it, checked before decoding (4K is 8.3 million)."""
    display_box: tuple[int, int] = (1600, 1200)
    """A bigger picture is shrunk to fit: no terminal draws more than this in a pane."""


@dataclass(frozen=True)
class Prepared:
    """A checked screenshot: the picture to draw, and the bytes to keep in the cache."""

    image: Image.Image
    """RGB, at most `display_box`."""
    stored: bytes
    """The original file when it was already small enough, else the shrunk picture as PNG."""
    size: tuple[int, int]
    """Width and height of the file as the provider sent it."""


DEFAULT_LIMITS = ImageLimits()


def megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB"


def prepare(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> Prepared:
    """Check and decode `data`; raises `ImageRefused` with the reason."""
    if not data:
        raise ImageRefused("the screenshot is empty")
    if len(data) > limits.max_bytes:
        raise ImageRefused(
            f"the screenshot is too large ({megabytes(len(data))}, over the "
            f"{megabytes(limits.max_bytes)} limit)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            found = re.search(r"\((\d+) pixels\)", str(error))
            declared = (
                f"{int(found.group(1)):,} pixels" if found else "more pixels than Pillow allows"
            )
            raise ImageRefused(_bomb_text(declared, limits)) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ImageRefused("not a picture (no PNG, JPEG, WebP, GIF or BMP in it)") from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageRefused("the picture has no pixels")
    if width * height > limits.max_pixels:
        raise ImageRefused(_bomb_text(f"{width:,} x {height:,} pixels", limits))
    try:
        image.load()  # the first frame only: an animation's later frames are never decoded
        picture = _as_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        raise ImageRefused(f"the picture is damaged ({_short(error)})") from None
    box_w, box_h = limits.display_box
    if picture.width <= box_w and picture.height <= box_h:
        return Prepared(picture, data, (width, height))
    picture.thumbnail(limits.display_box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", compress_level=3)
    return Prepared(picture, out.getvalue(), (width, height))


def _as_rgb(image: Image.Image) -> Image.Image:
    """RGB, transparency laid on white (as a browser page shows it)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        ground = Image.new("RGB", rgba.size, (255, 255, 255))
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    return image.convert("RGB")


def _bomb_text(declared: str, limits: ImageLimits) -> str:
    limit = f"{limits.max_pixels / 1_000_000:.0f} million"
    return f"refused: the picture declares {declared}, over the {limit}-pixel limit (a decompression bomb?)"


def _short(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:80]
