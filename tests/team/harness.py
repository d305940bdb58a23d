"""Several qa-tui instances in one test process, each with its own engine, store, Redis
connection and transport to one in-process simulator, joined by a real redis-server.

Each instance counts the requests it sent (`transport.requests`), so a test can say who polled.
`kill()` ends an instance the way SIGKILL would for Redis: its tasks stop, its lease and its
presence are left to expire, nothing is handed over.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from qa_tui.core.config.tables import Config, TeamConfig, load_config
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.model import Run
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.runs.store import RunStore
from qa_tui.core.team.link import TeamLink
from qa_tui.core.team.status import TeamRole
from qa_tui.sim import FaultPlan, ScenarioClock, ScenarioSpec, build_app
from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBRAIN_PROJECT_ID, BUGBUG_TOKEN

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)
WORLD = ScenarioSpec(
    bugbug_test_runs_finished=6,
    bugbug_test_runs_active=3,
    bugbug_suite_runs_finished=1,
    bugbug_suite_runs_active=0,
    bugbrain_finished=8,
    bugbrain_active=4,
    bugnet_bugs=0,
    new_run_every_s=None,
    active_span_s=(30.0, 90.0),
)
TERMINAL = {"passed", "failed", "error", "stopped", "skipped", "completed", "cancelled"}


def config_text(redis_url: str, *, lease_s: float = 3.0, rpm: float = 6000) -> str:
    return f"""
[[providers]]
name = "web"
kind = "bugbug"
base_url = "http://127.0.0.1:8765/bugbug"
token = "{BUGBUG_TOKEN}"
requests_per_minute = {rpm}

[[providers]]
name = "plans"
kind = "bugbrain"
base_url = "http://127.0.0.1:8765/bugbrain/api/v1"
token = "{BUGBRAIN_API_KEY}"
project_id = "{BUGBRAIN_PROJECT_ID}"
requests_per_minute = {rpm}

[team]
redis_url = "{redis_url}"
lease_s = {lease_s}
"""


class Counting(httpx.AsyncBaseTransport):
    """The in-process simulator, counting every request sent through it."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def count(self, provider: str) -> int:
        return sum(1 for r in self.requests if r.url.path.startswith(f"/{provider}/"))


@dataclass
class Instance:
    name: str
    link: TeamLink
    engine: Engine
    transport: Counting
    task: asyncio.Task[None] | None = None

    def role(self, provider: str) -> TeamRole:
        return self.link.status.roles[provider]

    def statuses(self, provider: str) -> dict[str, str]:
        return {r.id: r.provider_status for r in self.engine.store.runs_of(provider)}

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.engine.run())

    async def _stop_tasks(self) -> None:
        tasks = [t for t in (self.task, self.link._heartbeat) if t is not None]
        for task in tasks:
            task.cancel()
        _, pending = await asyncio.wait(tasks, timeout=10)
        if pending:
            import socket

            url = self.link.config.redis_url.get_secret_value()
            port = int(url.rsplit(":", 1)[1].split("/")[0])
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    print("REDIS ANSWERS", sock.recv(100))
            except OSError as error:
                print("REDIS DOES NOT ANSWER", error)
            for task in asyncio.all_tasks():
                task.print_stack(limit=12)
            raise AssertionError(f"{self.name}: tasks did not stop: {pending}")
        self.task = None
        for source in self.engine.sources:
            await source.aclose()

    async def stop(self) -> None:
        """A normal exit: the leases handed over."""
        await self._stop_tasks()
        self.link._heartbeat = None
        await self.link.aclose()

    async def kill(self) -> None:
        """As SIGKILL: nothing handed over, the connection just gone."""
        await self._stop_tasks()
        await self.link.connection.client.aclose()


@dataclass
class Team:
    sim_app: Starlette
    scenario: ScenarioClock
    config: Config
    instances: list[Instance] = field(default_factory=list)

    @property
    def sim(self) -> Any:
        return self.sim_app.state.sim

    def truth(self, provider: str) -> dict[str, str]:
        """The simulator's raw statuses of one provider's runs (`bugbug`, `bugbrain`)."""
        return {r["id"]: r["status"] for r in self.sim.truth()["runs"] if r["provider"] == provider}

    def add(self, name: str) -> Instance:
        assert self.config.team is not None
        link = TeamLink(self.config.team, self.config.providers)
        transport = Counting(self.sim_app)
        sources = build_sources(
            self.config, transport_for=lambda _n: transport, budget_for=link.budget_for
        )
        engine = Engine(sources, RunStore(), settings=FAST, team=link)
        instance = Instance(name, link, engine, transport)
        self.instances.append(instance)
        return instance

    async def aclose(self) -> None:
        for instance in self.instances:
            if instance.task is not None:
                await instance.stop()


def build_team(workdir: Path, redis_url: str, **options: Any) -> Team:
    scenario = ScenarioClock.manual_at()
    app = build_app(
        seed=5,
        clock=scenario,
        faults=FaultPlan(),
        scenario=WORLD,
        enforce_documented_limits=False,
    )
    path = workdir / "team.toml"
    path.write_text(config_text(redis_url, **options))
    return Team(app, scenario, load_config(path))


def team_config(redis_url: str, **values: Any) -> TeamConfig:
    return TeamConfig.model_validate({"redis_url": redis_url, **values})


def run_ids(runs: list[Run]) -> set[str]:
    return {r.id for r in runs}


def quick_client(url: str) -> Any:
    """A redis client for a test's own looks at Redis."""
    import redis.asyncio as aioredis

    return aioredis.Redis.from_url(url)
