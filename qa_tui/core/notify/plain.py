"""Provider text reduced to plain characters before it goes into a notification.

A notification is written to the terminal inside an escape sequence, so a run name holding an
escape, a BEL or a string terminator could end that sequence early and start one of its own
(a clipboard write, a hyperlink, a cleared screen). The UI shows such characters escaped
(`core/textsafe.py`); here they are dropped instead: C0 and C1 controls (ESC, BEL, the ST
`0x9c`, NUL, DEL), format characters (bidi overrides and isolates, zero-width characters),
lone surrogates, private-use and unassigned code points. Line breaks, tabs and the Unicode
separators become one space, runs of spaces one space, and the result is cut to a length.
What is left is printable text: `ESC \\` can no longer be formed, nor any other sequence.
"""

from __future__ import annotations

import unicodedata

_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
"""Controls, format characters, surrogates, private use, unassigned."""
_SPACES = frozenset({"Zl", "Zp", "Zs"})
_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")


def plain(text: str | None, limit: int = 200) -> str:
    """`text` as plain printable characters on one line, at most `limit` characters ("…" at
    the end when cut)."""
    raw = text or ""
    if len(raw) > 4 * limit + 16:  # a 5,000-character name costs no more than a short one
        raw = raw[: 4 * limit + 16]
    if not (raw.isascii() and raw.isprintable()):
        raw = "".join(_keep(char) for char in raw)
    cleaned = " ".join(raw.split())
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: max(0, limit - 1)].rstrip() + "…"


def _keep(char: str) -> str:
    if char in _WHITESPACE_CONTROLS:
        return " "
    category = unicodedata.category(char)
    if category in _SPACES:
        return " "
    if category in _DROPPED:
        return ""
    return char
