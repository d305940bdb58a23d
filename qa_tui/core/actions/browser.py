"""Whether a web browser can be opened from here, and if not, why: so `o` never says "Opening"
when nothing will open (the app copies the address instead, through the terminal).

On Linux and the BSDs a browser needs a display: over SSH or on a console, `DISPLAY` and
`WAYLAND_DISPLAY` are unset and Python's `webbrowser` would fall back to a text browser (lynx,
w3m, `www-browser`) started inside the very terminal the app draws on, or to nothing at all. So
without a display there is no browser, and with one only a graphical browser counts. A `BROWSER`
the user set is their choice and is trusted (WSL's `wslview`, for one). macOS and Windows always
have one. A page served by `qa-tui serve` opens in the user's own browser: the caller checks that.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Mapping
from functools import cache


@cache
def _graphical_browser() -> bool:
    """True when `webbrowser` finds a browser that is not a text browser (asked once: the first
    call may ask `xdg-settings`)."""
    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        return False
    # text browsers are registered as plain GenericBrowser; graphical ones are subclasses
    # (BackgroundBrowser for xdg-open, gio, and the named browsers)
    return type(controller) is not webbrowser.GenericBrowser


def browser_missing(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why no web browser can be opened from here, in words; None when one can."""
    environ = os.environ if env is None else env
    system = sys.platform if platform is None else platform
    if system == "darwin" or system.startswith("win"):
        return None
    if environ.get("BROWSER"):
        return None
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return "over SSH" if environ.get("SSH_CONNECTION") else "no display"
    return None if _graphical_browser() else "no graphical web browser"
