"""BugBug payloads → normalized runs and steps: pure, no network (shared/providers.md §1, §5, §6)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from qa_tui.core.model import Progress, ProviderKind, RunKind, RunStatus
from qa_tui.core.providers.bugbug import auth_headers
from qa_tui.core.providers.bugbug.durations import parse_duration
from qa_tui.core.providers.bugbug.normalize import steps_progress, to_run, to_step, with_status
from qa_tui.core.providers.bugbug.wire import (
    StepRun,
    V2SuiteRun,
    V2TestRun,
    V2TestRunStatus,
    parse_steps_runs,
)
from qa_tui.core.runs.status import bugbug_status

RUN_ID = "6f1c2a34-9a5e-4d2b-8f0e-0c1d2e3f4a5b"
TEST_ID = "11111111-2222-4333-8444-555555555555"


def a_test_run(**fields: Any) -> V2TestRun:
    """A V2TestRun as the spec shows it: every key present, explicit nulls."""
    payload: dict[str, Any] = {
        "id": RUN_ID,
        "name": "Checkout works",
        "status": "passed",
        "testId": TEST_ID,
        "suiteRunId": None,
        "runProfileId": None,
        "userId": None,
        "queued": "2026-01-01T11:59:58Z",
        "started": "2026-01-01T12:00:00Z",
        "ended": "2026-01-01T12:01:03.800006Z",
        "duration": "00:01:03.800006",
        "errorCode": None,
        "stepsRuns": "[]",
        "browserName": "Chrome",
        "triggeredBy": "api",
        "webappUrl": "https://app.bugbug.io/runs/1/",
    }
    payload.update(fields)
    return V2TestRun.model_validate(payload)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("initialized", RunStatus.QUEUED),
        ("queued", RunStatus.QUEUED),
        ("running", RunStatus.RUNNING),
        ("auto_retrying", RunStatus.RUNNING),
        ("recording", RunStatus.RUNNING),
        ("paused", RunStatus.RUNNING),
        ("passed", RunStatus.PASSED),
        ("failed", RunStatus.FAILED),
        ("error", RunStatus.ERROR),
        ("stopped", RunStatus.STOPPED),
        ("skipped", RunStatus.SKIPPED),
        ("initializing", RunStatus.UNKNOWN),
        ("", RunStatus.UNKNOWN),
        (None, RunStatus.UNKNOWN),
    ],
)
def test_every_bugbug_status_word_has_its_normalized_status(
    raw: str | None, expected: RunStatus
) -> None:
    """GIVEN each of BugBug's 11 run words and some it never documented THEN the table says."""
    assert bugbug_status(raw) is expected


def test_a_bugbug_run_with_an_unknown_status_keeps_its_raw_word() -> None:
    """GIVEN a run whose status BugBug added later WHEN normalized THEN unknown, raw word kept."""
    run = to_run("web", a_test_run(status="warming_up"))
    assert run.status is RunStatus.UNKNOWN
    assert run.provider_status == "warming_up"


def test_a_paused_run_counts_as_running_but_reads_paused() -> None:
    """GIVEN a run paused at a breakpoint THEN it is running (polled) and the table says paused."""
    run = to_run("web", a_test_run(status="paused", ended=None, duration=None))
    assert run.status is RunStatus.RUNNING
    assert run.provider_status == "paused"


def test_a_finished_test_run_is_normalized_field_by_field() -> None:
    """GIVEN a failed test run WHEN normalized THEN every field lands where the model wants it."""
    run = to_run("web", a_test_run(status="failed", errorCode="ELEMENT_DOES_NOT_EXIST"))
    assert run.provider == "web"
    assert run.provider_kind is ProviderKind.BUGBUG
    assert run.kind is RunKind.TEST
    assert run.id == RUN_ID
    assert run.name == "Checkout works"
    assert run.status is RunStatus.FAILED
    assert run.error == "ELEMENT_DOES_NOT_EXIST"
    assert run.url == "https://app.bugbug.io/runs/1/"
    assert run.triggered_by == "api"
    assert run.test_id == TEST_ID
    assert run.parent_id is None
    assert run.started == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert run.duration_s == pytest.approx(63.800006)


def test_provider_strings_pass_through_exactly_as_sent() -> None:
    """GIVEN a name with markup and spaces THEN it is neither stripped nor escaped."""
    name = "  [red]Login[/red] \x1b[31m "
    assert to_run("web", a_test_run(name=name)).name == name


