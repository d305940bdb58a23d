"""BugBrain executions (API "generation A", shared/providers.md §3) as a `RunSource`.

Quirks this module absorbs:
- The base URL already ends in `/api/v1`; paths are `/executions…` and `/test-cases`. The async
  start's `polling_url` is host-relative and repeats `/api/v1`: it is ignored in favour of
  `/executions/{id}/status`.
- Two auth generations: Gen A `Authorization: Bearer bugbrain_sk_…`, Gen B `x-api-key: sk_live_…`
  (`auth_headers(token, style)`).
- `completed` can hold failed tests → FAILED; `failed` means the execution itself broke → ERROR;
  `cancelled` → STOPPED; `pending` → QUEUED (status.bugbrain_status).
- The list's `status` filter only knows pending, running, completed, failed: queued and cancelled
  runs (and the passed/failed split of `completed`) are filtered here, client-side.
- The list order is not documented [INF]: pages are read in the order given and sorted newest
  first by `created_at` here.
- `/status` has a running and a done shape (bugbrain_wire reads both); a refresh keeps what the
  status call does not carry (plan id, name, start time). `get_run` asks `/results` for the plan.
- Executions carry no name: the row is named after the test plan ("plan tp_…").
- No web URL for an execution is documented: `Run.url` stays None.
- Failure analysis is optional ("if available"): absent, 404 or empty is an empty result.
- The synchronous start blocks up to `timeout_seconds`, so it gets a read timeout to match; it is
  not idempotent, so it is never retried after it may have reached the server.
- No test-plan list endpoint exists: plan ids (`tp_…`) come from the user.
- No logs, no JUnit. Screenshots live on a CDN host, not the API host.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import AuthFailed, BadPayload, NotFound, RequestRejected, Unsupported
from qa_tui.core.http import ProviderHttp
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
from qa_tui.core.pagination import follow_offsets
from qa_tui.core.providers.base import Capabilities, RunPage
from qa_tui.core.providers.bugbrain_wire import (
    AnalysisItem,
    AsyncStart,
    Execution,
    ExecutionResults,
    SavedTestCase,
    SyncStart,
    analysis_to_model,
    execution_to_run,
    merge_refresh,
    newest_first_key,
    plan_name,
    read_results,
    result_to_step,
)
from qa_tui.core.status import bugbrain_status
from qa_tui.core.wire import Parsed, as_dict, parse_each, parse_one

DEFAULT_BASE_URL = "https://api.bugbrain.tech/api/v1"
DEFAULT_REQUESTS_PER_MINUTE = 30
"""Gen A documents 30 requests a minute (and 500 an hour) per key."""
LIST_PAGE_SIZE = 100
"""The list's documented maximum `limit`."""
FILTER_SCAN_LIMIT = 1000
"""How many executions a client-side status filter reads at most before it stops looking."""
SYNC_START_MARGIN_S = 30.0
"""Read-timeout slack over `timeout_seconds` for the blocking synchronous start."""
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


def auth_headers(token: str, style: str = "bearer") -> dict[str, str]:
    """Gen A `Authorization: Bearer <key>` (default) or Gen B `x-api-key: <key>`."""
    if style == "bearer":
        return {"Authorization": f"Bearer {token}"}
    if style == "x-api-key":
        return {"x-api-key": token}
    raise ValueError(f"unknown BugBrain auth style {style!r}: expected 'bearer' or 'x-api-key'")


