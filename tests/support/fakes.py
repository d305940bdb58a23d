"""A scripted run source for engine and UI tests that need no HTTP at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from qa_tui.core.clock import Clock, ManualClock
from qa_tui.core.errors import NotFound, ProviderError, Unsupported
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.model import (
    PaneData,
    ProviderKind,
    Run,
    RunDetail,
    RunKind,
    RunStatus,
    Step,
)
from qa_tui.core.providers.base import Capabilities, ListQuery, QueryPage, RunPage

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def make_run(
    run_id: str,
    status: RunStatus = RunStatus.RUNNING,
    *,
    provider: str = "web",
    minutes_ago: float = 0,
    raw: str | None = None,
    **fields: Any,
) -> Run:
    """A run started `minutes_ago` before T0, with sensible defaults."""
    values: dict[str, Any] = {
        "provider": provider,
        "provider_kind": ProviderKind.BUGBUG,
        "id": run_id,
        "kind": RunKind.TEST,
        "name": f"test {run_id}",
        "status": status,
        "provider_status": raw or status.value,
        "started": T0 - timedelta(minutes=minutes_ago),
    }
    values.update(fields)
    return Run(**values)


class FakeSource:
    """A RunSource whose runs the test sets; every call spends one request from its budget."""

    def __init__(
        self, name: str = "web", *, clock: Clock | None = None, per_minute: float = 60
    ) -> None:
        self.name = name
        self.kind = ProviderKind.BUGBUG
        self.capabilities = Capabilities()
        self.catalogue_reads = 0
        self.clock = clock or ManualClock()
        self.budget = RequestBudget(per_minute, clock=self.clock)
        self.runs: dict[str, Run] = {}
        self.calls: list[str] = []
        self.fail_with: ProviderError | None = None

    def put(self, *runs: Run) -> None:
        for run in runs:
            self.runs[run.id] = run

    async def _spend(self, call: str) -> None:
        await self.budget.acquire()
        self.calls.append(call)
        if self.fail_with is not None:
            raise self.fail_with

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        await self._spend(f"list:{limit}")
        ordered = sorted(self.runs.values(), key=lambda r: r.started or T0, reverse=True)
        return RunPage(runs=ordered[:limit])

    async def refresh_run(self, run: Run) -> Run:
        await self._spend(f"status:{run.id}")
        if run.id not in self.runs:
            raise NotFound(self.name, f"{run.id} was deleted")  # as a provider answers 404
        return self.runs[run.id]

    async def get_run(self, run_id: str) -> Run:
        await self._spend(f"get:{run_id}")
        return self.runs[run_id]

    async def stop_run(self, run: Run) -> Run:
        await self._spend(f"stop:{run.id}")
        stopped = run.model_copy(update={"status": RunStatus.STOPPED, "provider_status": "stopped"})
        self.runs[run.id] = stopped
        return stopped

    async def rerun(self, run: Run) -> Run:
        await self._spend(f"rerun:{run.id}")
        new = run.model_copy(
            update={"id": f"{run.id}-again", "status": RunStatus.QUEUED, "started": T0}
        )
        self.runs[new.id] = new
        return new

    async def run_detail(self, run: Run) -> RunDetail:
        await self._spend(f"detail:{run.id}")
        steps = tuple(
            Step(index=i, name=f"step {i}", status=RunStatus.PASSED, provider_status="passed")
            for i in range(3)
        )
        return RunDetail(run=self.runs[run.id], steps=PaneData[Step](items=steps))

    async def fetch_log(self, run: Run) -> str:
        raise Unsupported(self.name, "no logs")

    async def fetch_junit(self, run: Run) -> bytes:
        raise Unsupported(self.name, "no junit")

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        return b""

    async def check(self) -> str:
        return "ok"

    async def aclose(self) -> None:
        return None


class FakeDiscoveringSource(FakeSource):
    """A FakeSource whose lists also filter by raw status and page, as BugBug's and BugBrain's do.

    `sweep_queries()` gives one status filter per raw word in `filters` and then a walk of the
    whole list; pages hold `page_size` runs, newest first (by start; none yet: first)."""

    def __init__(
        self,
        name: str = "web",
        *,
        clock: Clock | None = None,
        per_minute: float = 60,
        filters: tuple[str, ...] = ("running", "queued"),
        page_size: int = 100,
        walk_history_only: bool = False,
        ranges: bool = True,
    ) -> None:
        super().__init__(name, clock=clock, per_minute=per_minute)
        self.page_size = page_size
        self.ranges = ranges
        self.queries = [ListQuery(f"runs status={w}", "runs", w) for w in filters]
        self.queries.append(ListQuery("runs", "runs", history_only=walk_history_only))

    def ordered(self) -> list[Run]:
        return sorted(self.runs.values(), key=self.list_position)

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        await self._spend(f"list:{limit}")
        return RunPage(runs=self.ordered()[:limit])

    def sweep_queries(self) -> list[ListQuery]:
        return self.queries

    def covering(self, run: Run) -> ListQuery | None:
        return next((q for q in self.queries if q.status == run.provider_status), None)

    def around(self, runs: Sequence[Run]) -> ListQuery | None:
        starts = [run.started for run in runs if run.started is not None]
        if not self.ranges or not starts:
            return None
        return ListQuery("runs in range", "runs", after=min(starts), before=max(starts))

    def _in(self, query: ListQuery, run: Run) -> bool:
        if query.after is not None and query.before is not None:
            return run.started is not None and query.after <= run.started <= query.before
        return query.is_walk or run.provider_status == query.status

    async def list_page(self, query: ListQuery, page: int) -> QueryPage:
        label = "range" if query.after is not None else query.status or "all"
        await self._spend(f"page:{label}:{page}")
        runs = [r for r in self.ordered() if self._in(query, r)]
        start = page * self.page_size
        chunk = runs[start : start + self.page_size]
        return QueryPage(runs=chunk, more=start + self.page_size < len(runs))

    async def read_finished(self, run: Run) -> Run:
        await self._spend(f"finished:{run.id}")
        return self.runs[run.id]

    def list_position(self, run: Run) -> tuple[int, float]:
        return (int(run.started is not None), -(run.started or T0).timestamp())

    def walked_by(self, run: Run) -> str | None:
        return "runs"

    async def get_parent(self, run: Run) -> Run:
        await self._spend(f"parent:{run.parent_id}")
        return self.runs[run.parent_id or ""]
