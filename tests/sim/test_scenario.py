"""The scenario: runs move with the clock, deterministically, and the demo moves at once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from qa_tui.sim import ScenarioClock, ScenarioSpec, Simulator, build_app
from qa_tui.sim.bugbrain.world import TERMINAL as BUGBRAIN_TERMINAL
from qa_tui.sim.bugbug.runs import TERMINAL as BUGBUG_TERMINAL
from qa_tui.sim.scenario import DEFAULT_EPOCH
from tests.sim.conftest import BUGBUG, small_spec

TERMINAL = BUGBUG_TERMINAL | BUGBRAIN_TERMINAL


def truth_of(sim: Simulator) -> dict[tuple[str, str], tuple[str, float]]:
    return {(r["provider"], r["id"]): (r["status"], r["changed_ts"]) for r in sim.truth()["runs"]}


def test_a_manual_clock_moves_only_when_advanced() -> None:
    clock = ScenarioClock.manual_at()
    assert clock.now() == DEFAULT_EPOCH == clock.now()
    assert clock.advance(2.5) == DEFAULT_EPOCH + 2.5
    with pytest.raises(ValueError, match="never goes backwards"):
        clock.advance(-1)


def test_a_real_time_clock_runs_speed_times_faster(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter([100.0, 101.0, 103.0])
    monkeypatch.setattr("qa_tui.sim.scenario.time.monotonic", lambda: next(ticks))
    clock = ScenarioClock.realtime(speed=10.0, start=1000.0)
    assert clock.now() == 1010.0
    assert clock.now() == 1030.0


def test_the_same_seed_gives_the_same_world_and_another_seed_another() -> None:
    def world(seed: int) -> dict[tuple[str, str], tuple[str, float]]:
        return truth_of(build_app(seed=seed, clock=ScenarioClock.manual_at()).state.sim)

    assert world(7) == world(7)
    assert world(7) != world(8)


def test_advancing_in_small_steps_or_one_jump_ends_in_the_same_state() -> None:
    steps = build_app(clock=ScenarioClock.manual_at()).state.sim
    jump = build_app(clock=ScenarioClock.manual_at()).state.sim
    for _ in range(90):
        steps.advance(1.0)
    jump.advance(90.0)
    assert truth_of(steps) == truth_of(jump)


def test_in_the_demo_runs_fail_and_finish_within_the_first_minute() -> None:
    sim: Simulator = build_app(clock=ScenarioClock.manual_at()).state.sim
    before = truth_of(sim)
    sim.advance(60)
    after = {r["id"]: r for r in sim.truth()["runs"]}
    finished = [
        after[run_id]
        for (_, run_id), (status, _) in before.items()
        if status not in TERMINAL and after[run_id]["status"] in TERMINAL
    ]
    by_provider = Counter(r["provider"] for r in finished)
    assert by_provider["bugbug"] >= 2 and by_provider["bugbrain"] >= 2
    assert any(r["status"] == "failed" for r in finished if r["provider"] == "bugbug")
    executions = {e.id: e for e in sim.bugbrain.executions.values()}
    assert any(executions[r["id"]].failing for r in finished if r["provider"] == "bugbrain")


def test_the_demo_world_holds_twenty_to_forty_runs_per_run_provider() -> None:
    runs = build_app(clock=ScenarioClock.manual_at()).state.sim.truth()["runs"]
    sizes = Counter(r["provider"] for r in runs)
    assert 20 <= sizes["bugbug"] <= 40 and 20 <= sizes["bugbrain"] <= 40


def test_new_runs_keep_appearing_as_time_passes() -> None:
    sim: Simulator = build_app(clock=ScenarioClock.manual_at()).state.sim
    start = Counter(r["provider"] for r in sim.truth()["runs"])
    sim.advance(300)
    later = Counter(r["provider"] for r in sim.truth()["runs"])
    assert later["bugbug"] > start["bugbug"] and later["bugbrain"] > start["bugbrain"]


def test_a_spec_without_new_runs_stays_the_same_size() -> None:
    sim: Simulator = build_app(clock=ScenarioClock.manual_at(), scenario=small_spec()).state.sim
    count = len(sim.truth()["runs"])
    sim.advance(3600)
    assert len(sim.truth()["runs"]) == count


def test_a_benchmark_spec_gives_that_many_active_runs() -> None:
    spec = ScenarioSpec(
        bugbug_test_runs_active=100,
        bugbug_suite_runs_active=20,
        bugbrain_active=80,
        bugbrain_finished=1000,
        new_run_every_s=None,
        active_span_s=(60.0, 600.0),
    )
    runs = build_app(clock=ScenarioClock.manual_at(), scenario=spec).state.sim.truth()["runs"]
    active = Counter((r["provider"], r["kind"]) for r in runs if r["status"] not in TERMINAL)
    assert active[("bugbrain", "execution")] == 80
    assert active[("bugbug", "suite")] == 20
    standalone = [r for r in runs if r["kind"] == "test" and r["parent_id"] is None]
    assert sum(r["status"] not in TERMINAL for r in standalone) == 100
    assert sum(r["provider"] == "bugbrain" for r in runs) == 1080


def test_truth_reports_the_time_of_the_last_status_change(sim: Simulator) -> None:
    run = next(
        r for r in sim.bugbug.test_runs.values() if r.timeline.status(sim.now()) == "running"
    )
    sim.advance(1)
    run.timeline.freeze(sim.now(), "stopped")
    stopped_at = sim.now()
    sim.advance(100)
    [entry] = [r for r in sim.truth()["runs"] if r["id"] == run.id]
    assert (entry["status"], entry["changed_ts"]) == ("stopped", stopped_at)


async def test_the_control_api_advances_the_clock_and_shows_the_truth(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    moved = (await client.post("/_sim/advance", json={"seconds": 30})).json()
    assert moved["now_ts"] == DEFAULT_EPOCH + 30 == sim.now()
    assert (await client.post("/_sim/advance", json={"seconds": -1})).status_code == 400
    truth: dict[str, Any] = (await client.get("/_sim/truth")).json()
    assert truth["now_ts"] == DEFAULT_EPOCH + 30
    listed = (await client.get("/bugbug/api/v2/testruns/?page_size=100", headers=BUGBUG)).json()
    statuses = {r["id"]: r["status"] for r in truth["runs"] if r["kind"] == "test"}
    assert {r["id"]: r["status"] for r in listed["results"]} == statuses


def test_a_world_with_retention_holds_a_constant_number_of_runs_all_day() -> None:
    """GIVEN runs every 6 s and each provider keeping its newest 30 (`retain_runs`)
    WHEN hours pass
    THEN each provider holds 30 runs (a suite run with its test runs counting as one), the
    newest ones, and the oldest finished ones are gone from its lists and its endpoints."""
    spec = small_spec(new_run_every_s=6.0, active_span_s=(30.0, 90.0), retain_runs=30)
    sim: Simulator = build_app(clock=ScenarioClock.manual_at(), scenario=spec).state.sim
    first_ids = {r["id"] for r in sim.truth()["runs"]}
    sizes = []
    for _ in range(12):
        sim.advance(600.0)
        runs = sim.truth()["runs"]
        tops = Counter(r["provider"] for r in runs if r["parent_id"] is None)
        sizes.append((tops["bugbug"], tops["bugbrain"]))
    assert set(sizes) == {(30, 30)}
    assert first_ids.isdisjoint(r["id"] for r in sim.truth()["runs"])
    assert len(sim.bugbug.step_runs) == sum(
        len(r.step_run_ids) for r in sim.bugbug.test_runs.values()
    )


def test_without_retention_every_run_is_kept() -> None:
    spec = small_spec(new_run_every_s=6.0, active_span_s=(30.0, 90.0))
    sim: Simulator = build_app(clock=ScenarioClock.manual_at(), scenario=spec).state.sim
    before = len(sim.truth()["runs"])
    sim.advance(600.0)
    assert len(sim.truth()["runs"]) > before + 100
