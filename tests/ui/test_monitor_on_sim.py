"""The monitor on the real simulator: what a user sees when runs start, move, stop and fail.

The app, engine and provider clients are the ones `qa-tui demo` builds; only the simulator's clock
is manual (tests/support/sim_monitor.py), so a run moves when the test advances it. Every wait is
on something the user would see (tests/support/pilot.py wait_until), never a sleep.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.segment import Segment
from textual.geometry import Region
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TextArea
from textual.worker import Worker, WorkerState

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine
from qa_tui.core.model import HealthState, PaneData, Run, RunDetail, RunKind, RunStatus
from qa_tui.core.providers.base import RunPage
from qa_tui.core.runs.store import RunKey, RunStore
from qa_tui.core.textsafe import terminal_safe
from qa_tui.sim import HOSTILE_NAMES, ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.detail.logs import LogScreen
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.fakes import FakeSource, make_run
from tests.support.pilot import chip_ok, chip_says, wait_until, widget_text
from tests.support.sim_monitor import FAST, SimMonitor, build_monitor, first_key, rows_of

RUN_PROVIDERS = ("web", "plans", "previews")


@dataclass
class Trouble:
    """Everything that would put a traceback or an error in front of the user."""

    worker_errors: list[str] = field(default_factory=list)
    error_toasts: list[str] = field(default_factory=list)

    def hook(self, message: Message) -> None:
        if isinstance(message, Worker.StateChanged) and message.state is WorkerState.ERROR:
            self.worker_errors.append(f"{message.worker.name}: {message.worker.error!r}")
        if isinstance(message, Notify) and message.notification.severity == "error":
            self.error_toasts.append(message.notification.message)

    def assert_none(self, app: QaTuiApp) -> None:
        assert app._exception is None
        assert self.worker_errors == []
        assert self.error_toasts == []


def table_of(app: QaTuiApp) -> RunsTable:
    return app.dashboard.table


def row_line(app: QaTuiApp, key: RunKey) -> str:
    """The table line of one run as the terminal shows it (the run must be on screen)."""
    table = table_of(app)
    y = table.order.index(key) - int(table.scroll_y) + 1
    return widget_text(table).splitlines()[y]


def chip_text(app: QaTuiApp) -> str:
    return widget_text(app.query_one(HealthBar))


def loaded(app: QaTuiApp, *providers: str) -> bool:
    return all(rows_of(app, name) for name in providers)


async def open_detail(pilot: Pilot[int], app: QaTuiApp, key: RunKey) -> RunDetailScreen:
    table_of(app).move_cursor_to(key)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
    screen = app.screen
    assert isinstance(screen, RunDetailScreen)
    await wait_until(pilot, lambda: screen.detail is not None, what="detail loaded")
    return screen


# --- the table ------------------------------------------------------------------------------


async def test_runs_of_all_three_run_providers_appear_in_one_table(monitor: SimMonitor) -> None:
    """GIVEN the simulator with BugBug and BugBrain runs and two Bug0 runs triggered from here
    WHEN the monitor opens THEN every run the simulator has is in the table, each chip says ok."""
    await monitor.trigger_previews(2)
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: loaded(app, *RUN_PROVIDERS), what="runs of all three")
        truth = monitor.sim.truth()["runs"]
        for sim_name, shown in (("bugbug", "web"), ("bugbrain", "plans")):
            expected = {run["id"] for run in truth if run["provider"] == sim_name}
            await wait_until(
                pilot,
                lambda s=shown, e=expected: {r.id for r in rows_of(app, s)} == e,  # type: ignore[misc]
                what=f"every {shown} run",
            )
        assert [run.provider_status for run in rows_of(app, "previews")] == ["triggered"] * 2
        await wait_until(
            pilot,
            lambda: all(chip_ok(chip_text(app), name) for name in RUN_PROVIDERS),
            what="three healthy chips",
        )
        text = widget_text(table_of(app))
        assert "previews" in text and "plans" in text and "web" in text


async def test_a_status_change_in_the_simulator_reaches_its_row(monitor: SimMonitor) -> None:
    """GIVEN a queued BugBug run WHEN the simulator's clock passes its start THEN its row runs."""
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: loaded(app, "web"), what="web runs")
        key = first_key(app, provider="web", kind="test", status="queued")
        assert key is not None, "the seed-7 world has a queued BugBug test run"
        world_run = monitor.sim.bugbug.test_runs[key[1]]
        monitor.advance(world_run.timeline.start - monitor.scenario.now() + 0.5)
        await wait_until(
            pilot,
            lambda: table_of(app).rows[key].run.status is RunStatus.RUNNING,
            what="the row running",
        )
        table_of(app).move_cursor_to(key)
        assert "● running" in row_line(app, key)


