"""Strings a provider might send that must never drive the terminal or the markup engine."""

from __future__ import annotations

HOSTILE: dict[str, str] = {
    "rich markup": "[bold red]ALARM[/] [reverse]x[/reverse]",
    "link markup": "[link=https://evil.example/phish]click[/link]",
    "osc 52 clipboard": "\x1b]52;c;ZWNobyBwd25lZCB8IHNo\x07copy",
    "osc 8 hyperlink": "\x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\",
    "csi clear screen": "\x1b[2J\x1b[Hwiped",
    "csi colour": "\x1b[31;1mred\x1b[0m",
    "c1 csi": "a\x9b2Jb",
    "bell nul del": "ding\x07\x00\x7f",
    "newlines": "one\ntwo\rthree",
    "bidi override": "\u202egnp.exe\u202c",
    "zero width": "pay\u200bpal\u200d\ufeff",
    "lone surrogate": "half\ud800surrogate",
    "very long": "long-" + "x" * 5000,
}
"""Name → hostile string. Every place that shows a provider string gets every one of these."""

FORBIDDEN: dict[str, str] = {
    "ESC ] (OSC: clipboard write, hyperlink)": "\x1b]",
    "clear screen": "\x1b[2J",
    "cursor home": "\x1b[H",
    "their colour": "\x1b[31;1m",
    "C1 CSI": "\x9b",
    "BEL": "\x07",
    "NUL": "\x00",
    "DEL": "\x7f",
    "RLO": "\u202e",
    "ZWSP": "\u200b",
    "ZWJ": "\u200d",
    "BOM": "\ufeff",
    "lone surrogate": "\ud800",
}
"""What must never be in the bytes written to the terminal, whatever a provider sent."""

VISIBLE: dict[str, str] = {
    "rich markup": "[bold red]ALARM[/]",
    "link markup": "[link=https://evil",
    "osc 52 clipboard": "\\x1b]52;c;",
    "csi clear screen": "\\x1b[2J",
    "bidi override": "\\u202egnp.exe",
    "zero width": "pay\\u200bpal",
    "lone surrogate": "half\\ud800",
}
"""What the user sees instead: the string itself, escaped where needed (a prefix is enough)."""


def joined(*names: str) -> str:
    """Several hostile strings in one (for a field that holds one line)."""
    return " | ".join(HOSTILE[name] for name in names or HOSTILE)


def forbidden_in(output: str) -> list[str]:
    """The forbidden sequences found in terminal output."""
    return [name for name, sequence in FORBIDDEN.items() if sequence in output]
