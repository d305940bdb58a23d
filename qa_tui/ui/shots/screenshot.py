"""A screenshot drawn inside a pane: the picture (textual-image, in the way `graphics.detect()`
chose) beside a caption saying which step it is and what the keys do, or why there is none.

The panel draws what it is given; it fetches nothing. The screen fetches through the core
(`core/images`) in a worker and calls `show()`, `show_message()` or `show_loading()`. `enter`
or a click asks for the full-screen view (`ScreenshotPanel.Open`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from qa_tui.core.images.fetch import Screenshot
from qa_tui.core.model import Artifact
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.shots.graphics import Graphics, drawable, image_widget


@dataclass(frozen=True)
class ShotTarget:
    """Which screenshot a panel is for: its address, what it shows, and the artifact to save."""

    url: str
    label: str
    """Provider text (a step's name): shown through `render.safe`, never as markup."""
    artifact: Artifact
    failing: bool = False


def caption(target: ShotTarget, note: str = "") -> Text:
    text = Text()
    text.append(render.safe(target.label, 120), style="bold red" if target.failing else "bold")
    if note:
        text.append(f"\n{render.safe_lines(note)}")
    return text


KEYS = "enter full screen (s saves it there) · o browser"


class ScreenshotPanel(Widget, can_focus=True):
    DEFAULT_CSS = """
    ScreenshotPanel { display: none; height: 1fr; min-height: 5; max-height: 18; layout: horizontal; }
    ScreenshotPanel.-shown { display: block; }
    ScreenshotPanel > .shot-image { width: auto; height: 100%; max-width: 70%; }
    ScreenshotPanel > #shot-caption { width: 1fr; height: 100%; padding: 0 1; color: $text-muted; }
    ScreenshotPanel:focus > #shot-caption { color: $text; background: $boost; }
    """
    BINDINGS = bindings_for(Scope.SHOT_PANEL)

    @dataclass
    class Open(Message):
        """The user asked for the panel's screenshot full screen."""

        panel: ScreenshotPanel

    def __init__(self, *, graphics: Graphics | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graphics = graphics
        self.target: ShotTarget | None = None
        self.shot: Screenshot | None = None
        """The picture on show (None while loading, or when it could not be shown)."""
        self.message = ""
        """Why there is no picture, as shown."""

    def compose(self) -> ComposeResult:
        yield image_widget(self.graphics)(classes="shot-image")
        yield Static("", id="shot-caption")

    @property
    def _image(self) -> Widget:
        return self.query_one(".shot-image")

    def _set_image(self, shot: Screenshot | None) -> None:
        self.shot = shot
        picture = drawable(shot.image, self.graphics) if shot else None
        self._image.image = picture  # type: ignore[attr-defined]
        self._image.display = shot is not None

    def show_loading(self, target: ShotTarget) -> None:
        self.target, self.message = target, ""
        self._set_image(None)
        self.query_one("#shot-caption", Static).update(caption(target, "Loading the screenshot…"))

    def show(self, target: ShotTarget, shot: Screenshot) -> None:
        self.target, self.message = target, ""
        self._set_image(shot)
        width, height = shot.size
        self.query_one("#shot-caption", Static).update(
            caption(target, f"{width} x {height}\n{KEYS}")
        )

    def show_message(self, target: ShotTarget | None, message: str) -> None:
        """No picture: `message` says why (refused, missing, unreachable)."""
        self.target, self.message = target, message
        self._set_image(None)
        text = caption(target, message) if target else Text(render.safe_lines(message))
        self.query_one("#shot-caption", Static).update(text)

    def action_open_full(self) -> None:
        if self.target is not None:
            self.post_message(self.Open(self))

    def on_click(self, event: events.Click) -> None:
        self.action_open_full()
