"""The local record of triggered runs: durable, per provider, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from qa_tui.core import paths
from qa_tui.core.providers.triggers import TriggerLog

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_triggers_are_listed_newest_first_per_provider() -> None:
    log = TriggerLog(":memory:")
    log.record("ci", "exec_1", "p1", T0, {"gitBranch": "main"})
    log.record("ci", "exec_2", "p1", T0 + timedelta(minutes=5), {})
    log.record("other", "exec_3", "p2", T0 + timedelta(minutes=9), {})
    assert [r.execution_id for r in log.records("ci")] == ["exec_2", "exec_1"]
    assert [r.execution_id for r in log.records("other")] == ["exec_3"]
    assert [r.execution_id for r in log.records("ci", limit=1)] == ["exec_2"]
    since = [r.execution_id for r in log.records("ci", since=T0 + timedelta(minutes=1))]
    assert since == ["exec_2"]


def test_a_record_keeps_the_fields_project_and_time_it_was_given() -> None:
    log = TriggerLog(":memory:")
    log.record("ci", "exec_1", "p1", T0, {"prNumber": "42", "url": "https://x.test"})
    record = log.get("ci", "exec_1")
    assert record is not None
    assert record.project_id == "p1"
    assert record.triggered_at == T0
    assert dict(record.fields) == {"prNumber": "42", "url": "https://x.test"}
    assert log.get("ci", "exec_nope") is None
    assert log.get("other", "exec_1") is None


def test_triggered_runs_survive_a_new_log_on_the_same_file(tmp_path: Path) -> None:
    """GIVEN a trigger written by one instance WHEN a new instance opens the file THEN it is there."""
    file = tmp_path / "deep" / "triggers.sqlite"
    TriggerLog(file).record("ci", "exec_1", "p1", T0, {"gitBranch": "main"})
    again = TriggerLog(file)
    assert [(r.execution_id, dict(r.fields)) for r in again.records("ci")] == [
        ("exec_1", {"gitBranch": "main"})
    ]


def test_the_default_file_lives_in_the_data_dir_and_is_created_only_on_first_write() -> None:
    log = TriggerLog()
    assert log.path == paths.data_dir() / "triggers.sqlite"
    assert log.records("ci") == []
    assert not paths.data_dir().exists()  # reading never creates anything
    log.record("ci", "exec_1", "p1", T0, {})
    assert (paths.data_dir() / "triggers.sqlite").exists()


def test_recording_the_same_execution_again_replaces_it() -> None:
    log = TriggerLog(":memory:")
    log.record("ci", "exec_1", "p1", T0, {"gitBranch": "a"})
    log.record("ci", "exec_1", "p1", T0, {"gitBranch": "b"})
    assert [dict(r.fields) for r in log.records("ci")] == [{"gitBranch": "b"}]


def test_a_naive_time_is_taken_as_utc() -> None:
    log = TriggerLog(":memory:")
    log.record("ci", "exec_1", "p1", datetime(2026, 1, 1, 12, 0), {})
    assert log.records("ci")[0].triggered_at == T0
