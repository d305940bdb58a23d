"""A commit status or a check run as one thing a service reported on a commit, in qa-tui's words.

GitHub has two ways for a service to report on a commit, and Bug0's integration may use either
[INF: its docs say "commit status"; a GitHub App may post check runs]:

| commit status `state` | check run `status` / `conclusion`      | RunStatus |
| --------------------- | -------------------------------------- | --------- |
| `pending`             | `queued`, `in_progress` (and `waiting`, `requested`, `pending`) | running |
| `success`             | `completed` / `success`                | passed    |
| `failure`             | `completed` / `failure`                | failed    |
| `error`               | `completed` / `timed_out`, `action_required`, `stale` | error |
|                       | `completed` / `cancelled`              | stopped   |
|                       | `completed` / `skipped`, `neutral`     | skipped   |

A word not in the table is `unknown`, its text kept. A status exists only once the service has
taken the run, so even a queued check run reads running: the trigger's own `triggered` is the
"not started" state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qa_tui.core.model import RunStatus
from qa_tui.core.providers.github.wire import CheckRun, CommitStatus

STATUS_STATES = {
    "pending": RunStatus.RUNNING,
    "success": RunStatus.PASSED,
    "failure": RunStatus.FAILED,
    "error": RunStatus.ERROR,
}
CHECK_UNDER_WAY = frozenset({"queued", "in_progress", "waiting", "requested", "pending"})
CHECK_CONCLUSIONS = {
    "success": RunStatus.PASSED,
    "failure": RunStatus.FAILED,
    "timed_out": RunStatus.ERROR,
    "action_required": RunStatus.ERROR,
    "stale": RunStatus.ERROR,
    "cancelled": RunStatus.STOPPED,
    "skipped": RunStatus.SKIPPED,
    "neutral": RunStatus.SKIPPED,
}
STATUS, CHECK_RUN = "commit status", "check run"


@dataclass(frozen=True)
class Reported:
    """One context's latest word on a commit."""

    name: str
    """The status's context or the check run's name (`Bug0 / E2E`)."""
    via: str
    """`commit status` or `check run`."""
    word: str
    """GitHub's own word: the status's state, or the check run's conclusion once completed
    (else its status)."""
    status: RunStatus
    description: str | None = None
    """The status's description, or the check run's output title (and summary)."""
    link: str | None = None
    """The status's `target_url`, or the check run's `details_url` (else `html_url`)."""
    since: datetime | None = None
    """When it was posted or started, on GitHub's clock."""
    at: datetime | None = None
    """When it last changed or completed, on GitHub's clock."""


def from_status(status: CommitStatus) -> Reported:
    word = status.state.strip().lower()
    return Reported(
        name=status.context,
        via=STATUS,
        word=word or status.state,
        status=STATUS_STATES.get(word, RunStatus.UNKNOWN),
        description=status.description or None,
        link=status.target_url or None,
        since=status.created_at or status.updated_at,
        at=status.updated_at or status.created_at,
    )


def from_check(check: CheckRun) -> Reported:
    under_way = check.status.strip().lower()
    conclusion = (check.conclusion or "").strip().lower()
    if under_way == "completed" or conclusion:
        word = conclusion or under_way
        status = CHECK_CONCLUSIONS.get(conclusion, RunStatus.UNKNOWN)
    else:
        word = under_way or check.status
        status = RunStatus.RUNNING if under_way in CHECK_UNDER_WAY else RunStatus.UNKNOWN
    output = check.output
    parts = [p for p in (output.title, output.summary) if p] if output is not None else []
    return Reported(
        name=check.name,
        via=CHECK_RUN,
        word=word,
        status=status,
        description=": ".join(parts) or None,
        link=check.details_url or check.html_url or None,
        since=check.started_at or check.completed_at,
        at=check.completed_at or check.started_at,
    )
