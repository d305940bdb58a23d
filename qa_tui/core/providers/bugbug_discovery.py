"""BugBug's normalization state and the lists the engine's discovery reads.

`BugBugDiscovery` sits between the raw endpoints (`bugbug_api.BugBugApi`) and the product
behaviour (`bugbug.BugBugSource`): it turns wire runs into `Run`s (remembering each test's step
count and each suite run's suite id, which BugBug's answers do not repeat) and serves
`providers.base.Discovers`. Quirks absorbed here:
- test runs have a `status` filter, so each active raw status is
  listed to its last page; suite runs have none (nor a documented status-range trick: a queued
  suite run has no start, so a `started_after` range would miss it), so they are found through
  the `suiteRunId` of the active test runs those filters list (`get_parent`), and by walking the
  whole suite-run list page by page at low priority;
- the deep active runs a time range cannot reach (a server that ignores ranges) are refreshed
  through their status filter asked oldest first (`ordering=started`): they have been in that
  status longest, so they come on its first page;
- a run that left its status filter is read in full at once (`/status/` and then the full run
  would be two requests);
- a time range (`around`) is by start, for test runs only: a queued run has no start to place
  it by, and a suite run's start is its first test run's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from qa_tui.core.errors import NotFound
from qa_tui.core.http import ProviderHttp
from qa_tui.core.model import Run, RunKind, RunStatus
from qa_tui.core.providers.base import ListQuery, QueryPage, started_newest_first
from qa_tui.core.providers.bugbug_api import BugBugApi
from qa_tui.core.providers.bugbug_profiles import ProfileNames
from qa_tui.core.providers.bugbug_wire import (
    V2SuiteRun,
    V2TestRun,
    V2TestRunStatus,
    parse_steps_runs,
    to_run,
    with_status,
)

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


class BugBugDiscovery(BugBugApi):
    """Wire runs into `Run`s, and the status filters, walks and ranges of BugBug's lists."""

    def __init__(self, name: str, http: ProviderHttp) -> None:
        super().__init__(name, http)
        self._steps_of_test: dict[str, int] = {}
        """Test id → its step count, from `/status/` or a passed run: the total `stepsRuns` lacks."""
        self._profiles = ProfileNames()
        self._failures: dict[str, tuple[str | None, str | None]] = {}
        """Test run id → (its failing step, its error), read once where `stepsRuns` did not say
        (`BugBugSource.read_failure`): every later reading of the run carries them."""

    catalogue_reads = property(lambda self: self._profiles.reads, doc="Profile-name reads made.")

    def _to_run(self, wire: V2TestRun | V2SuiteRun, parent_id: str | None = None) -> Run:
        names = self._profiles.names
        if isinstance(wire, V2SuiteRun):
            suite = self._suite_of_run.get(wire.id)
            return to_run(self.name, wire, suite_id=suite, profile_names=names)
        known = self._steps_of_test.get(wire.test_id or "")
        run = to_run(self.name, wire, parent_id=parent_id, total_steps=known, profile_names=names)
        failure = self._failures.get(wire.id) if run.failed_step is None else None
        if failure is not None and run.status in (RunStatus.FAILED, RunStatus.ERROR):
            run = run.model_copy(update={"failed_step": failure[0], "error": failure[1]})
        return run

    def _learn_steps(self, newest_first: Sequence[V2TestRun]) -> None:
        """Each test's step count from its newest passed run (a passed run ran every step)."""
        seen: set[str] = set()
        for wire in newest_first:
            if not wire.test_id or wire.test_id in seen or wire.status != "passed":
                continue
            if steps := parse_steps_runs(wire.steps_runs):
                seen.add(wire.test_id)
                self._steps_of_test[wire.test_id] = len(steps)

    def _with_status(self, run: Run, wire: V2TestRunStatus) -> Run:
        if run.kind is RunKind.TEST and run.test_id and wire.total_steps:
            self._steps_of_test[run.test_id] = wire.total_steps
        return with_status(run, wire)

    def sweep_queries(self) -> Sequence[ListQuery]:
        return SWEEP_QUERIES

    def covering(self, run: Run) -> ListQuery | None:
        if run.kind is RunKind.SUITE:
            return None
        word = run.provider_status.strip().lower()  # a server may send `RUNNING` [INF]
        if word not in ACTIVE_WORDS:
            return None
        return ListQuery(
            f"testruns status={word}, oldest first", "testruns", word, oldest_first=True
        )

    def around(self, runs: Sequence[Run]) -> ListQuery | None:
        """The started test runs among `runs`, by `started_after`/`started_before` (a second
        either side: whether the bounds are inclusive is not documented [INF])."""
        if self.shape.ranges_ignored:
            return None  # this server lists every run whatever the range: status filters serve
        starts = [run.started for run in runs if run.kind is RunKind.TEST and run.started]
        times = [moment for moment in starts if moment is not None]
        if not times:
            return None
        after, before = min(times) - _EDGE, max(times) + _EDGE
        return ListQuery("testruns started in range", "testruns", after=after, before=before)

    async def list_page(self, query: ListQuery, page: int) -> QueryPage:
        """A page of test runs (one raw status, or all) or of suite runs with their children."""
        if query.collection == "suiteruns":
            suites, more = await self.suite_runs_page(page + 1)
            self._profiles.learn(suites.items)
            runs = []
            for suite in suites.items:
                runs.append(self._to_run(suite))
                runs += [self._to_run(child, parent_id=suite.id) for child in suite.test_runs]
            return QueryPage(runs=runs, more=more, skipped=suites.skipped)
        tests, more = await self.test_runs_page(
            page + 1,
            status=query.status,
            started_after=query.after,
            started_before=query.before,
            ordering="started" if query.oldest_first else "-started",
        )
        await self._profiles.ensure(self, tests.items)
        self._learn_steps(tests.items)
        runs = [self._to_run(test) for test in tests.items]
        if query.after is not None and query.before is not None:
            inside = [r for r in runs if r.started and query.after <= r.started <= query.before]
            if len(inside) < len(runs):
                self.shape.ranges_ignored = True  # what it listed is not what the range holds
                runs = inside
        return QueryPage(runs=runs, more=more, skipped=tests.skipped)

    async def read_finished(self, run: Run) -> Run:
        """One full read (`/status/` and then the full run would be two)."""
        return await self._full(run)

    def newest_first(self, run: Run) -> tuple[int, float]:
        return started_newest_first(run)

    async def get_parent(self, run: Run) -> Run:
        """The suite run a test run belongs to (its `suiteRunId`)."""
        if run.parent_id is None:
            raise NotFound(self.name, f"{run.id} has no parent run")
        return self._to_run(await self.get_suite_run(run.parent_id))

    async def _full(self, run: Run) -> Run:
        if run.kind is RunKind.SUITE:
            return self._to_run(await self.get_suite_run(run.id))
        return self._to_run(await self.get_test_run(run.id), parent_id=run.parent_id)
