"""`F`: re-run only what failed. Pure: it says what to start; the UI starts it through the same
engine calls as `n` and `r` (`Engine.start`, `Engine.rerun`), so every check on those paths
applies.

- A BugBug suite run: each of its test runs that failed or errored is started again as a test
  run, with the suite run's run profile. BugBug's API has no "re-run the failed tests of a suite
  run" (providers.md §1: `POST /suiteruns/` takes a suite, not a list of tests), so the tests are
  started one by one; a test run whose test id BugBug does not say cannot be started and is
  named with that reason.
- A BugBrain execution: the plan again (its API starts a plan, never a part of one).
- Anything else: why `F` does not apply (`r` re-runs a single test run).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa_tui.core.actions.launch import BugBugStart
from qa_tui.core.model import ProviderKind, Run, RunDetail, RunKind, RunStatus

FAILED = frozenset({RunStatus.FAILED, RunStatus.ERROR})


@dataclass(frozen=True)
class FailedTests:
    """The failed tests of a BugBug suite run, each as the test run to start again."""

    suite: Run
    starts: tuple[tuple[Run, BugBugStart], ...]
    """(the failed test run, the request that starts its test again with the suite's profile)."""
    left_out: tuple[tuple[Run, str], ...] = ()
    """Failed test runs that cannot be started again, with the reason."""


def whole_again(run: Run) -> bool:
    """True when `F` starts the run's whole plan again (a BugBrain execution)."""
    return run.provider_kind is ProviderKind.BUGBRAIN and run.kind is RunKind.EXECUTION


def why_not(run: Run) -> str | None:
    """Why `F` does not apply to this run; None when it does."""
    if whole_again(run):
        return None
    if run.provider_kind is ProviderKind.BUGBUG and run.kind is RunKind.SUITE:
        if not run.status.is_terminal:
            return "the suite run is still going: F re-runs its failed tests once it has ended"
        return None
    return "F re-runs the failed tests of a BugBug suite run, or a BugBrain plan; r re-runs this"


def failed_tests(detail: RunDetail) -> FailedTests:
    """What `F` starts for a BugBug suite run, from its detail's child test runs."""
    suite = detail.run
    starts: list[tuple[Run, BugBugStart]] = []
    left_out: list[tuple[Run, str]] = []
    for child in detail.children.items:
        if child.status not in FAILED:
            continue
        if not child.test_id:
            left_out.append((child, "BugBug does not say which test it ran"))
            continue
        starts.append((child, BugBugStart(target_id=child.test_id, profile_id=suite.target_id)))
    return FailedTests(suite, tuple(starts), tuple(left_out))