def test_a_test_run_inside_a_suite_run_names_its_parent() -> None:
    """GIVEN a test run with a suiteRunId THEN its parent_id is that suite run."""
    run = to_run("web", a_test_run(suiteRunId="suite-run-1"))
    assert run.parent_id == "suite-run-1"


def test_a_suite_run_is_a_suite_with_progress_from_its_test_runs() -> None:
    """GIVEN a suite run with three test runs, two finished THEN progress is 2 of 3."""
    children = [
        a_test_run(id="a", status="passed").model_dump(by_alias=True, mode="json"),
        a_test_run(id="b", status="failed").model_dump(by_alias=True, mode="json"),
        a_test_run(id="c", status="running").model_dump(by_alias=True, mode="json"),
        {"name": "no id: skipped"},
    ]
    suite = V2SuiteRun.model_validate(
        {
            "id": "s1",
            "name": "Nightly",
            "status": "running",
            "profileId": "p1",
            "testRuns": children,
        }
    )
    run = to_run("web", suite, suite_id="suite-9")
    assert run.kind is RunKind.SUITE
    assert run.progress == Progress(done=2, total=3)
    assert run.test_id == "suite-9"
    assert len(suite.test_runs) == 3


def test_a_suite_run_that_says_its_suite_id_is_believed() -> None:
    """GIVEN a suite run carrying suiteId (undocumented) THEN that is its target."""
    suite = V2SuiteRun.model_validate({"id": "s1", "status": "queued", "suiteId": "suite-1"})
    assert to_run("web", suite, suite_id="remembered").test_id == "suite-1"


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("00:01:03.800006", 63.800006),
        ("01:00:00", 3600.0),
        ("2 03:04:05", 2 * 86400 + 3 * 3600 + 4 * 60 + 5),
        ("1 day, 0:00:10", 86410.0),
        ("04:05", 245.0),
        ("120.5", 120.5),
        ("15s", 15.0),
        ("250ms", 0.25),
        ("2m", 120.0),
        ("PT1M3S", 63.0),
        (42, 42.0),
        (1.5, 1.5),
    ],
)
def test_every_duration_form_seen_in_the_wild_is_read(raw: object, seconds: float) -> None:
    """GIVEN a duration in any of the forms BugBug or its examples use THEN it reads as seconds."""
    assert parse_duration(raw) == pytest.approx(seconds)


@pytest.mark.parametrize("raw", [None, "", "soon", "-5", "12:xx:00", "P", True, [], "nan"])
def test_an_unreadable_duration_is_none(raw: object) -> None:
    """GIVEN a duration that is missing or nonsense THEN it is None, never an exception."""
    assert parse_duration(raw) is None


def test_an_unreadable_duration_falls_back_to_ended_minus_started() -> None:
    """GIVEN a run whose duration cannot be read THEN its duration is ended minus started."""
    run = to_run("web", a_test_run(duration="about a minute"))
    assert run.duration_s == pytest.approx(63.800006)


def test_a_running_run_has_no_duration_yet() -> None:
    """GIVEN a run not ended THEN no duration (the UI ticks it from started)."""
    assert to_run("web", a_test_run(status="running", ended=None, duration=None)).duration_s is None


STEPS = [
    {"id": "sr1", "stepId": "st1", "type": "goto", "status": "passed", "errorCode": None},
    {"id": "sr2", "stepId": "st2", "type": "click", "status": "running"},
]


def test_steps_runs_as_a_real_list_is_read() -> None:
    """GIVEN stepsRuns as an array THEN each item is a step run."""
    steps = parse_steps_runs(STEPS)
    assert steps is not None
    assert [s.id for s in steps] == ["sr1", "sr2"]
    assert steps[1].type == "click"


def test_steps_runs_as_a_json_string_is_read() -> None:
    """GIVEN stepsRuns typed string (as the spec says) holding JSON THEN it is read as a list."""
    steps = parse_steps_runs(json.dumps(STEPS))
    assert steps is not None
    assert [s.status for s in steps] == ["passed", "running"]
    assert parse_steps_runs("[]") == []


@pytest.mark.parametrize("raw", ["stepsrun_123", "{not json", '{"a": 1}', "42", None, 7])
def test_opaque_steps_runs_is_none_so_the_caller_falls_back(raw: object) -> None:
    """GIVEN stepsRuns that is not a list THEN None: steps come from screenshots instead."""
    assert parse_steps_runs(raw) is None