# --- the detail view -------------------------------------------------------------------------


def finished_steps(steps: DataTable[object]) -> int:
    """Rows of the steps pane whose step has finished (passed, failed or errored)."""
    lines = widget_text(steps).splitlines()[1:]
    return sum(1 for line in lines if any(glyph in line for glyph in ("✓", "✗", "!")))


async def test_a_running_bugbug_runs_steps_advance_in_the_detail_view(
    monitor: SimMonitor,
) -> None:
    """GIVEN a running BugBug test run open in the detail view WHEN the simulator's clock passes
    its next step THEN that step turns finished on screen and the summary's progress moves."""
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: loaded(app, "web"), what="web runs")
        now = monitor.scenario.now()

        def steps_to_go(key: RunKey) -> bool:
            timeline = monitor.sim.bugbug.test_runs[key[1]].timeline
            upcoming = [t for t in timeline.steps if t > now]
            return timeline.status(now) == "running" and len(upcoming) >= 2

        key = next(
            k for k in table_of(app).order if k[0] == "web" and k[1] in monitor.sim.bugbug.test_runs
            and steps_to_go(k)
        )  # fmt: skip
        timeline = monitor.sim.bugbug.test_runs[key[1]].timeline
        done, total = timeline.steps_done(now), timeline.total_steps
        screen = await open_detail(pilot, app, key)
        steps = screen.query_one("#steps-table", DataTable)
        summary = screen.query_one("#summary", Static)
        await wait_until(pilot, lambda: finished_steps(steps) == done, what=f"{done} steps done")
        assert "● running" in widget_text(steps)

        next_step = min(t for t in timeline.steps if t > now)
        monitor.advance(next_step - now + 0.1)
        await wait_until(
            pilot, lambda: finished_steps(steps) == done + 1, what=f"{done + 1} steps done"
        )
        await wait_until(
            pilot, lambda: f"{done + 1}/{total}" in widget_text(summary), what="summary progress"
        )
        assert monitor.truth(key[1])["progress"] == {"done": done + 1, "total": total}


# --- actions -----------------------------------------------------------------------------------


async def test_x_then_y_stops_a_running_run_in_the_simulator_and_its_row_turns_stopped(
    monitor: SimMonitor,
) -> None:
    """GIVEN a running BugBug test run under the cursor WHEN the user presses x and confirms
    with y THEN the simulator has stopped it and its row reads stopped."""
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: loaded(app, "web"), what="web runs")
        key = first_key(app, provider="web", kind="test", status="running")
        assert key is not None
        table_of(app).move_cursor_to(key)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        question = str(confirm.question)
        assert table_of(app).rows[key].run.name in question and key[1] in question
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: table_of(app).rows[key].run.status is RunStatus.STOPPED,
            what="the row stopped",
        )
        assert app.screen is app.dashboard
        assert "■ stopped" in row_line(app, key)
        assert monitor.truth(key[1])["status"] == "stopped"


