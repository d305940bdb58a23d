"""The notification rules over the engine's change batches: what notifies, once, and what never
does (runs over when first seen, whatever the cache held)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from qa_tui.core.model import HealthState, ProviderHealth, Run, RunKind, RunStatus
from qa_tui.core.notify.center import NotifyCenter
from qa_tui.core.notify.notice import Notice, NoticeKind
from qa_tui.core.runs.store import RunStore
from tests.support.fakes import T0, make_run
from tests.support.notify import FakeTerminal, center_for

PASSED, FAILED, RUNNING = RunStatus.PASSED, RunStatus.FAILED, RunStatus.RUNNING


def run(run_id: str, status: RunStatus, test: str = "t-login", **fields: Any) -> Run:
    return make_run(run_id, status, name=f"Login {run_id}", test_id=test, **fields)


class Session:
    """A store and a center, fed the way the app feeds them."""

    def __init__(self, center: NotifyCenter) -> None:
        self.center = center
        self.store = RunStore()

    def cache(self, *runs: Run) -> list[Notice]:
        return self.center.observe(self.store.apply(runs, stale=True))

    def poll(self, *runs: Run) -> list[Notice]:
        return self.center.observe(self.store.apply(runs))


def session(**settings: Any) -> Session:
    return Session(center_for(FakeTerminal(), **settings))


def kinds(notices: list[Notice]) -> list[NoticeKind]:
    return [notice.kind for notice in notices]


def test_a_watched_run_that_ends_notifies_once_with_its_result() -> None:
    s = session()
    s.center.watchlist.toggle_run(run("r1", RUNNING))
    assert s.poll(run("r1", RUNNING)) == []
    [notice] = s.poll(run("r1", FAILED, error="Element not found", duration_s=62))
    assert notice.kind is NoticeKind.WATCHED
    assert notice.title == "Failed: Login r1"
    assert notice.body == "watched web test · 1m02s · Element not found"
    assert s.poll(run("r1", FAILED, error="changed text")) == []  # never twice


def test_an_unwatched_run_ending_is_silent_unless_a_rule_says_otherwise() -> None:
    s = session()
    s.poll(run("r1", RUNNING))
    assert s.poll(run("r1", PASSED)) == []


def test_watching_a_test_covers_its_future_runs() -> None:
    s = session()
    s.center.watchlist.toggle_target(run("old", PASSED))
    s.poll(run("new", RUNNING), run("other", RUNNING, test="t-cart"))
    notices = s.poll(run("new", PASSED), run("other", PASSED, test="t-cart"))
    assert [n.title for n in notices] == ["Passed: Login new"]


def test_a_failure_after_a_pass_is_a_new_failure() -> None:
    """GIVEN the test's last result seen here passed WHEN a run of it fails THEN new failure."""
    s = session()
    s.poll(run("a", PASSED, minutes_ago=30))
    s.poll(run("b", RUNNING))
    [notice] = s.poll(run("b", FAILED))
    assert notice.kind is NoticeKind.NEW_FAILURE
    assert notice.title == "New failure: Login b"
    assert notice.body.startswith("web test failed; it last passed here")
    assert notice.bad_news


def test_a_failure_after_a_failure_is_not_new() -> None:
    s = session()
    s.poll(run("a", FAILED, minutes_ago=30), run("b", RUNNING))
    assert s.poll(run("b", FAILED)) == []


def test_the_previous_result_is_the_latest_one_whatever_order_runs_arrive_in() -> None:
    s = session()
    s.poll(
        run("newest", FAILED, minutes_ago=10),
        run("oldest", PASSED, minutes_ago=50),
        run("c", RUNNING),
    )
    assert s.poll(run("c", FAILED)) == []  # the latest before it failed: nothing new


def test_the_cache_remembers_the_last_pass_across_a_restart() -> None:
    """GIVEN a pass in the run cache (the last session) WHEN a new run of it fails THEN new."""
    s = session()
    s.cache(run("yesterday", PASSED, minutes_ago=600))
    s.poll(run("yesterday", PASSED, minutes_ago=600), run("today", RUNNING))
    assert kinds(s.poll(run("today", FAILED))) == [NoticeKind.NEW_FAILURE]


def test_a_new_failure_of_a_watched_run_says_it_is_new() -> None:
    s = session()
    s.center.watchlist.toggle_run(run("b", RUNNING))
    s.poll(run("a", PASSED, minutes_ago=30), run("b", RUNNING))
    assert kinds(s.poll(run("b", FAILED))) == [NoticeKind.NEW_FAILURE]


def test_suites_and_plans_notify_only_when_asked() -> None:
    suite = run("s1", RUNNING, test="suite-1", kind=RunKind.SUITE)
    quiet, loud = session(), session(suite_finished=True)
    for s in (quiet, loud):
        s.poll(suite)
    done = suite.model_copy(update={"status": PASSED})
    assert quiet.poll(done) == []
    [notice] = loud.poll(done)
    assert (notice.kind, notice.title) == (NoticeKind.SUITE_FINISHED, "Suite passed: Login s1")


