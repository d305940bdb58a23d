"""BugBug's wire models as qa-tui's own: `Run`, `Step` and `Artifact` (pure: no I/O).

`to_run`, `with_status` and `to_step` read one answer each; `known_run` adds what BugBug said
once and does not repeat (kept in `memory.BugBugMemory`). Quirks absorbed here:
- `duration` comes in many string forms (`durations.parse_duration`); when it cannot be read the
  time between `started` and `ended` is used;
- `stepsRuns` lists only the step runs so far [INF], so its length is a lower bound of a test's
  steps: a total learnt from `/status/` raises it (`steps_progress`);
- a failed run's failing step is the first failing step run, its error the step's own text after
  the run's code (`failure_of`);
- a test run's target is its run profile, by name where a name is known; a suite run's is its
  `profileName`;
- `runMode` marks local and recording runs (`_mode`); anything else is a cloud run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from qa_tui.core.model import Artifact, Progress, ProviderKind, Run, RunKind, RunStatus, Step
from qa_tui.core.providers.bugbug.durations import parse_duration
from qa_tui.core.providers.bugbug.memory import BugBugMemory
from qa_tui.core.providers.bugbug.wire import (
    StepRun,
    V2SuiteRun,
    V2TestRun,
    V2TestRunStatus,
    parse_steps_runs,
)
from qa_tui.core.runs.status import bugbug_status


def _elapsed(started: datetime | None, ended: datetime | None) -> float | None:
    if started is None or ended is None or ended < started:
        return None
    return (ended - started).total_seconds()


def steps_progress(
    steps: list[StepRun] | None, *, terminal: bool, total_steps: int | None = None
) -> Progress | None:
    """Progress from parsed step runs: finished ones of all the test's steps.

    `stepsRuns` lists only the step runs so far [INF], so its length is a lower bound of the test's
    steps: `total_steps` (learnt from a `/status/` answer) raises it. Step runs without a status
    count as done only once the run is over.
    """
    total = max(len(steps or []), total_steps or 0)
    if steps is None or total == 0:
        return None
    statuses = [bugbug_status(step.status) for step in steps if step.status is not None]
    if statuses:
        return Progress(done=sum(s.is_terminal for s in statuses), total=total)
    return Progress(done=len(steps), total=total) if terminal or not steps else None


def failure_of(steps: list[StepRun] | None, code: str | None) -> tuple[str | None, str | None]:
    """(the failing step as `4. click`, the error): a failing step run's own `error` text, after
    the run's code when both are sent (`ELEMENT_DOES_NOT_EXIST: …`), else the code alone."""
    failing = next(
        (
            (i, step)
            for i, step in enumerate(steps or [])
            if bugbug_status(step.status) in (RunStatus.FAILED, RunStatus.ERROR)
        ),
        None,
    )
    if failing is None:
        return None, code
    return described_failure(*failing, code)


def described_failure(index: int, step: StepRun, code: str | None) -> tuple[str, str | None]:
    """The failing step run at `index` as (`4. click`, `CODE: its own error`)."""
    text = step.error
    error = f"{code}: {text}" if code and text and not text.startswith(code) else text or code
    return f"{index + 1}. {step.name or step.type or 'step'}", error


