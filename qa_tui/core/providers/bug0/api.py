"""Bug0's one public endpoint, `POST {base}/api/run-tests` (shared/providers.md §2), stateless.

Quirks absorbed here:
- There is exactly one public endpoint. There is no status, result, list or cancel endpoint:
  results go to Bug0's own integrations (GitHub, Slack, email) (`NO_READ_API`).
- The trigger is not idempotent: ProviderHttp retries it only on a 429 (Bug0 refused it) or a
  connection that never opened.
- A 200 with `success: false` is treated as a refusal too [INF]; an answer without an
  `executionId` is unreadable.
- Auth is `x-api-key` or the internal `x-bug0-service-token` (`auth_headers(token, style)`).
- Limits: 10 requests a minute and 100 an hour per project; the budget holds the per-minute one.
"""

from __future__ import annotations

from typing import Any

from qa_tui.core.errors import BadPayload, RequestRejected
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import parse_one
from qa_tui.core.providers.bug0.wire import TriggerAnswer

DEFAULT_BASE_URL = "https://app.bug0.com"
DEFAULT_REQUESTS_PER_MINUTE = 10
RUN_TESTS_PATH = "/api/run-tests"
NO_READ_API = (
    "Bug0 has no API to read a run: its results go to Bug0's own integrations "
    "(GitHub, Slack, email)"
)


def auth_headers(token: str, style: str = "api-key") -> dict[str, str]:
    """`x-api-key: <key>` (default) or `x-bug0-service-token: <token>` (style "service-token")."""
    if style == "api-key":
        return {"x-api-key": token}
    if style == "service-token":
        return {"x-bug0-service-token": token}
    raise ValueError(f"unknown Bug0 auth style {style!r}: expected 'api-key' or 'service-token'")


class Bug0Api:
    """Bug0's endpoint over one `ProviderHttp` (budgeted, retried only where safe, classified)."""

    def __init__(self, name: str, http: ProviderHttp) -> None:
        self.name = name
        self.http = http

    async def run_tests(self, project_id: str, fields: dict[str, str]) -> str:
        """`POST /api/run-tests` for `project_id` with `fields`: the new execution's id."""
        body: dict[str, Any] = {"projectId": project_id, **fields}
        raw = await self.http.send_json("POST", RUN_TESTS_PATH, body, idempotent=False)
        answer = parse_one(self.name, TriggerAnswer, raw, "trigger answer")
        if answer.success is False:
            raise RequestRejected(self.name, answer.error or answer.message or "trigger refused")
        if not answer.execution_id:
            raise BadPayload(self.name, "the trigger answer has no executionId")
        return answer.execution_id

    async def knock(self) -> None:
        """`GET /api/run-tests`: a POST-only endpoint, so nothing runs; the answer (or the
        error it raises) says whether the host and the endpoint are there."""
        await self.http.request("GET", RUN_TESTS_PATH)
