"""Budgets belong to what the service limits: providers on one limit share one budget."""

from __future__ import annotations

from typing import Any

from qa_tui.core.clock import ManualClock
from qa_tui.core.config.tables import Config, ProviderConfig, TrackerConfig
from qa_tui.core.engine import EngineSettings
from qa_tui.core.engine.shares import BudgetShare, shares_of
from qa_tui.core.model import RunStatus
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.providers.sharing import (
    BudgetPool,
    Limited,
    ProviderBudget,
    identity_of,
    shared_limits,
    sharing_notes,
    tracker_identity,
)
from qa_tui.core.providers.triggers import MEMORY, TriggerLog
from qa_tui.core.runs.store import RunStore
from tests.support.fakes import make_run

KEY = "bugbrain_sk_live_4aB7cD9eF2gH"
OTHER_KEY = "bugbrain_sk_live_8zY6xW4vU2tS"


def provider(name: str, kind: str, token: str, **values: Any) -> ProviderConfig:
    return ProviderConfig.model_validate({"name": name, "kind": kind, "token": token, **values})


def bugbrain(name: str, project: str, key: str = KEY, **values: Any) -> ProviderConfig:
    return provider(name, "bugbrain", key, project_id=project, **values)


def test_bugbrain_projects_on_one_key_share_one_limit_whatever_the_project() -> None:
    """GIVEN three BugBrain providers on one key (three projects) and one on another key
    THEN the three share one limit, the fourth has its own."""
    a, b, c = bugbrain("a", "p1"), bugbrain("b", "p2"), bugbrain("c", "p3")
    d = bugbrain("d", "p1", OTHER_KEY)
    limits = shared_limits([a, b, c, d])
    assert [limit.members for limit in limits] == [("a", "b", "c"), ("d",)]
    assert limits[0].identity.limited is Limited.KEY
    assert limits[0].others("b") == ("a", "c")


def test_bug0_shares_by_project_and_bugbug_by_token() -> None:
    """Bug0 limits the project (two keys on one project share it; two projects do not); BugBug
    limits the token (one project each)."""
    same_project = [
        provider("x", "bug0", "bug0_sk_one", project_id="665f1c2e9b3a4d5e6f708192"),
        provider("y", "bug0", "bug0_sk_two", project_id="665f1c2e9b3a4d5e6f708192"),
        provider("z", "bug0", "bug0_sk_one", project_id="507f1f77bcf86cd799439011"),
    ]
    assert [limit.members for limit in shared_limits(same_project)] == [("x", "y"), ("z",)]
    tokens = [provider("w1", "bugbug", "t" * 40), provider("w2", "bugbug", "u" * 40)]
    assert [limit.members for limit in shared_limits(tokens)] == [("w1",), ("w2",)]


def test_a_shared_limit_takes_the_lowest_rates_and_doctor_says_so() -> None:
    """GIVEN two providers on one key asking for 60 and 30 a minute, 500 and 400 an hour
    THEN their budget allows 30 and 400, and the note names the key, the rate and who gave way."""
    a = bugbrain("plans-a", "p1", requests_per_minute=60)
    b = bugbrain("plans-b", "p2", requests_per_hour=400)
    (limit,) = shared_limits([a, b])
    assert (limit.per_minute, limit.per_hour) == (30, 400)
    (note,) = sharing_notes([a, b])
    assert note.startswith("plans-a and plans-b share one BugBrain key (BugBrain key #")
    assert "30 a minute, 400 an hour for all of them together" in note
    assert "the lowest requests_per_minute is used (plans-a asks 60)" in note
    pool = BudgetPool([a, b], clock=ManualClock())
    assert pool.budget_for(a).per_minute == 30


def test_no_identity_or_note_holds_the_token() -> None:
    a, b = bugbrain("a", "p1"), bugbrain("b", "p2")
    identity = identity_of(a)
    shown = [identity.digest, identity.shown, repr(identity), *sharing_notes([a, b])]
    tracker = TrackerConfig.model_validate({"project": "game", "token": KEY})
    shown += [tracker_identity(tracker).digest, tracker_identity(tracker).shown]
    for text in shown:
        assert KEY not in text
        assert KEY[-8:] not in text


