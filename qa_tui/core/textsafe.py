"""Terminal-safe text: provider strings shown on a terminal can never drive it.

A provider name, error or log line may hold escape sequences (colour, cursor moves, OSC 52 that
writes the clipboard, OSC 8 links), C1 controls, bidi overrides that reorder what is shown, or
zero-width characters that hide text. `terminal_safe` shows each such character as a visible
escape (`\\x1b`, `\\n`, `\\u202e`), so the text reads as what it is and nothing is interpreted.
Printable text (accents, CJK, emoji) is kept as it is. JSON output does not use this: it keeps
the exact characters, and JSON escaping already makes them inert.

The same rules serve the CLI table and the UI (which also escapes Rich markup on its side).
"""

from __future__ import annotations

import functools
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls, format characters (bidi, zero-width), lone surrogates, line/paragraph separators."""


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def is_unsafe(char: str) -> bool:
    """True for a character that must not reach a terminal as it is."""
    return unicodedata.category(char) in _ESCAPED_CATEGORIES


def terminal_safe(text: str) -> str:
    """`text` with every control, format, separator and unassigned character shown escaped."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if is_unsafe(c) else c for c in text)


def cell_width(text: str) -> int:
    """Columns `text` takes on a terminal: wide (CJK) characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)  # the common case, without a lookup per character
    return _wide_cell_width(text)


@functools.lru_cache(maxsize=4096)
def _wide_cell_width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, ending in "…" when something was cut."""
    if text.isascii():
        return text if len(text) <= width else text[: max(0, width - 1)] + "…"
    if cell_width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        w = 0 if unicodedata.combining(char) else cell_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` columns (by display width, not by characters)."""
    return text + " " * max(0, width - cell_width(text))
