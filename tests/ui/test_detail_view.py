"""The detail view on the real simulator (issue 22, points 5 and 6): as live as the table, and a
failed run opens on what matters.

- A suite's Child runs pane is drawn from the rows the table renders: a child's step moving on
  shows there while the suite's own row has not changed at all, and the suite's end shows at once.
- A failed BugBug run lists every step, the unreached ones as not run, the failing one selected
  with its error in full under the table; an errored BugBrain execution opens on its error.
- A pane shows only where the run can have content (no Child runs on a test run or an execution,
  no Analysis where the provider has none; a Bug0 trigger keeps the pane that says why).

The simulator's clock is manual (tests/support/sim_monitor.py): a run moves when the story
advances it, and every wait is on what the user would see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, Tab, TabbedContent

from qa_tui.core.model import Run, RunStatus
from qa_tui.core.runs.store import RunKey
from qa_tui.sim import ScenarioSpec
from qa_tui.ui import render
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.shots.screenshot import ScreenshotPanel
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, build_monitor

if TYPE_CHECKING:
    from qa_tui.sim.bugbug.runs import SuiteRun, TestRun

ONE_SUITE = ScenarioSpec(
    bugbug_test_runs_finished=2,
    bugbug_test_runs_active=0,
    bugbug_suite_runs_finished=0,
    bugbug_suite_runs_active=1,
    tests_per_suite=3,
    bugbrain_finished=2,
    bugbrain_active=0,
    new_run_every_s=None,
)


@pytest.fixture
async def suite_world(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, spec=ONE_SUITE)
    yield built
    await built.aclose()


def store_run(app: QaTuiApp, key: RunKey) -> Run | None:
    row = app.engine.store.get(key)
    return row.run if row else None


async def open_detail(pilot: Pilot[int], app: QaTuiApp, key: RunKey) -> RunDetailScreen:
    await wait_until(pilot, lambda: key in app.dashboard.table.rows, what=f"the row of {key}")
    app.dashboard.table.move_cursor_to(key)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="the detail")
    screen = app.screen
    assert isinstance(screen, RunDetailScreen)
    await wait_until(pilot, lambda: screen.detail is not None, what="the detail loaded")
    return screen


def tab_bar(screen: RunDetailScreen) -> list[str]:
    """The tabs the user sees (laid out on screen), in order, word by word."""
    shown = sorted((tab.region.x, str(tab.label)) for tab in screen.query(Tab) if tab.region.width)
    return " ".join(label for _, label in shown).split()


# --- live: the Child runs pane and the header come from the store -----------------------------


def child_line(screen: RunDetailScreen, name: str) -> str:
    table = screen.query_one("#children-table", DataTable)
    return next((line for line in widget_text(table).splitlines() if name in line), "")


def shows_as_table(app: QaTuiApp, screen: RunDetailScreen, child: TestRun) -> bool:
    """The child's line in the pane says what the store (the table's rows) says of it."""
    run = store_run(app, ("web", child.id))
    line = child_line(screen, child.name)
    if run is None or run.progress is None:
        return False
    progress = f"{run.progress.done}/{run.progress.total}"
    return render.status_word(run) in line and progress in line


def a_step_later(suite: SuiteRun, now: float) -> tuple[TestRun, float, float]:
    """A child of the suite, a moment it is running, and a later moment one more of its steps
    has finished, with nothing else of it or of the suite changed in between."""
    for child in suite.children:
        timeline = child.timeline
        events = sorted({*timeline.steps, *(at for at, _ in timeline.phases), timeline.end})
        events = [t for t in events if t > now]
        for before, step, after in zip(events, events[1:], events[2:], strict=False):
            first, second = (before + step) / 2, (step + after) / 2
            running = timeline.status(first) == timeline.status(second) == "running"
            if step in timeline.steps and running and suite.status(first) == suite.status(second):
                return child, first, second
    raise AssertionError("no child of the suite finishes a step while it runs")


async def test_a_suites_child_runs_move_with_the_table_while_the_suite_itself_is_unchanged(
    suite_world: SimMonitor,
) -> None:
    """GIVEN a running suite open on its Child runs pane WHEN one of its test runs finishes a
    step (the suite's own row stays exactly as it was) THEN the pane shows that step done, as the
    table does; WHEN the suite ends THEN its header and every child show it within a poll."""
    monitor, app = suite_world, suite_world.app
    now = monitor.scenario.now()
    suite = next(
        s for s in monitor.sim.bugbug.suite_runs.values() if s.status(now) in ("queued", "running")
    )
    child, first, second = a_step_later(suite, now)
    monitor.advance(first - now)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_detail(pilot, app, ("web", suite.id))
        assert screen.query_one(TabbedContent).active == "children"
        await wait_until(
            pilot, lambda: shows_as_table(app, screen, child), what=f"{child.name} as the table"
        )
        suite_before = store_run(app, ("web", suite.id))
        done = child.timeline.steps_done(monitor.scenario.now())

        monitor.advance(second - first)
        total = child.timeline.total_steps
        await wait_until(
            pilot,
            lambda: f"{done + 1}/{total}" in child_line(screen, child.name),
            what=f"{child.name} at {done + 1}/{total} in the Child runs pane",
        )
        assert shows_as_table(app, screen, child)
        assert store_run(app, ("web", suite.id)) == suite_before  # nothing of the suite moved

        monitor.advance(max(c.timeline.end for c in suite.children) - monitor.scenario.now() + 1)
        final = suite.status(monitor.scenario.now())
        summary = screen.query_one("#summary", Static)
        await wait_until(
            pilot, lambda: final in widget_text(summary).splitlines()[0], what=f"header {final}"
        )
        await wait_until(
            pilot,
            lambda: all(shows_as_table(app, screen, c) for c in suite.children),
            what="every child as the table has it",
        )
        for c in suite.children:
            end = c.timeline.status(monitor.scenario.now())
            assert end in child_line(screen, c.name)


# --- a failed run opens on what matters ----------------------------------------------------------


def failed_early(monitor: SimMonitor) -> TestRun:
    """A failed BugBug test run that stopped before its last step."""
    now = monitor.scenario.now()
    return next(
        r
        for r in monitor.sim.bugbug.test_runs.values()
        if r.suite_run_id is None
        and r.timeline.status(now) == "failed"
        and r.timeline.is_over(now)
        and 1 < len(r.timeline.steps) < r.timeline.total_steps
    )


async def test_a_failed_bugbug_run_lists_every_step_and_opens_on_the_failing_one_with_its_error(
    monitor: SimMonitor,
) -> None:
    """GIVEN a BugBug test run that failed at step k of n WHEN it is opened THEN the Steps pane
    lists all n steps, those after k as not run; the cursor is on step k, its error is written
    out in full under the table, and its screenshot's caption says `step k of n`."""
    run = failed_early(monitor)
    done, total = len(run.timeline.steps), run.timeline.total_steps
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_detail(pilot, app, ("web", run.id))
        assert screen.query_one(TabbedContent).active == "steps"
        steps = screen.query_one("#steps-table", DataTable)
        await wait_until(pilot, lambda: steps.row_count == total, what=f"{total} steps")
        assert steps.cursor_row == done - 1
        assert app.focused is steps  # j, k and enter act on it at once
        lines = widget_text(steps).splitlines()[1:]
        assert "failed" in lines[done - 1]
        assert all("not run" in line for line in lines[done:total])
        assert not any("not run" in line for line in lines[:done])

        error = screen.query_one("#step-error", Static)
        assert error.display
        said = widget_text(error)
        assert f"Step {done} of {total} · failed" in said
        assert run.error_code is not None and run.error_code in said
        panel = screen.query_one("#steps-shot", ScreenshotPanel)
        await wait_until(
            pilot,
            lambda: panel.target is not None and f"step {done} of {total}" in panel.target.label,
            what="the failing step's screenshot",
        )

        await pilot.press("j")  # onto a step the run never reached
        await wait_until(pilot, lambda: "was not run" in widget_text(error), what="not run")


async def test_an_errored_bugbrain_execution_opens_on_its_error(monitor: SimMonitor) -> None:
    """GIVEN a BugBrain execution that broke (`failed`, shown as error) after some passed tests
    WHEN it is opened THEN the view is on its Error pane, which says the execution itself broke
    and gives BugBrain's error; its Steps pane lists the tests it never ran as not run."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:

        def errored() -> Run | None:
            runs = [row.run for row in app.engine.store if row.run.provider == "plans"]
            return next((r for r in runs if r.status is RunStatus.ERROR and r.error), None)

        await wait_until(pilot, lambda: errored() is not None, what="an errored execution")
        monitor.engine.pause()  # BugBrain's budget (500 an hour) is left for the detail view
        run = errored()
        assert run is not None and run.error is not None and run.progress is not None
        screen = await open_detail(pilot, app, run.key)
        tabs = screen.query_one(TabbedContent)
        await wait_until(pilot, lambda: tabs.active == "error", what="the Error pane")
        text = widget_text(screen.query_one("#error-text", Static))
        assert "the execution itself broke" in text
        assert run.error in text
        focused = app.focused
        assert focused is not None and screen.query_one("#error") in focused.ancestors

        tabs.active = "steps"
        steps = screen.query_one("#steps-table", DataTable)
        total = run.progress.total
        await wait_until(pilot, lambda: steps.row_count == total, what="all its tests")
        lines = widget_text(steps).splitlines()[1:]
        reported = len(screen.detail.steps.items) if screen.detail else 0
        assert reported < total
        assert all("not run" in line for line in lines[reported:total])


# --- a pane only where the run can have content --------------------------------------------------


def first_run(app: QaTuiApp, **where: str) -> Run | None:
    """The first run in the store whose fields read as `where` (enums by their value)."""
    for row in app.engine.store:
        run = row.run
        if all(
            str(getattr(getattr(run, k), "value", getattr(run, k))) == v for k, v in where.items()
        ):
            return run
    return None


async def panes_of(pilot: Pilot[int], app: QaTuiApp, **where: str) -> list[str]:
    """Open the first run matching `where`; the tabs its detail view shows; back to the table."""
    await wait_until(pilot, lambda: first_run(app, **where) is not None, what=f"a run {where}")
    run = first_run(app, **where)
    assert run is not None
    screen = await open_detail(pilot, app, run.key)
    await pilot.pause()
    shown = tab_bar(screen)
    if run.provider == "previews":
        note = screen.query_one("#steps-note", Static)
        await wait_until(pilot, lambda: "Bug0" in str(note.render()), what="why it is empty")
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.screen is app.dashboard, what="the table")
    return shown


async def test_each_run_shows_only_the_panes_it_can_have(monitor: SimMonitor) -> None:
    """A BugBug test run: no Child runs, no Analysis (BugBug has none), Error and Compare only
    once it failed; a suite: Child runs, no Steps of its own; a BugBrain execution: no Child
    runs, Analysis when it failed; a Bug0 trigger: only the pane saying Bug0 cannot be read."""
    await monitor.trigger_previews(1)
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(
            pilot, lambda: first_run(app, provider="plans", status="failed") is not None
        )
        monitor.engine.pause()  # BugBrain's budget (500 an hour) is left for the detail views
        failed = await panes_of(pilot, app, provider="web", kind="test", status="failed")
        assert failed == ["Steps", "Artifacts", "Error", "Compare"]
        passed = await panes_of(pilot, app, provider="web", kind="test", status="passed")
        assert passed == ["Steps", "Artifacts"]
        assert await panes_of(pilot, app, provider="web", kind="suite") == [
            "Child",
            "runs",
            "Artifacts",
        ]
        assert await panes_of(pilot, app, provider="plans", status="passed") == [
            "Steps",
            "Artifacts",
        ]
        assert await panes_of(pilot, app, provider="plans", status="failed") == [
            "Steps", "Artifacts", "Analysis", "Error", "Compare"
        ]  # fmt: skip
        assert await panes_of(pilot, app, provider="previews") == ["Steps"]