async def test_r_then_y_reruns_a_finished_run_and_the_new_run_is_at_the_top(
    monitor: SimMonitor,
) -> None:
    """GIVEN a finished BugBug test run WHEN the user presses r and confirms THEN the simulator
    starts the same test again and the new run is the first row, under the cursor."""
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: loaded(app, "web"), what="web runs")
        key = first_key(app, provider="web", kind="test", status="passed")
        assert key is not None
        name = table_of(app).rows[key].run.name
        before = set(table_of(app).order)
        table_of(app).move_cursor_to(key)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(
            pilot, lambda: table_of(app).order[0] not in before, what="a new run at the top"
        )
        new_key = table_of(app).order[0]
        assert new_key[0] == "web" and table_of(app).rows[new_key].run.name == name
        assert table_of(app).cursor_key == new_key
        assert monitor.truth(new_key[1])["name"] == name
        assert name in widget_text(table_of(app)).splitlines()[1]


async def test_declining_a_rerun_starts_nothing_in_the_simulator(monitor: SimMonitor) -> None:
    app = monitor.app
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: loaded(app, "web"), what="web runs")
        runs_before = len(monitor.sim.bugbug.test_runs)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="back")
        assert len(monitor.sim.bugbug.test_runs) == runs_before


# --- a provider in trouble ----------------------------------------------------------------------


async def check_others_keep_updating(
    pilot: Pilot[int], monitor: SimMonitor, broken: str, word: str
) -> None:
    """With `broken` failing: its chip says `word`, and a web run still moves on screen."""
    app = monitor.app
    await wait_until(
        pilot,
        lambda: chip_says(chip_text(app), broken, word),
        what=f"{broken} chip says {word}",
    )
    key = first_key(app, provider="web", kind="test", status="queued")
    assert key is not None
    world_run = monitor.sim.bugbug.test_runs[key[1]]
    monitor.advance(world_run.timeline.start - monitor.scenario.now() + 0.5)
    await wait_until(
        pilot,
        lambda: table_of(app).rows[key].run.status is RunStatus.RUNNING,
        what="a web run moving on",
    )
    assert chip_ok(chip_text(app), "web")
    assert chip_says(chip_text(app), broken, word)


async def test_a_provider_answering_500s_shows_error_while_the_others_keep_updating(
    monitor: SimMonitor,
) -> None:
    """GIVEN BugBrain answering every request with a 5xx THEN the plans chip says error (with the
    age of its last good data), its rows stay, the web rows keep moving, and nothing crashes."""
    app, trouble = monitor.app, Trouble()
    async with app.run_test(size=(100, 30), message_hook=trouble.hook) as pilot:
        await wait_until(pilot, lambda: loaded(app, "web", "plans"), what="runs")
        plans_rows = len(rows_of(app, "plans"))
        monitor.faults.set("bugbrain", error_rate=1.0)
        await check_others_keep_updating(pilot, monitor, "plans", "error")
        # the problem line under the chips: the reason and what to check; its tooltip (whole,
        # however narrow the line) also the age of the last good data, on the sim clock
        assert re.search(r"plans·BugBrain error: .+ · check base_url", chip_text(app))
        tooltip = str(app.query_one(HealthBar).tooltip)
        assert re.search(r"plans·BugBrain error: .+ · data \d+s old", tooltip)
        assert len(rows_of(app, "plans")) == plans_rows
        health = monitor.engine.pollers["plans"].health
        assert health.state is HealthState.ERROR and health.message
    trouble.assert_none(app)


async def test_a_provider_that_is_down_shows_unreachable_while_the_others_keep_updating(
    tmp_path: Path,
) -> None:
    """Over real loopback sockets: BugBrain drops every connection; its chip says unreachable."""
    monitor = build_monitor(tmp_path, loopback=True)
    app, trouble = monitor.app, Trouble()
    try:
        async with app.run_test(size=(100, 30), message_hook=trouble.hook) as pilot:
            await wait_until(pilot, lambda: loaded(app, "web", "plans"), what="runs")
            monitor.faults.set("bugbrain", down=True)
            await check_others_keep_updating(pilot, monitor, "plans", "unreachable")
            monitor.faults.clear("bugbrain")
            await wait_until(pilot, lambda: chip_ok(chip_text(app), "plans"), what="plans back")
        trouble.assert_none(app)
    finally:
        await monitor.aclose()


# --- hostile names ------------------------------------------------------------------------------


