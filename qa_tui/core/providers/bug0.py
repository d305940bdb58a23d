"""Bug0 (shared/providers.md §2) as a trigger-only `RunSource`.

Quirks this module absorbs:
- There is exactly one public endpoint, `POST {base}/api/run-tests`. There is no status, result,
  list or cancel endpoint: results go to Bug0's own integrations (GitHub, Slack, email).
- So a triggered run lives on this machine only: each trigger is written to the `TriggerLog`
  (execution id, when, the fields sent) and `list_runs` reads it back. A triggered run is QUEUED
  with the raw word "triggered", `pollable=False`, and a note saying why; it is never polled.
- Every body field is a string; `prNumber` too ("42"), whatever type the caller passes.
- The trigger is not idempotent: ProviderHttp retries it only on a 429 (Bug0 refused it) or a
  connection that never opened.
- Errors come as `{success: false, error}` (ProviderHttp reads `error`); a 200 with
  `success: false` is treated as a refusal too [INF].
- Auth is `x-api-key` or the internal `x-bug0-service-token` (`auth_headers(token, style)`).
- Limits: 10 requests a minute and 100 an hour per project; the budget holds the per-minute one.
- `check()` cannot verify the credentials without triggering a run: see its docstring.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NotFound,
    RequestRejected,
    Unsupported,
)
from qa_tui.core.http import ProviderHttp
from qa_tui.core.model import PaneData, ProviderKind, Run, RunDetail, RunKind, RunStatus
from qa_tui.core.providers.base import Capabilities, RunPage
from qa_tui.core.triggers import TriggerLog, TriggerRecord
from qa_tui.core.wire import WireModel, parse_one

DEFAULT_BASE_URL = "https://app.bug0.com"
DEFAULT_REQUESTS_PER_MINUTE = 10
RUN_TESTS_PATH = "/api/run-tests"
TRIGGERED = "triggered"
"""The raw status word of a run qa-tui triggered (Bug0 itself never sends a status)."""
NO_STATUS_NOTE = "status not available from provider: Bug0 reports results to its own integrations"
NO_READ_API = (
    "Bug0 has no API to read a run: its results go to Bug0's own integrations "
    "(GitHub, Slack, email)"
)
FIELD_NAMES = {
    "url": "url",
    "git_commit_sha": "gitCommitSha",
    "git_branch": "gitBranch",
    "pr_number": "prNumber",
    "owner": "owner",
    "repo": "repo",
}
"""Python argument → documented body field (all optional; `projectId` is always sent)."""


def auth_headers(token: str, style: str = "api-key") -> dict[str, str]:
    """`x-api-key: <key>` (default) or `x-bug0-service-token: <token>` (style "service-token")."""
    if style == "api-key":
        return {"x-api-key": token}
    if style == "service-token":
        return {"x-bug0-service-token": token}
    raise ValueError(f"unknown Bug0 auth style {style!r}: expected 'api-key' or 'service-token'")


class TriggerAnswer(WireModel):
    success: bool | None = None
    message: str | None = None
    execution_id: str | None = Field(default=None, alias="executionId")
    error: str | None = None


def without_secrets(fields: dict[str, str]) -> dict[str, str]:
    """The fields to keep on disk: a URL's `user:password@` part is dropped."""
    kept = dict(fields)
    url = kept.get("url")
    if url:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            host = parts.hostname or ""
            netloc = f"{host}:{parts.port}" if parts.port else host
            kept["url"] = urlunsplit(parts._replace(netloc=netloc))
    return kept


def run_name(project_id: str, fields: dict[str, str]) -> str:
    """A readable row name from what was sent: PR, branch, URL, then the project (the same for
    every trigger of a project, so last: a clipped name still tells two runs apart)."""
    parts = []
    if fields.get("prNumber"):
        parts.append(f"PR #{fields['prNumber']}")
    if fields.get("gitBranch"):
        parts.append(fields["gitBranch"])
    if fields.get("url"):
        parts.append(fields["url"])
    parts.append(f"project {project_id}")
    return " · ".join(parts)


def record_to_run(provider: str, record: TriggerRecord) -> Run:
    """A recorded trigger as a run: queued for ever, as far as qa-tui can know."""
    return Run(
        provider=provider,
        provider_kind=ProviderKind.BUG0,
        id=record.execution_id,
        kind=RunKind.TRIGGER,
        name=run_name(record.project_id, dict(record.fields)),
        status=RunStatus.QUEUED,
        provider_status=TRIGGERED,
        queued=record.triggered_at,
        triggered_by="qa-tui",
        test_id=record.project_id,
        target=dict(record.fields).get("url"),
        target_id=dict(record.fields).get("url"),
        note=NO_STATUS_NOTE,
        pollable=False,
    )


