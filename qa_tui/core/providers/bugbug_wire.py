"""BugBug Public API v2 payloads: tolerant shapes (shared/providers.md §1) and their normalization.

Everything here is pure (no I/O): the client in `qa_tui.core.providers.bugbug` reads payloads into
these models and turns them into `Run` / `Step` with `to_run`, `with_status` and `to_step`. Other
code should use the normalized values; the raw endpoint methods return these models for the start
flows and for tests.

Quirks absorbed here:
- every field but `id` is optional: the spec marks all keys required, but a missing one must not
  lose the run (a null or absent value reads as None);
- enum-like values (`status`, `triggeredBy`, `runMode`, artifact `kind`) stay plain strings;
- ids may come as numbers from a faithful-enough imitation: numbers are read as strings;
- a date that does not parse reads as None instead of dropping the whole run; naive dates are UTC;
- `duration` is a string: Django's `[D ]HH:MM:SS[.ffffff]`, or the synthetic `"120.5"` / `"15s"`
  forms from third-party examples (§6.2) — see `parse_duration`;
- `stepsRuns` is typed string in `V2TestRun` but is an array in the screenshot payloads; seen as
  `"[]"` and as an opaque `"stepsrun_123"` (§6.1) — see `parse_steps_runs`;
- one step-run model reads the three step shapes (stepsRuns items, screenshot items, `/stepruns/{id}/`)
  since all their fields beyond `id` are optional here [INF: the stepsRuns item shape is undocumented];
- nested lists (a suite run's `testRuns`, screenshot lists) skip unreadable items.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from qa_tui.core.model import Artifact, Progress, ProviderKind, Run, RunKind, RunStatus, Step
from qa_tui.core.providers.durations import parse_duration as parse_duration
from qa_tui.core.status import bugbug_status
from qa_tui.core.wire import WireModel, parse_each


def _lenient_datetime(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


LooseDatetime = Annotated[datetime | None, BeforeValidator(_lenient_datetime)]
"""A date-time, or None when absent or unreadable."""


def _skip_bad(model: type[WireModel]) -> BeforeValidator:
    return BeforeValidator(lambda raw: parse_each(model, raw).items)


class BugBugModel(WireModel):
    """camelCase on the wire, snake_case here; numbers accepted where strings are expected."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        coerce_numbers_to_str=True,
    )


class V2TestRun(BugBugModel):
    """`V2TestRun`: one test run (also the items of a suite run's `testRuns`)."""

    id: str
    name: str | None = None
    status: str | None = None
    test_id: str | None = None
    suite_run_id: str | None = None
    run_profile_id: str | None = None
    user_id: str | None = None
    queued: LooseDatetime = None
    started: LooseDatetime = None
    ended: LooseDatetime = None
    duration: Any = None
    error_code: str | None = None
    steps_runs: Any = None
    """Typed string in the spec, an array elsewhere: read with `parse_steps_runs`."""
    browser_name: str | None = None
    browser_version: str | None = None
    os_name: str | None = None
    run_mode: str | None = None
    triggered_by: str | None = None
    webapp_url: str | None = None


class V2TestRunStatus(BugBugModel):
    """`V2TestRunStatus`: the cheap status answer (also what start and stop return)."""

    id: str
    status: str | None = None
    modified: LooseDatetime = None
    finished_steps: int | None = None
    total_steps: int | None = None
    webapp_url: str | None = None


class V2SuiteRunStatus(V2TestRunStatus):
    """A suite run's status: `{id, status, modified, webappUrl}` [3P]; step counts read if sent [INF]."""


class V2SuiteRun(BugBugModel):
    """`V2SuiteRun`. The documented shape has no suite id; `suiteId` is read if a server sends one."""

    id: str
    name: str | None = None
    status: str | None = None
    duration: Any = None
    queued: LooseDatetime = None
    started: LooseDatetime = None
    ended: LooseDatetime = None
    error_code: str | None = None
    profile_id: str | None = None
    profile_name: str | None = None
    suite_id: str | None = None
    run_mode: str | None = None
    triggered_by: str | None = None
    webapp_url: str | None = None
    test_runs: Annotated[list[V2TestRun], _skip_bad(V2TestRun)] = []


class StepRun(BugBugModel):
    """A step run: a `stepsRuns` item, a screenshot item or `/stepruns/{id}/` (fields beyond id optional)."""

    id: str | None = None
    step_id: str | None = None
    test_run_id: str | None = None
    type: str | None = None
    name: str | None = None
    status: str | None = None
    error: str | None = None
    error_code: str | None = None
    duration: Any = None
    started: LooseDatetime = None
    ended: LooseDatetime = None
    screenshot_url: str | None = None


class TestRunScreenshots(BugBugModel):
    """`V2TestRunScreenshots`: `{id, stepsRuns: [{id, stepId, screenshotUrl}]}`."""

    __test__ = False  # not a pytest test class
    id: str | None = None
    steps_runs: Annotated[list[StepRun], _skip_bad(StepRun)] = []


class SuiteRunScreenshots(BugBugModel):
    """A suite run's screenshots: `{id, testsRuns: [...]}` (note the spelling `testsRuns`) [3P]."""

    id: str | None = None
    tests_runs: Annotated[list[TestRunScreenshots], _skip_bad(TestRunScreenshots)] = []


class DebugArtifact(BugBugModel):
    """`DebugArtifact`: `expirationTime: null` means it never expires."""

    id: str
    kind: str | None = None
    file: str | None = None
    expiration_time: LooseDatetime = None


class V2Test(BugBugModel):
    """`V2Test` as listed: only `{id, name}`."""

    id: str
    name: str | None = None


class V2Suite(BugBugModel):
    """`V2Suite`."""

    id: str
    name: str | None = None
    tests_count: int | None = None
    run_profile_id: str | None = None


class V2Profile(BugBugModel):
    """A run profile: its schema was not found; `{id, name}` assumed [INF]."""

    id: str
    name: str | None = None


def parse_steps_runs(raw: Any) -> list[StepRun] | None:
    """A test run's `stepsRuns` as step runs, or None when it is opaque (fall back to screenshots).

    A list is read item by item (bad items skipped; a bare string item is read as a step-run id);
    a string is tried as JSON holding such a list; anything else is opaque.
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, list):
        return None
    items = [{"id": item} if isinstance(item, str | int) else item for item in raw]
    return parse_each(StepRun, items).items


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