def test_rules_turned_off_stay_quiet() -> None:
    s = session(watched=False, new_failure=False)
    s.center.watchlist.toggle_run(run("b", RUNNING))
    s.poll(run("a", PASSED, minutes_ago=30), run("b", RUNNING))
    assert s.poll(run("b", FAILED)) == []


def test_runs_over_when_first_seen_never_notify() -> None:
    """GIVEN every rule on and everything watched WHEN the first sync brings 50 ended runs,
    passes and failures of the same tests THEN nothing notifies."""
    s = session(suite_finished=True)
    finished = [
        run(f"r{i}", PASSED if i % 3 else FAILED, test=f"t{i % 5}", minutes_ago=i)
        for i in range(50)
    ]
    for r in finished:
        if not s.center.watchlist.covers(r):
            s.center.watchlist.toggle_target(r)
    assert s.poll(*finished) == []


def test_runs_the_cache_saw_active_that_ended_while_closed_are_quiet_by_default() -> None:
    quiet, catch_up = session(), session(quiet_start=False)
    for s in (quiet, catch_up):
        s.center.watchlist.toggle_run(run("r1", RUNNING))
        s.cache(run("r1", RUNNING))
    assert quiet.poll(run("r1", PASSED)) == []
    assert kinds(catch_up.poll(run("r1", PASSED))) == [NoticeKind.WATCHED]


def test_a_cached_run_still_running_at_the_first_sync_notifies_when_it_ends() -> None:
    s = session()
    s.center.watchlist.toggle_run(run("r1", RUNNING))
    s.cache(run("r1", RUNNING))
    s.poll(run("r1", RUNNING))
    assert kinds(s.poll(run("r1", PASSED))) == [NoticeKind.WATCHED]


def test_many_notices_from_one_batch_are_one_summary() -> None:
    s = session()
    runs = [run(f"r{i}", RUNNING, test=f"t{i}") for i in range(5)]
    for r in runs:
        s.center.watchlist.toggle_run(r)
    s.poll(*runs)
    [summary] = s.poll(*(r.model_copy(update={"status": FAILED}) for r in runs))
    assert summary.kind is NoticeKind.SUMMARY
    assert summary.title == "5 notifications, 5 of them failures"
    assert summary.body.startswith("Failed: Login r0; Failed: Login r1;")


def test_a_provider_down_longer_than_the_limit_notifies_once_and_again_when_back() -> None:
    s = session(unhealthy_minutes=5)
    down = ProviderHealth(provider="web", state=HealthState.UNREACHABLE, message="refused")
    assert s.center.health(down, T0) == []
    assert s.center.tick(T0 + timedelta(minutes=4)) == []
    [notice] = s.center.tick(T0 + timedelta(minutes=6))
    assert (notice.title, notice.body) == ("web unreachable for 6 min", "refused")
    assert s.center.health(down, T0 + timedelta(minutes=7)) == []  # told once
    [back] = s.center.health(
        ProviderHealth(provider="web", state=HealthState.OK), T0 + timedelta(minutes=9)
    )
    assert (back.title, back.body) == ("web is back", "after 9 min without it")


def test_a_short_outage_says_nothing_and_zero_minutes_turns_the_rule_off() -> None:
    short, off = session(unhealthy_minutes=5), session(unhealthy_minutes=0)
    for s in (short, off):
        s.center.health(ProviderHealth(provider="web", state=HealthState.AUTH_FAILED), T0)
    assert off.center.tick(T0 + timedelta(hours=2)) == []
    assert short.center.health(ProviderHealth(provider="web", state=HealthState.OK), T0) == []


def test_the_watch_list_outlives_a_restart(tmp_path: Path) -> None:
    first = center_for(FakeTerminal(), data_dir=tmp_path)
    first.watchlist.toggle_run(run("r1", RUNNING))
    first.watchlist.toggle_target(run("x", PASSED, test="t-cart"))
    first.watchlist.toggle_target(make_run("p", PASSED, name="Plan by name"))  # no target id
    again = center_for(FakeTerminal(), data_dir=tmp_path)
    assert again.watchlist.covers(run("r1", PASSED))
    assert again.watchlist.covers(run("y", RUNNING, test="t-cart"))
    assert again.watchlist.covers(make_run("q", RUNNING, name="Plan by name", test_id="tp_1"))
    assert not again.watchlist.covers(run("z", RUNNING, test="t-other"))
    again.watchlist.toggle_run(run("r1", PASSED))
    assert not center_for(FakeTerminal(), data_dir=tmp_path).watchlist.covers(run("r1", PASSED))


def test_opening_the_watch_list_creates_nothing(tmp_path: Path) -> None:
    center_for(FakeTerminal(), data_dir=tmp_path / "data")
    assert not (tmp_path / "data").exists()
