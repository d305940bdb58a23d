"""The dialect matrix: one world per reading of the docs, each served by the simulator over real
loopback (`qa-tui sim`'s server on port 0), with the triage world's plants (an outage, flaky
tests), more suite runs than a page of ten, and BugBug runs in the user's own browser.

`CASES` holds the default reading, every non-default value of every switch on its own, and the
hardest BugBug reading (`next` null, small fixed pages, time ranges ignored). A test that takes
`world` runs once per case, and every test of a case shares that case's world (module scope).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa_tui.cli.main import main
from qa_tui.sim import ScenarioClock, ScenarioSpec
from qa_tui.sim.dialects import HARDEST_BUGBUG, SWITCHES, Dialect, parse_dialect
from qa_tui.sim.server import RunningSim, render_config, start_in_thread

CASES: list[tuple[str, Dialect]] = [
    ("default", Dialect()),
    *[
        (f"{switch.key}={value}", parse_dialect(f"{switch.key}={value}"))
        for switch in SWITCHES
        for value in switch.values[1:]
    ],
    ("hardest-bugbug", HARDEST_BUGBUG),
]
PROVIDER_NAMES = {"bugbug": "web", "bugbrain": "plans"}


@dataclass
class World:
    """One dialect's world: the simulator, a config pointing at it, and the case's name."""

    case: str
    dialect: Dialect
    sim: RunningSim
    config: Path

    def truth(self) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.sim.base_url}/_sim/truth", timeout=30).json()
        return answer

    def qa_tui(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
        """`qa-tui ARGV --config ...` in this process: (exit code, stdout as JSON, stderr)."""
        code = main([*argv, "--config", str(self.config)])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out.strip() else None, err


def generous(config: str) -> str:
    """The simulator's config with budgets no test waits on (the matrix measures readings,
    not pacing; bench/freshness.py measures pacing under the hardest reading)."""
    return re.sub(
        r'^(kind = "(bugbug|bugbrain|bug0)")$',
        r"\1\nrequests_per_minute = 6000\nrequests_per_hour = 100000",
        config,
        flags=re.MULTILINE,
    )


def matrix_world(dialect: Dialect) -> ScenarioSpec:
    return ScenarioSpec(
        triage=True,
        dialect=dialect,
        bugbug_suite_runs_finished=14,
        bugbug_local_runs=6,
        new_run_every_s=None,
    )


@pytest.fixture(scope="module", params=CASES, ids=[case for case, _ in CASES])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    case, dialect = request.param
    yield from serve(case, dialect, tmp_path_factory)


RETRY_CASES = [case for case in CASES if case[0] in ("default", "retry_after=http-date")]


@pytest.fixture(params=RETRY_CASES, ids=[case for case, _ in RETRY_CASES])
def retry_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The two ways a `Retry-After` can be written (seconds, an HTTP date), each in its world."""
    case, dialect = request.param
    yield from serve(case, dialect, tmp_path_factory)


def serve(case: str, dialect: Dialect, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("dialect")
    with start_in_thread(
        port=0,
        seed=7,
        scenario=matrix_world(dialect),
        clock=ScenarioClock.realtime(),
        enforce_documented_limits=False,
    ) as sim:
        config = folder / "sim.toml"
        config.write_text(generous(render_config(sim.base_url)), encoding="utf-8")
        config.chmod(0o600)
        yield World(case, dialect, sim, config)
