"""A failed run → a bug report draft, prefilled with everything the run knows. Pure: no I/O.

The draft is a starting point the user edits, so it errs towards saying what is known plainly:
the run's URL and id, provider, environment (browser/OS/profile when the provider says), times,
the failing step and its error, links to screenshots and artifacts, and BugBrain's analysis when
there is one. Provider strings pass through as sent (the UI makes them terminal-safe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa_tui.core.config.tables import TrackerConfig
from qa_tui.core.model import Artifact, FailureAnalysis, Run, RunDetail, RunKind, RunStatus, Step
from qa_tui.core.providers.bugnet import TITLE_MAX, BugDraft
from qa_tui.core.words.statuses import outcome_phrase

FILEABLE = frozenset({RunStatus.FAILED, RunStatus.ERROR})
"""The statuses a bug can be filed for."""
_BAD = (RunStatus.FAILED, RunStatus.ERROR)
_KIND_WORDS = {
    RunKind.TEST: "test",
    RunKind.SUITE: "suite",
    RunKind.EXECUTION: "test plan execution",
    RunKind.TRIGGER: "triggered run",
}
PLATFORM_MAX = 50
"""Bugnet's public submit keeps at most 50 characters of `platform`."""


@dataclass(frozen=True)
class TriageDefaults:
    """What every new draft starts with, from the config's `[tracker]`."""

    priority: str = "medium"
    category: str = "other"
    labels: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, tracker: TrackerConfig | None) -> TriageDefaults:
        if tracker is None:
            return cls()
        return cls(tracker.default_priority, tracker.default_category, tuple(tracker.labels))


def can_file(run: Run) -> bool:
    return run.status in FILEABLE


def _first_line(text: str | None) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def failing_steps(detail: RunDetail | None) -> list[Step]:
    """The steps that failed or errored, in order."""
    steps = detail.steps.items if detail is not None else ()
    return [s for s in steps if s.status in _BAD]


def bug_title(run: Run, detail: RunDetail | None = None) -> str:
    """`[provider] test name: error`, with the failing test for a plan or suite."""
    failing = failing_steps(detail)
    name = run.name
    if failing and run.kind is not RunKind.TEST:
        name = f"{name} / {failing[0].name}"
    error = _first_line(failing[0].error if failing else None) or _first_line(run.error)
    title = f"[{run.provider}] {name}: {error or run.status.value}"
    return _clip(" ".join(title.split()), TITLE_MAX)


def _facts(run: Run) -> list[str]:
    lines = []
    if run.url:
        lines.append(f"Run: {run.url}")
    lines.append(f"Run id: {run.id}")
    lines.append(f"Provider: {run.provider} ({run.provider_kind.value}), {_KIND_WORDS[run.kind]}")
    if run.environment:
        lines.append(f"Environment: {run.environment}")
    when = []
    if run.started is not None:
        when.append(f"started {run.started:%Y-%m-%d %H:%M:%S} UTC")
    if run.duration_s is not None:
        when.append(f"took {_duration(run.duration_s)}")
    if run.triggered_by:
        when.append(f"triggered by {run.triggered_by}")
    if when:
        text = ", ".join(when)
        lines.append(text[0].upper() + text[1:])
    status = run.status.value
    if run.provider_status and run.provider_status != status:
        status = f"{status} ({run.provider} says {run.provider_status})"
    lines.append(f"Status: {status}")
    return lines


