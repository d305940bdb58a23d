"""BugBrain executions → runs: what each status word and each payload shape becomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from qa_tui.core.http.wire import parse_each
from qa_tui.core.model import Progress, RunKind, RunStatus
from qa_tui.core.providers.bugbrain import auth_headers
from qa_tui.core.providers.bugbrain.normalize import (
    analysis_to_model,
    execution_to_run,
    merge_refresh,
    result_to_step,
)
from qa_tui.core.providers.bugbrain.wire import AnalysisItem, ExecutedTest, Execution

DONE = {
    "id": "exec_abc123",
    "test_plan_id": "tp_prod_xyz",
    "project_id": "proj_abc123",
    "status": "completed",
    "passed_tests": 45,
    "failed_tests": 2,
    "total_tests": 47,
    "duration_seconds": 120,
    "created_at": "2025-03-08T10:30:00Z",
    "completed_at": "2025-03-08T10:32:00Z",
}


def _run(**changes: Any) -> Any:
    return execution_to_run("plans", Execution.model_validate({**DONE, **changes}))


@pytest.mark.parametrize(
    ("raw", "failed_tests", "expected"),
    [
        ("completed", 2, RunStatus.FAILED),
        ("completed", 0, RunStatus.PASSED),
        ("failed", 0, RunStatus.ERROR),
        ("cancelled", 0, RunStatus.STOPPED),
        ("pending", 0, RunStatus.QUEUED),
        ("queued", 0, RunStatus.QUEUED),
        ("running", 0, RunStatus.RUNNING),
        ("exploded", 0, RunStatus.UNKNOWN),
    ],
)
def test_each_execution_status_word_normalizes_and_keeps_its_raw_text(
    raw: str, failed_tests: int, expected: RunStatus
) -> None:
    run = _run(status=raw, failed_tests=failed_tests)
    assert run.status is expected
    assert run.provider_status == raw


def test_a_completed_execution_with_failed_tests_is_failed_not_passed() -> None:
    """GIVEN `completed` with 2 failed tests THEN the run is failed: `completed` hides failures."""
    assert _run().status is RunStatus.FAILED


def test_a_finished_execution_reads_its_counts_times_and_plan() -> None:
    run = _run()
    assert run.kind is RunKind.EXECUTION
    assert run.name == "plan tp_prod_xyz"
    assert run.test_id == "tp_prod_xyz"
    assert run.progress == Progress(done=47, total=47)
    assert run.started == datetime(2025, 3, 8, 10, 30, tzinfo=UTC)
    assert run.ended == datetime(2025, 3, 8, 10, 32, tzinfo=UTC)
    assert run.duration_s == 120
    assert run.url is None  # no web URL is documented for an execution


def test_the_running_status_shape_gives_progress_from_current_and_total() -> None:
    running = Execution.model_validate(
        {
            "id": "exec_abc123",
            "status": "running",
            "progress": {"current": 32, "total": 47, "percent": 68},
            "started_at": "2025-03-08T10:30:00Z",
            "estimated_completion": "2025-03-08T10:32:30Z",
        }
    )
    run = execution_to_run("plans", running)
    assert run.status is RunStatus.RUNNING
    assert run.progress == Progress(done=32, total=47)
    assert run.started == datetime(2025, 3, 8, 10, 30, tzinfo=UTC)
    assert run.name == "execution exec_abc123"  # the status shape carries no plan id


def test_the_done_status_shape_derives_the_start_from_the_end_and_the_duration() -> None:
    done = Execution.model_validate(
        {
            "id": "exec_abc123",
            "status": "completed",
            "passed_tests": 47,
            "failed_tests": 0,
            "total_tests": 47,
            "duration_seconds": 120,
            "completed_at": "2025-03-08T10:32:00Z",
        }
    )
    run = execution_to_run("plans", done)
    assert run.status is RunStatus.PASSED
    assert run.started == datetime(2025, 3, 8, 10, 30, tzinfo=UTC)


def test_a_refresh_keeps_the_plan_name_and_creation_time_the_status_call_lacks() -> None:
    listed = _run(status="running", passed_tests=None, failed_tests=None, completed_at=None)
    status = execution_to_run(
        "plans",
        Execution.model_validate(
            {"id": "exec_abc123", "status": "running", "progress": {"current": 3, "total": 47}}
        ),
    )
    merged = merge_refresh(listed, status)
    assert merged.name == "plan tp_prod_xyz"
    assert merged.test_id == "tp_prod_xyz"
    assert merged.started == listed.started
    assert merged.progress == Progress(done=3, total=47)


def test_an_unreadable_time_is_left_empty_instead_of_failing_the_execution() -> None:
    run = _run(created_at="yesterday-ish")
    assert run.started == datetime(2025, 3, 8, 10, 30, tzinfo=UTC)  # derived from the end instead


def test_a_bad_execution_in_a_list_is_skipped_and_counted_and_the_rest_come_through() -> None:
    parsed = parse_each(Execution, [DONE, {"status": "running"}, {**DONE, "id": "exec_2"}, 7])
    assert [e.id for e in parsed.items] == ["exec_abc123", "exec_2"]
    assert parsed.skipped == 2


def test_provider_strings_pass_through_exactly() -> None:
    hostile = "[bold red]x[/]\x1b]52;c;aGk=\x07 ‮"
    run = _run(test_plan_id=hostile)
    assert run.test_id == hostile
    assert run.name == f"plan {hostile}"


def test_a_test_result_becomes_a_step_with_duration_error_and_screenshot() -> None:
    result = ExecutedTest.model_validate(
        {
            "test_id": "test_2",
            "name": "Add to Cart",
            "status": "failed",
            "duration_ms": 3200,
            "error": "Element not found: .add-to-cart-btn",
            "screenshot": "https://cdn.bugbrain.tech/screenshots/exec_abc123/test_2.png",
        }
    )
    step = result_to_step(1, result)
    assert (step.index, step.id, step.name) == (1, "test_2", "Add to Cart")
    assert step.status is RunStatus.FAILED
    assert step.duration_s == 3.2
    assert step.error == "Element not found: .add-to-cart-btn"
    assert step.screenshot_url is not None


def test_a_failure_analysis_keeps_category_confidence_evidence_and_fixes() -> None:
    item = AnalysisItem.model_validate(
        {
            "test_id": "test_2",
            "test_name": "Add to Cart",
            "failure_category": "selector_changed",
            "confidence": 0.95,
            "description": "The selector no longer exists.",
            "evidence": {"expected_selector": ".add-to-cart-btn", "screenshot": None},
            "fix_suggestions": ["Update the selector"],
        }
    )
    analysis = analysis_to_model(item)
    assert analysis.category == "selector_changed"
    assert analysis.confidence == 0.95
    assert analysis.evidence == {"expected_selector": ".add-to-cart-btn"}
    assert analysis.fix_suggestions == ("Update the selector",)


def test_both_auth_generations_are_supported_and_an_unknown_style_is_refused() -> None:
    assert auth_headers("k") == {"Authorization": "Bearer k"}
    assert auth_headers("k", "x-api-key") == {"x-api-key": "k"}
    with pytest.raises(ValueError, match="auth style"):
        auth_headers("k", "basic")
