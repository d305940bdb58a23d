"""What the detail view shows of a run: which panes, which one it opens on, and the lines of its
steps table (every step, the unreached ones too). Pure functions of the run, its detail and its
provider's `Capabilities`: the screen (run_detail.py) only draws what they say.

- A pane shows only where the run can have content: Steps for a run with steps of its own (a
  suite's steps are its test runs), Child runs for a suite, Artifacts and Analysis where the
  provider has them (Analysis and Error for a run that failed or errored, Compare too: it is a
  failure against the last green run). A run with none of them (a Bug0 trigger that did not fail:
  Bug0 has no read API, its result is a commit status on GitHub) keeps the Steps pane, which
  says why it is empty; a failed one shows its Error pane, the status's description and link.
- A failed run opens on what matters: the failing step, selected; a run that failed or errored
  with no failing step among its steps (BugBrain's execution itself broke) on its Error pane.
- Providers report the steps reached so far (BugBug's `stepsRuns`, BugBrain's `test_results`):
  the steps table lists every step the run's progress counts, those not reached as not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa_tui.core.model import Run, RunDetail, RunKind, RunStatus, Step
from qa_tui.core.providers.base import Capabilities

PANES = ("steps", "children", "artifacts", "analysis", "error", "compare")
"""Every pane, in the order of the tab bar (the TabPane ids)."""

FAILURES = (RunStatus.FAILED, RunStatus.ERROR)


def failed(run: Run) -> bool:
    return run.status in FAILURES


def panes_for(run: Run, capabilities: Capabilities) -> tuple[str, ...]:
    """The panes `run` can have content in, in tab order."""
    wanted = {
        "steps": capabilities.steps and run.kind is not RunKind.SUITE,
        "children": run.kind is RunKind.SUITE,
        "artifacts": capabilities.artifacts,
        "analysis": capabilities.analysis and failed(run),
        "error": failed(run) or bool(run.error),
        "compare": failed(run),
    }
    shown = tuple(pane for pane in PANES if wanted[pane])
    return shown or ("steps",)


def failing_step(steps: Sequence[Step]) -> int | None:
    """The index of the first step that failed or errored."""
    return next((i for i, step in enumerate(steps) if step.status in FAILURES), None)


def running_step(steps: Sequence[Step]) -> int | None:
    """The index of the step running now."""
    return next((i for i, step in enumerate(steps) if step.status is RunStatus.RUNNING), None)


def opening_pane(run: Run, detail: RunDetail | None, shown: Sequence[str]) -> str:
    """The pane the view opens on (again once its detail has arrived)."""
    if "children" in shown:
        return "children"
    steps = detail.steps.items if detail is not None else ()
    broke = failed(run) and detail is not None and failing_step(steps) is None
    if broke and "error" in shown:
        return "error"  # the run failed, and not in a step: its error is what matters
    return "steps" if "steps" in shown else shown[0]


@dataclass(frozen=True)
class StepLine:
    """One line of the steps table: a step the provider reported, or one not reached."""

    number: int
    """1-based."""
    step: Step | None
    """None: the run has not reached this step (or never will: it ended before)."""


def step_count(run: Run, steps: Sequence[Step]) -> int:
    """How many steps the run has: those reported, or as many as its progress counts."""
    total = run.progress.total if run.progress is not None else 0
    return max(len(steps), total)


def step_lines(run: Run, steps: Sequence[Step]) -> list[StepLine]:
    """Every step of the run, those not reached after the ones reported."""
    lines = [StepLine(i + 1, step) for i, step in enumerate(steps)]
    lines += [StepLine(n + 1, None) for n in range(len(steps), step_count(run, steps))]
    return lines


def unreached_word(run: Run) -> str:
    """What a step not reached is: `not run` once the run is over, else `not yet`."""
    return "not run" if run.status.is_terminal else "not yet"
