"""Fixtures for the simulator's own tests: a manual clock, the app, and clients over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.sim import FaultPlan, ScenarioClock, ScenarioSpec, Simulator, build_app
from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUGBRAIN_API_KEY,
    BUGBUG_TOKEN,
    BUGNET_TOKEN,
)
from qa_tui.sim.dialects import parse_dialect

BUGBUG = {"Authorization": f"Token {BUGBUG_TOKEN}"}
BUGBRAIN = {"Authorization": f"Bearer {BUGBRAIN_API_KEY}"}
BUG0 = {"x-api-key": BUG0_API_KEY}
BUGNET = {"Authorization": f"Bearer {BUGNET_TOKEN}"}

AppFactory = Callable[..., Starlette]


@pytest.fixture
def clock() -> ScenarioClock:
    return ScenarioClock.manual_at()


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def app(clock: ScenarioClock, faults: FaultPlan) -> Starlette:
    return build_app(seed=7, clock=clock, faults=faults)


@pytest.fixture
def sim(app: Starlette) -> Simulator:
    simulator: Simulator = app.state.sim
    return simulator


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as c:
        yield c


def client_for(app: Starlette) -> httpx.AsyncClient:
    """A client for an app built inside a test (for a non-default scenario)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim.test")


def small_spec(**changes: object) -> ScenarioSpec:
    """A small world without periodic runs, for tests that count things."""
    base: dict[str, object] = {
        "bugbug_test_runs_finished": 4,
        "bugbug_test_runs_active": 3,
        "bugbug_suite_runs_finished": 1,
        "bugbug_suite_runs_active": 1,
        "bugbrain_finished": 4,
        "bugbrain_active": 3,
        "new_run_every_s": None,
    }
    base.update(changes)
    return ScenarioSpec(**base)  # type: ignore[arg-type]


def spoken_app(dialect: str, *, limits: bool = True, **changes: object) -> Starlette:
    """The simulator over a small world (:func:`small_spec` with `changes`) on a manual clock,
    speaking `dialect` (a ``--dialect`` spec such as ``"bugbug.next=null"``; '' is the default);
    the documented rate limits enforced unless `limits` is False."""
    spec = small_spec(dialect=parse_dialect(dialect), **changes)
    clock = ScenarioClock.manual_at()
    return build_app(seed=7, clock=clock, scenario=spec, enforce_documented_limits=limits)
