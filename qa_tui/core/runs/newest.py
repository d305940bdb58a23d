"""The one definition of "newest first", for every list of runs qa-tui shows: the table's
default order (and the tie-break of every other sort), `runs` and `runs --json`, and each
provider's `list_runs`.

A run's moment is when it started, else when it was queued, else when it ended; a run with no
time at all (one just created: BugBug `initialized`, a re-run not queued yet) is the newest run
there is. Ties go by provider name, then run id, so any two lists of the same runs agree.

(Where a run sits in one provider's own list, which the engine's window needs, is another
question, answered by each provider: `Discovers.list_position`.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from qa_tui.core.model import Run

NOT_YET = datetime(9999, 1, 1, tzinfo=UTC)
"""Where a run with no time at all sorts: before every run that has one."""


def moment(run: Run) -> datetime:
    """When a run counts as of, for ordering: started, else queued, else ended, else `NOT_YET`."""
    return run.started or run.queued or run.ended or NOT_YET


def newest_first(run: Run) -> tuple[float, str, str]:
    """Sort key: the latest moment first, ties by provider then id."""
    return (-moment(run).timestamp(), run.provider, run.id)
