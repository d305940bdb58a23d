"""Inline screenshots: a failed run's failing step drawn in the detail view, full screen with
enter, and what a user sees when a provider sends something that is not a screenshot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent
from textual_image.widget import HalfcellImage

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.model import Artifact, PaneData, Run, RunDetail, RunStatus, Step
from qa_tui.core.providers.base import Capabilities
from qa_tui.core.runs.store import RunKey, RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.shots.screenshot import ScreenshotPanel
from qa_tui.ui.shots.screenshot_view import ScreenshotScreen
from tests.support.fakes import FakeSource, make_run
from tests.support.images import bomb_png, png_of
from tests.support.pilot import table_with_rows, wait_until, widget_text
from tests.support.sim_monitor import FAST, SimMonitor, first_key

FAILING = (RunStatus.FAILED, RunStatus.ERROR)
MEDIA = "https://media.example.test"


async def open_detail(pilot: Pilot[Any], app: QaTuiApp, key: RunKey) -> RunDetailScreen:
    app.dashboard.table.move_cursor_to(key)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="the detail")
    screen = app.screen
    assert isinstance(screen, RunDetailScreen)
    await wait_until(pilot, lambda: screen.detail is not None, what="the run's detail")
    return screen


def panel_text(panel: ScreenshotPanel) -> str:
    """The picture's lines, then the caption's, as the terminal shows them."""
    image = panel.query_one(".shot-image")
    picture = widget_text(image) if image.display else ""
    return f"{picture}\n{widget_text(panel.query_one('#shot-caption'))}"


async def settled(pilot: Pilot[Any], panel: ScreenshotPanel, label: str) -> None:
    """Until the panel is on `label`'s screenshot and has drawn it or said why not."""
    await wait_until(
        pilot,
        lambda: (
            panel.target is not None
            and label in panel.target.label
            and (panel.shot is not None or bool(panel.message))
            and panel.query_one("#shot-caption").size.width > 0
        ),
        what=f"the screenshot of {label}",
    )


async def test_a_failed_runs_steps_pane_draws_the_failing_steps_screenshot(
    monitor: SimMonitor,
) -> None:
    """GIVEN a failed BugBug run on the simulator WHEN it is opened THEN the cursor is on the
    failing step and its screenshot is drawn under the steps, in half-blocks; moving to the
    step before draws that step's own, different, picture."""
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(
            pilot, lambda: first_key(app, provider="web", status="failed", kind="test") is not None
        )
        key = first_key(app, provider="web", status="failed", kind="test")
        assert key is not None
        screen = await open_detail(pilot, app, key)
        assert screen.detail is not None
        failing = next(s for s in screen.detail.steps.items if s.status in FAILING)
        number = failing.index + 1
        panel = screen.query_one("#steps-shot", ScreenshotPanel)
        await settled(pilot, panel, f"step {number} of")
        assert panel.shot is not None, panel.message
        assert screen.query_one("#steps-table", DataTable).cursor_row == failing.index
        assert panel.shot.size == (640, 400)
        image = panel.query_one(HalfcellImage)
        assert image.region.width >= 30 and image.region.height >= 8
        drawn = panel_text(panel)
        assert drawn.count("▀") > 300
        assert f"step {number} of" in drawn and failing.provider_status in drawn
        failing_picture = panel.shot.image.tobytes()

        await pilot.press("enter")  # the tab bar has the focus: enter shows the pane's picture
        await wait_until(pilot, lambda: isinstance(app.screen, ScreenshotScreen), what="full")
        full = app.screen
        assert isinstance(full, ScreenshotScreen) and full.shot is panel.shot
        await pilot.press("escape")
        assert app.screen is screen

        screen.query_one("#steps-table", DataTable).focus()
        await pilot.press("up")
        await settled(pilot, panel, f"step {number - 1} of")
        assert panel.shot is not None and panel.shot.image.tobytes() != failing_picture


