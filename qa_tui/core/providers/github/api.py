"""The three GitHub REST endpoints qa-tui reads, stateless, over one `ProviderHttp`.

Quirks absorbed here:
- Conditional requests: each read may carry the ETag of the last answer (`If-None-Match`); an
  unchanged resource comes back `304 Not Modified` with no body, and GitHub does not count a 304
  against the token's 5,000 an hour. The budget (our share of those) gets its token back for it
  (`RequestBudget.give_back`), so reading an unchanged commit costs nothing of either.
- GitHub's clock: every answer carries `Date`; the reader uses it to compare GitHub's times with
  the moment a trigger was recorded here (`Answer.server_time`).
- Auth is `Authorization: Bearer <token>`, sent only to `api_url` (the session refuses a link to
  another host); the API version is the default one (2022-11-28), so no version header is sent.
- A rate limit comes as a 403 (or a 429) with `X-RateLimit-Remaining: 0` or `Retry-After`: the
  session reads it as a rate limit, pauses the budget until `X-RateLimit-Reset`, and raises at
  once (`RETRY`: the reader backs off rather than wait in line).
- Owner, repository and commit are path segments from the user or a checkout: each is quoted
  whole, so none can reach another path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Generic, TypeVar
from urllib.parse import quote

import httpx

from qa_tui.core.http.session import ProviderHttp, RetryPolicy
from qa_tui.core.http.wire import parse_each, parse_one
from qa_tui.core.providers.github.wire import (
    CheckRun,
    CheckRuns,
    CombinedStatus,
    CommitStatus,
    RateLimit,
)

NAME = "github"
"""The name GitHub's session, errors and budget go by."""
DEFAULT_API_URL = "https://api.github.com"
ACCEPT = "application/vnd.github+json"
PER_PAGE = 100
"""Statuses and check runs asked for at once: the most GitHub gives on a page."""
RETRY = RetryPolicy(attempts=2, max_wait_s=0.0)
"""One retry for a dropped connection or a 5xx; a rate limit is raised at once."""

T = TypeVar("T")


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": ACCEPT}


@dataclass(frozen=True)
class Answer(Generic[T]):
    """One read: what it said (None when it was a 304: unchanged), its ETag and GitHub's time."""

    body: T | None
    etag: str | None
    server_time: datetime | None
    skipped: int = 0
    """Items of the answer that could not be read."""

    @property
    def not_modified(self) -> bool:
        return self.body is None


@dataclass(frozen=True)
class Statuses:
    """A commit's statuses, each the latest of its context."""

    items: tuple[CommitStatus, ...]


@dataclass(frozen=True)
class Checks:
    """A commit's check runs."""

    items: tuple[CheckRun, ...]


def server_time(response: httpx.Response) -> datetime | None:
    """GitHub's clock, from the answer's `Date` header (None when absent or unreadable).

    Read tolerantly [INF]: of several `Date` lines (a proxy, or a server adding its own beside
    the application's) the first that reads; an HTTP date is always GMT (RFC 9110), so one
    that reads without a zone (`-0000`) is taken as UTC, never compared naive."""
    for value in response.headers.get_list("date"):
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            continue
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return None


def commit_path(owner: str, repo: str, sha: str, leaf: str) -> str:
    segments = (quote(part, safe="") for part in (owner, repo, sha))
    return "/repos/{}/{}/commits/{}/{}".format(*segments, leaf)


class GitHubApi:
    """GitHub's commit status, check run and rate limit endpoints."""

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    async def _get(self, path: str, etag: str | None) -> httpx.Response:
        headers = {"If-None-Match": etag} if etag else None
        response = await self.http.request(
            "GET", path, params={"per_page": PER_PAGE}, headers=headers
        )
        if response.status_code == 304:
            self.http.budget.give_back()  # GitHub does not count it: neither do we
        return response

    async def statuses(self, owner: str, repo: str, sha: str, etag: str | None) -> Answer[Statuses]:
        """`GET /repos/{owner}/{repo}/commits/{sha}/status`, conditional on `etag`."""
        response = await self._get(commit_path(owner, repo, sha, "status"), etag)
        when, tag = server_time(response), response.headers.get("etag")
        if response.status_code == 304:
            return Answer(None, tag or etag, when)
        raw = self.http.decode_json(response)
        combined = parse_one(NAME, CombinedStatus, raw, "combined status")
        parsed = parse_each(CommitStatus, combined.statuses)
        return Answer(Statuses(tuple(parsed.items)), tag, when, parsed.skipped)

    async def check_runs(self, owner: str, repo: str, sha: str, etag: str | None) -> Answer[Checks]:
        """`GET /repos/{owner}/{repo}/commits/{sha}/check-runs`, conditional on `etag`."""
        response = await self._get(commit_path(owner, repo, sha, "check-runs"), etag)
        when, tag = server_time(response), response.headers.get("etag")
        if response.status_code == 304:
            return Answer(None, tag or etag, when)
        raw = self.http.decode_json(response)
        listed = parse_one(NAME, CheckRuns, raw, "check runs")
        parsed = parse_each(CheckRun, listed.check_runs)
        return Answer(Checks(tuple(parsed.items)), tag, when, parsed.skipped)

    async def rate_limit(self) -> RateLimit:
        """`GET /rate_limit`: the token's window (GitHub does not count this request)."""
        response = await self.http.request("GET", "/rate_limit")
        self.http.budget.give_back()
        return parse_one(NAME, RateLimit, self.http.decode_json(response), "rate limit")
