"""A trigger recorded on this machine as qa-tui's `Run` (pure: no I/O).

Bug0 itself never sends a status. A triggered run is QUEUED with the raw word "triggered" until
Bug0's commit status says more (results.py): then it takes the status's word (`running` while
GitHub says pending or a check run is under way, else GitHub's own word: `success`, `failure`,
`error`, a check run's conclusion), its times, its link (`url`: `o` opens Bug0's report) and its
description (the `note`, and the `error` of a failed run). A run whose status can be read is
`pollable` (the engine polls it while it is active, never once it has ended); a run whose status
cannot be read says why in its `note`.
Its name is made from what was sent (`run_name`).
"""

from __future__ import annotations

from qa_tui.core.model import ProviderKind, Run, RunKind, RunStatus
from qa_tui.core.providers.bug0.results import Verdict
from qa_tui.core.providers.triggers import TriggerRecord

TRIGGERED = "triggered"
"""The raw status word of a run qa-tui triggered that has no result yet."""
NO_STATUS_NOTE = "status not available from provider: Bug0 reports results to its own integrations"
RUNNING_WORD = RunStatus.RUNNING.value
"""What a run under way reads (GitHub's `pending`, `queued`, `in_progress` are GitHub's words)."""


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


def status_line(verdict: Verdict) -> str:
    """`Bug0 / E2E (commit status on acme/shop@0a1b2c3d4e5f): failure: 3 of 12 tests failed`."""
    head = f"{verdict.context} ({verdict.via} on {verdict.ref}): {verdict.word}"
    return f"{head}: {verdict.description}" if verdict.description else head


def record_to_run(
    provider: str,
    record: TriggerRecord,
    *,
    verdict: Verdict | None = None,
    note: str = NO_STATUS_NOTE,
    following: bool = False,
) -> Run:
    """A recorded trigger as a run: with Bug0's `verdict` when there is one; else triggered,
    saying `note`, and followed (`pollable`) when its status can be read (`following`)."""
    fields = dict(record.fields)
    run = Run(
        provider=provider,
        provider_kind=ProviderKind.BUG0,
        id=record.execution_id,
        kind=RunKind.TRIGGER,
        name=run_name(record.project_id, fields),
        status=RunStatus.QUEUED,
        provider_status=TRIGGERED,
        queued=record.triggered_at,
        triggered_by="qa-tui",
        test_id=record.project_id,
        target=fields.get("url"),
        target_id=fields.get("url"),
        note=note,
        pollable=following,
    )
    if verdict is None:
        return run
    failed = verdict.status in (RunStatus.FAILED, RunStatus.ERROR)
    return run.model_copy(
        update={
            "status": verdict.status,
            "provider_status": RUNNING_WORD if verdict.status.is_active else verdict.word,
            "started": verdict.started,
            "ended": verdict.ended if verdict.final else None,
            "url": verdict.link,
            "error": (verdict.description or verdict.word) if failed else None,
            "note": status_line(verdict),
            "pollable": True,  # its status is read: ended, it is never polled again
        }
    )
