"""BugBrain executions (API "generation A", shared/providers.md §3) as a `RunSource`.

The source is composed, not inherited: `api.BugBrainApi` (one method per endpoint, stateless),
`memory.BugBrainMemory` (what its lists taught), `normalize` (wire → `Run`) and `discovery` (the
lists the engine sweeps). Quirks this module absorbs:
- The base URL, the async start's `polling_url` and the two auth generations: see `api.py`.
- `completed` can hold failed tests → FAILED; `failed` means the execution itself broke → ERROR;
  `cancelled` → STOPPED; `pending` → QUEUED (status.bugbrain_status).
- The list's `status` filter only knows pending, running, completed, failed: queued and cancelled
  runs (and the passed/failed split of `completed`) are filtered here, client-side.
- The list order is not documented [INF]: pages are read in the order given and sorted newest
  first by `created_at` here.
- `/status` has a running and a done shape (wire.py reads both); a refresh keeps what the
  status call does not carry (plan id, name, start time). `get_run` asks `/results` for the plan.
- Executions carry no name: the row is named after the test plan ("plan tp_…").
- No web URL for an execution is documented: `Run.url` stays None.
- Failure analysis is optional ("if available"): absent, 404 or empty is an empty result.
- The synchronous start blocks up to `timeout_seconds`, so it gets a read timeout to match; it is
  not idempotent, so it is never retried after it may have reached the server.
- Discovery (the engine's sweeps): `status=running` and `status=pending` are read to their last
  offset; `queued` is not in the filter enum, so queued executions deep in the list are found by
  walking the whole list, offset by offset, at low priority (discovery.py).
- No test-plan list endpoint exists: plan ids (`tp_…`) come from the user.
- No logs, no JUnit. Screenshots live on a CDN host, not the API host.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import AuthFailed, BadPayload, NotFound, RequestRejected, Unsupported
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import as_dict
from qa_tui.core.model import (
    Artifact,
    FailureAnalysis,
    PaneData,
    ProviderKind,
    Run,
    RunDetail,
    RunKind,
    RunStatus,
    Step,
)
from qa_tui.core.providers.base import Capabilities, ListQuery, QueryPage, RunPage
from qa_tui.core.providers.bugbrain import discovery
from qa_tui.core.providers.bugbrain.api import BugBrainApi
from qa_tui.core.providers.bugbrain.memory import BugBrainMemory
from qa_tui.core.providers.bugbrain.normalize import (
    analysis_to_model,
    execution_to_run,
    merge_refresh,
    plan_name,
    result_to_step,
)
from qa_tui.core.providers.bugbrain.wire import SyncStart
from qa_tui.core.runs.newest import newest_first
from qa_tui.core.runs.status import bugbrain_status

FILTER_SCAN_LIMIT = 1000
"""How many executions a client-side status filter reads at most before it stops looking."""
SERVER_FILTER: dict[RunStatus, str] = {
    RunStatus.RUNNING: "running",
    RunStatus.PASSED: "completed",
    RunStatus.FAILED: "completed",
    RunStatus.ERROR: "failed",
}
"""Normalized status → the list filter value that narrows to it (QUEUED spans queued+pending and
STOPPED is `cancelled`, neither in the filter enum: those are filtered client-side only)."""
EXACT_SERVER_FILTER = frozenset({RunStatus.RUNNING, RunStatus.ERROR})
"""Statuses the server filter alone selects exactly (`completed` still needs the passed/failed split)."""


class BugBrainSource:
    """Executions of one BugBrain project: its endpoints (`api`) and what its lists taught
    (`memory`), composed."""

    kind = ProviderKind.BUGBRAIN
    capabilities = Capabilities(artifacts=True, analysis=True)
    catalogue_reads = 0
    """BugBrain has no catalogue to read (plan ids come from the user)."""

    def __init__(
        self, name: str, http: ProviderHttp, *, project_id: str, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.name = name
        self.http = http
        self.budget = http.budget
        self.project_id = project_id
        self.memory = BugBrainMemory()
        self.api = BugBrainApi(name, http, project_id=project_id, shape=self.memory.shape)
        self._clock = clock

    def __repr__(self) -> str:
        return f"BugBrainSource(name={self.name!r}, project_id={self.project_id!r})"

    # -- RunSource -----------------------------------------------------------------------------

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """Executions newest first; statuses the filter enum lacks are filtered client-side."""
        if status is RunStatus.SKIPPED:
            return RunPage()  # a BugBrain execution is never "skipped"
        exact = status is None or status in EXACT_SERVER_FILTER
        scan = limit if exact else max(limit, FILTER_SCAN_LIMIT)
        parsed = await self.api.list_executions(
            limit=scan,
            status=SERVER_FILTER.get(status) if status is not None else None,
            created_after=since,
        )
        runs = [execution_to_run(self.name, e) for e in parsed.items]
        if status is not None:
            runs = [r for r in runs if r.status is status]
        runs.sort(key=newest_first)
        return RunPage(runs=runs[:limit], skipped=parsed.skipped)

    def sweep_queries(self) -> Sequence[ListQuery]:
        return discovery.SWEEP_QUERIES

    def covering(self, run: Run) -> ListQuery | None:
        return discovery.covering(run)

    def around(self, runs: Sequence[Run]) -> ListQuery | None:
        return discovery.around(runs)

    async def list_page(self, query: ListQuery, page: int) -> QueryPage:
        return await discovery.list_page(self.api, self.memory, query, page)

    async def read_finished(self, run: Run) -> Run:
        """`/status` already has the done shape (counts, end): one request either way."""
        return await self.refresh_run(run)

    def list_position(self, run: Run) -> tuple[int, float]:
        return discovery.position_by_creation(run)

    def walked_by(self, run: Run) -> str | None:
        return "executions"

    async def get_parent(self, run: Run) -> Run:
        raise NotFound(self.name, "BugBrain executions have no parent run")

    async def refresh_run(self, run: Run) -> Run:
        return merge_refresh(
            run, execution_to_run(self.name, await self.api.execution_status(run.id))
        )

    async def get_run(self, run_id: str) -> Run:
        """`/status`, plus `/results` for the test plan id the status shapes lack."""
        run = execution_to_run(self.name, await self.api.execution_status(run_id))
        if run.test_id is None:
            plan = await self._plan_of(run_id)
            if plan is not None:
                run = run.model_copy(update={"test_id": plan, "name": plan_name(plan, run_id)})
        return run

    async def stop_run(self, run: Run) -> Run:
        cancelled = execution_to_run(self.name, await self.api.cancel_execution(run.id))
        return merge_refresh(run, cancelled)

    async def rerun(self, run: Run) -> Run:
        """Start the same test plan again, asynchronously."""
        plan = run.test_id or await self._plan_of(run.id)
        if plan is None:
            raise RequestRejected(self.name, f"cannot re-run {run.id}: its test plan is unknown")
        return await self.start_plan(plan)

    async def start_plan(self, test_plan_id: str) -> Run:
        """Start a test plan asynchronously and return the queued run."""
        started = await self.api.start_execution_async(test_plan_id)
        now = self._clock.now()
        return Run(
            provider=self.name,
            provider_kind=ProviderKind.BUGBRAIN,
            id=started.id,
            kind=RunKind.EXECUTION,
            name=plan_name(test_plan_id, started.id),
            status=bugbrain_status(started.status),
            provider_status=started.status or "",
            queued=now,
            test_id=test_plan_id,
            triggered_by="qa-tui",
        )

    async def start_execution(
        self,
        test_plan_id: str,
        *,
        timeout_seconds: int | None = None,
        wait_for_completion: bool | None = None,
        environment: str | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> SyncStart:
        """The full start (`POST /executions`: environment, variables, a timeout), as the api
        has it: it blocks unless `wait_for_completion` is false, and is never retried."""
        return await self.api.start_execution(
            test_plan_id,
            timeout_seconds=timeout_seconds,
            wait_for_completion=wait_for_completion,
            environment=environment,
            variables=variables,
        )

    async def run_detail(self, run: Run) -> RunDetail:
        """Steps = the execution's test results; artifacts = their screenshots; analysis."""
        steps: PaneData[Step]
        artifacts: PaneData[Artifact]
        try:
            results = await self.api.execution_results(run.id)
        except NotFound:
            why = "no results yet" if run.status.is_active else "BugBrain returned no results"
            steps = PaneData[Step](unavailable=why)
            artifacts = PaneData[Artifact](unavailable=why)
        else:
            tests = results.test_results
            steps = PaneData[Step](items=tuple(result_to_step(i, t) for i, t in enumerate(tests)))
            artifacts = PaneData[Artifact](
                items=tuple(
                    Artifact(
                        id=f"{t.test_id or i}:screenshot",
                        kind="screenshot",
                        url=t.screenshot,
                        label=t.name,
                    )
                    for i, t in enumerate(tests)
                    if t.screenshot
                )
            )
        return RunDetail(
            run=run,
            steps=steps,
            children=PaneData[Run](
                unavailable="BugBrain executions have no child runs: their tests are the steps"
            ),
            artifacts=artifacts,
            analysis=await self._analysis_pane(run),
        )

    async def fetch_log(self, run: Run) -> str:
        raise Unsupported(self.name, "BugBrain has no log endpoint")

    async def fetch_junit(self, run: Run) -> bytes:
        raise Unsupported(self.name, "BugBrain has no JUnit report endpoint")

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """Bytes of a file BugBrain links to (a result's screenshot): with the key on the API's
        own host, without it anywhere else (a CDN), like BugBug's files."""
        if url.startswith(("http://", "https://")) and not self.http.same_origin(url):
            return (await self.http.get_other_origin(url, max_bytes=max_bytes)).content
        response = await self.http.request("GET", url, follow_redirects=True, max_bytes=max_bytes)
        return response.content

    async def check(self) -> str:
        """One list call (limit=1) for the project: tells a bad key from a wrong project id."""
        try:
            raw = await self.api.executions_page(offset=0, limit=1)
        except AuthFailed as exc:
            if exc.status_code == 403:
                raise AuthFailed(
                    self.name,
                    f"the key has no access to project {self.project_id!r} "
                    f"(wrong project_id, or a key without access): {exc.message}",
                    status_code=403,
                ) from None
            raise AuthFailed(
                self.name, f"the API key was refused: {exc.message}", status_code=exc.status_code
            ) from None
        except (NotFound, RequestRejected) as exc:
            raise type(exc)(
                self.name,
                f"project {self.project_id!r} not accepted (check project_id): {exc.message}",
                status_code=exc.status_code,
            ) from None
        body = as_dict(self.name, raw, "execution list")
        pagination = body.get("pagination")
        total = pagination.get("total") if isinstance(pagination, dict) else None
        count = f"{total} executions" if isinstance(total, int) else "executions readable"
        return f"project {self.project_id}: {count}"

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- helpers -------------------------------------------------------------------------------

    async def _plan_of(self, execution_id: str) -> str | None:
        """The test plan an execution ran, from `/results` (None when it has none to give)."""
        try:
            return (await self.api.execution_results(execution_id)).test_plan_id
        except (NotFound, BadPayload):
            return None  # other failures (network, auth, rate limit) are the caller's to see

    async def _analysis_pane(self, run: Run) -> PaneData[FailureAnalysis]:
        if run.status.is_active:
            return PaneData[FailureAnalysis](
                unavailable="failure analysis comes once the execution has finished"
            )
        if run.status is RunStatus.PASSED:
            return PaneData[FailureAnalysis](unavailable="no failed tests to analyse")
        items = await self.api.failure_analysis(run.id)
        if not items:
            return PaneData[FailureAnalysis](
                unavailable="BugBrain has no failure analysis for this execution (it is optional)"
            )
        return PaneData[FailureAnalysis](items=tuple(analysis_to_model(i) for i in items))
