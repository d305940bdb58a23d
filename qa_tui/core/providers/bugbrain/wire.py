"""BugBrain's payloads (Gen A executions API): tolerant shapes, no I/O, no normalization.

Read tolerantly: every field but an id is optional, enum-like values stay strings, times are
kept as text (`normalize.py` parses them leniently: an unreadable time is None, never an
error), and a list is read item by item. Notes on shapes:
- `/status` has a running shape (`progress:{current,total,percent}`, `started_at`) and a done
  shape (`passed_tests`, `failed_tests`, `total_tests`, `duration_seconds`, `completed_at`);
  `Execution` reads both, and the list, start and cancel answers too.
- Executions carry no name: `normalize.plan_name` names the row after the test plan.
- A failed execution's reason is not documented: an `error` string is read if present [INF].
- A test result's `steps`, `error` and `screenshot` are optional.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa_tui.core.http.wire import WireModel, parse_each


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
