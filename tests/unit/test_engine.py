"""The polling engine, on a manual clock: what it asks for, what it applies, how long it waits."""

from __future__ import annotations

import pytest

from qa_tui.core.clock import ManualClock
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import AuthFailed, NetworkError, RateLimited
from qa_tui.core.history import RunCache
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.model import HealthState, ProviderHealth, RunStatus
from qa_tui.core.runs.store import Changes, RunStore
from tests.support.fakes import FakeSource, make_run


def _engine(
    *sources: FakeSource, clock: ManualClock, **settings: float
) -> tuple[Engine, list[Changes], list[ProviderHealth]]:
    batches: list[Changes] = []
    health: list[ProviderHealth] = []
    engine = Engine(
        list(sources),
        RunStore(),
        clock=clock,
        settings=EngineSettings(**settings),  # type: ignore[arg-type]
        on_changes=batches.append,
        on_health=health.append,
    )
    return engine, batches, health


async def test_the_first_cycle_lists_runs_and_emits_them_as_one_batch() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("a"), make_run("b", RunStatus.PASSED, minutes_ago=3))
    engine, batches, health = _engine(source, clock=clock)
    await engine.pollers["web"].cycle()
    assert sorted(row.run.id for row in batches[0].added) == ["a", "b"]
    assert source.calls == ["list:100"]
    assert health[-1].state is HealthState.OK


async def test_a_quiet_cycle_emits_nothing() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("a"))
    engine, batches, _ = _engine(source, clock=clock)
    await engine.pollers["web"].cycle()
    await engine.pollers["web"].cycle()
    assert len(batches) == 1


async def test_active_runs_the_list_misses_are_refreshed_one_by_one() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("old", minutes_ago=60))
    engine, _, _ = _engine(source, clock=clock, discover_window=1, max_window=1)
    poller = engine.pollers["web"]
    await poller.cycle()
    source.put(make_run("new"))  # pushes "old" out of a one-run window
    source.put(make_run("old", RunStatus.PASSED, minutes_ago=60))
    await poller.cycle()
    assert "status:old" in source.calls
    assert engine.store.get(("web", "old")).run.status is RunStatus.PASSED  # type: ignore[union-attr]


async def test_terminal_runs_are_never_polled_again() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("done", RunStatus.PASSED, minutes_ago=60))
    engine, _, _ = _engine(source, clock=clock, discover_window=0, max_window=0)
    poller = engine.pollers["web"]
    poller.first = False
    engine.store.apply([make_run("done", RunStatus.PASSED, minutes_ago=60)])
    for _ in range(3):
        await poller.cycle()
    assert not any(call.startswith("status:") for call in source.calls)


async def test_the_open_run_is_refreshed_every_cycle_while_active() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("open", minutes_ago=30), *[make_run(f"n{i}") for i in range(3)])
    engine, _, _ = _engine(source, clock=clock, discover_window=2, max_window=2)
    await engine.pollers["web"].cycle()
    engine.focus = ("web", "open")
    await engine.pollers["web"].cycle()
    refreshes = [call for call in source.calls if call.startswith("status:")]
    assert refreshes[0] == "status:open"


async def test_an_active_run_not_started_yet_counts_as_the_newest_so_the_window_stays_small() -> (
    None
):
    """GIVEN 200 finished runs and one run the provider has only just created (no times yet)
    WHEN the engine sizes its next list
    THEN it lists just past that run, not the whole history (the provider lists it first)."""
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(*(make_run(f"old{i}", RunStatus.PASSED, minutes_ago=60 + i) for i in range(200)))
    source.put(make_run("new", RunStatus.QUEUED, raw="initialized", started=None))
    engine, _, _ = _engine(
        source, clock=clock, initial_window=300, discover_window=5, drift_margin=10
    )
    poller = engine.pollers["web"]
    await poller.cycle()
    assert poller.window(poller.active_runs()) == 11  # the run, and the margin it may drift by


async def test_waits_while_active_earn_back_what_the_cycle_spent() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock, per_minute=30)
    source.put(make_run("a"))
    engine, _, _ = _engine(source, clock=clock, active_interval_s=1.0, budget_share=1.0)
    wait = await engine.pollers["web"].cycle()
    assert wait == pytest.approx(2.0)  # one request at 30 a minute


async def test_at_idle_a_provider_gets_at_most_the_idle_request_rate() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("a", RunStatus.PASSED))
    engine, _, _ = _engine(source, clock=clock, idle_interval_s=5.0, idle_requests_per_minute=4)
    wait = await engine.pollers["web"].cycle()
    assert wait == pytest.approx(15.0)


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (AuthFailed("web", "Invalid token."), HealthState.AUTH_FAILED),
        (NetworkError("web", "could not connect"), HealthState.UNREACHABLE),
        (RateLimited("web", "slow down", retry_after=40), HealthState.RATE_LIMITED),
    ],
)
async def test_a_failing_provider_reports_its_state_and_backs_off(
    error: Exception, state: HealthState
) -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.fail_with = error  # type: ignore[assignment]
    engine, _, health = _engine(source, clock=clock, active_interval_s=2.0)
    first = await engine.pollers["web"].cycle()
    second = await engine.pollers["web"].cycle()
    assert health[-1].state is state
    assert second >= first
    if isinstance(error, RateLimited):
        assert first >= 40