def test_bad_items_in_steps_runs_are_skipped_and_bare_ids_are_kept() -> None:
    """GIVEN a list mixing good items, ids and garbage THEN the readable ones come through."""
    steps = parse_steps_runs(['"', {"id": ["x"]}, "sr9", {"id": "sr1", "status": "passed"}])
    assert steps is not None
    assert [s.id for s in steps] == ['"', "sr9", "sr1"]


def test_progress_comes_from_the_parsed_steps_runs() -> None:
    """GIVEN a running run with one finished step of two so far THEN progress is 1 of 2."""
    run = to_run("web", a_test_run(status="running", ended=None, stepsRuns=json.dumps(STEPS)))
    assert run.progress == Progress(done=1, total=2)


def test_a_known_step_count_raises_the_total_that_steps_runs_only_bounds() -> None:
    """GIVEN 2 step runs so far of a 10-step test THEN progress is 1 of 10, not 1 of 2."""
    run = to_run("web", a_test_run(status="running", stepsRuns=json.dumps(STEPS)), total_steps=10)
    assert run.progress == Progress(done=1, total=10)


def test_step_runs_without_statuses_count_only_once_the_run_is_over() -> None:
    """GIVEN screenshot-shaped step runs (no status) THEN done only when the run has ended."""
    steps = parse_steps_runs([{"id": "a"}, {"id": "b"}])
    assert steps_progress(steps, terminal=True) == Progress(done=2, total=2)
    assert steps_progress(steps, terminal=False) is None
    assert steps_progress(None, terminal=True) is None
    assert steps_progress([], terminal=False, total_steps=5) == Progress(done=0, total=5)


def test_a_status_answer_updates_status_progress_and_url_only() -> None:
    """GIVEN a known run and a /status/ answer THEN status, progress and url change, nothing else."""
    run = to_run("web", a_test_run(status="running", ended=None, duration=None))
    answer = V2TestRunStatus.model_validate(
        {
            "id": RUN_ID,
            "status": "paused",
            "modified": "2026-01-01T12:00:30Z",
            "finishedSteps": 3,
            "totalSteps": 8,
            "webappUrl": "https://app.bugbug.io/runs/1/?tab=steps",
        }
    )
    fresh = with_status(run, answer)
    assert (fresh.status, fresh.provider_status) == (RunStatus.RUNNING, "paused")
    assert fresh.progress == Progress(done=3, total=8)
    assert fresh.url == "https://app.bugbug.io/runs/1/?tab=steps"
    assert (fresh.name, fresh.started, fresh.test_id) == (run.name, run.started, run.test_id)


def test_a_step_run_becomes_a_step() -> None:
    """GIVEN a /stepruns/{id}/ answer THEN a Step named by its type, with error and screenshot."""
    wire = StepRun.model_validate(
        {
            "id": "sr1",
            "stepId": "st1",
            "type": "assert",
            "status": "failed",
            "error": None,
            "errorCode": "ASSERT_FAILED",
            "duration": "00:00:02.500000",
            "screenshotUrl": "https://cdn.example/s.png",
            "tabNo": 0,
        }
    )
    step = to_step(4, wire)
    assert (step.index, step.id, step.name) == (4, "sr1", "assert")
    assert (step.status, step.provider_status) == (RunStatus.FAILED, "failed")
    assert step.error == "ASSERT_FAILED"
    assert step.duration_s == pytest.approx(2.5)
    assert step.screenshot_url == "https://cdn.example/s.png"
    assert to_step(0, StepRun()).name == "step 1"


def test_wire_models_tolerate_missing_fields_numbers_for_ids_and_bad_dates() -> None:
    """GIVEN a run with only an id (a number), a bad date and extra keys THEN it still reads."""
    wire = V2TestRun.model_validate({"id": 17, "started": "yesterday", "newField": {"x": 1}})
    run = to_run("web", wire)
    assert (run.id, run.name, run.started, run.status) == ("17", "17", None, RunStatus.UNKNOWN)


def test_naive_dates_are_read_as_utc() -> None:
    """GIVEN a date without a zone THEN it is UTC, so runs sort against zoned ones."""
    run = to_run("web", a_test_run(started="2026-01-01T12:00:00"))
    assert run.started == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_the_auth_header_uses_the_token_prefix() -> None:
    """GIVEN a token THEN the header is `Authorization: Token <token>`."""
    assert auth_headers("abc") == {"Authorization": "Token abc"}
