"""Pictures for screenshot tests: real PNGs, and hostile ones made by hand."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png_of(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A real PNG: `colour` with a white band across the middle."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((255, 255, 255), (0, height // 3, width, 2 * height // 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 6000) -> bytes:
    """A few kilobytes that decode to `side` x `side` pixels (1-bit grey, all black)."""
    rows = (b"\x00" + bytes((side + 7) // 8)) * side
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    """A PNG cut off in the middle of its pixels."""
    whole = png_of(64, 40)
    return whole[: len(whole) // 2]
