"""Driving `qa-tui run`, `watch`, `doctor` and `runs` against the simulator with no real waiting.

The commands get a `Services` whose clock is a `LinkedClock`: every sleep the command takes (poll
intervals, backoff, budget waits) also moves the simulator's manual scenario clock, so a run that
takes a minute of scenario time finishes in milliseconds and the simulator sees the time pass.
`LinkedClock.at(seconds, action)` schedules something to happen to the simulator mid-run (inject
faults, stop the run) once that much scenario time has passed.

Which outcome a started run gets is the simulator's dice, seeded: `seed_where(...)` finds, through
the simulator's own world code, a seed whose first API-started run ends the way a test wants.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.cli.doctor import run_doctor
from qa_tui.cli.headless import run_runs
from qa_tui.cli.main import build_parser
from qa_tui.cli.run import run_run
from qa_tui.cli.services import Services
from qa_tui.cli.watch import run_watch
from qa_tui.core.actions.gitinfo import GitInfo
from qa_tui.core.clock import ManualClock
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.sim import FaultPlan, ScenarioClock, ScenarioSpec, Simulator, build_app
from qa_tui.sim.bugbrain.world import BugBrainWorld
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.scenario import DEFAULT_EPOCH
from qa_tui.sim.server import render_config

Action = Callable[[], Awaitable[None] | None]
IN_PROCESS_BASE = "http://127.0.0.1:9"
"""A loopback base URL (the config refuses plain http elsewhere); in-process, no socket is used."""
CHECKOUT = GitInfo("0a1b2c3d4e5f", "feature/checkout", "acme", "shop", None)


class LinkedClock(ManualClock):
    """The commands' clock: a sleep moves it and the simulator's scenario clock together."""

    def __init__(self, scenario: ScenarioClock) -> None:
        super().__init__()
        self.scenario = scenario
        self.origin = scenario.now()
        self._events: list[tuple[float, Action]] = []

    def at(self, seconds: float, action: Action) -> None:
        """Run `action` once the scenario is `seconds` past the moment this clock was made."""
        self._events.append((seconds, action))
        self._events.sort(key=lambda e: e[0])

    async def sleep(self, seconds: float) -> None:
        self.scenario.advance(max(0.0, seconds))
        await super().sleep(seconds)
        while self._events and self._events[0][0] <= self.scenario.now() - self.origin:
            _, action = self._events.pop(0)
            done = action()
            if inspect.isawaitable(done):
                await done


def small_world() -> ScenarioSpec:
    """A few runs, none appearing on their own, a synchronous start that never blocks long."""
    return ScenarioSpec(
        bugbug_test_runs_finished=4,
        bugbug_test_runs_active=2,
        bugbug_suite_runs_finished=1,
        bugbug_suite_runs_active=1,
        bugbrain_finished=4,
        bugbrain_active=2,
        bugnet_bugs=2,
        new_run_every_s=None,
        sync_wait_cap_s=0.01,
    )


class RecordingTransport(httpx.AsyncBaseTransport):
    """The simulator in-process, remembering every request: (method, path, JSON body or None)."""

    def __init__(self, app: Starlette, sent: list[tuple[str, str, object]]) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.sent = sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, request.url.path, body))
        return await self.inner.handle_async_request(request)


@dataclass
class SimCli:
    """A simulator in-process, a config pointing at it, and the services the commands get."""

    app: Starlette
    scenario: ScenarioClock
    faults: FaultPlan
    clock: LinkedClock
    config: Path
    services: Services
    sent: list[tuple[str, str, object]] = field(default_factory=list)
    """Every request the commands sent: (method, path, JSON body)."""

    @property
    def sim(self) -> Simulator:
        simulator: Simulator = self.app.state.sim
        return simulator

    def truth(self, run_id: str) -> str:
        """The simulator's own word for a run's status now."""
        status: str = next(r["status"] for r in self.sim.truth()["runs"] if r["id"] == run_id)
        return status

    def newest_api_run(self) -> str:
        """The id of the BugBug test run started last through the API."""
        runs = [r for r in self.sim.bugbug.test_runs.values() if r.triggered_by == "api"]
        return max(runs, key=lambda r: r.timeline.created).id

    def newest_execution(self) -> str:
        return max(self.sim.bugbrain.executions.values(), key=lambda e: e.timeline.created).id

    async def post(self, path: str, headers: dict[str, str], method: str = "POST") -> int:
        """A request straight to the simulator (as another client would send it)."""
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
            response = await client.request(method, path, headers=headers)
        return response.status_code


def make_sim_cli(
    tmp_path: Path,
    *,
    seed: int = 7,
    spec: ScenarioSpec | None = None,
    config_text: str | None = None,
    git: GitInfo = CHECKOUT,
) -> SimCli:
    scenario, faults = ScenarioClock.manual_at(), FaultPlan()
    app = build_app(seed=seed, clock=scenario, faults=faults, scenario=spec or small_world())
    clock = LinkedClock(scenario)
    path = tmp_path / "sim.toml"
    path.write_text(config_text or render_config(IN_PROCESS_BASE), encoding="utf-8")
    path.chmod(0o600)
    sent: list[tuple[str, str, object]] = []
    services = Services(
        clock=clock,
        transport_for=lambda name: RecordingTransport(app, sent),
        triggers=TriggerLog(":memory:"),
        git=lambda: git,
        live=lambda: False,
    )
    return SimCli(app, scenario, faults, clock, path, services, sent)


def cli(world: SimCli, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run one `qa-tui` command line against the simulator: (exit code, stdout, stderr)."""
    args = build_parser().parse_args([*argv, "--config", str(world.config)])
    commands = {"run": run_run, "watch": run_watch, "doctor": run_doctor, "runs": run_runs}
    handler = commands[args.command]
    code = handler(args, world.services)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def first_bugbug_start(seed: int) -> str:
    """The final raw status of the first test run started through BugBug's API with `seed`."""
    world = BugBugWorld(seed, small_world(), DEFAULT_EPOCH)
    run = world.start_test(world.tests[0], None, DEFAULT_EPOCH)
    return run.timeline.phases[-1][1]


def first_bugbrain_start(seed: int) -> str:
    """How the first execution started through BugBrain's API with `seed` ends: passed, failed
    (completed with failed tests), failed-execution or cancelled."""
    world = BugBrainWorld(seed, small_world(), DEFAULT_EPOCH)
    ex = world.start(world.plans["tp_smoke_web"], DEFAULT_EPOCH, 300.0)
    final = ex.timeline.phases[-1][1]
    if final == "completed":
        return "failed" if ex.failing else "passed"
    return {"failed": "failed-execution"}.get(final, final)


def seed_where(probe: Callable[[int], str], wanted: str) -> int:
    """The first seed whose first API-started run ends as `wanted`."""
    for seed in range(1, 500):
        if probe(seed) == wanted:
            return seed
    raise AssertionError(f"no seed below 500 gives a first run that ends {wanted}")
