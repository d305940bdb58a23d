"""The `[notify]` table of the config: which rules notify, and how the terminal is told."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Method(StrEnum):
    """How a notification reaches the terminal (every one but `off` also rings the bell)."""

    AUTO = "auto"
    """Chosen from the terminal qa-tui runs in (see `sequences.detect_method`)."""
    OSC9 = "osc9"
    """`ESC ] 9 ; text ST`: iTerm2, WezTerm, Windows Terminal, Ghostty, ConEmu."""
    OSC777 = "osc777"
    """`ESC ] 777 ; notify ; title ; body ST`: foot, rxvt-unicode, Konsole, Ghostty, WezTerm."""
    OSC99 = "osc99"
    """kitty's desktop notification protocol."""
    BELL = "bell"
    """Only the bell: tmux flags the window, a terminal flashes or marks its tab."""
    OFF = "off"
    """Nothing is written to the terminal (the in-app toast still shows)."""


class NotifyConfig(BaseModel):
    """The optional `[notify]` table; every key has a default, so leaving it out is fine."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    method: Method = Field(default=Method.AUTO, strict=False)
    """auto | osc9 | osc777 | osc99 | bell | off."""
    desktop: bool = True
    """Also raise a desktop notification (notify-send, osascript) when the session is local (no
    `SSH_CONNECTION`) and such a notifier is installed; never required."""
    watched: bool = True
    """Notify when a watched run ends (`w` on a run; `W` watches every run of its test)."""
    new_failure: bool = True
    """Notify when a run fails (or errors) whose test last passed (on its target, by the run
    history; not for a test flaky there). See rules.py."""
    suite_finished: bool = False
    """Notify when any suite run (BugBug) or test plan execution (BugBrain) ends, watched or not."""
    unhealthy_minutes: float = Field(default=10.0, ge=0)
    """Notify when a provider stays unreachable, refused or rate-limited longer than this
    (and when it is back); 0 turns this rule off."""
    quiet_start: bool = True
    """Runs that ended while qa-tui was closed never notify. With false, runs the cache last
    saw active and that ended meanwhile notify on the first sync (runs never seen active never
    notify)."""
