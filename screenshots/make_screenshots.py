"""Make the README's screenshots from the demo: `make screenshots` (or run this file).

The demo's simulator (seed 7, as `qa-tui demo`) runs in-process on a manual scenario clock, so the
pictures come out the same every time: the runs are where the clock puts them, and the app reads
its relative times from that same clock. The app is the real one (config, provider clients,
engine), driven headless with Textual's pilot, and each screen is saved as an SVG beside this file:

    dashboard.svg             every run of the three providers, with their HISTORY strips
    history-strips.svg        `test:card` at 120 columns: one test flaky on Mobile, steady on Default
    incidents.svg             `i`: the staging outage as one incident
    incident-runs.svg         enter on it: every run it failed
    compare.svg               a failed run's Compare pane against its last green run
    run-detail.svg            a failed BugBug run: its steps, the failing step's screenshot
    run-detail-artifacts.svg  the same run: its debug artifacts, and that screenshot
    browser.png               not made here: `qa-tui serve` in Chromium, kept by the browser test
                              (tests/e2e/test_browser.py, in .test-artifacts/) and copied here
    stop-confirm.svg          the question `x` asks before stopping a running run

The world is the demo's: the triage world (flaky tests, a staging outage, history to draw
strips), with the run history the demo keeps.
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
from qa_tui.core.actions.writes import ProviderWrites
from qa_tui.core.config.tables import load_config
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.service import History
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.core.runs.store import RunStore
from qa_tui.sim import ScenarioClock, ScenarioSpec, build_app
from qa_tui.sim.server import render_config
from qa_tui.sim.triage import FLAKY_PROFILE, FLAKY_TEST
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.history.incident_runs import IncidentRunsScreen
from qa_tui.ui.history.incidents import IncidentsScreen
from qa_tui.ui.shots.screenshot import ScreenshotPanel

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


async def wait_for(
    pilot: Pilot[int], predicate: Callable[[], bool], what: str | Callable[[], str]
) -> None:
    deadline = time.monotonic() + 60
    while not predicate():
        if time.monotonic() > deadline:
            said = what if isinstance(what, str) else what()
            raise SystemExit(f"make_screenshots: timed out waiting for {said}")
        await pilot.pause(0.05)


async def main(out: Path) -> None:
    scenario = ScenarioClock.manual_at()
    world = ScenarioSpec(triage=True)
    sim_app = build_app(seed=SEED, clock=scenario, scenario=world, enforce_documented_limits=False)
    scratch = Path(tempfile.mkdtemp(prefix="qa-tui-screenshots-"))
    (scratch / "demo.toml").write_text(render_config(BASE_URL))
    loaded = load_config(scratch / "demo.toml")
    config = loaded.model_copy(  # polled every 50 ms below: the budget must not be what waits
        update={
            "providers": [
                p.model_copy(update={"requests_per_minute": 60000.0, "requests_per_hour": None})
                for p in loaded.providers
            ]
        }
    )
    clock = ScenarioTime(scenario)
    transport = httpx.ASGITransport(app=sim_app)
    sources = build_sources(
        config,
        clock=clock,
        transport_for=lambda _name: transport,
        triggers=TriggerLog(scratch / "triggers.sqlite"),
    )
    await trigger_demo_previews(ProviderWrites(sources), lambda: None)
    scenario.advance(MINUTE_IN)
    settings = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05)
    history = History(RunHistory(scratch / "history.sqlite"), clock=clock)
    engine = Engine(sources, RunStore(), clock=clock, settings=settings, history=history)
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
            await wait_for(
                pilot,
                lambda: len(table.order) >= len(truth) + 2,
                lambda: f"every run ({len(table.order)} of {len(truth) + 2} shown)",
            )
            await wait_for(
                pilot,
                lambda: all(
                    h.state.value in ("ok", "unverified")
                    for h in app.dashboard.health_bar.health.values()
                ),
                "three healthy chips (Bug0's unverified, as doctor says)",
            )
            await wait_for(pilot, lambda: history.loaded and bool(history.incidents()), "history")
            await pilot.pause(0.3)
            table.refresh()
            await pilot.pause(0.2)
            save("dashboard.svg")
            # The simulator counts BugBrain's documented 30 a minute on its manual clock, which
            # stands still here: polling on would show "rate-limited" in the next pictures.
            engine.pause()

            await pilot.press("slash", *"test:card", "enter")
            await wait_for(pilot, lambda: len(table.order) > 0, "the checkout runs")
            flaky = next(
                key
                for key in table.order
                if table.rows[key].run.target == FLAKY_PROFILE
                and table.rows[key].run.name == FLAKY_TEST
                and table.rows[key].run.status.value == "failed"
            )
            await pilot.resize_terminal(120, SIZE[1])  # wide enough for the TARGET column
            table.move_cursor_to(flaky)
            await pilot.pause(0.2)
            save("history-strips.svg")
            await pilot.resize_terminal(*SIZE)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), "detail")
            compare = app.screen
            assert isinstance(compare, RunDetailScreen)
            await wait_for(pilot, lambda: compare.detail is not None, "the flaky run's detail")
            compare.query_one(TabbedContent).active = "compare"
            await wait_for(
                pilot,
                lambda: "First divergence" in str(compare.query_one("#compare-text").render()),
                "the comparison",
            )
            await pilot.pause(0.2)
            save("compare.svg")
            await pilot.press("escape")
            await pilot.press("escape")  # the filter
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, IncidentsScreen), "incidents")
            await pilot.pause(0.2)
            save("incidents.svg")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, IncidentRunsScreen), "runs")
            await pilot.pause(0.2)
            save("incident-runs.svg")
            await pilot.press("escape")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.dashboard, "the dashboard")

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
        history.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    asyncio.run(main(target))