def shown_as(name: str, width: int = 24) -> str:
    """How a provider string reads on screen: escapes visible, markup as typed (first `width`)."""
    return terminal_safe(name)[:width]


@contextmanager
def nothing_interpreted(widget: Widget) -> Iterator[str]:
    """The widget's text; checks no escape reached the terminal and no markup became a style."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    segments: list[Segment] = [segment for strip in strips for segment in strip]
    text = "".join(segment.text for segment in segments)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    links = [s.text for s in segments if s.style is not None and s.style.link]
    assert links == [], f"markup became a link: {links}"
    blinking = [s.text for s in segments if s.style is not None and s.style.blink]
    assert blinking == [], f"markup became a style: {blinking}"
    yield widget_text(widget)


def assert_literal(widget: Widget, *names: str) -> None:
    with nothing_interpreted(widget) as text:
        for name in names:
            assert shown_as(name) in text, f"{shown_as(name)!r} not shown literally"


async def show_pane(pilot: Pilot[int], screen: RunDetailScreen, pane: str) -> None:
    """Go to `pane` as a user clicking its tab would, again until it shows: a pane is offered
    only once the run has what it shows, and the screen may still be moving to the one that
    matters when it opens."""
    tabs = screen.query_one(TabbedContent)

    def shown() -> bool:
        if tabs.active != pane and tabs.get_tab(pane).display:
            tabs.active = pane
        return tabs.active == pane and screen.query_one(f"#{pane}").size.height > 0

    await wait_until(pilot, shown, what=f"the {pane} pane")


async def test_hostile_names_show_as_literal_text_in_the_table_panes_and_log(
    tmp_path: Path,
) -> None:
    """GIVEN the simulator's hostile scenario (Rich markup, OSC 52 and OSC 8, a clear-screen, a
    bidi override, zero-width joiners in names, steps, results and logs) THEN the table, the run
    summary, the steps, artifacts and analysis panes and the log view show each as literal text:
    escapes are shown escaped, markup is shown as typed, nothing becomes a style or a link."""
    monitor = build_monitor(tmp_path, spec=ScenarioSpec(hostile_names=True))
    app, trouble = monitor.app, Trouble()
    bugbug, bugbrain = monitor.sim.bugbug, monitor.sim.bugbrain
    now = monitor.scenario.now()
    hostile_plan = next(p for p in bugbrain.plans.values() if p.id.startswith("tp_[red]"))
    analysed = next(
        ex
        for ex in bugbrain.executions.values()
        if ex.plan is hostile_plan and ex.has_analysis and ex.timeline.is_over(now)
    )
    with_log = next(
        run
        for run in bugbug.test_runs.values()
        if run.name in HOSTILE_NAMES and run.has_logs and run.timeline.is_over(now)
    )
    try:
        async with app.run_test(size=(200, 70), message_hook=trouble.hook) as pilot:
            await wait_until(pilot, lambda: loaded(app, "web", "plans"), what="runs")
            await wait_until(
                pilot,
                lambda: (
                    len(rows_of(app, "web")) + len(rows_of(app, "plans"))
                    == len(monitor.sim.truth()["runs"])
                ),
                what="every run",
            )
            hostile_web = sorted({r.name for r in rows_of(app, "web") if r.name in HOSTILE_NAMES})
            assert len(hostile_web) >= 6
            assert_literal(table_of(app), *hostile_web, f"plan {hostile_plan.id}")

            screen = await open_detail(pilot, app, ("plans", analysed.id))
            assert_literal(screen.query_one("#summary", Static), f"plan {hostile_plan.id}")
            step_names = [t.name for t in hostile_plan.tests if len(t.name) < 60]
            assert_literal(screen.query_one("#steps-table", DataTable), *step_names)
            await show_pane(pilot, screen, "artifacts")
            labels = [a.label or "" for a in screen.detail.artifacts.items]  # type: ignore[union-attr]
            assert labels and all(label in HOSTILE_NAMES or label in step_names for label in labels)
            assert_literal(screen.query_one("#artifacts-table", DataTable), *labels[:3])
            await show_pane(pilot, screen, "analysis")
            failing = [analysed.plan.tests[i].name for i in analysed.failing]
            assert_literal(screen.query_one("#analysis-text", Static), *failing)
            await pilot.press("escape")

            screen = await open_detail(pilot, app, ("web", with_log.id))
            assert_literal(screen.query_one("#summary", Static), with_log.name)
            await pilot.press("l")
            await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), what="log view")
            log = app.screen.query_one(TextArea)
            await wait_until(pilot, lambda: with_log.id in log.text, what="the log text")
            assert "\x1b" not in log.text
            assert_literal(log, with_log.name)
        trouble.assert_none(app)
    finally:
        await monitor.aclose()


class HostileChildrenSource(FakeSource):
    """The two panes the simulator's hostile scenario leaves plain: child runs and error text."""

    async def run_detail(self, run: Run) -> RunDetail:
        await self._spend(f"detail:{run.id}")
        children = tuple(
            make_run(f"child-{i}", RunStatus.FAILED, name=name, parent_id=run.id)
            for i, name in enumerate(HOSTILE_NAMES[:8])
        )
        return RunDetail(run=self.runs[run.id], children=PaneData[Run](items=children))


