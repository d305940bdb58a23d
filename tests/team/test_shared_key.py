"""Team mode keys its bucket by what the service limits: two projects on one BugBrain key, watched
by two instances, draw on one token bucket in Redis, while each project keeps its own poller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.applications import Starlette

from qa_tui.core.config.tables import Config, load_config
from qa_tui.core.engine import Engine
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.runs.store import RunStore
from qa_tui.core.team.bucket import SharedBudget
from qa_tui.core.team.link import TeamLink
from qa_tui.core.team.status import TeamRole
from qa_tui.sim import FaultPlan, ScenarioClock, build_app
from qa_tui.sim.org.spec import OrgSpec
from qa_tui.sim.server import render_config
from tests.support.conditions import until
from tests.team.harness import FAST, WORLD, Counting, Instance, quick_client

ORG = OrgSpec(bugbrain_keys=(2,))


def config_for(workdir: Path, redis_url: str, project: str) -> Path:
    """One instance's config: one BugBrain project of the org's key, and team mode."""
    tables = render_config("http://127.0.0.1:8765", ORG).split("\n[[providers]]\n")
    (table,) = [t for t in tables if f'name = "{project}"' in t]
    path = workdir / f"{project}.toml"
    path.write_text(
        f"[[providers]]\n{table.split('[tracker]')[0]}requests_per_minute = 6000\n\n"
        f'[team]\nredis_url = "{redis_url}"\nlease_s = 3\n'
    )
    return path


def instance_for(app: Starlette, config: Config, name: str) -> Instance:
    assert config.team is not None
    link = TeamLink(config.team, config.providers)
    transport = Counting(app)
    sources = build_sources(config, transport_for=lambda _n: transport, budget_for=link.budget_for)
    engine = Engine(sources, RunStore(), settings=FAST, team=link)
    return Instance(name, link, engine, transport)


@pytest.fixture
async def two(tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Instance, Instance]]:
    app = build_app(
        seed=5,
        clock=ScenarioClock.manual_at(),
        faults=FaultPlan(),
        scenario=replace(WORLD, org=ORG),
        enforce_documented_limits=False,
    )
    instances = [
        instance_for(app, load_config(config_for(tmp_path, redis_url, project)), project)
        for project in ("plans", "plans-2")
    ]
    a, b = instances
    a.start()
    b.start()
    yield a, b
    for instance in instances:
        await instance.stop()


async def test_two_projects_on_one_key_poll_apart_and_draw_on_one_bucket(
    two: tuple[Instance, Instance], redis_url: str
) -> None:
    """GIVEN two instances, one watching project plans and one plans-2, both on one BugBrain key
    WHEN they poll
    THEN each polls its own project (its own lease), both take their tokens from the one bucket
    of the key (one bucket in Redis, named by a hash: no key in any Redis key or value), and the
    key's member set counts both instances (the fair share if Redis goes away)."""
    a, b = two
    await until(lambda: a.role("plans") is TeamRole.POLLER, what="a polls plans")
    await until(lambda: b.role("plans-2") is TeamRole.POLLER, what="b polls plans-2")
    await until(lambda: a.transport.count("bugbrain") > 3 and b.transport.count("bugbrain") > 3)
    budget_a = a.engine.source("plans").budget.shared_budget
    budget_b = b.engine.source("plans-2").budget.shared_budget
    assert isinstance(budget_a, SharedBudget) and isinstance(budget_b, SharedBudget)
    assert budget_a.key == budget_b.key
    assert a.link.scopes["plans"].lease != b.link.scopes["plans-2"].lease
    client = quick_client(redis_url)
    try:
        keys = [k.decode() for k in await client.keys("*")]
        values = [str(await client.dump(k)) for k in keys]
    finally:
        await client.aclose()
    assert [k for k in keys if k.endswith(":bucket")] == [budget_a.key]
    token = ORG.bugbrain()[0].token  # the key both use
    assert not any(token in text for text in (*keys, *values))
    (scope,) = {keys.scope for keys in a.link.limits.values()}
    await until(lambda: a.link.watching.count(scope) == 2, what="both on the key's members")


async def test_a_retry_after_met_for_one_project_holds_the_other_instance_on_the_key(
    two: tuple[Instance, Instance],
) -> None:
    """GIVEN two instances polling two projects on one key
    WHEN one of them is told to wait (a 429's Retry-After, 2 s)
    THEN the other, on another project, learns it from the shared bucket and sends nothing
    until the wait is over."""
    a, b = two
    await until(lambda: b.transport.count("bugbrain") > 3, what="b polls")
    a.engine.source("plans").budget.pause(2.0)
    budget_b = b.engine.source("plans-2").budget
    await until(lambda: budget_b.paused_for() > 0.5, what="b held by a's Retry-After")
    sent = b.transport.count("bugbrain")
    await until(lambda: budget_b.paused_for() == 0, what="the wait over")
    assert b.transport.count("bugbrain") <= sent + 1  # at most one already on its way
    await until(lambda: b.transport.count("bugbrain") > sent + 1, what="b polls again")
