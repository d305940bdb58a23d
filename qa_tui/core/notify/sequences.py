"""A notice as the bytes a terminal turns into a notification, and which terminal takes which.

Every sequence ends with ST (`ESC \\`), then a BEL of its own: ending an OSC with BEL would
spend the bell as a terminator. The bell is what tmux sees (it sets the window's bell flag and
tells the attached terminal), what a terminal flashes or marks its tab for, and what reaches
any terminal at all; so it goes out with every method but `off`, and on its own with `bell`.

Inside tmux (`$TMUX` set) an OSC would be taken by tmux itself, so it is wrapped for passthrough:
`ESC P tmux;` + the sequence with every ESC doubled + `ESC \\`. tmux hands that on to the
terminal it is attached to only with `set -g allow-passthrough on` (tmux 3.3 and later); the
bell is never wrapped, tmux must see it. GNU screen (`$STY`) gets the bell only.

The title and body arrive as plain text (`plain.py`); they are reduced again here, so nothing
handed to these functions can end a sequence early, and OSC 777's title loses its `;` (the field
separator there).
"""

from __future__ import annotations

from collections.abc import Mapping

from qa_tui.core.notify.plain import plain
from qa_tui.core.notify.settings import Method

ESC = "\x1b"
ST = "\x1b\\"
BEL = "\x07"
APP = "qa-tui"
TITLE_LIMIT = 120
BODY_LIMIT = 240


def osc9(title: str, body: str) -> str:
    """`ESC ] 9 ; qa-tui: title · body ST` (one text: the terminal shows it as the message)."""
    text = f"{APP}: {plain(title, TITLE_LIMIT)}"
    shown_body = plain(body, BODY_LIMIT)
    return f"{ESC}]9;{text} · {shown_body}{ST}" if shown_body else f"{ESC}]9;{text}{ST}"


def osc777(title: str, body: str) -> str:
    """`ESC ] 777 ; notify ; qa-tui: title ; body ST` (the rxvt-unicode form foot adopted)."""
    head = f"{APP}: {plain(title, TITLE_LIMIT)}".replace(";", ",")
    return f"{ESC}]777;notify;{head};{plain(body, BODY_LIMIT)}{ST}"


def osc99(title: str, body: str, ident: str) -> str:
    """kitty's protocol: the title in one chunk (`d=0`: more to come), the body in the next."""
    ident = "".join(c for c in ident if c.isascii() and (c.isalnum() or c in "-_+.")) or "qa-tui"
    head = f"{APP}: {plain(title, TITLE_LIMIT)}"
    first = f"{ESC}]99;i={ident}:d=0;{head}{ST}"
    return f"{first}{ESC}]99;i={ident}:d=1:p=body;{plain(body, BODY_LIMIT)}{ST}"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped so tmux passes it to the outer terminal (every ESC doubled)."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


def encode(method: Method, title: str, body: str, *, tmux: bool, ident: str = "1") -> str:
    """What to write to the terminal for one notice (`method` already chosen, never AUTO)."""
    if method is Method.OFF:
        return ""
    if method is Method.BELL or method is Method.AUTO:
        return BEL
    if method is Method.OSC9:
        sequence = osc9(title, body)
    elif method is Method.OSC777:
        sequence = osc777(title, body)
    else:
        sequence = osc99(title, body, f"qa-tui-{ident}")
    return (tmux_passthrough(sequence) if tmux else sequence) + BEL


def in_tmux(env: Mapping[str, str]) -> bool:
    return bool(env.get("TMUX"))


_HINTS: tuple[tuple[Method, tuple[str, ...]], ...] = (
    (Method.OSC99, ("kitty",)),
    (Method.OSC9, ("iterm", "wezterm", "ghostty", "conemu", "windows terminal")),
    (Method.OSC777, ("foot", "rxvt", "konsole")),
)
"""Words in a terminal's name or type → the method it understands, the first match winning."""


def detect_method(env: Mapping[str, str], client: str = "") -> Method:
    """The method for `method = "auto"`: from what tmux says of its attached terminal
    (`client`: its type and TERM, e.g. "kitty(0.35.2) xterm-kitty"), then from the environment
    (`TERM_PROGRAM`, `LC_TERMINAL`, which ssh forwards from iTerm2, `TERM`, and the variables
    kitty, Windows Terminal and Konsole set). Unknown: the bell only, which reaches everything."""
    if env.get("STY") and not in_tmux(env):
        return Method.BELL  # GNU screen: no passthrough we can rely on
    names = [client.lower()]
    if not in_tmux(env):  # inside tmux these describe the terminal tmux was started from
        names += [env.get(v, "").lower() for v in ("TERM_PROGRAM", "LC_TERMINAL", "TERM")]
        if env.get("KITTY_WINDOW_ID"):
            names.append("kitty")
        if env.get("WT_SESSION"):
            names.append("windows terminal")
        if env.get("KONSOLE_VERSION"):
            names.append("konsole")
    else:
        names.append(env.get("LC_TERMINAL", "").lower())
    for method, words in _HINTS:
        if any(word in name for name in names for word in words):
            return method
    return Method.BELL
