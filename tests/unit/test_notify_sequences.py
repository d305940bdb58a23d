"""Terminal notifications: the exact bytes of each method, inside and outside tmux, which method
`auto` picks, and plain text only inside them whatever a provider sent."""

from __future__ import annotations

import pytest

from qa_tui.core.notify.plain import plain
from qa_tui.core.notify.sequences import detect_method, encode, tmux_passthrough
from qa_tui.core.notify.settings import Method
from tests.hostile.corpus import HOSTILE, forbidden_in
from tests.support.notify import is_plain, notifications

TITLE, BODY = "Failed: Login", "watched web test · 1m02s"
OUTSIDE = {
    Method.OSC9: b"\x1b]9;qa-tui: Failed: Login \xc2\xb7 watched web test \xc2\xb7 1m02s\x1b\\\x07",
    Method.OSC777: b"\x1b]777;notify;qa-tui: Failed: Login;watched web test \xc2\xb7 1m02s\x1b\\\x07",
    Method.OSC99: b"\x1b]99;i=qa-tui-1:d=0;qa-tui: Failed: Login\x1b\\"
    b"\x1b]99;i=qa-tui-1:d=1:p=body;watched web test \xc2\xb7 1m02s\x1b\\\x07",
    Method.BELL: b"\x07",
    Method.OFF: b"",
}


@pytest.mark.parametrize("method", list(OUTSIDE), ids=str)
def test_each_method_writes_its_sequence_then_a_bell(method: Method) -> None:
    """GIVEN a notice WHEN encoded for a terminal outside tmux THEN exactly these bytes."""
    assert encode(method, TITLE, BODY, tmux=False).encode() == OUTSIDE[method]


@pytest.mark.parametrize("method", [Method.OSC9, Method.OSC777, Method.OSC99], ids=str)
def test_inside_tmux_the_sequence_is_wrapped_for_passthrough_and_the_bell_is_not(
    method: Method,
) -> None:
    """GIVEN $TMUX WHEN encoded THEN ESC P tmux; + the sequence with each ESC doubled + ST, and
    the bell outside the wrapping, where tmux sees it."""
    sequence = OUTSIDE[method][:-1]
    wrapped = b"\x1bPtmux;" + sequence.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\"
    assert encode(method, TITLE, BODY, tmux=True).encode() == wrapped + b"\x07"
    assert tmux_passthrough("\x1b]9;x\x1b\\") == "\x1bPtmux;\x1b\x1b]9;x\x1b\x1b\\\x1b\\"


@pytest.mark.parametrize("method", [Method.BELL, Method.OFF], ids=str)
def test_the_bell_alone_and_off_are_the_same_inside_tmux(method: Method) -> None:
    assert encode(method, TITLE, BODY, tmux=True).encode() == OUTSIDE[method]


def test_osc_777_titles_lose_their_field_separator() -> None:
    """A `;` in the title would start OSC 777's body early; the body may keep its own."""
    out = encode(Method.OSC777, "a;b", "c;d", tmux=False)
    assert out == "\x1b]777;notify;qa-tui: a,b;c;d\x1b\\\x07"


@pytest.mark.parametrize("tmux", [False, True], ids=["outside-tmux", "in-tmux"])
@pytest.mark.parametrize("method", [Method.OSC9, Method.OSC777, Method.OSC99], ids=str)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_in_title_and_body_never_escapes_the_notification(
    name: str, method: Method, tmux: bool
) -> None:
    """GIVEN a hostile provider string in the title and the body WHEN encoded THEN the output is
    whole notification sequences and one bell, and their text holds no control at all."""
    hostile = HOSTILE[name]
    output = encode(method, f"Failed: {hostile}", f"{hostile} · web", tmux=tmux).encode(
        "utf-8", "strict"
    )
    found, bells = notifications(output, tmux=tmux)
    assert bells == 1
    assert len(found) == (2 if method is Method.OSC99 else 1)
    for _, text in found:
        assert is_plain(text), text
        assert not forbidden_in(text)
        assert len(text) < 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b]52;c;ZXZpbA==\x07copy", "]52;c;ZXZpbA==copy"),
        ("a\x9b2Jb\x9c", "a2Jb"),
        ("one\ntwo\r\tthree\u2028four", "one two three four"),
        ("\u202egnp.exe\u202c \u2066x\u2069", "gnp.exe x"),
        ("pay\u200bpal\ufeff", "paypal"),
        ("half\ud800", "half"),
        ("Café テスト 🎉", "Café テスト 🎉"),
    ],
)
def test_plain_drops_what_could_drive_a_terminal_and_keeps_text(text: str, expected: str) -> None:
    assert plain(text) == expected


def test_plain_cuts_long_text() -> None:
    assert plain("x" * 5000, 40) == "x" * 39 + "…"


@pytest.mark.parametrize(
    ("env", "client", "expected"),
    [
        ({"TERM_PROGRAM": "iTerm.app"}, "", Method.OSC9),
        ({"LC_TERMINAL": "iTerm2", "SSH_CONNECTION": "1 2 3 4"}, "", Method.OSC9),
        ({"TERM_PROGRAM": "WezTerm"}, "", Method.OSC9),
        ({"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, "", Method.OSC9),
        ({"WT_SESSION": "abc"}, "", Method.OSC9),
        ({"TERM": "xterm-kitty"}, "", Method.OSC99),
        ({"KITTY_WINDOW_ID": "3"}, "", Method.OSC99),
        ({"TERM": "foot"}, "", Method.OSC777),
        ({"TERM": "rxvt-unicode-256color"}, "", Method.OSC777),
        ({"KONSOLE_VERSION": "230804"}, "", Method.OSC777),
        ({"TERM": "xterm-256color"}, "", Method.BELL),
        ({"TMUX": "/tmp/t,1,0", "KITTY_WINDOW_ID": "3"}, "", Method.BELL),
        ({"TMUX": "/tmp/t,1,0"}, "kitty(0.35.2) xterm-kitty", Method.OSC99),
        ({"TMUX": "/tmp/t,1,0"}, "iTerm2 3.5.0 xterm-256color", Method.OSC9),
        ({"TMUX": "/tmp/t,1,0"}, "foot(1.17.2) foot", Method.OSC777),
        ({"STY": "1234.pts-0.host", "TERM_PROGRAM": "iTerm.app"}, "", Method.BELL),
    ],
)
def test_auto_picks_the_method_the_terminal_understands(
    env: dict[str, str], client: str, expected: Method
) -> None:
    """Inside tmux it is the terminal attached to tmux that counts (what tmux says of it), not
    the environment tmux was started from; unknown terminals and GNU screen get the bell."""
    assert detect_method(env, client) is expected
