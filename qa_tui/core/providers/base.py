"""What the engine, UI and CLI need from a run provider, whatever the service.

Each provider package (`bugbug`, `bugbrain`, `bug0`) holds its tolerant wire models, its endpoints,
its normalization into `Run` and what it learns, and composes them into one class that satisfies
`RunSource`. Capabilities say
what the service can do at all, so the UI can say "not available from provider" instead of
failing: Bug0, for instance, has no read API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from qa_tui.core.errors import ProviderError
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.model import ProviderKind, Run, RunDetail, RunStatus


@dataclass(frozen=True)
class Capabilities:
    """What a provider's API supports."""

    list_runs: bool = True
    run_status: bool = True
    stop: bool = True
    rerun: bool = True
    start: bool = True
    steps: bool = True
    artifacts: bool = False
    logs: bool = False
    junit: bool = False
    analysis: bool = False


@dataclass
class RunPage:
    """Runs read from a provider's lists, newest first, and how many items were unreadable."""

    runs: list[Run] = field(default_factory=list)
    skipped: int = 0


@dataclass(frozen=True)
class ListQuery:
    """One list a discovery sweep reads to the end: a status filter, or the whole list (a walk).

    `statuses` are the raw provider words the query lists (a status filter lists one); a walk
    (`statuses` empty) lists every run, newest first, and is how runs whose status no filter
    selects are found (BugBug suite runs, BugBrain `queued`), and how history is crawled."""

    label: str
    """What it asks for, for logs and tests: `testruns status=running`, `suiteruns`."""
    collection: str
    """Which of the provider's lists (`testruns`, `suiteruns`, `executions`)."""
    status: str | None = None
    """The raw status filter sent; None walks the whole list."""
    history_only: bool = False
    """A walk that cannot find an active run no filter would (every active status of that list
    has a filter): it is read only as deep as history is wanted."""
    after: datetime | None = None
    """With `before`: only the runs whose list time (BugBug start, BugBrain creation) lies in
    this range, whatever their status: how a few deep runs are refreshed with one request."""
    before: datetime | None = None
    oldest_first: bool = False
    """The list is asked oldest first by its time (BugBug `ordering=started`): the runs that
    have been in a status longest, the deep ones, come on its first page, and a page shows how
    far the list has reached, so a run older than that and not listed has left it."""

    @property
    def is_walk(self) -> bool:
        return self.status is None and self.after is None


@dataclass
class QueryPage:
    """One page of a `ListQuery`: its runs, and whether a later page exists."""

    runs: list[Run] = field(default_factory=list)
    more: bool = False
    skipped: int = 0


_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def position_by_start(run: Run) -> tuple[int, float]:
    """Where a run sits in a list ordered by `-started`: runs not started yet on top (a null
    start sorts first), then the latest start first. A run with no time at all is new."""
    if run.started is None:
        return (0, -(run.queued or run.ended or _FAR_FUTURE).timestamp())
    return (1, -run.started.timestamp())


@runtime_checkable
class Discovers(Protocol):
    """A source whose lists can find active runs at any depth (status filters, walks).

    The engine reads every `sweep_queries()` to the end at start and on a schedule, and uses
    `covering(run)` to refresh many deep active runs with one status-filtered page."""

    def sweep_queries(self) -> Sequence[ListQuery]:
        """Every query of one discovery sweep, status filters first, walks last."""
        ...

    def covering(self, run: Run) -> ListQuery | None:
        """The status filter that lists `run` while its status stays (None: no filter does)."""
        ...

    def around(self, runs: Sequence[Run]) -> ListQuery | None:
        """A time-range query that lists those of `runs` it can place (by the list's time),
        whatever their status now; None when it can place none."""
        ...

    async def list_page(self, query: ListQuery, page: int) -> QueryPage:
        """The `page`-th page (0-based) of `query`, newest first."""
        ...

    async def get_parent(self, run: Run) -> Run:
        """The run `run.parent_id` names (a suite run found through an active child)."""
        ...

    async def read_finished(self, run: Run) -> Run:
        """A run that has left its status filter, most likely finished: read the cheapest way
        that gives a finished run in full."""
        ...

    def list_position(self, run: Run) -> tuple[int, float]:
        """Where a run sits in the provider's own newest-first list (what its pages show first):
        the engine sizes the list it reads by it. Not how qa-tui orders runs for a person:
        that is core/runs/newest.py."""
        ...

    def walked_by(self, run: Run) -> str | None:
        """The collection whose walk shows `run` at its top level (None: no walk does, like a
        suite run's test run, which is shown under its suite): how the engine knows a run a
        whole walk did not show has left its provider (engine/retention.py)."""
        ...