async def test_hostile_child_run_names_and_error_text_show_as_literal_text() -> None:
    """GIVEN a suite run whose error and child runs carry hostile text (which the simulator does
    not produce) THEN the children and error panes show it literally too."""
    source = HostileChildrenSource(clock=SYSTEM_CLOCK, per_minute=60000)
    error = "\n".join(HOSTILE_NAMES[:8])
    source.put(make_run("suite", RunStatus.ERROR, kind=RunKind.SUITE, name="s", error=error))
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app, trouble = QaTuiApp(engine, tick_seconds=0), Trouble()
    async with app.run_test(size=(200, 50), message_hook=trouble.hook) as pilot:
        await wait_until(pilot, lambda: len(table_of(app).order) == 1, what="the suite run")
        screen = await open_detail(pilot, app, ("web", "suite"))
        await show_pane(pilot, screen, "children")
        assert_literal(screen.query_one("#children-table", DataTable), *HOSTILE_NAMES[:8])
        await show_pane(pilot, screen, "error")
        error_pane = screen.query_one("#error-text", Static)
        assert_literal(error_pane, *HOSTILE_NAMES[:8])
        status, gap, *lines = widget_text(error_pane).splitlines()
        assert (status, gap) == ("! error", "")  # what the run is, then its error:
        assert len(lines) == 8  # line breaks kept, escapes shown
    trouble.assert_none(app)


class BuggySource(FakeSource):
    """A client with a bug: listing raises something that is not a ProviderError."""

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        await self._spend(f"list:{limit}")
        raise TypeError("a bug in a parser")


async def test_a_bug_in_one_providers_client_is_that_providers_error_not_the_apps() -> None:
    """GIVEN one provider whose client raises a TypeError on every list THEN its chip says error,
    it backs off instead of retrying at once, the other provider keeps its rows and polls on, and
    no error toast or failed worker reaches the user."""
    good = FakeSource("web", clock=SYSTEM_CLOCK, per_minute=60000)
    good.put(make_run("r1", name="checkout"))
    buggy = BuggySource("plans", clock=SYSTEM_CLOCK, per_minute=60000)
    engine = Engine([good, buggy], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app, trouble = QaTuiApp(engine, tick_seconds=0), Trouble()
    async with app.run_test(size=(100, 30), message_hook=trouble.hook) as pilot:
        await wait_until(
            pilot, lambda: chip_says(chip_text(app), "plans", "error"), what="plans error"
        )
        await wait_until(pilot, lambda: len(good.calls) >= 10, what="web polling on")
        assert chip_ok(chip_text(app), "web")
        assert len(buggy.calls) < len(good.calls) / 2  # backing off, not spinning
        assert "TypeError" in (engine.pollers["plans"].health.message or "")
        assert len(table_of(app).order) == 1
    trouble.assert_none(app)
