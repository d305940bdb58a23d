"""Times as qa-tui tells them: one format for every moment, one rule for how long a run took.

Every moment the command line prints (in a table or in JSON) is RFC 3339 in UTC to the whole
second, `2025-06-02T12:00:00Z`, whatever offset or precision the provider sent. A run's duration
is the provider's once it has ended, and the time so far while it runs, whichever provider it
is: BugBug sends no duration for a running run while BugBrain's list carries one, and a table
that showed one and not the other would be lying about the first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from qa_tui.core.model import Run, RunStatus


@overload
def rfc3339(moment: datetime | float) -> str: ...
@overload
def rfc3339(moment: datetime | float | None) -> str | None: ...
def rfc3339(moment: datetime | float | None) -> str | None:
    """`2025-06-02T12:00:00Z` (UTC, whole seconds, cut not rounded); None stays None.

    A float is seconds since the epoch (the run history keeps times so). A naive datetime is
    read as UTC, as the model reads a provider's zoneless times."""
    if moment is None:
        return None
    if isinstance(moment, int | float):
        moment = datetime.fromtimestamp(moment, UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_duration(run: Run, now: datetime) -> float | None:
    """The provider's duration, or the time so far while the run is going (from its start to
    `now`). A queued run has none yet (BugBrain's start time is its creation, which would tick
    from the queue)."""
    if run.status is RunStatus.QUEUED:
        return None
    if run.duration_s is not None and (run.status.is_terminal or not run.started):
        return run.duration_s
    if run.started is not None:
        end = run.ended if run.ended is not None else now
        return max(0.0, (end - run.started).total_seconds())
    return run.duration_s