def test_bugnet_is_limited_per_machine_whatever_the_credentials() -> None:
    one = TrackerConfig.model_validate({"project": "game", "token": "bn_sess_one"})
    two = TrackerConfig.model_validate({"project": "other", "api_key": "sk_live_two"})
    assert tracker_identity(one, "buildbox").digest == tracker_identity(two, "buildbox").digest
    assert tracker_identity(one, "buildbox").digest != tracker_identity(one, "laptop").digest
    assert tracker_identity(one).shown == "Bugnet on this machine"


async def test_a_retry_after_met_by_one_provider_holds_every_provider_on_the_key() -> None:
    """GIVEN three providers' handles on one key's budget
    WHEN one of them is told to wait 20 s (a 429's Retry-After)
    THEN none of them may send before then, and each counts only its own requests."""
    clock = ManualClock()
    configs = [bugbrain(n, f"p{n}") for n in "abc"]
    pool = BudgetPool(configs, clock=clock)
    a, b, c = (pool.budget_for(p) for p in configs)
    assert a.shared_budget is b.shared_budget is c.shared_budget
    await a.acquire()
    await a.acquire()
    await b.acquire()
    assert (a.spent, b.spent, c.spent, a.shared_budget.spent) == (2, 1, 0, 3)
    b.pause(20)
    assert a.wait_time() >= 19.9 and c.wait_time() >= 19.9
    assert not c.try_acquire()
    await c.acquire()
    assert clock.slept and sum(clock.slept) >= 20
    assert c.spent == 1 and a.requests_last_minute() == 2


def test_the_registry_gives_providers_on_one_key_one_budget() -> None:
    config = Config.model_validate(
        {
            "providers": [
                {"name": "a", "kind": "bugbrain", "token": KEY, "project_id": "p1"},
                {"name": "b", "kind": "bugbrain", "token": KEY, "project_id": "p2"},
                {"name": "w", "kind": "bugbug", "token": "t" * 40},
            ]
        }
    )
    a, b, w = build_sources(config, clock=ManualClock(), triggers=TriggerLog(MEMORY))
    assert isinstance(a.budget, ProviderBudget)
    assert a.budget.shared_budget is b.budget.shared_budget
    assert w.budget.shared_budget is not a.budget.shared_budget
    assert a.budget.limit.others("a") == ("b",)


def _share(active: set[str], members: str = "abcd", per_minute: float = 30) -> BudgetShare:
    clock = ManualClock()
    configs = [bugbrain(n, f"p{n}", requests_per_minute=per_minute) for n in members]
    pool = BudgetPool(configs, clock=clock)
    store = RunStore()
    store.apply(
        make_run(
            f"{name}-1", RunStatus.RUNNING if name in active else RunStatus.PASSED, provider=name
        )
        for name in members
    )
    budgets = {p.name: pool.budget_for(p) for p in configs}
    return shares_of(dict(budgets), store, EngineSettings(), clock)[members[0]]


def test_providers_with_active_runs_split_the_planned_rate_evenly() -> None:
    share = _share(active=set("abcd"))
    planned = 30 * EngineSettings().budget_share
    assert [round(share.live_rpm(n), 3) for n in "abcd"] == [round(planned / 4, 3)] * 4


def test_an_idle_provider_gets_less_than_one_with_active_runs() -> None:
    """GIVEN four providers on one key, two with active runs
    THEN each idle one gets at most the idle rate and a quarter of an active one's weight, the
    active ones split the rest, and all of them together plan no more than the planned rate."""
    share = _share(active={"a", "b"})
    planned = 30 * EngineSettings().budget_share
    idle, live = share.idle_rpm("c"), share.live_rpm("a")
    assert idle <= EngineSettings().idle_requests_per_minute
    assert idle < live
    assert abs(2 * live + 2 * idle - planned) < 1e-6


def test_alone_on_its_budget_a_provider_plans_as_before() -> None:
    share = _share(active={"a"}, members="a")
    assert share.live_rpm("a") == 30 * EngineSettings().budget_share
    assert share.idle_rpm("a") == EngineSettings().idle_requests_per_minute


def test_a_budget_holds_no_more_tokens_than_the_provider_says_remain() -> None:
    """Three projects on one key: what one response says remains of the key caps the one budget
    (others on the key, elsewhere, spend it too)."""
    clock = ManualClock()
    configs = [bugbrain(n, f"p{n}") for n in "ab"]
    pool = BudgetPool(configs, clock=clock)
    a, b = (pool.budget_for(p) for p in configs)
    assert b.available() == 5  # the burst of 30 a minute
    a.observe(30, 2, None, 0.0)
    assert b.available() == 2 and b.provider_remaining == 2
