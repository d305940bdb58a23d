"""One final result as the run history keeps it, and how a run becomes one. Pure.

A result belongs to a **series**: the same test on the same target of one provider, (provider,
test, target). The test is what the provider calls it (BugBug's `testId` or suite id, BugBrain's
`test_plan_id`, else the run's name); the target is where it ran (BugBug's run profile,
BugBrain's environment, Bug0's URL; "" when the provider does not say). Strips, flaky badges and
the Compare pane all read one series; incidents cut across them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from qa_tui.core.history.fingerprint import fingerprint_for
from qa_tui.core.model import TERMINAL_STATUSES, Run, RunKind, RunStatus

SeriesKey = tuple[str, str, str]
"""(provider, test, target)."""

FAILURES = frozenset({RunStatus.FAILED, RunStatus.ERROR})
"""Results that can be part of an incident (a test failure, or the run breaking)."""


class Result(NamedTuple):
    """A run that reached a final status, with what triage needs of it (a named tuple: the
    engine makes hundreds a batch, and compares them with what it recorded before)."""

    provider: str
    run_id: str
    kind: RunKind
    name: str
    test: str
    """The test's identity: `Run.test_id`, else the run's name."""
    target: str
    """Where it ran (`Run.target`), "" when not known."""
    status: RunStatus
    ended: float
    """Unix seconds: when it ended (else started, else queued)."""
    error: str | None = None
    failed_step: str | None = None
    fingerprint: str | None = None
    """Of the error, for failures with one (see fingerprint.py)."""
    url: str | None = None
    duration_s: float | None = None
    """How long a passed run took (what an ETA is estimated from); None for the others."""

    @property
    def series(self) -> SeriesKey:
        return (self.provider, self.test, self.target)

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.run_id)

    @property
    def test_id(self) -> str | None:
        """The provider's id of the test (None when the history knows the test by name)."""
        return None if self.test == self.name else self.test

    @property
    def ended_at(self) -> datetime:
        return datetime.fromtimestamp(self.ended, UTC)


def series_of(run: Run) -> SeriesKey:
    """The series a run belongs to, whatever its status."""
    return (run.provider, run.test_id or run.name, run.target or "")


def moment_of(run: Run) -> datetime | None:
    """When a run's result counts as of: its end, else its start, else when it was queued."""
    return run.ended or run.started or run.queued


def result_of(run: Run, now: datetime) -> Result | None:
    """The result a run leaves in history: None while it is not final (a Bug0 trigger is final
    once Bug0's commit status on GitHub ends: its target is the URL it tested), and for a run in the user's own browser or a recording (`Run.mode`):
    those stay out of strips, flaky rates and incidents."""
    status = run.status
    if status not in TERMINAL_STATUSES or run.mode is not None:
        return None  # a local or recording run says nothing of the product on its target
    when = moment_of(run) or now
    test = run.test_id or run.name
    if status in FAILURES:
        error = run.error
        return Result(run.provider, run.id, run.kind, run.name, test, run.target or "", status,
                      when.timestamp(), error, run.failed_step, fingerprint_for(error, test),
                      run.url)  # fmt: skip
    took = passed_duration(run) if status is RunStatus.PASSED else None
    return Result(run.provider, run.id, run.kind, run.name, test, run.target or "", status,
                  when.timestamp(), None, None, None, run.url, took)  # fmt: skip


def passed_duration(run: Run) -> float | None:
    """How long a finished run took: the provider's duration, else its start to its end."""
    if run.duration_s is not None and run.duration_s >= 0:
        return run.duration_s
    if run.started is not None and run.ended is not None:
        seconds = (run.ended - run.started).total_seconds()
        return seconds if seconds >= 0 else None
    return None
