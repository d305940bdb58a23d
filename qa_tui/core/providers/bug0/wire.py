"""What Bug0's one endpoint is sent and answers (shared/providers.md §2), read tolerantly.

- Every body field is a string; `prNumber` too ("42"), whatever type the caller passes
  (`trigger_fields`); empty ones are left out, and `projectId` is always sent (by `api.py`).
- The answer is `{success, message, executionId}`; errors come as `{success: false, error}`
  (ProviderHttp reads `error`); every field is optional here.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from qa_tui.core.http.wire import WireModel

FIELD_NAMES = {
    "url": "url",
    "git_commit_sha": "gitCommitSha",
    "git_branch": "gitBranch",
    "pr_number": "prNumber",
    "owner": "owner",
    "repo": "repo",
}
"""Python argument → documented body field (all optional; `projectId` is always sent)."""


class TriggerAnswer(WireModel):
    success: bool | None = None
    message: str | None = None
    execution_id: str | None = Field(default=None, alias="executionId")
    error: str | None = None


def trigger_fields(given: Mapping[str, object]) -> dict[str, str]:
    """The body fields for the arguments that are set, each as a string (empty ones left out)."""
    return {FIELD_NAMES[k]: str(v) for k, v in given.items() if v is not None and v != ""}
