"""BugBug Public API v2 endpoints: one method per endpoint qa-tui uses, returning wire models.

Stateless: the endpoints learn nothing of their own. The one thing their lists teach (the
`ListShape`: paging, page sizes, order, ranges) is written into the memory's shape, handed in at
construction. `source.BugBugSource` builds the product behaviour on top of these. Quirks absorbed
here:
- the host is unsettled (`api.bugbug.io` in the docs, `app.bugbug.io` in every working client): the
  default follows the clients and the config may choose the other;
- BugBug documents no rate limit: `DEFAULT_REQUESTS_PER_MINUTE` (60) is a polite default of ours;
- the `tokenAuth` scheme wants the `Token` prefix (`auth_headers`);
- paths are appended to `/api/v2` and end with `/` (Django REST Framework);
- lists page by `page`/`page_size`; `next` is only a hint (null, relative, or naming another host
  behind a proxy are all plausible [INF]: core/http/paging.py reads each), and the server may page
  by its own size; an unreadable item is skipped and counted, the rest of the page still comes
  through;
- `ordering` is documented for test runs and not for suite runs [INF]: a suite-run list that
  comes oldest first whatever is asked is noticed (`ListShape.oldest_first`) and its newest runs
  are read from its last pages;
- the `started_after`/`started_before` range may be ignored by a server [INF]: a run outside the
  range asked for is noticed (`ListShape.ranges_ignored`, by the discovery's `list_page`), and
  ranges are filtered there too;
- suite runs have no status filter and no suite id: the id a suite run was started with is
  remembered by the source (`BugBugMemory.suite_of_run`), since nothing in BugBug's answers says
  it again;
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
from qa_tui.core.http.paging import ListShape, follow_next_links, last_page, page_more
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import Parsed, WireModel, as_dict, parse_each, parse_one
from qa_tui.core.providers.bugbug.wire import (
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

DEFAULT_BASE_URL = "https://app.bugbug.io"
"""The host every working client uses; `https://api.bugbug.io` (the docs' curl) can be configured."""
DEFAULT_REQUESTS_PER_MINUTE = 60
"""BugBug documents no rate limit: a polite default of ours, one request a second on average."""
API_PREFIX = "/api/v2"
PAGE_SIZE = 100
MAX_REDIRECTS = 5

M = TypeVar("M", bound=WireModel)


def auth_headers(token: str) -> dict[str, str]:
    """The header BugBug's `tokenAuth` scheme wants (the `Token` prefix is required)."""
    return {"Authorization": f"Token {token}"}


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

    def __init__(self, name: str, http: ProviderHttp, *, shape: ListShape) -> None:
        self.name = name
        self.http = http
        self.shape = shape
        """What BugBug's lists turned out to speak: the source memory's, written as pages arrive."""

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
        if params.get("ordering") == "-started" and self.shape.oldest_first.get(path):
            return await self._newest_from_the_end(model, path, params, limit)
        pages = follow_next_links(
            self.http,
            API_PREFIX + path,
            params=params,
            limit=None if limit is None else limit,
            page_size=size,
            shape=self.shape,
        )
        async for page in pages:
            chunk = parse_each(model, page)
            parsed.items.extend(chunk.items)
            parsed.skipped += chunk.skipped
            self._learn_order(path, params, chunk.items)
            if self.shape.oldest_first.get(path) and limit is not None:
                return await self._newest_from_the_end(model, path, params, limit)
        return parsed

    def _learn_order(self, path: str, params: Mapping[str, Any], items: list[Any]) -> None:
        """A page asked `-started` whose starts rise comes oldest first: the server ignores
        `ordering` on this list [INF]."""
        if params.get("ordering") != "-started":
            return
        starts = [s for item in items if (s := getattr(item, "started", None)) is not None]
        if len(starts) >= 2 and starts[0] < starts[-1]:
            self.shape.oldest_first[path] = True

    async def _newest_from_the_end(
        self, model: type[M], path: str, params: Mapping[str, Any], limit: int | None
    ) -> Parsed[M]:
        """The newest `limit` runs of a list that comes oldest first: its last pages, backwards."""
        parsed: Parsed[M] = Parsed()
        size = self.shape.served(API_PREFIX + path, self.page_size)
        page = last_page(self.shape.counts.get(path, 0), size)
        body = await self._page_body(path, params, page)
        count = body.get("count")
        if isinstance(count, int) and last_page(count, size) > page:  # it grew: the new end
            self.shape.counts[path] = count
            page = last_page(count, size)
            body = await self._page_body(path, params, page)
        while True:
            chunk = parse_each(model, body.get("results"))
            parsed.items.extend(reversed(chunk.items))
            parsed.skipped += chunk.skipped
            page -= 1
            if page < 1 or (limit is not None and len(parsed.items) >= limit):
                break
            body = await self._page_body(path, params, page)
        parsed.items = parsed.items[:limit] if limit is not None else parsed.items
        return parsed

    async def _page_body(self, path: str, params: Mapping[str, Any], page: int) -> dict[str, Any]:
        query = {k: v for k, v in params.items() if v is not None}
        query.update(page=page, page_size=self.page_size)
        try:
            raw = await self.http.get_json(API_PREFIX + path, params=query)
        except NotFound:
            if page == 1:
                raise
            return {"results": []}
        body = as_dict(self.name, raw, "page")
        count = body.get("count")
        if isinstance(count, int) and not isinstance(count, bool):
            self.shape.counts[path] = count
        return body

    async def _one_page(
        self, model: type[M], path: str, params: Mapping[str, Any], page: int
    ) -> tuple[Parsed[M], bool]:
        """Page `page` (1-based) of a list, and whether a later one exists (by `next`, `count`
        or a full page: see core/http/paging.py). DRF answers 404 "Invalid page." past the last
        page (the list shrank since the page count was read): an empty page, nothing more."""
        body = await self._page_body(path, params, page)
        parsed = parse_each(model, body.get("results"))
        self._learn_order(path, params, parsed.items)
        return parsed, page_more(self.shape, API_PREFIX + path, body, page, self.page_size)

    async def test_runs_page(
        self,
        page: int,
        *,
        status: str | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        ordering: str = "-started",
    ) -> tuple[Parsed[V2TestRun], bool]:
        """One page of `GET /testruns/?ordering=-started` (a raw status, a start range), or
        oldest first (`ordering=started`)."""
        params = {
            "status": status,
            "started_after": _iso(started_after),
            "started_before": _iso(started_before),
            "ordering": ordering,
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
        content = await self.get_following(f"{API_PREFIX}/testruns/{run_id}/logs/")
        return content.decode("utf-8", errors="replace")

    async def get_following(self, url: str, *, max_bytes: int | None = None) -> bytes:
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
        """`POST /suiteruns/` (never retried). A suite run does not carry its suite id: the
        caller remembers it."""
        body = self._start_body("suiteId", suite_id, profile_id, variables)
        return await self._post(V2SuiteRunStatus, "/suiteruns/", body, "started suite run")

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

    async def test_count(self) -> int | None:
        """`GET /tests/?page=1&page_size=1`: the cheapest call that needs a valid token; the
        project's number of tests, when the answer says."""
        raw = await self.http.get_json(f"{API_PREFIX}/tests/", params={"page": 1, "page_size": 1})
        count = raw.get("count") if isinstance(raw, dict) else None
        return count if isinstance(count, int) else None
