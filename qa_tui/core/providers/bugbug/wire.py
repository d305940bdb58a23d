"""BugBug Public API v2 payloads: tolerant shapes (shared/providers.md §1), no I/O, no normalization.

`api.py` reads every answer into these models; `normalize.py` turns them into `Run` / `Step` /
`Artifact`. Other code should use the normalized values; the endpoint methods return these
models for the start flows and for tests.

Quirks absorbed here:
- every field but `id` is optional: the spec marks all keys required, but a missing one must not
  lose the run (a null or absent value reads as None);
- enum-like values (`status`, `triggeredBy`, `runMode`, artifact `kind`) stay plain strings;
- ids may come as numbers from a faithful-enough imitation: numbers are read as strings;
- a date that does not parse reads as None instead of dropping the whole run; naive dates are UTC;
- `duration` is a string: Django's `[D ]HH:MM:SS[.ffffff]`, or the synthetic `"120.5"` / `"15s"`
  forms from third-party examples (§6.2): it is kept raw here and read by `durations.parse_duration`;
- `stepsRuns` is typed string in `V2TestRun` but is an array in the screenshot payloads; seen as
  `"[]"` and as an opaque `"stepsrun_123"` (§6.1) — see `parse_steps_runs`;
- one step-run model reads the three step shapes (stepsRuns items, screenshot items, `/stepruns/{id}/`)
  since all their fields beyond `id` are optional here [INF: the stepsRuns item shape is undocumented];
- nested lists (a suite run's `testRuns`, screenshot lists) skip unreadable items.

The models share one configuration (`BUGBUG_WIRE`) rather than a base class of their own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from qa_tui.core.http.wire import WireModel, parse_each


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


BUGBUG_WIRE = ConfigDict(
    alias_generator=to_camel,
    populate_by_name=True,
    extra="ignore",
    frozen=True,
    coerce_numbers_to_str=True,
)
"""camelCase on the wire, snake_case here; numbers accepted where strings are expected."""


class V2TestRun(WireModel):
    """`V2TestRun`: one test run (also the items of a suite run's `testRuns`)."""

    model_config = BUGBUG_WIRE

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


class V2TestRunStatus(WireModel):
    """`V2TestRunStatus`: the cheap status answer (also what start and stop return)."""

    model_config = BUGBUG_WIRE

    id: str
    status: str | None = None
    modified: LooseDatetime = None
    finished_steps: int | None = None
    total_steps: int | None = None
    webapp_url: str | None = None


V2SuiteRunStatus = V2TestRunStatus
"""A suite run's status: `{id, status, modified, webappUrl}` [3P], the shape of a test run's;
step counts are read if sent [INF]."""


class V2SuiteRun(WireModel):
    """`V2SuiteRun`. The documented shape has no suite id; `suiteId` is read if a server sends one."""

    model_config = BUGBUG_WIRE

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


class StepRun(WireModel):
    """A step run: a `stepsRuns` item, a screenshot item or `/stepruns/{id}/` (fields beyond id optional)."""

    model_config = BUGBUG_WIRE

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


class TestRunScreenshots(WireModel):
    """`V2TestRunScreenshots`: `{id, stepsRuns: [{id, stepId, screenshotUrl}]}`."""

    model_config = BUGBUG_WIRE

    __test__ = False  # not a pytest test class
    id: str | None = None
    steps_runs: Annotated[list[StepRun], _skip_bad(StepRun)] = []


class SuiteRunScreenshots(WireModel):
    """A suite run's screenshots: `{id, testsRuns: [...]}` (note the spelling `testsRuns`) [3P]."""

    model_config = BUGBUG_WIRE

    id: str | None = None
    tests_runs: Annotated[list[TestRunScreenshots], _skip_bad(TestRunScreenshots)] = []


class DebugArtifact(WireModel):
    """`DebugArtifact`: `expirationTime: null` means it never expires."""

    model_config = BUGBUG_WIRE

    id: str
    kind: str | None = None
    file: str | None = None
    expiration_time: LooseDatetime = None


class V2Test(WireModel):
    """`V2Test` as listed: only `{id, name}`."""

    model_config = BUGBUG_WIRE

    id: str
    name: str | None = None


class V2Suite(WireModel):
    """`V2Suite`."""

    model_config = BUGBUG_WIRE

    id: str
    name: str | None = None
    tests_count: int | None = None
    run_profile_id: str | None = None


class V2Profile(WireModel):
    """A run profile: its schema was not found; `{id, name}` assumed [INF]."""

    model_config = BUGBUG_WIRE

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