def to_run(
    provider: str,
    wire: V2TestRun | V2SuiteRun,
    *,
    parent_id: str | None = None,
    suite_id: str | None = None,
    total_steps: int | None = None,
    profile_names: Mapping[str, str] | None = None,
) -> Run:
    """A BugBug test run (RunKind.TEST) or suite run (RunKind.SUITE) as a normalized `Run`.

    A test run's parent is its `suiteRunId` (or `parent_id`); a suite run's target is its `suiteId`
    when sent, else `suite_id`. Progress comes from the parsed `stepsRuns` of a test run (see
    `steps_progress` for `total_steps`), or from the finished share of a suite run's `testRuns`.
    The run's `target` is its run profile, by name when `profile_names` (id → name) knows it.
    """
    raw = wire.status if wire.status is not None else ""
    status = bugbug_status(raw)
    names = profile_names or {}
    failed_step, error = None, wire.error_code
    if isinstance(wire, V2TestRun):
        kind, target, parent = RunKind.TEST, wire.test_id, wire.suite_run_id or parent_id
        steps = parse_steps_runs(wire.steps_runs)
        progress = steps_progress(steps, terminal=status.is_terminal, total_steps=total_steps)
        browser = " ".join(p for p in (wire.browser_name, wire.browser_version) if p)
        environment = " · ".join(p for p in (browser, wire.os_name) if p) or None
        profile = names.get(wire.run_profile_id or "", wire.run_profile_id)
        profile_id = wire.run_profile_id
        if status in (RunStatus.FAILED, RunStatus.ERROR):
            failed_step, error = failure_of(steps, wire.error_code)
    else:
        kind, target, parent = RunKind.SUITE, wire.suite_id or suite_id, None
        environment = f"profile {wire.profile_name}" if wire.profile_name else None
        children = [bugbug_status(child.status).is_terminal for child in wire.test_runs]
        progress = Progress(done=sum(children), total=len(children)) if children else None
        profile = wire.profile_name or names.get(wire.profile_id or "", wire.profile_id)
        profile_id = wire.profile_id
    duration = parse_duration(wire.duration)
    return Run(
        provider=provider,
        provider_kind=ProviderKind.BUGBUG,
        id=wire.id,
        kind=kind,
        name=wire.name if wire.name is not None else wire.id,
        status=status,
        provider_status=raw,
        progress=progress,
        queued=wire.queued,
        started=wire.started,
        ended=wire.ended,
        duration_s=duration if duration is not None else _elapsed(wire.started, wire.ended),
        url=wire.webapp_url or None,
        error=error,
        parent_id=parent,
        triggered_by=wire.triggered_by,
        test_id=target,
        environment=environment,
        target=profile,
        target_id=profile_id,
        failed_step=failed_step,
        mode=_mode(wire.run_mode),
    )


def _mode(raw: str | None) -> str | None:
    """`runMode` ∈ {server, local, recording}: None for the usual cloud (`server`) run, and for
    a word the enum does not list (it is not known to be anything but a cloud run)."""
    word = (raw or "").strip().lower()
    return word if word in ("local", "recording") else None


def with_status(run: Run, wire: V2TestRunStatus) -> Run:
    """`run` updated from a `/status/` (or start/stop) answer: status, progress and web URL."""
    raw = wire.status if wire.status is not None else ""
    update: dict[str, Any] = {"status": bugbug_status(raw), "provider_status": raw}
    if wire.total_steps is not None and wire.finished_steps is not None:
        update["progress"] = Progress(done=wire.finished_steps, total=wire.total_steps)
    if wire.webapp_url:
        update["url"] = wire.webapp_url
    return run.model_copy(update=update)


def to_step(index: int, wire: StepRun) -> Step:
    """One step run as a `Step`; its name is the step type (`click`, `goto`…) when no name is sent."""
    raw = wire.status if wire.status is not None else ""
    duration = parse_duration(wire.duration)
    return Step(
        index=index,
        id=wire.id,
        name=wire.name or wire.type or f"step {index + 1}",
        status=bugbug_status(raw),
        provider_status=raw,
        duration_s=duration if duration is not None else _elapsed(wire.started, wire.ended),
        error=wire.error or wire.error_code,
        screenshot_url=wire.screenshot_url,
    )


def screenshot_artifact(index: int, shot: StepRun, *, label: str) -> Artifact:
    """A step's screenshot as one of the run's artifacts."""
    shot_id = shot.id or f"screenshot-{index}"
    return Artifact(id=shot_id, kind="screenshot", url=shot.screenshot_url, label=label)


def report_artifact(base_url: str, run_id: str, collection: str) -> Artifact:
    """The run's JUnit report (`testruns` or `suiteruns`) as one of its artifacts."""
    url = f"{base_url}/api/v2/{collection}/{run_id}/report/junit/"
    return Artifact(id=f"{run_id}:junit", kind="junit", url=url, label="JUnit report")


def known_run(
    provider: str, wire: V2TestRun | V2SuiteRun, memory: BugBugMemory, parent_id: str | None = None
) -> Run:
    """`to_run` with what `memory` knows and the answer does not say: a suite run's suite id,
    a test's step count, profile names, and where a finished run failed when it was read."""
    names = memory.profile_names
    if isinstance(wire, V2SuiteRun):
        suite = memory.suite_of_run.get(wire.id)
        return to_run(provider, wire, suite_id=suite, profile_names=names)
    known = memory.steps_of_test.get(wire.test_id or "")
    run = to_run(provider, wire, parent_id=parent_id, total_steps=known, profile_names=names)
    failure = memory.failures.get(wire.id) if run.failed_step is None else None
    if failure is not None and run.status in (RunStatus.FAILED, RunStatus.ERROR):
        run = run.model_copy(update={"failed_step": failure[0], "error": failure[1]})
    return run
