"""BugBrain executions API (generation A): one method per endpoint qa-tui uses, as wire models.

Stateless: what the lists teach (`ListShape`) is written into the source memory's shape, handed
in at construction. `source.BugBrainSource` builds the product behaviour on these. Quirks
absorbed here:
- the base URL already ends in `/api/v1`; paths are `/executions…` and `/test-cases`. The async
  start's `polling_url` is host-relative and repeats `/api/v1`: it is ignored in favour of
  `/executions/{id}/status`;
- two auth generations: Gen A `Authorization: Bearer bugbrain_sk_…`, Gen B `x-api-key: sk_live_…`
  (`auth_headers(token, style)`);
- Gen A documents 30 requests a minute (and 500 an hour) per key (`DEFAULT_REQUESTS_PER_MINUTE`);
- lists page by `limit`/`offset` with a `pagination.total` (followed up to the limit asked for);
  the total may be absent and `limit` capped below what was asked [INF]: offsets advance by what
  was served, and the cap is learned (`ListShape`, core/http/paging.py);
- the synchronous start blocks up to `timeout_seconds`, so it gets a read timeout to match; no
  start is idempotent, so none is retried once it may have reached the server;
- failure analysis is optional ("if available"): absent, 404 or empty is an empty result;
- a cancel with an empty answer still means the cancel was accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from qa_tui.core.errors import NotFound
from qa_tui.core.http.paging import ListShape, follow_offsets
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import Parsed, as_dict, parse_each, parse_one
from qa_tui.core.providers.bugbrain.wire import (
    AnalysisItem,
    AsyncStart,
    Execution,
    ExecutionResults,
    SavedTestCase,
    SyncStart,
    read_results,
)

DEFAULT_BASE_URL = "https://api.bugbrain.tech/api/v1"
DEFAULT_REQUESTS_PER_MINUTE = 30
"""Gen A documents 30 requests a minute (and 500 an hour) per key."""
LIST_PAGE_SIZE = 100
"""The list's documented maximum `limit`."""
SYNC_START_MARGIN_S = 30.0
"""Read-timeout slack over `timeout_seconds` for the blocking synchronous start."""


def auth_headers(token: str, style: str = "bearer") -> dict[str, str]:
    """Gen A `Authorization: Bearer <key>` (default) or Gen B `x-api-key: <key>`."""
    if style == "bearer":
        return {"Authorization": f"Bearer {token}"}
    if style == "x-api-key":
        return {"x-api-key": token}
    raise ValueError(f"unknown BugBrain auth style {style!r}: expected 'bearer' or 'x-api-key'")


class BugBrainApi:
    """The raw endpoints of one BugBrain project over one `ProviderHttp`."""

    def __init__(self, name: str, http: ProviderHttp, *, project_id: str, shape: ListShape) -> None:
        self.name = name
        self.http = http
        self.project_id = project_id
        self.shape = shape
        """What BugBrain's lists turned out to speak (a total or not, the size served): the
        source memory's, written as pages arrive."""

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
            self.http,
            "/executions",
            params=params,
            limit=limit,
            page_size=page_size,
            shape=self.shape,
        )
        async for raw_items in pages:
            page = parse_each(Execution, raw_items)
            parsed.items.extend(page.items)
            parsed.skipped += page.skipped
        return parsed

    async def executions_page(
        self,
        *,
        offset: int,
        limit: int = LIST_PAGE_SIZE,
        status: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Any:
        """One page of `GET /executions?limit=…&offset=…` (optionally one status, or a creation
        range) as it came: an object with its `data` and, when sent, its `pagination`."""
        params: dict[str, Any] = {"project_id": self.project_id, "limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status
        if created_after is not None and created_before is not None:
            params["created_after"] = created_after.isoformat()
            params["created_before"] = created_before.isoformat()
        return await self.http.get_json("/executions", params=params)

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
            self.http, "/test-cases", params=params, limit=limit, page_size=500, shape=self.shape
        ):
            page = parse_each(SavedTestCase, raw_items)
            parsed.items.extend(page.items)
            parsed.skipped += page.skipped
        return parsed
