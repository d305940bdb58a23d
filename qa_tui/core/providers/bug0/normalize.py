"""A trigger recorded on this machine as qa-tui's `Run` (pure: no I/O).

Bug0 never sends a status: a triggered run is QUEUED with the raw word "triggered",
`pollable=False`, and a note saying why (`NO_STATUS_NOTE`); it is never polled. Its name is
made from what was sent (`run_name`).
"""

from __future__ import annotations

from qa_tui.core.model import ProviderKind, Run, RunKind, RunStatus
from qa_tui.core.providers.triggers import TriggerRecord

TRIGGERED = "triggered"
"""The raw status word of a run qa-tui triggered (Bug0 itself never sends a status)."""
NO_STATUS_NOTE = "status not available from provider: Bug0 reports results to its own integrations"


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