async def test_one_failing_provider_does_not_stop_another() -> None:
    clock = ManualClock()
    broken, fine = FakeSource("broken", clock=clock), FakeSource("fine", clock=clock)
    broken.fail_with = NetworkError("broken", "could not connect")
    fine.put(make_run("a", provider="fine"))
    engine, batches, _ = _engine(broken, fine, clock=clock)
    for poller in engine.pollers.values():
        await poller.cycle()
    assert [row.run.id for row in batches[0].added] == ["a"]


async def test_stop_applies_the_outcome_to_the_store_at_once() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("a"))
    engine, batches, _ = _engine(source, clock=clock)
    await engine.pollers["web"].cycle()
    await engine.stop_run(("web", "a"))
    assert batches[-1].updated[0].run.status is RunStatus.STOPPED


async def test_cached_runs_paint_first_and_terminal_ones_are_confirmed_by_the_first_cycle(
    tmp_path: object,
) -> None:
    clock = ManualClock()
    cache = RunCache(":memory:")
    cache.save(
        [make_run("old", RunStatus.PASSED, minutes_ago=600), make_run("other", provider="gone")]
    )
    source = FakeSource(clock=clock)
    engine = Engine([source], RunStore(), clock=clock, cache=cache)
    painted = engine.load_cache()
    assert [(row.run.id, row.stale) for row in painted.added] == [("old", True)]
    await engine.pollers["web"].cycle()
    assert engine.store.get(("web", "old")).stale is False  # type: ignore[union-attr]


async def test_a_configured_poll_interval_is_the_shortest_wait_between_cycles() -> None:
    clock = ManualClock()
    source = FakeSource(clock=clock)
    source.put(make_run("a"))
    engine = Engine([source], RunStore(), clock=clock, poll_intervals={"web": 30.0})
    assert await engine.pollers["web"].cycle() == pytest.approx(30.0)


async def test_busy_polling_slows_to_the_hourly_limit_once_most_of_it_is_spent() -> None:
    """GIVEN BugBrain's 30 a minute and 500 an hour WHEN runs stay active THEN the engine paces at
    the minute's rate first, and at the hour's sustainable rate once the hourly allowance runs low."""
    clock = ManualClock()
    source = FakeSource(clock=clock, per_minute=30)
    source.budget = RequestBudget(30, per_hour=500, clock=clock)
    source.put(make_run("a"))
    engine, _, _ = _engine(source, clock=clock, active_interval_s=0.1, budget_share=1.0)
    poller = engine.pollers["web"]
    first = await poller.cycle()
    assert first == pytest.approx(2.0)  # one request at 30 a minute
    for _ in range(100):
        clock.advance(await poller.cycle())
    assert await poller.cycle() == pytest.approx(60 / (500 * 0.8 / 60), rel=0.01)


async def test_a_cycle_that_spent_more_pays_it_back_over_the_next_waits_not_all_at_once() -> None:
    """GIVEN active runs at 60 a minute (all of it planned)
    WHEN one cycle spends 5 requests among cycles of 2
    THEN no wait is that cycle's 5 seconds, and over time every request is earned back."""
    clock = ManualClock()
    source = FakeSource(clock=clock, per_minute=60)
    source.put(make_run("a"))
    engine, _, _ = _engine(source, clock=clock, active_interval_s=0.1, budget_share=1.0)
    poller = engine.pollers["web"]
    await poller.cycle()
    spends = [2] * 5 + [5] + [2] * 40
    waits = [poller._interval(spent) for spent in spends]
    assert max(waits) < 4.0
    assert sum(waits) == pytest.approx(sum(spends), abs=0.5)  # one second a request, in the end


async def test_providers_on_one_budget_each_wait_for_their_share_of_it() -> None:
    """GIVEN three providers with active runs drawing on one budget of 30 a minute
    WHEN each polls once (one request each)
    THEN each waits three times as long as a provider alone on such a budget would: together
    they plan no more than the budget's planned share."""
    from qa_tui.core.config.tables import ProviderConfig
    from qa_tui.core.providers.sharing import BudgetPool

    clock = ManualClock()
    configs = [
        ProviderConfig.model_validate(
            {"name": name, "kind": "bugbrain", "token": "bugbrain_sk_x", "project_id": name}
        )
        for name in ("a", "b", "c", "alone")
    ]
    pool = BudgetPool(configs[:3], clock=clock)
    sources = []
    for config in configs:
        source = FakeSource(config.name, clock=clock)
        source.budget = (
            pool.budget_for(config) if config.name != "alone" else RequestBudget(30, clock=clock)
        )
        source.put(make_run(f"{config.name}-1", provider=config.name))
        sources.append(source)
    engine, _, _ = _engine(*sources, clock=clock, sweep_min_interval_s=1e9)
    for poller in engine.pollers.values():  # the first paint: every provider's runs known
        await poller.cycle()
    waits = {name: await poller.cycle() for name, poller in engine.pollers.items()}
    assert waits["a"] == waits["b"] == waits["c"] == pytest.approx(3 * waits["alone"])
    assert waits["alone"] == pytest.approx(60 / (30 * EngineSettings().budget_share))
