"""`watch` rides out a provider in trouble: 5xx and 429 storms injected into the simulator while
the run is going, and still reports the status the run truly ended with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sim_cli import (
    cli,
    first_bugbrain_start,
    first_bugbug_start,
    make_sim_cli,
    seed_where,
)


def test_bugbug_500s_then_429s_mid_run_and_the_true_final_status_still_comes_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path, seed=seed_where(first_bugbug_start, "passed"))
    world.clock.at(6, lambda: world.faults.set("bugbug", error_rate=1.0))
    world.clock.at(30, lambda: world.faults.set("bugbug", throttle=1.0, retry_after=7))
    world.clock.at(90, lambda: world.faults.clear("bugbug"))

    code, out, err = cli(world, capsys, "run", "web", "Login with email", "--wait")

    run_id = world.newest_api_run()
    assert world.truth(run_id) == "passed"
    assert code == 0, err
    assert out.startswith("passed ")
    assert "web: server: " in err and "web: rate limited: " in err
    assert "retrying in" in err
    assert "rode out" in out


def test_bugbrain_errors_mid_run_do_not_hide_its_failed_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path, seed=seed_where(first_bugbrain_start, "failed"))
    world.clock.at(4, lambda: world.faults.set("bugbrain", error_rate=1.0))
    world.clock.at(20, lambda: world.faults.set("bugbrain", throttle=1.0, retry_after=11))
    world.clock.at(140, lambda: world.faults.clear("bugbrain"))

    code, out, err = cli(world, capsys, "run", "plans", "tp_smoke_web", "--wait", "--json")

    assert code == 1, err
    assert '"outcome": "failed"' in out
    assert '"provider_status": "completed"' in out
    assert "plans: server: " in err and "plans: rate limited: " in err


def test_a_storm_that_outlasts_the_timeout_ends_in_4_naming_the_last_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    world.clock.at(3, lambda: world.faults.set("bugbug", error_rate=1.0))

    code, out, _ = cli(world, capsys, "run", "web", "Sign up", "--wait", "--timeout", "40")

    assert code == 4
    assert out.startswith("timeout after")
    assert "last: server: " in out