class Bug0Source:
    """Runs triggered on one Bug0 project, as recorded on this machine."""

    kind = ProviderKind.BUG0
    capabilities = Capabilities(
        list_runs=True,  # from the local TriggerLog, never the network
        run_status=False,
        stop=False,
        rerun=True,
        start=True,
        steps=False,
    )

    def __init__(
        self,
        name: str,
        http: ProviderHttp,
        *,
        project_id: str,
        triggers: TriggerLog,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.name = name
        self.http = http
        self.budget = http.budget
        self.project_id = project_id
        self.triggers = triggers
        self._clock = clock

    def __repr__(self) -> str:
        return f"Bug0Source(name={self.name!r}, project_id={self.project_id!r})"

    async def trigger(
        self,
        url: str | None = None,
        git_commit_sha: str | None = None,
        git_branch: str | None = None,
        pr_number: str | int | None = None,
        owner: str | None = None,
        repo: str | None = None,
    ) -> Run:
        """`POST /api/run-tests` with every field that is set (empty strings are left out);
        records the trigger and returns the run."""
        given = {
            "url": url,
            "git_commit_sha": git_commit_sha,
            "git_branch": git_branch,
            "pr_number": pr_number,
            "owner": owner,
            "repo": repo,
        }
        fields = {FIELD_NAMES[k]: str(v) for k, v in given.items() if v is not None and v != ""}
        return await self._trigger(self.project_id, fields)

    async def _trigger(self, project_id: str, fields: dict[str, str]) -> Run:
        body: dict[str, Any] = {"projectId": project_id, **fields}
        raw = await self.http.send_json("POST", RUN_TESTS_PATH, body, idempotent=False)
        answer = parse_one(self.name, TriggerAnswer, raw, "trigger answer")
        if answer.success is False:
            raise RequestRejected(self.name, answer.error or answer.message or "trigger refused")
        if not answer.execution_id:
            raise BadPayload(self.name, "the trigger answer has no executionId")
        record = self.triggers.record(
            self.name, answer.execution_id, project_id, self._clock.now(), without_secrets(fields)
        )
        return record_to_run(self.name, record)

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """The runs triggered from this machine, newest first (no network call)."""
        if status is not None and status is not RunStatus.QUEUED:
            return RunPage()  # a triggered run is never seen to move on
        records = self.triggers.records(self.name, limit=limit, since=since)
        return RunPage(runs=[record_to_run(self.name, r) for r in records])

    async def refresh_run(self, run: Run) -> Run:
        """Nothing to ask Bug0: the recorded run (or the run itself) comes back unchanged."""
        record = self.triggers.get(self.name, run.id)
        return run if record is None else record_to_run(self.name, record)

    async def get_run(self, run_id: str) -> Run:
        record = self.triggers.get(self.name, run_id)
        if record is None:
            raise NotFound(
                self.name, f"run {run_id} was not triggered from this machine ({NO_READ_API})"
            )
        return record_to_run(self.name, record)

    async def stop_run(self, run: Run) -> Run:
        raise Unsupported(self.name, "Bug0 has no API to stop a run")

    async def rerun(self, run: Run) -> Run:
        """Trigger again with the fields recorded for this run."""
        record = self.triggers.get(self.name, run.id)
        if record is None:
            raise NotFound(self.name, f"no local record of run {run.id}: its fields are unknown")
        return await self._trigger(record.project_id, dict(record.fields))

    async def run_detail(self, run: Run) -> RunDetail:
        return RunDetail(
            run=run,
            steps=PaneData(unavailable=NO_READ_API),
            children=PaneData(unavailable=NO_READ_API),
            artifacts=PaneData(unavailable=NO_READ_API),
            analysis=PaneData(unavailable=NO_READ_API),
        )

    async def fetch_log(self, run: Run) -> str:
        raise Unsupported(self.name, NO_READ_API)

    async def fetch_junit(self, run: Run) -> bytes:
        raise Unsupported(self.name, NO_READ_API)

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        raise Unsupported(self.name, "Bug0 gives no file URLs through its API")

    async def check(self) -> str:
        """Reachability only: Bug0 has no read endpoint, and doctor must never trigger a run.

        Sends `GET /api/run-tests` (a POST-only endpoint, so nothing runs) and reads the answer:
        any HTTP answer proves the host is reachable; a 405 (or 2xx) also shows the endpoint is
        there. A 401/403/404 to a GET proves nothing about the key or the project (the real
        service may refuse GETs that way), so it is reported as such, not as a failure. Network
        errors and 5xx raise as usual. The key and project id stay unverified.
        """
        unverified = "credentials and project id cannot be verified without triggering a run"
        try:
            await self.http.request("GET", RUN_TESTS_PATH)
        except RequestRejected as exc:
            if exc.status_code == 405:
                return f"reachable: {RUN_TESTS_PATH} answers (405 to GET); {unverified}"
            return f"reachable: GET {RUN_TESTS_PATH} answered {exc.status_code}; {unverified}"
        except (AuthFailed, NotFound) as exc:
            return (
                f"host reachable, but GET {RUN_TESTS_PATH} answered {exc.status_code}, "
                f"which says nothing certain about a POST; {unverified}"
            )
        return f"reachable: {RUN_TESTS_PATH} answers; {unverified}"

    async def aclose(self) -> None:
        await self.http.aclose()
