"""What one BugBug source has learnt, in one place: what BugBug said once and does not repeat.

BugBug's answers leave things out that an earlier answer said: a suite run never says again which
suite it ran, a test run's `stepsRuns` does not give the test's step count, a test run carries a
profile id and no name, an opaque `stepsRuns` does not say where a run failed. The source keeps
each here as it is told, so every later reading of a run carries it, and the endpoints
(`api.BugBugApi`) keep none of their own: the `ListShape` they learn as pages arrive is this
memory's too. Nothing here does I/O; the source and its helpers write, `normalize.known_run` reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qa_tui.core.http.paging import ListShape
from qa_tui.core.model import Run, RunKind, Step
from qa_tui.core.providers.bugbug.wire import (
    V2SuiteRun,
    V2TestRun,
    V2TestRunStatus,
    parse_steps_runs,
)

FAILURES_KEPT = 20_000
"""Failures read at most before they are forgotten (all at once: a rare, bounded reset)."""

FINISHED_STEPS_KEPT = 20_000
"""Finished step runs kept (a failed run's reading adds up to three, a detail view its steps):
the oldest go first, so an all-day session's memory does not grow with every failure."""

Failure = tuple[str | None, str | None]
"""Where a run failed: (its failing step as `4. click`, its error)."""


class BugBugMemory:
    """Everything one BugBug source has learnt; every field starts empty."""

    def __init__(self) -> None:
        self.shape = ListShape()
        """What BugBug's lists turned out to speak (paging, page sizes, order, ranges)."""
        self.suite_of_run: dict[str, str] = {}
        """Suite run id → the suite id it was started with (BugBug's answers never say)."""
        self.steps_of_test: dict[str, int] = {}
        """Test id → its step count, from `/status/` or a passed run: the total `stepsRuns` lacks."""
        self.profile_names: dict[str, str] = {}
        """Run profile id → its name, as far as BugBug has told (`profiles.py` reads them)."""
        self.profiles_asked: set[str] = set()
        """Profile ids a read of `/profiles/` was made for (each id at most once)."""
        self.profiles_listed = False
        """Whether `/profiles/` has been read once (beside the first list)."""
        self.profile_reads = 0
        """Requests made for profile names (the engine does not count them in its live pace)."""
        self.failures: dict[str, Failure] = {}
        """Test run id → (its failing step, its error), read once where `stepsRuns` did not say
        (`BugBugSource.read_failure`): every later reading of the run carries them."""
        self.finished_steps: dict[str, Step] = {}
        """Step run id → its finished `Step`: a finished step run never changes, so it is read once
        (while kept: at most `FINISHED_STEPS_KEPT`, see `keep_step`)."""

    def learn_steps(self, newest_first: Sequence[V2TestRun]) -> None:
        """Each test's step count from its newest passed run (a passed run ran every step)."""
        seen: set[str] = set()
        for wire in newest_first:
            if not wire.test_id or wire.test_id in seen or wire.status != "passed":
                continue
            if steps := parse_steps_runs(wire.steps_runs):
                seen.add(wire.test_id)
                self.steps_of_test[wire.test_id] = len(steps)

    def learn_total_steps(self, run: Run, wire: V2TestRunStatus) -> None:
        """A test's step count from a `/status/` answer about one of its runs."""
        if run.kind is RunKind.TEST and run.test_id and wire.total_steps:
            self.steps_of_test[run.test_id] = wire.total_steps

    def learn_profile_names(self, suites: Iterable[V2SuiteRun]) -> None:
        """Names suite runs carry for free (`profileName` beside `profileId`)."""
        for suite in suites:
            if suite.profile_id and suite.profile_name:
                self.profile_names[suite.profile_id] = suite.profile_name

    def remember_failure(self, run_id: str, failure: Failure) -> None:
        """Where a run failed, read once and kept for good (up to `FAILURES_KEPT` runs)."""
        if len(self.failures) >= FAILURES_KEPT:
            self.failures.clear()
        self.failures[run_id] = failure

    def keep_step(self, step_run_id: str, step: Step) -> None:
        """A finished step run, kept up to `FINISHED_STEPS_KEPT`, the oldest going first."""
        steps = self.finished_steps
        if len(steps) >= FINISHED_STEPS_KEPT:
            del steps[next(iter(steps))]  # the first kept is the oldest
        steps[step_run_id] = step
