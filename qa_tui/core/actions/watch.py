"""Following one run to its end: the polling loop every CI script writes by hand, written once.

`Watcher.find(run_id)` reads the run, `Watcher.follow(run)` refreshes it through the provider's
cheapest status call until it is terminal or the time is up. Transient failures (network, 5xx, 429,
an unreadable answer) never end the watch: they are reported through `on_problem` and retried with
a growing backoff (at least the provider's `Retry-After`) within the time limit, and the status that
is finally reported is what the provider last said. Permanent failures (bad credentials, no such
run, a refused request) are raised as the `ProviderError` they are.

Time goes through the `Clock`, so a test on a `ManualClock` waits for nothing. The deadline is
checked between calls: one call that is itself waiting out a provider's rate limit may end up to
`RetryPolicy.max_wait_s` past it. The last poll happens at the deadline, so a run that ends just in
time is reported as ended, not timed out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import BadPayload, NetworkError, ProviderError, RateLimited, ServerError
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.providers.base import RunSource

TRANSIENT_ERRORS = (NetworkError, ServerError, RateLimited, BadPayload)
"""Failures worth waiting out: the next call may well succeed."""
DEFAULT_INTERVAL_S = 5.0
"""Seconds between status calls (BugBug's known clients poll every 5-10 s)."""
MAX_BACKOFF_S = 60.0


class Outcome(StrEnum):
    """How a watch ended."""

    PASSED = "passed"
    FAILED = "failed"
    ENDED = "ended"
    """Terminal without a verdict: error, stopped, cancelled or skipped."""
    TIMEOUT = "timeout"
    """Still not terminal when the time was up."""
    NO_STATUS = "no status"
    """The provider cannot tell a run's status at all (Bug0)."""


def outcome_of(run: Run) -> Outcome | None:
    """The outcome a run's status means, or None while it may still change."""
    if not run.pollable:
        return Outcome.NO_STATUS
    if run.status is RunStatus.PASSED:
        return Outcome.PASSED
    if run.status is RunStatus.FAILED:
        return Outcome.FAILED
    if run.status.is_terminal:
        return Outcome.ENDED
    return None


@dataclass(frozen=True)
class WatchResult:
    """The run as last seen, how the watch ended, and what it rode out on the way."""

    run: Run
    outcome: Outcome
    waited_s: float
    transient_errors: int = 0
    last_error: str | None = None


def _nothing(_: Run) -> None:
    return None


def _quiet(_: ProviderError, __: float) -> None:
    return None


class Watcher:
    """Polls one provider for one run, within an optional time limit."""

    def __init__(
        self,
        source: RunSource,
        *,
        clock: Clock = SYSTEM_CLOCK,
        timeout_s: float | None = None,
        interval_s: float = DEFAULT_INTERVAL_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        on_update: Callable[[Run], None] = _nothing,
        on_problem: Callable[[ProviderError, float], None] = _quiet,
    ) -> None:
        self.source = source
        self.clock = clock
        self.interval_s = interval_s
        self.max_backoff_s = max_backoff_s
        self.on_update = on_update
        """Called with the run after every successful read."""
        self.on_problem = on_problem
        """Called with each transient failure and the seconds the watcher waits before retrying."""
        self.started = clock.monotonic()
        self.deadline = None if timeout_s is None else self.started + timeout_s
        self.transient_errors = 0
        self.last_error: str | None = None

    def left_s(self) -> float | None:
        """Seconds before the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - self.clock.monotonic()

    def waited_s(self) -> float:
        return self.clock.monotonic() - self.started

    async def _pause(self, seconds: float) -> bool:
        """Sleep `seconds` (cut at the deadline); False when the deadline has already passed."""
        left = self.left_s()
        if left is not None and left <= 0:
            return False
        await self.clock.sleep(seconds if left is None else min(seconds, left))
        return True

    async def _read(self, call: Callable[[], Awaitable[Run]]) -> Run | None:
        """`call()`, retried through transient failures; None when the time ran out first."""
        backoff = 0.0
        while True:
            try:
                run = await call()
            except TRANSIENT_ERRORS as error:
                self.transient_errors += 1
                self.last_error = f"{error.kind.value}: {error.message}"
                backoff = min(self.max_backoff_s, backoff * 2 if backoff else self.interval_s)
                wait = backoff
                if isinstance(error, RateLimited) and error.retry_after is not None:
                    wait = max(wait, error.retry_after)
                self.on_problem(error, wait)
                if not await self._pause(wait):
                    return None
                continue
            self.on_update(run)
            return run

    async def find(self, run_id: str) -> Run | None:
        """The run with this id (None when the time ran out before the provider answered)."""
        return await self._read(partial(self.source.get_run, run_id))

    async def follow(self, run: Run) -> WatchResult:
        """Refresh `run` until it ends or the time is up."""
        current = run
        while True:
            outcome = outcome_of(current)
            if outcome is not None:
                return self._result(current, outcome)
            left = self.left_s()
            if left is not None and left <= 0:
                return self._result(current, Outcome.TIMEOUT)
            await self._pause(self.interval_s)
            fresh = await self._read(partial(self.source.refresh_run, current))
            if fresh is None:
                return self._result(current, Outcome.TIMEOUT)
            current = fresh

    def _result(self, run: Run, outcome: Outcome) -> WatchResult:
        return WatchResult(run, outcome, self.waited_s(), self.transient_errors, self.last_error)
