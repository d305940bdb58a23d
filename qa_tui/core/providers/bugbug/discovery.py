"""The lists the engine's discovery reads on BugBug (`providers.base.Discovers`), as functions.

`BugBugSource` answers `Discovers` by calling these with its endpoints and its memory. Quirks
absorbed here:
- test runs have a `status` filter, so each active raw status is
  listed to its last page; suite runs have none (nor a documented status-range trick: a queued
  suite run has no start, so a `started_after` range would miss it), so they are found through
  the `suiteRunId` of the active test runs those filters list (`BugBugSource.get_parent`), and by
  walking the whole suite-run list page by page at low priority;
- the deep active runs a time range cannot reach (a server that ignores ranges) are refreshed
  through their status filter asked oldest first (`ordering=started`): they have been in that
  status longest, so they come on its first page;
- a run that left its status filter is read in full at once (`/status/` and then the full run
  would be two requests: `BugBugSource.read_finished`);
- a time range (`around`) is by start, for test runs only: a queued run has no start to place
  it by, and a suite run's start is its first test run's; a server found to ignore ranges
  (`ListShape.ranges_ignored`, noticed by `list_page`) gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from qa_tui.core.http.paging import ListShape
from qa_tui.core.model import Run, RunKind
from qa_tui.core.providers.base import ListQuery, QueryPage
from qa_tui.core.providers.bugbug import profiles
from qa_tui.core.providers.bugbug.api import BugBugApi
from qa_tui.core.providers.bugbug.memory import BugBugMemory
from qa_tui.core.providers.bugbug.normalize import known_run

ACTIVE_WORDS = ("running", "queued", "initialized", "paused", "auto_retrying", "recording")
"""BugBug's active raw statuses, the likeliest to sit deep first (a long run, a queue)."""
SWEEP_QUERIES = (
    *(ListQuery(f"testruns status={word}", "testruns", word) for word in ACTIVE_WORDS),
    ListQuery("suiteruns", "suiteruns"),
    ListQuery("testruns", "testruns", history_only=True),
)
"""One discovery sweep: every active status of test runs, then the suite runs (which no filter
selects), then the test runs' whole list, which is history only."""

_EDGE = timedelta(seconds=1)


def walked_by(run: Run) -> str | None:
    """A suite run shows in the suite runs' walk, a test run of no suite in the test runs'; a
    suite's test run is shown under its suite (whether `/testruns/` lists it too is not
    documented [INF]), so it leaves with its suite."""
    if run.kind is RunKind.SUITE:
        return "suiteruns"
    return "testruns" if run.parent_id is None else None


def covering(run: Run) -> ListQuery | None:
    """The status filter that lists a test run while its raw status stays, oldest first."""
    if run.kind is RunKind.SUITE:
        return None
    word = run.provider_status.strip().lower()  # a server may send `RUNNING` [INF]
    if word not in ACTIVE_WORDS:
        return None
    return ListQuery(f"testruns status={word}, oldest first", "testruns", word, oldest_first=True)


def around(runs: Sequence[Run], shape: ListShape) -> ListQuery | None:
    """The started test runs among `runs`, by `started_after`/`started_before` (a second
    either side: whether the bounds are inclusive is not documented [INF])."""
    if shape.ranges_ignored:
        return None  # this server lists every run whatever the range: status filters serve
    starts = [run.started for run in runs if run.kind is RunKind.TEST and run.started]
    times = [moment for moment in starts if moment is not None]
    if not times:
        return None
    after, before = min(times) - _EDGE, max(times) + _EDGE
    return ListQuery("testruns started in range", "testruns", after=after, before=before)


async def list_page(api: BugBugApi, memory: BugBugMemory, query: ListQuery, page: int) -> QueryPage:
    """A page of test runs (one raw status, or all) or of suite runs with their children."""
    if query.collection == "suiteruns":
        suites, more = await api.suite_runs_page(page + 1)
        memory.learn_profile_names(suites.items)
        runs = []
        for suite in suites.items:
            runs.append(known_run(api.name, suite, memory))
            runs += [
                known_run(api.name, child, memory, parent_id=suite.id) for child in suite.test_runs
            ]
        return QueryPage(runs=runs, more=more, skipped=suites.skipped)
    tests, more = await api.test_runs_page(
        page + 1,
        status=query.status,
        started_after=query.after,
        started_before=query.before,
        ordering="started" if query.oldest_first else "-started",
    )
    await profiles.ensure(api, memory, tests.items)
    memory.learn_steps(tests.items)
    runs = [known_run(api.name, test, memory) for test in tests.items]
    if query.after is not None and query.before is not None:
        inside = [r for r in runs if r.started and query.after <= r.started <= query.before]
        if len(inside) < len(runs):
            memory.shape.ranges_ignored = True  # what it listed is not what the range holds
            runs = inside
    return QueryPage(runs=runs, more=more, skipped=tests.skipped)
