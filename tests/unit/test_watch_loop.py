"""The watch loop on a scripted provider: it rides out transient failures, waits at least what a
429 asks, stops at the deadline with one last look, and never mistakes a lasting failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa_tui.core.actions.watch import Outcome, Watcher, outcome_of
from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import AuthFailed, NetworkError, ProviderError, RateLimited, ServerError
from qa_tui.core.model import Run, RunStatus
from tests.support.fakes import FakeSource, make_run


class ScriptedSource(FakeSource):
    """Each refresh takes the next item of the script: a status, or an error to raise."""

    def __init__(self, script: list[RunStatus | ProviderError], clock: ManualClock) -> None:
        super().__init__(clock=clock, per_minute=60_000)
        self.script: Iterator[RunStatus | ProviderError] = iter(script)

    async def refresh_run(self, run: Run) -> Run:
        step = next(self.script)
        if isinstance(step, ProviderError):
            raise step
        return run.model_copy(update={"status": step, "provider_status": step.value})


def watcher(
    script: list[RunStatus | ProviderError], timeout_s: float | None = None
) -> tuple[Watcher, ManualClock, list[tuple[str, float]]]:
    clock = ManualClock()
    problems: list[tuple[str, float]] = []
    source = ScriptedSource(script, clock)
    w = Watcher(
        source,
        clock=clock,
        timeout_s=timeout_s,
        interval_s=5,
        on_problem=lambda error, wait: problems.append((error.kind.value, wait)),
    )
    return w, clock, problems


async def test_transient_failures_are_ridden_out_and_the_true_status_reported() -> None:
    w, _, problems = watcher(
        [
            RunStatus.RUNNING,
            ServerError("web", "boom", status_code=503),
            NetworkError("web", "could not connect"),
            RateLimited("web", "slow down", retry_after=42),
            RunStatus.FAILED,
        ]
    )
    result = await w.follow(make_run("r1", RunStatus.QUEUED))
    assert result.outcome is Outcome.FAILED
    assert result.run.status is RunStatus.FAILED
    assert result.transient_errors == 3
    assert problems == [("server", 5), ("network", 10), ("rate limited", 42)]


async def test_a_run_still_going_at_the_deadline_is_a_timeout_after_one_last_look() -> None:
    w, clock, _ = watcher([RunStatus.RUNNING] * 10, timeout_s=12)
    result = await w.follow(make_run("r1", RunStatus.QUEUED))
    assert result.outcome is Outcome.TIMEOUT
    assert result.run.status is RunStatus.RUNNING
    assert clock.slept == [5, 5, 2]  # the last wait is cut at the deadline, then one more look
    assert result.waited_s == 12


async def test_a_run_ending_exactly_at_the_deadline_is_not_a_timeout() -> None:
    w, _, _ = watcher([RunStatus.RUNNING, RunStatus.RUNNING, RunStatus.PASSED], timeout_s=12)
    assert (await w.follow(make_run("r1", RunStatus.QUEUED))).outcome is Outcome.PASSED


async def test_errors_until_the_deadline_end_in_a_timeout_naming_the_last_error() -> None:
    w, _, _ = watcher([ServerError("web", "down", status_code=502)] * 20, timeout_s=30)
    result = await w.follow(make_run("r1", RunStatus.RUNNING))
    assert result.outcome is Outcome.TIMEOUT
    assert result.last_error == "server: down"


async def test_bad_credentials_are_not_waited_out() -> None:
    w, _, _ = watcher([AuthFailed("web", "Invalid token.", status_code=401)])
    with pytest.raises(AuthFailed):
        await w.follow(make_run("r1", RunStatus.RUNNING))


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (RunStatus.PASSED, Outcome.PASSED),
        (RunStatus.FAILED, Outcome.FAILED),
        (RunStatus.ERROR, Outcome.ENDED),
        (RunStatus.STOPPED, Outcome.ENDED),
        (RunStatus.SKIPPED, Outcome.ENDED),
        (RunStatus.RUNNING, None),
        (RunStatus.UNKNOWN, None),
    ],
)
def test_each_status_means_one_outcome(status: RunStatus, outcome: Outcome | None) -> None:
    assert outcome_of(make_run("r", status)) is outcome


def test_a_run_the_provider_cannot_read_has_no_status_to_wait_for() -> None:
    assert outcome_of(make_run("r", RunStatus.QUEUED, pollable=False)) is Outcome.NO_STATUS