@runtime_checkable
class ReadsFailures(Protocol):
    """A source whose lists may not say where a failed run failed (BugBug's `stepsRuns` is
    typed an opaque string [INF]): the failing step and its error are read once per finished
    failed run, with a few more requests, and kept, so every later reading of the run (a list,
    a refresh) carries them. The engine reads them within the budget (the newly failed at once,
    the rest from what is spare); `qa-tui flaky` and `incidents` before they judge."""

    def failure_unread(self, run: Run) -> bool:
        """True for a finished failed or errored run whose failing step is not known yet."""
        ...

    async def read_failure(self, run: Run) -> Run:
        """`run` with its failing step and error, read from the provider (once: kept)."""
        ...


@dataclass(frozen=True)
class Trouble:
    """A failure of the service a source reads its runs' results from (Bug0's results on
    GitHub), while the source itself answers: its runs are listed, their results are not read."""

    service: str
    """Whose failure it is, as a person names it: `GitHub`."""
    error: ProviderError
    fix_key: str
    """The config key to look at, as written in the file: `[github] token`."""
    unset: bool = False
    """The service is not set up at all (no GitHub token): the results are simply not read.
    `doctor` and `runs` say so without failing; the app still shows the line."""

    @property
    def message(self) -> str:
        return f"{self.service}: {self.error.message}"


@runtime_checkable
class ReadsElsewhere(Protocol):
    """A source whose runs' results come from another service (Bug0's commit statuses on
    GitHub): the engine shows that service's failure as the provider's health, with the key to
    fix, while the provider's own runs are still listed."""

    def trouble_elsewhere(self) -> Trouble | None:
        """What fails now of reading the results (None: nothing, or nothing to read)."""
        ...


@runtime_checkable
class RunSource(Protocol):
    """A provider of runs. Every method may raise a `ProviderError`; none returns raw payloads."""

    name: str
    """The provider's display name from config."""
    kind: ProviderKind
    capabilities: Capabilities
    budget: RequestBudget

    @property
    def catalogue_reads(self) -> int:
        """Requests made so far for the provider's catalogue (BugBug's run profile names), not
        for runs: one-off work, like the start-up sweep, that the engine does not count in its
        live pace. 0 for a provider without a catalogue."""
        ...

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """Up to `limit` runs, newest first (test and suite runs together for BugBug)."""
        ...

    async def refresh_run(self, run: Run) -> Run:
        """The run's current state through the cheapest per-run call (`…/status`)."""
        ...

    async def get_run(self, run_id: str) -> Run:
        """One run by id, with every field the provider has."""
        ...

    async def stop_run(self, run: Run) -> Run:
        """Stop or cancel a running run; returns its state after the request."""
        ...

    async def rerun(self, run: Run) -> Run:
        """Start the same test, suite or plan again; returns the new run."""
        ...

    async def run_detail(self, run: Run) -> RunDetail:
        """Steps, child runs, artifacts and analysis; panes it cannot fill say why."""
        ...

    async def fetch_log(self, run: Run) -> str:
        """The run's log text (raises Unsupported where the provider has none)."""
        ...

    async def fetch_junit(self, run: Run) -> bytes:
        """The run's JUnit XML (raises Unsupported where the provider has none)."""
        ...

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """Bytes of an artifact or screenshot URL the provider gave; past `max_bytes` the file
        is refused while it arrives (`TooLarge`)."""
        ...

    async def check(self) -> str:
        """The cheapest authenticated call, for `doctor`; returns a short description."""
        ...

    async def aclose(self) -> None: ...
