"""Three BugBrain projects on one API key, over real loopback, held to the key's 30 a minute.

BugBrain limits the key, not the project. The simulator (sim/org/projects.py) counts every request of the
three projects against the one key and answers 429 past 30 a minute; qa-tui's engine, built from
the config as the app builds it, polls the three. The simulator runs 8 times faster than the
wall clock and counts its limit in its own minutes, and the engine runs on a clock as fast, so
two and a half minutes of polling take about twenty seconds. Everything is counted at the server
(bench/org_world.py); the lag figures against the floor are bench/org.py's.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bench.freshness_world import lags, status_changes
from bench.org_world import OrgObserver, OrgRecord, status_functions_of
from qa_tui.core.config.tables import load_config
from qa_tui.core.engine import Engine
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.providers.triggers import MEMORY, TriggerLog
from qa_tui.core.runs.store import RunStore
from qa_tui.sim.org.spec import OrgSpec
from qa_tui.sim.server import render_config, start_in_thread
from tests.sim.conftest import small_spec
from tests.support.scaled_clock import ScaledClock

SPEED = 8.0
POLL_S = 150.0
"""Scenario seconds the engine polls."""
SETTLE_S = 25.0
"""Changes made in the last this-many seconds are not required to be fetched yet."""
ORG = OrgSpec(bugbrain_keys=(3,))
WORLD = small_spec(
    bugbug_test_runs_active=0,
    bugbug_suite_runs_active=0,
    bugbrain_finished=20,
    bugbrain_active=4,
    new_run_every_s=30.0,
    active_span_s=(30.0, 90.0),
    org=ORG,
)


def three_on_one_key(base_url: str) -> str:
    """The org's config, keeping its three BugBrain providers (each at the documented 30)."""
    text = render_config(base_url, ORG)
    tables = text.split("\n[[providers]]\n")
    kept = [table for table in tables[1:] if 'kind = "bugbrain"' in table]
    tracker = tables[-1][tables[-1].index("[tracker]") :]
    return "\n".join(f"[[providers]]\n{table.split('[tracker]')[0]}" for table in kept) + tracker


async def test_three_projects_on_one_key_stay_inside_its_30_a_minute_and_miss_no_change(
    tmp_path: Path,
) -> None:
    """GIVEN three BugBrain providers on one key, each configured for the documented 30 a minute
    WHEN the engine polls them over real loopback for two and a half minutes while their runs
    move on
    THEN the simulator answers no 429, no request arrives inside a wait it asked for, every
    status change made in time is fetched, and the three are polled about as often as each
    other (requests of a budget with one at most twice another's)."""
    with start_in_thread(seed=3, scenario=WORLD, speed=SPEED) as sim:
        record = OrgRecord(sim.sim.clock.now)
        sim.app.add_middleware(OrgObserver, record=record)
        path = tmp_path / "org.toml"
        path.write_text(three_on_one_key(sim.base_url))
        config = load_config(path)
        assert [p.name for p in config.providers] == ["plans", "plans-2", "plans-3"]
        clock = ScaledClock(sim.sim.clock)
        sources = build_sources(config, clock=clock, triggers=TriggerLog(MEMORY))
        engine = Engine(sources, RunStore(), clock=clock)
        start = sim.sim.clock.now()
        task = asyncio.create_task(engine.run())
        await asyncio.sleep(POLL_S / SPEED)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        end = sim.sim.clock.now()
        for source in sources:
            await source.aclose()
        assert sim.sim.org is not None
        functions, project_of = status_functions_of(sim.sim.org)

    changes = status_changes(functions)
    _, missed = lags(changes, dict(record.carried), start, end - SETTLE_S, end)
    counted = sum(
        1 for events in changes.values() for at, _ in events if start <= at <= end - SETTLE_S
    )
    assert record.total(record.http_429) == 0
    assert record.total(record.inside_retry_after) == 0
    assert counted > 20, "the world moved on"
    assert {project_of[key] for key, n in missed.items() if n} == set()
    spent = [source.budget.spent for source in sources]
    assert min(spent) * 2 >= max(spent), spent
    minutes = (end - start) / 60
    assert record.total(record.requests, "bugbrain") <= 30 * minutes + 30
