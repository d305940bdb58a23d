"""BugBrain's executions as qa-tui's runs: `Run`, `Step` and `FailureAnalysis` (pure: no I/O).

Notes on what is normalized here:
- statuses: `completed` with failed tests is FAILED, `failed` (the execution broke) ERROR,
  `cancelled` STOPPED, `pending` QUEUED (core/runs/status.py `bugbrain_status`);
- executions carry no name: the row is named after the test plan ("plan tp_…");
- times arrive as text and are read leniently (an unreadable time is None, never an error);
  the list gives only `created_at`, the running status only `started_at`, the done shape
  neither (its start is derived from `completed_at` and `duration_seconds`);
- a status answer lacks the plan id and `created_at`: `merge_refresh` keeps what the list said;
- each test of an execution is shown as one step of the run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from qa_tui.core.model import (
    FailureAnalysis,
    Progress,
    ProviderKind,
    Run,
    RunKind,
    Step,
)
from qa_tui.core.providers.bugbrain.wire import AnalysisItem, ExecutedTest, Execution
from qa_tui.core.runs.status import bugbrain_status, bugbrain_test_status


def _when(raw: str | None) -> datetime | None:
    """An ISO 8601 time, or None when absent or unreadable (never an error)."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def plan_name(test_plan_id: str | None, execution_id: str) -> str:
    """Executions have no name of their own: name the row after its test plan."""
    return f"plan {test_plan_id}" if test_plan_id else f"execution {execution_id}"


def execution_to_run(provider: str, execution: Execution) -> Run:
    """Normalize one execution, whichever endpoint it came from."""
    status = bugbrain_status(execution.status, execution.failed_tests)
    progress: Progress | None = None
    if execution.progress is not None and execution.progress.total is not None:
        progress = Progress(done=execution.progress.current or 0, total=execution.progress.total)
    elif execution.total_tests is not None and (
        execution.passed_tests is not None or execution.failed_tests is not None
    ):
        done = (execution.passed_tests or 0) + (execution.failed_tests or 0)
        progress = Progress(done=done, total=execution.total_tests)
    ended = _when(execution.completed_at) or _when(execution.cancelled_at)
    # the list gives only `created_at`; the running status only `started_at`; done neither
    started = _when(execution.created_at) or _when(execution.started_at)
    if started is None and ended is not None and execution.duration_seconds is not None:
        started = ended - timedelta(seconds=execution.duration_seconds)  # done shape: derived
    return Run(
        provider=provider,
        provider_kind=ProviderKind.BUGBRAIN,
        id=execution.id,
        kind=RunKind.EXECUTION,
        name=plan_name(execution.test_plan_id, execution.id),
        status=status,
        provider_status=execution.status or "",
        progress=progress,
        queued=_when(execution.created_at),
        started=started,
        ended=ended,
        duration_s=execution.duration_seconds,
        error=execution.error,
        test_id=execution.test_plan_id,
        target=execution.environment,
        target_id=execution.environment,
    )


def merge_refresh(old: Run, new: Run) -> Run:
    """A status answer lacks the plan id and `created_at`: keep what the list told us.

    The start time stays the list's `created_at` once known, so a row does not flip between
    `created_at` (list) and `started_at` (running status) on alternate polls.
    """
    keep: dict[str, Any] = {}
    if new.test_id is None and old.test_id is not None:
        keep.update(test_id=old.test_id, name=old.name)
    for name in ("queued", "started"):
        if getattr(old, name) is not None:
            keep[name] = getattr(old, name)
    for name in ("ended", "progress", "duration_s", "error", "target"):
        if getattr(new, name) is None and getattr(old, name) is not None:
            keep[name] = getattr(old, name)
    return new.model_copy(update=keep) if keep else new


def result_to_step(index: int, result: ExecutedTest) -> Step:
    """One test of an execution, shown as one step of the run."""
    return Step(
        index=index,
        id=result.test_id,
        name=result.name or result.test_id or f"test {index + 1}",
        status=bugbrain_test_status(result.status),
        provider_status=result.status or "",
        duration_s=None if result.duration_ms is None else result.duration_ms / 1000,
        error=result.error,
        screenshot_url=result.screenshot,
    )


def analysis_to_model(item: AnalysisItem) -> FailureAnalysis:
    evidence = item.evidence.model_dump(exclude_none=True) if item.evidence else {}
    return FailureAnalysis(
        test_id=item.test_id,
        test_name=item.test_name,
        category=item.failure_category,
        confidence=item.confidence,
        description=item.description,
        fix_suggestions=tuple(item.fix_suggestions or ()),
        evidence={k: str(v) for k, v in evidence.items()},
    )
