"""BugBrain's payloads (Gen A executions API) and their normalization into runs.

Read tolerantly: every field but an id is optional, enum-like values stay strings, times are
kept as text and parsed leniently (an unreadable time is None, never an error), and a list is
read item by item. Notes on shapes:
- `/status` has a running shape (`progress:{current,total,percent}`, `started_at`) and a done
  shape (`passed_tests`, `failed_tests`, `total_tests`, `duration_seconds`, `completed_at`);
  `Execution` reads both, and the list, start and cancel answers too.
- Executions carry no name: the row is named after the test plan ("plan tp_…").
- A failed execution's reason is not documented: an `error` string is read if present [INF].
- A test result's `steps`, `error` and `screenshot` are optional.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from qa_tui.core.status import bugbrain_status, bugbrain_test_status
from qa_tui.core.wire import WireModel, parse_each


class ExecutionProgress(WireModel):
    current: int | None = None
    total: int | None = None
    percent: float | None = None


class Execution(WireModel):
    """An execution from the list, a start, `/status` (either shape) or the cancel answer."""

    id: str
    test_plan_id: str | None = None
    project_id: str | None = None
    status: str | None = None
    passed_tests: int | None = None
    failed_tests: int | None = None
    total_tests: int | None = None
    duration_seconds: float | None = None
    created_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    cancelled_at: str | None = None
    cancellation_reason: str | None = None
    progress: ExecutionProgress | None = None
    error: str | None = None
    """Not documented [INF]: read when a failed execution says why."""
    environment: str | None = None
    """What the start asked for (`staging`, `prod`); read back when an answer carries it [INF]."""


class AsyncStart(WireModel):
    id: str
    status: str | None = None
    estimated_wait_seconds: float | None = None
    polling_url: str | None = None


class ExecutedStep(WireModel):
    step_id: str | None = None
    name: str | None = None
    status: str | None = None


class ExecutedTest(WireModel):
    test_id: str | None = None
    name: str | None = None
    status: str | None = None
    duration_ms: float | None = None
    steps: list[ExecutedStep] | None = None
    """Documented as optional: present on some results only."""
    error: str | None = None
    screenshot: str | None = None


class ResultSummary(WireModel):
    total: int | None = None
    passed: int | None = None
    failed: int | None = None
    skipped: int | None = None


@dataclass(frozen=True)
class ExecutionResults:
    """`/results`, or the `results` block of a synchronous start."""

    id: str | None
    test_plan_id: str | None
    test_results: list[ExecutedTest]
    skipped: int = 0
    """Test results that could not be read (skipped, counted)."""
    summary: ResultSummary | None = None


@dataclass(frozen=True)
class SyncStart:
    """The synchronous start's answer: the execution, and its results when it waited."""

    execution: Execution
    results: ExecutionResults


class AnalysisEvidence(WireModel):
    expected_selector: str | None = None
    suggested_alternative: str | None = None
    screenshot: str | None = None


class AnalysisItem(WireModel):
    test_id: str | None = None
    test_name: str | None = None
    failure_category: str | None = None
    confidence: float | None = None
    description: str | None = None
    evidence: AnalysisEvidence | None = None
    fix_suggestions: list[str] | None = None


class SavedTestCaseStep(WireModel):
    step_id: str | None = None
    description: str | None = None
    action: str | None = None
    selector: str | None = None
    value: str | None = None


class SavedTestCase(WireModel):
    id: str
    project_id: str | None = None
    name: str | None = None
    description: str | None = None
    status: str | None = None
    steps: list[SavedTestCaseStep] | None = None
    created_at: str | None = None
    updated_at: str | None = None


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


def read_results(raw: dict[str, Any], execution: Execution | None) -> ExecutionResults:
    """Test results read one by one (a bad one is skipped and counted), and the summary."""
    tests = parse_each(ExecutedTest, raw.get("test_results"))
    summary = parse_each(ResultSummary, [raw.get("summary")]).items
    own_id, plan = raw.get("id"), raw.get("test_plan_id")
    return ExecutionResults(
        id=own_id if isinstance(own_id, str) else (execution.id if execution else None),
        test_plan_id=plan
        if isinstance(plan, str)
        else (execution.test_plan_id if execution else None),
        test_results=tests.items,
        skipped=tests.skipped,
        summary=summary[0] if summary else None,
    )


def newest_first_key(run: Run) -> tuple[float, str]:
    when = run.queued or run.started or run.ended
    return (when.timestamp() if when else float("-inf"), run.id)
