"""What the new-run dialog suggests where a provider cannot list what it can start.

BugBrain has no list of test plans (providers.md §2: only `POST /executions` names one), and its
environments are free text: the dialog suggests the plan ids and environments this machine has
seen run, from the run history (every final result it kept) and the runs in view now (the ones
still going are in no history yet), the latest first. A run known only by name (no plan id) is
no suggestion: its id is what a start needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from qa_tui.core.history.service import History
from qa_tui.core.model import Run

SUGGESTIONS = 30
"""At most this many plans (and environments) are suggested."""


@dataclass(frozen=True)
class SeenStart:
    """A test (plan) id that ran here, where it last ran, and when."""

    test_id: str
    target: str | None
    last: datetime


@dataclass(frozen=True)
class StartSuggestions:
    starts: tuple[SeenStart, ...] = ()
    """One per test id, the latest first, with the target it last ran on."""
    targets: tuple[str, ...] = ()
    """Every target (environment) seen, the latest first."""


def start_suggestions(
    provider: str,
    runs: Iterable[Run],
    history: History | None,
    *,
    limit: int = SUGGESTIONS,
) -> StartSuggestions:
    """The provider's plans and environments seen in `runs` and the history (which reads the
    disk: call this from a thread)."""
    seen: list[tuple[float, str, str | None]] = []
    for run in runs:
        moment = run.started or run.queued or run.ended
        if run.provider == provider and run.test_id and moment is not None:
            seen.append((moment.timestamp(), run.test_id, run.target or None))
    if history is not None:
        for test, target, name, last in history.recent_tests(provider, limit * 4):
            if test and test != name:  # a history that knows the test by name has no id
                seen.append((last, test, target or None))
    seen.sort(key=lambda item: item[0], reverse=True)
    starts: dict[str, SeenStart] = {}
    targets: dict[str, None] = {}
    for last, test_id, where in seen:
        if test_id not in starts and len(starts) < limit:
            starts[test_id] = SeenStart(test_id, where, datetime.fromtimestamp(last, UTC))
        if where and len(targets) < limit:
            targets.setdefault(where)
    return StartSuggestions(tuple(starts.values()), tuple(targets))