def _duration(seconds: float) -> str:
    total = int(seconds)
    minutes, secs = divmod(total, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _unit(run: Run) -> str:
    """What a run's steps are: the tests of a BugBrain execution, else steps."""
    return "test" if run.kind is RunKind.EXECUTION else "step"


def _failure(run: Run, failing: Sequence[Step]) -> list[str]:
    lines, unit = [], _unit(run)
    for step in failing[:5]:
        error = f": {step.error}" if step.error else ""
        lines.append(
            f"Failing {unit} {step.index + 1}, {step.name} ({step.provider_status}){error}"
        )
    if len(failing) > 5:
        lines.append(f"…and {len(failing) - 5} more failing {unit}s")
    if run.error and not any(run.error == s.error for s in failing):
        lines.append(f"Error: {run.error}")
    return lines


def _links(artifacts: Sequence[Artifact], failing: Sequence[Step]) -> list[str]:
    shots = [s for s in failing if s.screenshot_url]
    shot_urls = {s.screenshot_url for s in shots}
    lines = [f"- {s.index + 1}. {s.name}: {s.screenshot_url}" for s in shots]
    others = [a for a in artifacts if a.url and a.kind == "screenshot" and a.url not in shot_urls]
    if not shots and others:
        lines += [f"- {a.label or 'screenshot'}: {a.url}" for a in others[-3:]]
    elif others:
        lines.append(f"- {len(others)} more screenshots in the run")
    files = [a for a in artifacts if a.url and a.kind != "screenshot"]
    out = (["Screenshots:", *lines] if lines else []) + (["Artifacts:"] if files else [])
    for artifact in files:
        expires = f" (until {artifact.expires:%Y-%m-%d})" if artifact.expires else ""
        out.append(f"- {artifact.label or artifact.kind}: {artifact.url}{expires}")
    return out


def _analysis(items: Sequence[FailureAnalysis]) -> list[str]:
    if not items:
        return []
    lines = ["BugBrain analysis:"]
    for item in items:
        about = [x for x in (item.category,) if x]
        if item.confidence is not None:
            about.append(f"confidence {item.confidence:.0%}")
        head = item.test_name or item.test_id or "test"
        lines.append(f"- {head}" + (f" [{', '.join(about)}]" if about else ""))
        if item.description:
            lines.append(f"  {item.description}")
        if item.fix_suggestions:
            lines.append(f"  Suggested fixes: {'; '.join(item.fix_suggestions)}")
    return lines


def bug_description(run: Run, detail: RunDetail | None = None) -> str:
    failing = failing_steps(detail)
    artifacts = detail.artifacts.items if detail is not None else ()
    analysis = detail.analysis.items if detail is not None else ()
    did = outcome_phrase(run.status)
    summary = f"The {_KIND_WORDS[run.kind]} “{run.name}” {did} on {run.provider}."
    blocks = [[summary], _facts(run), _failure(run, failing), _links(artifacts, failing)]
    blocks += [_analysis(analysis), ["Filed from qa-tui."]]
    return "\n\n".join("\n".join(block) for block in blocks if block)


def reproduce_steps(run: Run, detail: RunDetail | None = None) -> str:
    """Run it, then its steps up to the last one that failed."""
    where = f" ({run.url})" if run.url else ""
    lines = [f"1. Run the {_KIND_WORDS[run.kind]} “{run.name}” on {run.provider}{where}"]
    steps = list(detail.steps.items) if detail is not None else []
    bad = [i for i, s in enumerate(steps) if s.status in _BAD]
    for n, step in enumerate(steps[: bad[-1] + 1] if bad else steps, start=2):
        mark = f" → {step.provider_status}" if step.status in _BAD else ""
        lines.append(f"{n}. {step.name}{mark}")
    return "\n".join(lines)


def expected_actual(run: Run, detail: RunDetail | None = None) -> tuple[str, str]:
    failing, unit = failing_steps(detail), _unit(run)
    expected = f"The {_KIND_WORDS[run.kind]} “{run.name}” passes: every {unit} succeeds."
    if failing:
        step = failing[0]
        actual = f"{unit.capitalize()} {step.index + 1} ({step.name}) {step.provider_status}"
        actual += f": {step.error}" if step.error else "."
        if len(failing) > 1:
            actual += f" ({len(failing) - 1} more {unit}s failed.)"
    else:
        actual = f"The run {outcome_phrase(run.status)}" + (f": {run.error}" if run.error else ".")
    return expected, actual


def build_draft(
    run: Run, detail: RunDetail | None = None, defaults: TriageDefaults | None = None
) -> BugDraft:
    """The prefilled report for a failed or errored run (`detail` adds steps, links, analysis)."""
    defaults = defaults or TriageDefaults()
    expected, actual = expected_actual(run, detail)
    return BugDraft(
        title=bug_title(run, detail),
        description=bug_description(run, detail),
        category=defaults.category,
        priority=defaults.priority,
        steps_to_reproduce=reproduce_steps(run, detail),
        expected=expected,
        actual=actual,
        platform=_clip(run.environment or run.provider_kind.value, PLATFORM_MAX),
        os_info=_os_of(run),
        device_info=_browser_of(run),
        labels=list(defaults.labels),
    )


def _environment_parts(run: Run) -> list[str]:
    """A run's `environment` (BugBug: `Chrome 126.0 · Linux`) in its parts."""
    return [part.strip() for part in (run.environment or "").split(" · ") if part.strip()]


def _os_of(run: Run) -> str:
    parts = _environment_parts(run)
    return parts[-1] if len(parts) >= 2 else ""


def _browser_of(run: Run) -> str:
    parts = _environment_parts(run)
    return parts[0] if len(parts) >= 2 else ""


def comment_text(draft: BugDraft) -> str:
    """The comment that adds this failure to an existing bug (a repeat failure)."""
    return f"Seen again: {draft.title}\n\n{draft.description}"
