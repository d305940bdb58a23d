"""Notification test helpers: a terminal that records what it is sent, a center with no real
environment, and a strict reading of the bytes back into their notifications."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa_tui.core.notify.center import NotifyCenter
from qa_tui.core.notify.delivery import Delivery
from qa_tui.core.notify.rules import RunFacts
from qa_tui.core.notify.settings import Method, NotifyConfig
from qa_tui.core.notify.watchlist import WatchList

TMUX_ENV = {"TMUX": "/tmp/tmux-1000/default,4242,0", "TERM": "tmux-256color"}
PLAIN_ENV = {"TERM": "xterm-256color"}


@dataclass
class FakeTerminal:
    """The writer handed to the app or a command: every write kept, as UTF-8 bytes."""

    writes: list[bytes] = field(default_factory=list)
    desktop: list[list[str]] = field(default_factory=list)

    def write(self, text: str) -> None:
        self.writes.append(text.encode("utf-8"))

    def spawn(self, command: Sequence[str]) -> None:
        self.desktop.append(list(command))

    @property
    def output(self) -> bytes:
        return b"".join(self.writes)


def center_for(
    terminal: FakeTerminal,
    *,
    method: Method = Method.OSC9,
    env: Mapping[str, str] | None = None,
    data_dir: Path | None = None,
    history: RunFacts | None = None,
    **settings: object,
) -> NotifyCenter:
    """A center on `method`, in `env` (default: a plain xterm), whose desktop notifier (if one
    were found) is recorded by `terminal` and never started; the watch list in `data_dir`."""
    config = NotifyConfig.model_validate({"method": method.value, **settings})
    delivery = Delivery(
        config,
        dict(env if env is not None else PLAIN_ENV),
        client=lambda _env: "",
        spawn=terminal.spawn,
        which=lambda _name: None,
    )
    watch = WatchList(data_dir / "watch.sqlite" if data_dir is not None else None)
    return NotifyCenter(config, watch, delivery, history=history)


_OSC = re.compile(r"\x1b\](9|777|99);((?:(?!\x1b).)*)\x1b\\", re.DOTALL)


def notifications(output: bytes, *, tmux: bool) -> tuple[list[tuple[str, str]], int]:
    """The terminal's output read strictly: ([(OSC number, its text)], bells). Fails unless the
    output is nothing but whole notification sequences (tmux-wrapped when `tmux`) and bells."""
    text = output.decode("utf-8")
    found: list[tuple[str, str]] = []
    bells = 0
    rest = text
    wrap = re.compile(r"\x1bPtmux;((?:\x1b\x1b|[^\x1b])*)\x1b\\", re.DOTALL)
    while rest:
        if rest.startswith("\x07"):
            bells, rest = bells + 1, rest[1:]
            continue
        if tmux:
            match = wrap.match(rest)
            assert match, f"not a tmux passthrough: {rest[:40]!r}"
            inner, rest = match.group(1).replace("\x1b\x1b", "\x1b"), rest[match.end() :]
        else:
            match = _OSC.match(rest)
            assert match, f"not a notification sequence: {rest[:40]!r}"
            inner, rest = match.group(0), rest[match.end() :]
        while inner:
            osc = _OSC.match(inner)
            assert osc, f"not a notification sequence: {inner[:40]!r}"
            found.append((osc.group(1), osc.group(2)))
            inner = inner[osc.end() :]
    return found, bells


def is_plain(text: str) -> bool:
    """No control, format (bidi, zero-width), surrogate, private or unassigned character."""
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text)
