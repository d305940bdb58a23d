"""The real app on the real simulator, for UI stories: config, sources, engine and app, wired
the way `qa-tui demo` wires them, but with the simulator on a manual scenario clock.

Runs move only when a test calls `advance()`, so what the app shows is decided by the test, not
by timing. The simulator is reached in-process (httpx.ASGITransport) or over real loopback
(`loopback=True`, uvicorn on 127.0.0.1 port 0) when a test needs real sockets (a provider that is
"down" is only unreachable over a socket). The engine polls every few tens of milliseconds and
every provider budget is wide, so a change in the simulator is on screen within a poll or two.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from qa_tui.core.actions.writes import WritePolicy
from qa_tui.core.config.tables import Config, load_config
from qa_tui.core.config.views import ViewBook
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.service import History
from qa_tui.core.model import Run
from qa_tui.core.notify.center import NotifyCenter
from qa_tui.core.notify.delivery import Writer
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.core.runs.store import RunKey, RunStore
from qa_tui.sim import FaultPlan, ScenarioClock, ScenarioSpec, Simulator, build_app
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.keymap import UserKeys

IN_PROCESS_URL = "http://127.0.0.1:8765"
"""The base URL the in-process simulator is addressed by (never connected to: ASGI transport)."""

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=60000)
"""Poll every 50 ms: the simulator's clock, not the engine's pace, decides what changes."""

WIDE_BUDGET = 60000.0
"""Requests a minute per provider: the budget never holds a test back."""

PROVIDER_OF_KIND = {"bugbug": "web", "bugbrain": "plans", "bug0": "previews"}
"""The demo config's provider names, by simulator provider."""


class ScenarioTime:
    """A `Clock` whose wall time is the simulator's scenario time.

    Relative times on screen ("3m ago") then read against the same clock the simulator stamps
    runs with. Intervals are real (monotonic), and a sleep is cut to `max_sleep_s`, so a retry
    backoff in the HTTP layer costs milliseconds; callers that wait in a loop just loop more.
    """

    def __init__(self, scenario: ScenarioClock, *, max_sleep_s: float = 0.02) -> None:
        self.scenario = scenario
        self.max_sleep_s = max_sleep_s

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.scenario.now(), UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(min(max(0.0, seconds), self.max_sleep_s))


@dataclass
class SimMonitor:
    """A simulator, the sources and engine reading it, and a QaTuiApp on top (not yet running)."""

    sim_app: Starlette
    scenario: ScenarioClock
    faults: FaultPlan
    config: Config
    sources: list[RunSource]
    engine: Engine
    app: QaTuiApp
    served: RunningSim | None = None

    @property
    def sim(self) -> Simulator:
        simulator: Simulator = self.sim_app.state.sim
        return simulator

    def advance(self, seconds: float) -> None:
        """Move the simulator's world forward; the engine sees it on its next poll."""
        self.scenario.advance(seconds)

    def truth(self, run_id: str) -> dict[str, Any]:
        """The simulator's own account of one run now."""
        found: dict[str, Any] = next(r for r in self.sim.truth()["runs"] if r["id"] == run_id)
        return found

    def source(self, name: str) -> RunSource:
        return self.engine.source(name)

    async def trigger_previews(self, count: int = 2) -> list[Run]:
        """Trigger Bug0 runs (the only way Bug0 runs exist: it has no list endpoint)."""
        source = self.source("previews")
        assert isinstance(source, Bug0Source)
        return [
            await source.trigger(
                url=f"https://pr-{40 + i}.preview.shop.example",
                git_branch=f"feature/preview-{i}",
                pr_number=40 + i,
            )
            for i in range(count)
        ]

    async def trigger_on_commit(
        self, sha: str, *, owner: str = "acme", repo: str = "shop", pr: int = 7
    ) -> Run:
        """Trigger a Bug0 run on a commit of `owner/repo`: the simulated Bug0 posts its result
        there as a commit status (plan it first: `sim.github.plan(sha, bug0=...)`)."""
        source = self.source("previews")
        assert isinstance(source, Bug0Source)
        return await source.trigger(
            url=f"https://pr-{pr}.preview.shop.example",
            git_branch=f"feature/pr-{pr}",
            pr_number=pr,
            git_commit_sha=sha,
            owner=owner,
            repo=repo,
        )

    async def aclose(self) -> None:
        for source in self.sources:
            await source.aclose()
        if self.served is not None:
            self.served.stop()


