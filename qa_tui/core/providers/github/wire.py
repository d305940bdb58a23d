"""What GitHub's REST API answers about one commit, read tolerantly (every field optional).

- The combined status (`GET /repos/{owner}/{repo}/commits/{ref}/status`): `{state, sha,
  total_count, statuses: [{context, state, description, target_url, created_at, updated_at}]}`,
  the latest status of each context. `state` is `pending`, `success`, `failure` or `error`.
- The check runs (`GET .../commits/{ref}/check-runs`): `{total_count, check_runs: [{name, status,
  conclusion, details_url, html_url, started_at, completed_at, output: {title, summary}}]}`.
  `status` is `queued`, `in_progress`, `completed` (also `waiting`, `requested`, `pending`);
  `conclusion`, once completed: `success`, `failure`, `neutral`, `cancelled`, `skipped`,
  `timed_out`, `action_required`, `stale`.
- `GET /rate_limit` (what doctor asks: it is not counted): `{resources: {core: {limit,
  remaining, reset}}, rate: {...}}`.

A status or check run that does not fit is skipped (`parse_each`), the others still read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qa_tui.core.http.wire import WireModel


class CommitStatus(WireModel):
    """One context's latest status on a commit."""

    context: str = "default"
    state: str = ""
    description: str | None = None
    target_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CombinedStatus(WireModel):
    state: str | None = None
    sha: str | None = None
    total_count: int | None = None
    statuses: list[Any] = []
    """Raw items, each read on its own into a `CommitStatus`."""


class CheckOutput(WireModel):
    title: str | None = None
    summary: str | None = None


class CheckRun(WireModel):
    """One check run on a commit (an app's report: GitHub Actions, or a service's integration)."""

    name: str = ""
    status: str = ""
    conclusion: str | None = None
    details_url: str | None = None
    html_url: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    output: CheckOutput | None = None


class CheckRuns(WireModel):
    total_count: int | None = None
    check_runs: list[Any] = []
    """Raw items, each read on its own into a `CheckRun`."""


class RateWindow(WireModel):
    limit: int | None = None
    remaining: int | None = None
    reset: int | None = None


class RateResources(WireModel):
    core: RateWindow | None = None


class RateLimit(WireModel):
    resources: RateResources | None = None
    rate: RateWindow | None = None

    @property
    def core(self) -> RateWindow:
        """The REST API's window (`resources.core`, else the older `rate`)."""
        found = self.resources.core if self.resources is not None else None
        return found or self.rate or RateWindow()
