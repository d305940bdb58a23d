"""Make the README's screenshots from the demo: `make screenshots` (or run this file).

The demo's simulator (seed 7, as `qa-tui demo`) runs in-process on a manual scenario clock, so the
pictures come out the same every time: the runs are where the clock puts them, and the app reads
its relative times from that same clock. The app is the real one (config, provider clients,
engine), driven headless with Textual's pilot, and each screen is saved as an SVG beside this file:

    dashboard.svg             every run of the three providers
    run-detail.svg            a failed BugBug run: its steps, the failing step's screenshot
    run-detail-artifacts.svg  the same run: its debug artifacts, and that screenshot
    browser.png               not made here: `qa-tui serve` in Chromium, kept by the browser test
                              (tests/e2e/test_browser.py, in .test-artifacts/) and copied here
    stop-confirm.svg          the question `x` asks before stopping a running run
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from qa_tui.cli.tui import trigger_demo_previews
from qa_tui.core.config import load_config
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.registry import build_sources
from qa_tui.core.store import RunStore
from qa_tui.core.triggers import TriggerLog
from qa_tui.sim import ScenarioClock, build_app
from qa_tui.sim.server import render_config
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.screens.confirm import ConfirmScreen
from qa_tui.ui.screens.run_detail import RunDetailScreen
from qa_tui.ui.widgets.screenshot import ScreenshotPanel

HERE = Path(__file__).resolve().parent
SIZE = (100, 30)
SEED = 7
BASE_URL = "http://127.0.0.1:8765"
"""The address the in-process simulator goes by (the default port of `qa-tui sim`)."""
MINUTE_IN = 40.0
"""Scenario seconds the world runs before the pictures: runs started, some finished."""


class ScenarioTime:
    """The app's and engine's clock: wall time from the scenario, short real sleeps."""

    def __init__(self, scenario: ScenarioClock) -> None:
        self.scenario = scenario

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.scenario.now(), UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(min(max(0.0, seconds), 0.05))


async def wait_for(pilot: Pilot[int], predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"make_screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)


async def main(out: Path) -> None:
    scenario = ScenarioClock.manual_at()
    sim_app = build_app(seed=SEED, clock=scenario, enforce_documented_limits=False)
    scratch = Path(tempfile.mkdtemp(prefix="qa-tui-screenshots-"))
    (scratch / "demo.toml").write_text(render_config(BASE_URL))
    config = load_config(scratch / "demo.toml")
    clock = ScenarioTime(scenario)
    transport = httpx.ASGITransport(app=sim_app)
    sources = build_sources(
        config,
        clock=clock,
        transport_for=lambda _name: transport,
        triggers=TriggerLog(scratch / "triggers.sqlite"),
    )
    await trigger_demo_previews(sources, lambda: None)
    scenario.advance(MINUTE_IN)
    settings = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05)
    engine = Engine(sources, RunStore(), clock=clock, settings=settings)
    app = QaTuiApp(engine, clock=clock, tick_seconds=0, subtitle="demo")
    world = sim_app.state.sim.bugbug
    now = scenario.now()
    failed = next(
        run
        for run in sorted(world.test_runs.values(), key=lambda r: -r.timeline.created)
        if run.timeline.status(now) == "failed"
        and run.suite_run_id is None
        and len(run.artifacts) >= 3
        and run.timeline.steps_done(now) >= 3
    )

    def save(name: str) -> None:
        (out / name).write_text(app.export_screenshot(title=f"qa-tui · {name[:-4]}"))
        print(f"wrote {out / name}")

    try:
        async with app.run_test(size=SIZE) as pilot:
            app.animation_level = "none"
            table = app.dashboard.table
            truth = sim_app.state.sim.truth()["runs"]
            await wait_for(pilot, lambda: len(table.order) >= len(truth) + 2, "every run")
            await wait_for(
                pilot,
                lambda: all(
                    h.state.value == "ok" for h in app.dashboard.health_bar.health.values()
                ),
                "three ok chips",
            )
            await pilot.pause(0.2)
            save("dashboard.svg")

            table.move_cursor_to(("web", failed.id))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), "detail")
            detail = app.screen
            assert isinstance(detail, RunDetailScreen)
            await wait_for(pilot, lambda: detail.detail is not None, "the run's detail")
            steps_shot = detail.query_one("#steps-shot", ScreenshotPanel)
            await wait_for(pilot, lambda: steps_shot.shot is not None, "the failing step's picture")
            await pilot.pause(0.2)
            save("run-detail.svg")
            detail.query_one(TabbedContent).active = "artifacts"
            await wait_for(pilot, lambda: detail.query_one("#artifacts").size.height > 0, "pane")
            shot = detail.query_one("#artifacts-shot", ScreenshotPanel)
            await wait_for(pilot, lambda: shot.shot is not None, "the artifacts pane's picture")
            await pilot.pause(0.2)
            save("run-detail-artifacts.svg")
            await pilot.press("escape")

            running = next(
                key
                for key in table.order
                if key[0] == "web"
                and table.rows[key].run.status.value == "running"
                and table.rows[key].run.kind.value == "test"
            )
            table.move_cursor_to(running)
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
            await pilot.pause(0.2)
            save("stop-confirm.svg")
            await pilot.press("n")
    finally:
        for source in sources:
            await source.aclose()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    asyncio.run(main(target))
