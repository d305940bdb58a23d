"""`o` everywhere: open an address in the web browser, or, where there is none (over SSH, no
display: core/actions/browser.py), copy it through the terminal (OSC 52, which crosses SSH and tmux)
and say so. No toast ever says "Opening" when nothing will open."""

from __future__ import annotations

from textual.app import App

from qa_tui.core.actions.browser import browser_missing
from qa_tui.ui import render


def open_or_copy(app: App[object], url: str, what: str) -> str:
    """Open `url` (or copy it); the sentence to show. `what` names it: "the run's page"."""
    missing = None if app.is_web else browser_missing()  # a served page opens in its browser
    if missing is None:
        app.open_url(url)
        return f"Opening {render.safe(url, 70)}"
    app.copy_to_clipboard(url)
    return (
        f"No web browser here ({missing}): copied the address of {what} to the clipboard "
        f"(OSC 52): {render.safe(url, 70)}"
    )
