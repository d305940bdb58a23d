"""From a failed run to a prefilled bug draft: the run's facts, its failing step, its links."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import SecretStr

from qa_tui.core.bugs.triage import TriageDefaults, build_draft, can_file, comment_text
from qa_tui.core.config.tables import TrackerConfig
from qa_tui.core.model import (
    Artifact,
    FailureAnalysis,
    PaneData,
    ProviderKind,
    RunDetail,
    RunKind,
    RunStatus,
    Step,
)
from qa_tui.core.providers.bugnet import TITLE_MAX
from qa_tui.core.runs.store import RunStore
from tests.support.fakes import make_run


def _step(index: int, name: str, status: RunStatus = RunStatus.PASSED, **fields: object) -> Step:
    return Step(index=index, name=name, status=status, provider_status=status.value, **fields)


def _bugbug_failure() -> RunDetail:
    run = make_run(
        "run-1",
        RunStatus.FAILED,
        name="Checkout with card",
        url="https://app.bugbug.io/runs/run-1",
        error="ELEMENT_DOES_NOT_EXIST",
        duration_s=65.2,
        triggered_by="api",
        environment="Chrome 126.0 · Linux",
    )
    steps = (
        _step(0, "goto"),
        _step(1, "click"),
        _step(
            2,
            "assert",
            RunStatus.FAILED,
            error="ELEMENT_DOES_NOT_EXIST",
            screenshot_url="https://cdn.test/shot-3.png",
        ),
        _step(3, "click", RunStatus.SKIPPED),
    )
    artifacts = (
        Artifact(id="a1", kind="screenshot", url="https://cdn.test/shot-1.png", label="step 1"),
        Artifact(id="a3", kind="screenshot", url="https://cdn.test/shot-3.png", label="step 3"),
        Artifact(
            id="log",
            kind="logs",
            url="https://app.bugbug.io/runs/run-1/logs/",
            label="Run log",
            expires=datetime(2026, 2, 1, tzinfo=UTC),
        ),
    )
    return RunDetail(
        run=run,
        steps=PaneData[Step](items=steps),
        artifacts=PaneData[Artifact](items=artifacts),
    )


def test_a_failed_bugbug_test_becomes_a_draft_with_its_facts_and_failing_step() -> None:
    detail = _bugbug_failure()
    draft = build_draft(detail.run, detail, TriageDefaults("high", "ui", ("qa-tui",)))

    assert draft.title == "[web] Checkout with card: ELEMENT_DOES_NOT_EXIST"
    assert (draft.priority, draft.category, draft.labels) == ("high", "ui", ["qa-tui"])
    assert draft.platform == "Chrome 126.0 · Linux"
    for fact in (
        "Run: https://app.bugbug.io/runs/run-1",
        "Provider: web (bugbug), test",
        "Environment: Chrome 126.0 · Linux",
        "Started 2026-01-01 12:00:00 UTC, took 1m05s, triggered by api",
        "Failing step 3, assert (failed): ELEMENT_DOES_NOT_EXIST",
        "- 3. assert: https://cdn.test/shot-3.png",
        "- 1 more screenshots in the run",
        "- Run log: https://app.bugbug.io/runs/run-1/logs/ (until 2026-02-01)",
    ):
        assert fact in draft.description
    assert "Error: ELEMENT_DOES_NOT_EXIST" not in draft.description  # said once, at the step
    assert draft.steps_to_reproduce == (
        "1. Run the test “Checkout with card” on web (https://app.bugbug.io/runs/run-1)\n"
        "2. goto\n3. click\n4. assert → failed"
    )
    assert draft.expected == "The test “Checkout with card” passes: every step succeeds."
    assert draft.actual == "Step 3 (assert) failed: ELEMENT_DOES_NOT_EXIST"


def test_a_bugbrain_execution_names_the_failing_test_and_carries_the_analysis() -> None:
    run = make_run(
        "exec_1",
        RunStatus.FAILED,
        provider="plans",
        provider_kind=ProviderKind.BUGBRAIN,
        kind=RunKind.EXECUTION,
        name="plan tp_smoke",
        raw="completed",
    )
    detail = RunDetail(
        run=run,
        steps=PaneData[Step](
            items=(
                _step(0, "Login Flow"),
                _step(1, "Add to Cart", RunStatus.FAILED, error="Element not found: .add"),
                _step(2, "Search"),
            )
        ),
        analysis=PaneData[FailureAnalysis](
            items=(
                FailureAnalysis(
                    test_name="Add to Cart",
                    category="selector_changed",
                    confidence=0.9,
                    description="The '.add' selector no longer matches.",
                    fix_suggestions=("Update the selector '.add'",),
                ),
            )
        ),
    )
    draft = build_draft(run, detail)
    assert draft.title == "[plans] plan tp_smoke / Add to Cart: Element not found: .add"
    assert "Status: failed (plans says completed)" in draft.description
    assert "Failing test 2, Add to Cart (failed): Element not found: .add" in draft.description
    assert draft.actual == "Test 2 (Add to Cart) failed: Element not found: .add"
    assert (
        "BugBrain analysis:\n- Add to Cart [selector_changed, confidence 90%]\n"
        "  The '.add' selector no longer matches.\n"
        "  Suggested fixes: Update the selector '.add'"
    ) in draft.description
    assert draft.steps_to_reproduce.endswith("2. Login Flow\n3. Add to Cart → failed")
    assert draft.platform == "bugbrain"
    assert (draft.priority, draft.category) == ("medium", "other")


def test_without_a_detail_the_draft_still_says_what_the_run_knows() -> None:
    run = make_run("r9", RunStatus.ERROR, name="Sign up", error="Extension crashed\nstack…")
    draft = build_draft(run)
    assert draft.title == "[web] Sign up: Extension crashed"
    assert draft.actual == "The run ended with an error: Extension crashed\nstack…"
    assert "Error: Extension crashed" in draft.description


def test_a_huge_or_multiline_name_still_gives_a_valid_title() -> None:
    run = make_run("r1", RunStatus.FAILED, name="x\n" * 400, error=None)
    draft = build_draft(run)
    assert len(draft.title) == TITLE_MAX and "\n" not in draft.title


def test_only_failed_and_errored_runs_can_be_filed() -> None:
    fileable = [s for s in RunStatus if can_file(make_run("r", s))]
    assert fileable == [RunStatus.FAILED, RunStatus.ERROR]


def test_defaults_come_from_the_tracker_config() -> None:
    config = TrackerConfig(
        project="shop",
        token=SecretStr("t"),
        default_priority="critical",
        default_category="crash",
        labels=["a"],
    )
    assert TriageDefaults.from_config(config) == TriageDefaults("critical", "crash", ("a",))
    assert TriageDefaults.from_config(None) == TriageDefaults()


def test_a_repeat_failure_comment_carries_the_title_and_description() -> None:
    draft = build_draft(_bugbug_failure().run)
    assert comment_text(draft).startswith(f"Seen again: {draft.title}\n\n{draft.description[:20]}")


def test_a_row_gets_the_bug_filed_for_it_even_when_the_run_arrives_later() -> None:
    store = RunStore()
    assert not store.link_bug(("web", "r1"), "bug-1")  # nothing to show yet
    changes = store.apply([make_run("r1", RunStatus.FAILED)])
    assert changes.added[0].bug_id == "bug-1"
    assert store.link_bug(("web", "r1"), "bug-2").updated[0].bug_id == "bug-2"
