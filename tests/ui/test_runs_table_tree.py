"""Suite runs and their test runs in the table: `└` only where the suite run is above."""

from __future__ import annotations

from textual.widgets import TabbedContent

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine
from qa_tui.core.model import RunKind, RunStatus
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.fakes import FakeSource, make_run
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import FAST


def _app() -> QaTuiApp:
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(
        make_run("s1", RunStatus.FAILED, kind=RunKind.SUITE, name="Nightly", minutes_ago=10),
        make_run("t1", RunStatus.PASSED, name="login", parent_id="s1", minutes_ago=9),
        make_run("t2", RunStatus.FAILED, name="checkout", parent_id="s1", minutes_ago=8),
        make_run("t3", RunStatus.FAILED, name="search", parent_id="s1", minutes_ago=7),
        make_run("solo", RunStatus.FAILED, name="signup", minutes_ago=1),
    )
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    return QaTuiApp(engine, tick_seconds=0)


def _names(table: RunsTable) -> list[str]:
    """The NAME column of every line on screen."""
    header, *lines = widget_text(table).splitlines()
    start, end = header.index("NAME"), header.index("PROGRESS")
    return [line[start:end].rstrip() for line in lines if line]


async def test_test_runs_under_their_suite_run_are_drawn_as_its_children() -> None:
    app = _app()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) == 5, what="five rows")
        assert _names(table) == ["signup", "Nightly", "  └ login", "  └ checkout", "  └ search"]


async def test_a_test_run_whose_suite_run_is_filtered_out_stands_alone() -> None:
    """GIVEN `kind:test` hides the suite run THEN its test runs are not drawn as children of
    whatever row happens to be above them."""
    app = _app()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) == 5, what="five rows")
        await pilot.press("slash", *"kind:test", "enter")
        await wait_until(pilot, lambda: len(table.order) == 4, what="four test runs")
        assert _names(table) == ["signup", "search", "checkout", "login"]


async def test_a_suite_run_opens_on_its_child_runs() -> None:
    """A suite run's steps are its test runs: its detail opens on that pane, a test run's on
    its steps."""
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) == 5, what="five rows")
        table.move_cursor_to(("web", "s1"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        assert app.screen.query_one(TabbedContent).active == "children"
        await pilot.press("escape")
        table.move_cursor_to(("web", "t1"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        assert app.screen.query_one(TabbedContent).active == "steps"
