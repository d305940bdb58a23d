"""The new-failure rule with the run history: the previous result is the history's, for the same
test on the same target and across restarts, and a flaky test failing once more is not news."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa_tui.core.clock import ManualClock
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.service import History
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.notify.notice import NoticeKind
from qa_tui.core.runs.store import RunStore
from tests.support.fakes import T0, make_run
from tests.support.notify import FakeTerminal, center_for

PASSED, FAILED, RUNNING = RunStatus.PASSED, RunStatus.FAILED, RunStatus.RUNNING


def run(run_id: str, status: RunStatus, target: str = "Mobile", **fields: Any) -> Run:
    return make_run(run_id, status, name="Checkout", test_id="t-checkout", target=target, **fields)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    """A run history on disk, already read (as after the app's start), at T0."""
    kept = History(RunHistory(tmp_path / "history.sqlite"), clock=ManualClock(start=T0))
    kept.loaded = True
    yield kept
    kept.close()


def new_failures(history: History, *earlier: Run, seen: tuple[Run, ...] = ()) -> list[NoticeKind]:
    """The notices of a run of the test going running → failed on Mobile, in a session that
    saw only `seen` (in the history too) and nothing of `earlier` (an earlier session's)."""
    history.record_runs((*earlier, *seen))
    center = center_for(FakeTerminal(), history=history)
    store = RunStore()
    center.observe(store.apply([*seen, run("now", RUNNING)]))
    return [n.kind for n in center.observe(store.apply([run("now", FAILED, error="boom")]))]


def test_a_failure_after_a_pass_in_an_earlier_session_is_a_new_failure(history: History) -> None:
    assert new_failures(history, run("yesterday", PASSED, minutes_ago=900)) == [
        NoticeKind.NEW_FAILURE
    ]


def test_a_failure_after_a_failure_on_the_same_target_is_not_new(history: History) -> None:
    """GIVEN this session saw the test pass on Default, and it last failed on Mobile WHEN it
    fails on Mobile THEN it is not new there."""
    failed = run("mobile", FAILED, minutes_ago=90, error="boom")
    passed = run("default", PASSED, target="Default", minutes_ago=30)
    assert new_failures(history, failed, seen=(passed,)) == []


def test_a_flaky_test_failing_once_more_is_not_a_new_failure(history: History) -> None:
    """GIVEN the test passed, failed and passed again on Mobile this week WHEN it fails now
    THEN no notice: its last result (seen here) passed, but it is flaky there."""
    earlier = [
        run("mon", PASSED, minutes_ago=3000),
        run("tue", FAILED, minutes_ago=2000, error="timeout"),
    ]
    assert new_failures(history, *earlier, seen=(run("wed", PASSED, minutes_ago=1000),)) == []


def test_what_happened_on_another_target_does_not_count(history: History) -> None:
    """GIVEN the test failed on Default last and passed on Mobile WHEN it fails on Mobile THEN
    it is new there."""
    earlier = [
        run("mobile", PASSED, minutes_ago=120),
        run("default", FAILED, target="Default", minutes_ago=60, error="boom"),
    ]
    assert new_failures(history, *earlier) == [NoticeKind.NEW_FAILURE]


def test_without_the_history_read_yet_the_session_decides(history: History) -> None:
    """GIVEN a history not read yet WHEN the test fails after a pass this session saw THEN a
    new failure, as without a history."""
    history.loaded = False
    seen = (run("earlier", PASSED, minutes_ago=30),)
    assert new_failures(history, seen=seen) == [NoticeKind.NEW_FAILURE]