def rows_of(app: QaTuiApp, provider: str) -> list[Run]:
    """The runs of one provider the table holds, in table order."""
    table = app.dashboard.table
    return [table.rows[key].run for key in table.order if key[0] == provider]


def first_key(app: QaTuiApp, **where: Any) -> RunKey | None:
    """The key of the first run in table order whose fields equal `where` (enum values as text)."""
    table = app.dashboard.table
    for key in table.order:
        run = table.rows[key].run
        if all(_field(run, name) == value for name, value in where.items()):
            return key
    return None


def _field(run: Run, name: str) -> Any:
    value = getattr(run, name)
    return getattr(value, "value", value)


def build_monitor(
    workdir: Path,
    *,
    seed: int = 7,
    spec: ScenarioSpec | None = None,
    loopback: bool = False,
    notify: NotifyCenter | None = None,
    terminal: Writer | None = None,
    history: bool = False,
    github_token: bool = True,
    writes: WritePolicy | None = None,
    keys: UserKeys | None = None,
    theme: str | None = None,
    remember_theme: Callable[[str], None] | None = None,
    views: ViewBook | None = None,
    settings: EngineSettings = FAST,
) -> SimMonitor:
    """Everything `qa-tui demo` builds, on a manual scenario clock (see the module docstring);
    with `history`, the run history too (in `workdir`, on the same clock); without
    `github_token`, `[github]` has no token (and the tests' `gh` knows no login); `writes`: which
    providers are read-only or production (core/actions/writes.py); `keys`, `theme`,
    `remember_theme`: the app's, as `qa-tui` hands them from `[keys]` and `[ui]`; `settings`:
    the engine's (FAST unless a story needs sweeps at its own pace)."""
    scenario = ScenarioClock.manual_at()
    faults = FaultPlan()
    world = spec or ScenarioSpec()
    served: RunningSim | None = None
    if loopback:
        served = start_in_thread(
            seed=seed,
            clock=scenario,
            faults=faults,
            scenario=world,
            enforce_documented_limits=False,
        )
        sim_app, base_url = served.app, served.base_url
    else:
        sim_app = build_app(
            seed=seed,
            clock=scenario,
            faults=faults,
            scenario=world,
            enforce_documented_limits=False,
        )
        base_url = IN_PROCESS_URL
    path = workdir / "sim.toml"
    path.write_text(render_config(base_url, world.org))  # every project of an org
    loaded = load_config(path)
    github = loaded.github.model_copy(  # a commit is read as often as the engine polls
        update={
            "requests_per_minute": WIDE_BUDGET,
            "poll_interval_s": FAST.active_interval_s,
            "token": loaded.github.token if github_token else None,
        }
    )
    config = loaded.model_copy(
        update={
            "providers": [
                p.model_copy(update={"requests_per_minute": WIDE_BUDGET}) for p in loaded.providers
            ],
            "github": github,
        }
    )
    clock = ScenarioTime(scenario)
    transport: httpx.AsyncBaseTransport | None = None
    if not loopback:
        transport = httpx.ASGITransport(app=sim_app)
    sources = build_sources(
        config,
        clock=clock,
        transport_for=lambda _name: transport,
        triggers=TriggerLog(workdir / "triggers.sqlite"),
    )
    kept = History(RunHistory(workdir / "history.sqlite"), clock=clock) if history else None
    engine = Engine(
        sources, RunStore(), clock=clock, settings=settings, history=kept, writes=writes
    )
    app = QaTuiApp(
        engine,
        clock=clock,
        tick_seconds=0,
        notify=notify,
        terminal=terminal,
        keys=keys,
        theme=theme,
        remember_theme=remember_theme,
        views=views,
    )
    return SimMonitor(sim_app, scenario, faults, config, sources, engine, app, served)
