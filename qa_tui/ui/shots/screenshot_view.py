"""One screenshot, full screen: as big as the terminal allows, `s` saves the file, `o` opens it.

It imports nothing of the app module: what it needs of the app (the engine, for the provider's
source, and the screenshot fetcher) it reads through the small `ScreenshotHost` protocol.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Center
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from qa_tui.core.actions.artifacts import fetch_artifact, save_artifact
from qa_tui.core.engine import Engine
from qa_tui.core.errors import ProviderError
from qa_tui.core.images.decode import ImageRefused
from qa_tui.core.images.fetch import Screenshot, ScreenshotFetcher
from qa_tui.core.model import Run
from qa_tui.core.words.errors import provider_failure
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.browser import open_or_copy
from qa_tui.ui.shots.graphics import drawable, image_widget
from qa_tui.ui.shots.screenshot import ShotTarget, caption
from qa_tui.ui.worker_failures import ForwardsWorkerFailures


class ScreenshotHost(Protocol):
    """What a screenshot screen needs of the app."""

    engine: Engine
    screenshots: ScreenshotFetcher


class ScreenshotScreen(ForwardsWorkerFailures, Screen[None]):
    SCOPE = Scope.SHOT_VIEW
    CSS_PATH = "screenshot_view.tcss"
    BINDINGS = bindings_for(Scope.SHOT_VIEW)

    def __init__(self, run: Run, target: ShotTarget, shot: Screenshot | None = None) -> None:
        super().__init__()
        self.run = run
        self.target = target
        self.shot = shot

    @property
    def host(self) -> ScreenshotHost:
        return cast(ScreenshotHost, self.app)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="shot-title")
        with Center():
            yield image_widget()(classes="shot-image")
        yield Static("", id="shot-note")
        yield Footer(show_command_palette=False)

    def _title(self) -> Text:
        text = Text()
        text.append(render.safe(self.run.name, 60), style="bold")
        text.append(f"  {render.safe(self.run.provider)} · ")
        text.append_text(caption(self.target))
        if self.shot is not None:
            text.append(f"  {self.shot.size[0]} x {self.shot.size[1]}", style="dim")
        return text

    @property
    def _image(self) -> Widget:
        return self.query_one(".shot-image")

    def on_mount(self) -> None:
        if self.shot is not None:
            self._show(self.shot)
        else:
            self.query_one("#shot-note", Static).update(Text("Loading the screenshot…"))
            self._load()

    def _show(self, shot: Screenshot) -> None:
        self.shot = shot
        self._image.image = drawable(shot.image)  # type: ignore[attr-defined]
        self.query_one("#shot-note", Static).display = False
        self.query_one("#shot-title", Static).update(self._title())

    @work(group="shot-view", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        source = self.host.engine.source(self.run.provider)
        try:
            shot = await self.host.screenshots.load(source, self.target.url)
        except (ProviderError, ImageRefused) as error:
            self.query_one("#shot-note", Static).update(Text(render.safe_lines(str(error))))
            return
        self._show(shot)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_shot(self) -> None:
        self.notify(open_or_copy(self.app, self.target.url, "this screenshot"), markup=False)

    def action_save_shot(self) -> None:
        self._save()

    @work(group="download", exit_on_error=False)
    async def _save(self) -> None:
        source = self.host.engine.source(self.run.provider)
        artifact = self.target.artifact
        try:
            data = await fetch_artifact(source, self.run, artifact)
        except ProviderError as error:
            self.notify(
                f"Download failed: {provider_failure(error)}", severity="error", markup=False
            )
            return
        if data is None:
            return
        try:
            path = await asyncio.to_thread(save_artifact, data, self.run, artifact)
        except OSError as error:
            self.notify(f"Not saved: {error.strerror or error}", severity="error", markup=False)
            return
        self.notify(f"Saved to {path}", markup=False)
