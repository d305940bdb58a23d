"""`run --wait`, `watch` and `doctor` over real sockets: the simulator served by uvicorn on
127.0.0.1 (port 0) with a manual scenario clock that the commands' clock moves (no real waiting)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_tui.cli.services import Services
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.sim import ScenarioClock
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.support.sim_cli import (
    CHECKOUT,
    LinkedClock,
    SimCli,
    cli,
    first_bugbug_start,
    seed_where,
    small_world,
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[RunningSim, SimCli]]:
    scenario = ScenarioClock.manual_at()
    seed = seed_where(first_bugbug_start, "failed")
    with start_in_thread(port=0, seed=seed, clock=scenario, scenario=small_world()) as sim:
        clock = LinkedClock(scenario)
        path = tmp_path / "sim.toml"
        path.write_text(render_config(sim.base_url), encoding="utf-8")
        path.chmod(0o600)
        services = Services(
            clock=clock, triggers=TriggerLog(":memory:"), git=lambda: CHECKOUT, live=lambda: False
        )
        yield sim, SimCli(sim.app, scenario, sim.sim.faults, clock, path, services)


def test_run_wait_over_loopback_rides_out_500s_and_reports_the_failure(
    served: tuple[RunningSim, SimCli], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, world = served
    world.clock.at(7, lambda: world.faults.set("bugbug", error_rate=1.0))
    world.clock.at(25, lambda: world.faults.clear("bugbug"))
    report = tmp_path / "junit.xml"

    code, out, err = cli(
        world, capsys, "run", "web", "Login with email", "--wait", "--junit", str(report)
    )

    assert code == 1, err
    assert out.startswith("failed ")
    assert world.truth(world.newest_api_run()) == "failed"
    assert "web: server: " in err
    assert b"<failure" in report.read_bytes()


def test_doctor_over_loopback_is_healthy_then_sees_a_revoked_token(
    served: tuple[RunningSim, SimCli], capsys: pytest.CaptureFixture[str]
) -> None:
    _, world = served
    code, out, _ = cli(world, capsys, "doctor")
    assert code == 0, out
    world.sim.revoke("bugbrain")
    code, out, _ = cli(world, capsys, "doctor")
    assert code == 1
    plans = next(line for line in out.splitlines() if " plans " in line)
    assert plans.startswith("bad credentials")
