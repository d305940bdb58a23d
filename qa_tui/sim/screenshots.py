"""The simulator's step screenshots: real PNGs (zlib, no imaging library) that look like a
browser window, one per step: the step's number drawn large, a failing step's element boxed in
red under a red error banner. Each picture is painted once and kept (a few kilobytes each)."""

from __future__ import annotations

import functools
import struct
import zlib

Colour = tuple[int, int, int]

WIDTH, HEIGHT = 640, 400
"""A browser viewport at a quarter of 1280 x 800."""

_STATUS: dict[str, Colour] = {
    "passed": (46, 160, 67),
    "failed": (207, 34, 46),
    "error": (191, 135, 0),
    "running": (9, 105, 218),
}
_GREY: Colour = (110, 119, 129)
_WHITE: Colour = (255, 255, 255)
_CHROME: Colour = (222, 225, 230)
_HEADER: Colour = (36, 41, 66)
_TEXT: Colour = (190, 196, 204)

_DIGITS = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
}
"""A 3 x 5 pixel font: drawn 32 times over, a step's number reads even in half-blocks."""


class Canvas:
    def __init__(self, width: int, height: int, ground: Colour) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(ground) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        x0, x1 = max(0, x0), min(self.width, x1)
        if x1 <= x0:
            return
        run = bytes(colour) * (x1 - x0)
        for y in range(max(0, y0), min(self.height, y1)):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(run)] = run

    def frame(self, x0: int, y0: int, x1: int, y1: int, colour: Colour, thick: int) -> None:
        self.rect(x0, y0, x1, y0 + thick, colour)
        self.rect(x0, y1 - thick, x1, y1, colour)
        self.rect(x0, y0, x0 + thick, y1, colour)
        self.rect(x1 - thick, y0, x1, y1, colour)

    def number(self, text: str, x: int, y: int, scale: int, colour: Colour) -> None:
        for digit in text:
            for row, bits in enumerate(_DIGITS.get(digit, _DIGITS["0"])):
                for col, bit in enumerate(bits):
                    if bit == "1":
                        px, py = x + col * scale, y + row * scale
                        self.rect(px, py, px + scale, py + scale, colour)
            x += 4 * scale

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            crc = struct.pack(">I", zlib.crc32(kind + data))
            return struct.pack(">I", len(data)) + kind + data + crc

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b"")
        )


@functools.lru_cache(maxsize=256)
def step_screenshot(step: int, status: str, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Step `step` (from 1) as the browser showed it when the step ended with `status`."""
    accent = _STATUS.get(status, _GREY)
    failing = status in ("failed", "error")
    u = width / 640  # everything is laid out on a 640-wide grid
    c = Canvas(width, height, _WHITE)
    c.rect(0, 0, width, int(36 * u), _CHROME)  # the browser's toolbar
    for i, dot in enumerate(((237, 106, 94), (245, 191, 79), (98, 197, 84))):
        c.rect(int((14 + 18 * i) * u), int(13 * u), int((24 + 18 * i) * u), int(23 * u), dot)
    c.rect(int(90 * u), int(8 * u), int(560 * u), int(28 * u), _WHITE)  # the address bar
    c.rect(0, int(36 * u), width, int(80 * u), _HEADER)  # the page's own header
    c.rect(int(20 * u), int(48 * u), int(90 * u), int(68 * u), accent)
    for line in range(6):  # lines of "text", a different rhythm on every step
        if line == step % 5:
            continue  # the button's row
        y = int((110 + 34 * line) * u)
        length = 140 + ((step * 37 + line * 53) % 5) * 40
        c.rect(int(30 * u), y, int((30 + length) * u), y + int(12 * u), _TEXT)
    button_y = int((110 + 34 * (step % 5)) * u)
    c.rect(int(30 * u), button_y - int(6 * u), int(230 * u), button_y + int(22 * u), accent)
    if failing:  # the element the step could not use, boxed, and the error banner
        c.frame(
            int(22 * u), button_y - int(14 * u), int(238 * u), button_y + int(30 * u), accent, 4
        )
        c.rect(0, height - int(44 * u), width, height, accent)
    c.number(str(step), int(360 * u), int(106 * u), int(32 * u), accent)
    return c.png()