class HostileMedia(FakeSource):
    """A provider whose one failed run links to a good PNG, 50 MB of "PNG" with no length, an
    HTML page and a decompression bomb, served through the real HTTP layer."""

    def __init__(self) -> None:
        super().__init__("web", clock=SYSTEM_CLOCK, per_minute=60000)
        self.capabilities = Capabilities(artifacts=True)  # as BugBug's: its panes show
        self.put(make_run("r1", RunStatus.FAILED, name="checkout flow", minutes_ago=1))
        self.sent = 0

        async def endless() -> AsyncIterator[bytes]:
            while self.sent < 50_000_000:
                self.sent += 65536
                yield b"\x89PNG" + bytes(65532)

        files = {"/html.png": b"<html>Not found</html>", "/bomb.png": bomb_png(20000)}

        def reply(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/huge.png":
                return httpx.Response(200, content=endless())
            if request.url.path == "/ok.png":
                return httpx.Response(200, content=png_of(320, 200))
            return httpx.Response(200, content=files[request.url.path])

        self.http = ProviderHttp(
            "web",
            MEDIA,
            budget=RequestBudget(60000, clock=SYSTEM_CLOCK),
            clock=SYSTEM_CLOCK,
            transport=httpx.MockTransport(reply),
        )

    async def run_detail(self, run: Run) -> RunDetail:
        await self._spend(f"detail:{run.id}")
        names = ("ok", "huge", "html", "bomb")
        steps = tuple(
            Step(
                index=i,
                name=f"{name} step",
                status=RunStatus.FAILED if name == "huge" else RunStatus.PASSED,
                provider_status="failed" if name == "huge" else "passed",
                screenshot_url=f"{MEDIA}/{name}.png",
            )
            for i, name in enumerate(names)
        )
        shots = tuple(
            Artifact(id=f"a{i}", kind="screenshot", url=f"{MEDIA}/{n}.png", label=f"step {i + 1}")
            for i, n in enumerate(names)
        )
        logs = Artifact(id="log", kind="logs", label="Run log")
        return RunDetail(
            run=self.runs[run.id],
            steps=PaneData[Step](items=steps),
            artifacts=PaneData[Artifact](items=(logs, *shots)),
        )

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        return (await self.http.get_other_origin(url, max_bytes=max_bytes)).content


def hostile_app() -> tuple[QaTuiApp, HostileMedia]:
    source = HostileMedia()
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    return QaTuiApp(engine, tick_seconds=0), source


async def test_oversized_malformed_and_bomb_screenshots_say_why_and_the_app_goes_on() -> None:
    app, source = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 1)
        screen = await open_detail(pilot, app, ("web", "r1"))
        panel = screen.query_one("#steps-shot", ScreenshotPanel)
        await settled(pilot, panel, "huge step")
        assert panel.shot is None
        assert "too large (over the 10.0 MB limit)" in panel_text(panel)
        assert source.sent < 12_000_000  # refused while arriving, not read to its end

        screen.query_one("#steps-table", DataTable).focus()
        await pilot.press("down")
        await settled(pilot, panel, "html step")
        assert "not a picture" in panel_text(panel)
        await pilot.press("down")
        await settled(pilot, panel, "bomb step")
        text = " ".join(panel_text(panel).split())
        assert "400,000,000 pixels" in text and "decompression bomb" in text

        await pilot.press("up", "up", "up")
        await settled(pilot, panel, "ok step")
        assert panel.shot is not None and panel.shot.size == (320, 200)
        await pilot.press("escape")
        assert app.screen is app.dashboard and app.is_running


async def test_enter_shows_the_screenshot_full_screen_and_s_saves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    app, _ = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 1)
        screen = await open_detail(pilot, app, ("web", "r1"))
        table = screen.query_one("#steps-table", DataTable)
        table.focus()
        table.move_cursor(row=0)
        await settled(pilot, screen.query_one("#steps-shot", ScreenshotPanel), "ok step")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ScreenshotScreen), what="full")
        full = app.screen
        assert isinstance(full, ScreenshotScreen)
        image = full.query_one(HalfcellImage)
        await wait_until(pilot, lambda: image.region.height > 20, what="the picture drawn big")
        assert "ok step" in widget_text(full.query_one("#shot-title"))
        await pilot.press("s")
        saved = tmp_path / "downloads" / "bugbug-r1-step1.png"
        await wait_until(pilot, saved.exists, what="the saved file")
        assert saved.read_bytes() == png_of(320, 200)
        await pilot.press("escape")
        assert app.screen is screen


async def test_the_artifacts_pane_draws_the_failing_steps_screenshot_and_enter_opens_one() -> None:
    app, _ = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 1)
        screen = await open_detail(pilot, app, ("web", "r1"))
        screen.query_one(TabbedContent).active = "artifacts"
        panel = screen.query_one("#artifacts-shot", ScreenshotPanel)
        await settled(pilot, panel, "step 2 · the failing step")  # the log is highlighted
        assert "too large" in panel_text(panel)
        table = screen.query_one("#artifacts-table", DataTable)
        table.focus()
        await pilot.press("down")  # step 1's screenshot
        await settled(pilot, panel, "step 1")
        assert panel.shot is not None
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ScreenshotScreen), what="full")
