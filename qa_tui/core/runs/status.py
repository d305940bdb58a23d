"""Per-provider raw status → normalized `RunStatus` (shared/providers.md §5).

A value the tables do not know maps to UNKNOWN; the caller keeps the raw text in
`Run.provider_status`, so nothing is lost and nothing crashes.
"""

from __future__ import annotations

from qa_tui.core.model import RunStatus

BUGBUG_STATUSES: dict[str, RunStatus] = {
    "initialized": RunStatus.QUEUED,
    "queued": RunStatus.QUEUED,
    "running": RunStatus.RUNNING,
    "auto_retrying": RunStatus.RUNNING,
    "recording": RunStatus.RUNNING,
    "paused": RunStatus.RUNNING,
    "passed": RunStatus.PASSED,
    "failed": RunStatus.FAILED,
    "error": RunStatus.ERROR,
    "stopped": RunStatus.STOPPED,
    "skipped": RunStatus.SKIPPED,
}
"""BugBug's 11-value run enum (test runs, suite runs; step runs are assumed to share it)."""

BUGBRAIN_STATUSES: dict[str, RunStatus] = {
    "queued": RunStatus.QUEUED,
    "pending": RunStatus.QUEUED,
    "running": RunStatus.RUNNING,
    "completed": RunStatus.PASSED,  # refined by failed_tests in bugbrain_status()
    "failed": RunStatus.ERROR,  # the execution itself broke: not a test failure
    "cancelled": RunStatus.STOPPED,
}
"""BugBrain execution statuses. `completed` may still contain failed tests."""

BUGBRAIN_TEST_STATUSES: dict[str, RunStatus] = {
    "passed": RunStatus.PASSED,
    "failed": RunStatus.FAILED,
    "skipped": RunStatus.SKIPPED,
    "running": RunStatus.RUNNING,
    "pending": RunStatus.QUEUED,
    "queued": RunStatus.QUEUED,
}
"""BugBrain per-test and per-step statuses."""


def _lookup(table: dict[str, RunStatus], raw: str | None) -> RunStatus:
    if raw is None:
        return RunStatus.UNKNOWN
    return table.get(raw.strip().lower(), RunStatus.UNKNOWN)


def bugbug_status(raw: str | None) -> RunStatus:
    """BugBug run or step status → normalized."""
    return _lookup(BUGBUG_STATUSES, raw)


def bugbrain_status(raw: str | None, failed_tests: int | None = None) -> RunStatus:
    """BugBrain execution status → normalized: `completed` with failed tests is FAILED."""
    status = _lookup(BUGBRAIN_STATUSES, raw)
    if status is RunStatus.PASSED and failed_tests:
        return RunStatus.FAILED
    return status


def bugbrain_test_status(raw: str | None) -> RunStatus:
    """BugBrain per-test or per-step status → normalized."""
    return _lookup(BUGBRAIN_TEST_STATUSES, raw)
