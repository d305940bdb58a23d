"""Terminal-safe text: hostile provider strings are shown escaped, never interpreted."""

from __future__ import annotations

import pytest

from qa_tui.core.textsafe import cell_width, clip, pad, terminal_safe

HOSTILE = [
    ("csi colour", "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("osc 52 clipboard", "\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),
    ("osc 8 link", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", None),
    ("c1 csi", "a\x9b2Jb", "a\\x9b2Jb"),
    ("newline and tab", "line1\nline2\tx\r", "line1\\nline2\\tx\\r"),
    ("bidi override", "user\u202egnp.exe", "user\\u202egnp.exe"),
    ("bidi isolate", "a\u2066b\u2069", "a\\u2066b\\u2069"),
    ("zero width", "pay\u200bpal", "pay\\u200bpal"),
    ("bom", "\ufeffname", "\\ufeffname"),
    ("line separator", "a\u2028b", "a\\u2028b"),
    ("lone surrogate", "a\ud800b", "a\\ud800b"),
    ("nul and del", "a\x00b\x7f", "a\\x00b\\x7f"),
]


@pytest.mark.parametrize(("what", "text", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_characters_are_shown_escaped(what: str, text: str, expected: str | None) -> None:
    safe = terminal_safe(text)
    if expected is not None:
        assert safe == expected
    assert safe.isprintable()
    assert "\x1b" not in safe and "\x9b" not in safe


@pytest.mark.parametrize(
    "text",
    ["plain", "Café crème", "テスト実行", "émoji 🎉 ok", "[bold]markup[/bold]", "a b\u00a0c"],
)
def test_printable_text_is_kept_exactly(text: str) -> None:
    assert terminal_safe(text) == text


def test_wide_characters_take_two_columns() -> None:
    assert cell_width("abc") == 3
    assert cell_width("テスト") == 6
    assert cell_width("e\u0301") == 1  # e + combining acute


def test_clip_cuts_by_columns_and_marks_the_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("a" * 20, 10) == "a" * 9 + "…"
    assert cell_width(clip("テスト実行です", 7)) <= 7


def test_pad_aligns_by_display_width() -> None:
    assert pad("テスト", 8) == "テスト  "
    assert pad("toolong", 3) == "toolong"


@pytest.mark.parametrize("text", ["plain ascii", "ctrl \x1b[2J", "", "テスト", "e\u0301", "█░ 3/8"])
@pytest.mark.parametrize("width", [0, 1, 2, 5, 12])
def test_the_ascii_fast_path_measures_and_clips_as_the_per_character_rules(
    text: str, width: int
) -> None:
    """GIVEN any text WHEN measured or clipped THEN the result is what the per-character
    rules give (ASCII takes a shortcut; it must not change a single column)."""
    import unicodedata

    def slow_width(value: str) -> int:
        return sum(
            0
            if unicodedata.combining(c)
            else 2
            if unicodedata.east_asian_width(c) in ("W", "F")
            else 1
            for c in value
        )

    assert cell_width(text) == slow_width(text)
    clipped = clip(text, width)
    assert slow_width(clipped) <= max(width, 1)
    assert clipped == text or clipped.endswith("…")
    if slow_width(text) <= width:
        assert clipped == text
