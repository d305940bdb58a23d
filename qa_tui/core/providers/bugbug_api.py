"""BugBug Public API v2 endpoints: one method per endpoint qa-tui uses, returning wire models.

`BugBugSource` (in `bugbug`) builds the product behaviour on top of these. Quirks absorbed here:
- paths are appended to `/api/v2` and end with `/` (Django REST Framework);
- lists page by `page`/`page_size` and absolute `next` links (followed up to the limit asked for);
  an unreadable item is skipped and counted, the rest of the page still comes through;
- suite runs have no status filter and no suite id: the id a suite run was started with is
  remembered here, since nothing in BugBug's answers says it again;
- the logs endpoint answers 302: redirects are followed by hand, and the token is sent only to
  BugBug's own origin (another host gets no credentials);
- JUnit XML comes labelled `application/json`: it is read as bytes (a JSON-quoted string is
  unwrapped [INF]); debug artifacts come as a bare array (a paginated object is read too).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urljoin

from qa_tui.core.errors import BadPayload, NotFound
from qa_tui.core.http import ProviderHttp
from qa_tui.core.pagination import follow_next_links
from qa_tui.core.providers.bugbug_wire import (
    DebugArtifact,
    StepRun,
    SuiteRunScreenshots,
    TestRunScreenshots,
    V2Profile,
    V2Suite,
    V2SuiteRun,
    V2SuiteRunStatus,
    V2Test,
    V2TestRun,
    V2TestRunStatus,
)
from qa_tui.core.wire import Parsed, WireModel, as_dict, parse_each, parse_one

API_PREFIX = "/api/v2"
PAGE_SIZE = 100
MAX_REDIRECTS = 5

M = TypeVar("M", bound=WireModel)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _unwrap_junit(body: bytes) -> bytes:
    if body.lstrip().startswith(b'"'):
        try:
            text = json.loads(body)
        except ValueError:
            return body
        if isinstance(text, str):
            return text.encode()
    return body


class BugBugApi:
    """The raw BugBug v2 endpoints over one `ProviderHttp` (budgeted, retried, classified)."""

    page_size = PAGE_SIZE
    """Items asked for per page of a list (BugBug's own default is 20)."""

    def __init__(self, name: str, http: ProviderHttp) -> None:
        self.name = name
        self.http = http
        self._suite_of_run: dict[str, str] = {}
        """Suite run id → the suite id it was started with (BugBug's answers never say)."""

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _get(self, model: type[M], path: str, what: str) -> M:
        return parse_one(self.name, model, await self.http.get_json(API_PREFIX + path), what)

    async def _post(self, model: type[M], path: str, body: Any, what: str) -> M:
        raw = await self.http.send_json("POST", API_PREFIX + path, body)
        return parse_one(self.name, model, raw, what)

    async def _pages(
        self, model: type[M], path: str, params: Mapping[str, Any], limit: int | None
    ) -> Parsed[M]:
        parsed: Parsed[M] = Parsed()
        size = self.page_size if limit is None else max(1, min(self.page_size, limit))
        pages = follow_next_links(
            self.http, API_PREFIX + path, params=params, limit=limit, page_size=size
        )
        async for page in pages:
            chunk = parse_each(model, page)
            parsed.items.extend(chunk.items)
            parsed.skipped += chunk.skipped
        return parsed

    async def _one_page(
        self, model: type[M], path: str, params: Mapping[str, Any], page: int
    ) -> tuple[Parsed[M], bool]:
        """Page `page` (1-based) of a list, and whether a later one exists. DRF answers 404
        "Invalid page." past the last page (the list shrank since the page count was read): an
        empty page, nothing more."""
        query = {**{k: v for k, v in params.items() if v is not None}}
        query.update(page=page, page_size=self.page_size)
        try:
            body = as_dict(
                self.name, await self.http.get_json(API_PREFIX + path, params=query), "page"
            )
        except NotFound:
            if page == 1:
                raise
            return Parsed(), False
        more = isinstance(body.get("next"), str) and bool(body["next"])
        return parse_each(model, body.get("results")), more

    async def test_runs_page(
        self,
        page: int,
        *,
        status: str | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
    ) -> tuple[Parsed[V2TestRun], bool]:
        """One page of `GET /testruns/?ordering=-started` (a raw status, a start range)."""
        params = {
            "status": status,
            "started_after": _iso(started_after),
            "started_before": _iso(started_before),
            "ordering": "-started",
        }
        return await self._one_page(V2TestRun, "/testruns/", params, page)

    async def suite_runs_page(self, page: int) -> tuple[Parsed[V2SuiteRun], bool]:
        """One page of `GET /suiteruns/?ordering=-started` (suite runs have no status filter)."""
        return await self._one_page(V2SuiteRun, "/suiteruns/", {"ordering": "-started"}, page)

    @staticmethod
    def _start_body(
        key: str, target: str, profile_id: str | None, variables: Mapping[str, str | None] | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {key: target}
        if profile_id is not None:
            body["runProfileId"] = profile_id
        body["variables"] = [{"key": k, "value": v} for k, v in (variables or {}).items()]
        return body

    async def list_test_runs(
        self,
        *,
        limit: int | None = 100,
        status: str | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        test_id: str | None = None,
        ordering: str = "-started",
    ) -> Parsed[V2TestRun]:
        """`GET /testruns/`, following `next` links up to `limit` runs (None: all)."""
        params = {
            "status": status,
            "started_after": _iso(started_after),
            "started_before": _iso(started_before),
            "test_id": test_id,
            "ordering": ordering,
        }
        return await self._pages(V2TestRun, "/testruns/", params, limit)

    async def start_test_run(
        self,
        test_id: str,
        *,
        profile_id: str | None = None,
        variables: Mapping[str, str | None] | None = None,
    ) -> V2TestRunStatus:
        """`POST /testruns/` (never retried: a lost answer must not start the test twice)."""
        body = self._start_body("testId", test_id, profile_id, variables)
        return await self._post(V2TestRunStatus, "/testruns/", body, "started test run")

    async def get_test_run(self, run_id: str) -> V2TestRun:
        return await self._get(V2TestRun, f"/testruns/{run_id}/", "test run")

    async def test_run_status(self, run_id: str) -> V2TestRunStatus:
        return await self._get(V2TestRunStatus, f"/testruns/{run_id}/status/", "test run status")

    async def stop_test_run(self, run_id: str) -> V2TestRunStatus:
        return await self._post(V2TestRunStatus, f"/testruns/{run_id}/stop/", None, "stopped run")

    async def test_run_screenshots(self, run_id: str) -> TestRunScreenshots:
        path = f"/testruns/{run_id}/screenshots/"
        return await self._get(TestRunScreenshots, path, "screenshots")

    async def debug_artifacts(self, run_id: str) -> list[DebugArtifact]:
        """`GET /testruns/{id}/debug-artifacts/`: a bare array (a paginated object is read too)."""
        raw = await self.http.get_json(f"{API_PREFIX}/testruns/{run_id}/debug-artifacts/")
        if isinstance(raw, dict):
            raw = raw.get("results")
        return parse_each(DebugArtifact, raw).items

    async def debug_artifact(self, run_id: str, kind: str) -> DebugArtifact:
        path = f"/testruns/{run_id}/debug-artifacts/{kind}/"
        return await self._get(DebugArtifact, path, "debug artifact")

    async def test_run_log(self, run_id: str) -> str:
        """The log text behind `GET /testruns/{id}/logs/`'s 302 (404: missing or expired)."""
        content = await self._get_following(f"{API_PREFIX}/testruns/{run_id}/logs/")
        return content.decode("utf-8", errors="replace")

    async def _get_following(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """GET on BugBug's origin, following redirects by hand: the token stays on that origin."""
        response = await self.http.request("GET", url, max_bytes=max_bytes)
        for _ in range(MAX_REDIRECTS):
            location = response.headers.get("location")
            if not response.is_redirect or not location:
                return response.content
            target = urljoin(str(response.url), location)
            if not self.http.same_origin(target):
                return (await self.http.get_other_origin(target, max_bytes=max_bytes)).content
            response = await self.http.request("GET", target, max_bytes=max_bytes)
        raise BadPayload(self.name, "too many redirects", status_code=response.status_code)

    async def test_run_junit(self, run_id: str) -> bytes:
        response = await self.http.request("GET", f"{API_PREFIX}/testruns/{run_id}/report/junit/")
        return _unwrap_junit(response.content)

    async def list_suite_runs(
        self,
        *,
        limit: int | None = 100,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        ordering: str = "-started",
    ) -> Parsed[V2SuiteRun]:
        """`GET /suiteruns/` (no status filter exists for suite runs)."""
        params = {
            "started_after": _iso(started_after),
            "started_before": _iso(started_before),
            "ordering": ordering,
        }
        return await self._pages(V2SuiteRun, "/suiteruns/", params, limit)

    async def start_suite_run(
        self,
        suite_id: str,
        *,
        profile_id: str | None = None,
        variables: Mapping[str, str | None] | None = None,
    ) -> V2SuiteRunStatus:
        """`POST /suiteruns/`; the suite id is remembered, since a suite run does not carry it."""
        body = self._start_body("suiteId", suite_id, profile_id, variables)
        started = await self._post(V2SuiteRunStatus, "/suiteruns/", body, "started suite run")
        self._suite_of_run[started.id] = suite_id
        return started

    async def get_suite_run(self, run_id: str) -> V2SuiteRun:
        return await self._get(V2SuiteRun, f"/suiteruns/{run_id}/", "suite run")

    async def suite_run_status(self, run_id: str) -> V2SuiteRunStatus:
        path = f"/suiteruns/{run_id}/status/"
        return await self._get(V2SuiteRunStatus, path, "suite run status")

    async def stop_suite_run(self, run_id: str) -> V2SuiteRunStatus:
        path = f"/suiteruns/{run_id}/stop/"
        return await self._post(V2SuiteRunStatus, path, None, "stopped suite run")

    async def suite_run_screenshots(self, run_id: str) -> SuiteRunScreenshots:
        path = f"/suiteruns/{run_id}/screenshots/"
        return await self._get(SuiteRunScreenshots, path, "suite screenshots")

    async def suite_run_junit(self, run_id: str) -> bytes:
        response = await self.http.request("GET", f"{API_PREFIX}/suiteruns/{run_id}/report/junit/")
        return _unwrap_junit(response.content)

    async def get_step_run(self, step_run_id: str) -> StepRun:
        return await self._get(StepRun, f"/stepruns/{step_run_id}/", "step run")

    async def list_tests(
        self, query: str | None = None, *, limit: int | None = None
    ) -> Parsed[V2Test]:
        return await self._pages(V2Test, "/tests/", {"query": query}, limit)

    async def list_suites(
        self, query: str | None = None, *, limit: int | None = None
    ) -> Parsed[V2Suite]:
        return await self._pages(V2Suite, "/suites/", {"query": query}, limit)

    async def list_profiles(self, *, limit: int | None = None) -> Parsed[V2Profile]:
        return await self._pages(V2Profile, "/profiles/", {}, limit)