class BugBrainSource:
    """Executions of one BugBrain project."""

    kind = ProviderKind.BUGBRAIN
    capabilities = Capabilities(artifacts=True, analysis=True)

    def __init__(
        self, name: str, http: ProviderHttp, *, project_id: str, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.name = name
        self.http = http
        self.budget = http.budget
        self.project_id = project_id
        self._clock = clock

    def __repr__(self) -> str:
        return f"BugBrainSource(name={self.name!r}, project_id={self.project_id!r})"

    # -- raw endpoints -------------------------------------------------------------------------

    async def list_executions(
        self,
        *,
        limit: int | None = 20,
        status: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        page_size: int = LIST_PAGE_SIZE,
    ) -> Parsed[Execution]:
        """`GET /executions`, following `offset` until `limit` items (None: all of them)."""
        params = {
            "project_id": self.project_id,
            "status": status,
            "created_after": created_after.isoformat() if created_after else None,
            "created_before": created_before.isoformat() if created_before else None,
        }
        parsed: Parsed[Execution] = Parsed()
        pages = follow_offsets(
            self.http, "/executions", params=params, limit=limit, page_size=page_size
        )
        async for raw_items in pages:
            page = parse_each(Execution, raw_items)
            parsed.items.extend(page.items)
            parsed.skipped += page.skipped
        return parsed

    async def start_execution(
        self,
        test_plan_id: str,
        *,
        timeout_seconds: int | None = None,
        wait_for_completion: bool | None = None,
        environment: str | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> SyncStart:
        """`POST /executions`: blocks until done (up to `timeout_seconds`, default 300) unless
        `wait_for_completion` is false. Not idempotent: never retried once it may have arrived."""
        body: dict[str, Any] = {"test_plan_id": test_plan_id, "project_id": self.project_id}
        optional = {
            "timeout_seconds": timeout_seconds,
            "wait_for_completion": wait_for_completion,
            "environment": environment,
            "variables": dict(variables) if variables is not None else None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        blocks = wait_for_completion is not False
        read_timeout = (timeout_seconds or 300) + SYNC_START_MARGIN_S if blocks else None
        raw = as_dict(
            self.name,
            await self.http.send_json(
                "POST", "/executions", body, idempotent=False, timeout_s=read_timeout
            ),
            "started execution",
        )
        execution = parse_one(self.name, Execution, raw, "started execution")
        block = raw.get("results")
        results = read_results(block if isinstance(block, dict) else {}, execution)
        return SyncStart(execution=execution, results=results)

    async def start_execution_async(self, test_plan_id: str) -> AsyncStart:
        """`POST /executions/async`: returns at once with the queued execution's id."""
        body = {"test_plan_id": test_plan_id, "project_id": self.project_id}
        raw = await self.http.send_json("POST", "/executions/async", body, idempotent=False)
        return parse_one(self.name, AsyncStart, raw, "started execution")

    async def execution_status(self, execution_id: str) -> Execution:
        """`GET /executions/{id}/status` (running or done shape)."""
        raw = await self.http.get_json(f"/executions/{execution_id}/status")
        return parse_one(self.name, Execution, raw, "execution status")

    async def execution_results(self, execution_id: str) -> ExecutionResults:
        """`GET /executions/{id}/results`; unreadable test results are skipped and counted."""
        raw = as_dict(
            self.name, await self.http.get_json(f"/executions/{execution_id}/results"), "results"
        )
        return read_results(raw, None)

    async def failure_analysis(self, execution_id: str) -> list[AnalysisItem]:
        """`GET /executions/{id}/failure-analysis`: optional data, so absent/404/empty → []."""
        try:
            raw = await self.http.get_json(f"/executions/{execution_id}/failure-analysis")
        except NotFound:
            return []
        if not isinstance(raw, dict):
            return []
        return parse_each(AnalysisItem, raw.get("analysis")).items

    async def cancel_execution(self, execution_id: str) -> Execution:
        """`DELETE /executions/{id}` → `{id, status: "cancelled", cancellation_reason, …}`."""
        raw = await self.http.send_json("DELETE", f"/executions/{execution_id}")
        if raw is None:  # an empty answer still means the cancel was accepted
            raw = {"id": execution_id, "status": "cancelled"}
        return parse_one(self.name, Execution, raw, "cancelled execution")

    async def list_test_cases(
        self,
        *,
        test_plan_id: str | None = None,
        search: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> Parsed[SavedTestCase]:
        """`GET /test-cases` (`status` is `active` or `archived`), every page up to `limit`."""
        params = {
            "project_id": self.project_id,
            "test_plan_id": test_plan_id,
            "search": search,
            "status": status,
        }
        parsed: Parsed[SavedTestCase] = Parsed()
        async for raw_items in follow_offsets(
            self.http, "/test-cases", params=params, limit=limit, page_size=500
        ):
            page = parse_each(SavedTestCase, raw_items)
            parsed.items.extend(page.items)
            parsed.skipped += page.skipped
        return parsed

    # -- RunSource -----------------------------------------------------------------------------

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """Executions newest first; statuses the filter enum lacks are filtered client-side."""
        if status is RunStatus.SKIPPED:
            return RunPage()  # a BugBrain execution is never "skipped"
        exact = status is None or status in EXACT_SERVER_FILTER
        scan = limit if exact else max(limit, FILTER_SCAN_LIMIT)
        parsed = await self.list_executions(
            limit=scan,
            status=SERVER_FILTER.get(status) if status is not None else None,
            created_after=since,
        )
        runs = [execution_to_run(self.name, e) for e in parsed.items]
        if status is not None:
            runs = [r for r in runs if r.status is status]
        runs.sort(key=newest_first_key, reverse=True)
        return RunPage(runs=runs[:limit], skipped=parsed.skipped)

    async def refresh_run(self, run: Run) -> Run:
        return merge_refresh(run, execution_to_run(self.name, await self.execution_status(run.id)))

    async def get_run(self, run_id: str) -> Run:
        """`/status`, plus `/results` for the test plan id the status shapes lack."""
        run = execution_to_run(self.name, await self.execution_status(run_id))
        if run.target_id is None:
            plan = await self._plan_of(run_id)
            if plan is not None:
                run = run.model_copy(update={"target_id": plan, "name": plan_name(plan, run_id)})
        return run

    async def stop_run(self, run: Run) -> Run:
        cancelled = execution_to_run(self.name, await self.cancel_execution(run.id))
        return merge_refresh(run, cancelled)

    async def rerun(self, run: Run) -> Run:
        """Start the same test plan again, asynchronously."""
        plan = run.target_id or await self._plan_of(run.id)
        if plan is None:
            raise RequestRejected(self.name, f"cannot re-run {run.id}: its test plan is unknown")
        return await self.start(plan)

    async def start(self, test_plan_id: str) -> Run:
        """Start a test plan asynchronously and return the queued run."""
        started = await self.start_execution_async(test_plan_id)
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
            target_id=test_plan_id,
            triggered_by="qa-tui",
        )

    async def run_detail(self, run: Run) -> RunDetail:
        """Steps = the execution's test results; artifacts = their screenshots; analysis."""
        steps: PaneData[Step]
        artifacts: PaneData[Artifact]
        try:
            results = await self.execution_results(run.id)
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
        params = {"project_id": self.project_id, "limit": 1, "offset": 0}
        try:
            raw = await self.http.get_json("/executions", params=params)
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
            return (await self.execution_results(execution_id)).test_plan_id
        except (NotFound, BadPayload):
            return None  # other failures (network, auth, rate limit) are the caller's to see

    async def _analysis_pane(self, run: Run) -> PaneData[FailureAnalysis]:
        if run.status.is_active:
            return PaneData[FailureAnalysis](
                unavailable="failure analysis comes once the execution has finished"
            )
        if run.status is RunStatus.PASSED:
            return PaneData[FailureAnalysis](unavailable="no failed tests to analyse")
        items = await self.failure_analysis(run.id)
        if not items:
            return PaneData[FailureAnalysis](
                unavailable="BugBrain has no failure analysis for this execution (it is optional)"
            )
        return PaneData[FailureAnalysis](items=tuple(analysis_to_model(i) for i in items))
