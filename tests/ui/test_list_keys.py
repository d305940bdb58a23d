"""Every table and list takes the keys the runs table takes (issue 22, point 5): `j`/`k` move
one row, `g` to the first, `G` to the last (ui/lists.py, declared once in bindings.py).

Each story opens a list the way a user does, on the real simulator, and presses the keys: the
detail view's Steps, Child runs and Artifacts, the help, the health panel, the new-run dialog's
lists, an incident's runs, the outbox and the similar bugs in the bug form.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, OptionList, TabbedContent

from qa_tui.core.providers.bugnet import BugDraft
from qa_tui.sim import ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.bugs.file_bug import FileBugScreen
from qa_tui.ui.bugs.outbox import OutboxScreen
from qa_tui.ui.bugs.similar_bugs import SimilarTable
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.health.health_panel import HealthScreen
from qa_tui.ui.help import HelpScreen
from qa_tui.ui.history.incident_runs import IncidentRunsScreen
from qa_tui.ui.history.incidents import IncidentsScreen
from qa_tui.ui.lists import NavScroll
from qa_tui.ui.runs.new_run import NewRunScreen
from tests.support.pilot import wait_until
from tests.support.sim_bugs import BugDesk, build_desk
from tests.support.sim_monitor import SimMonitor, build_monitor, first_key

SIZE = (120, 35)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[BugDesk]:
    built = build_desk(tmp_path)
    yield built
    await built.aclose()


def position(widget: Widget) -> int:
    """Where the list is: a table's cursor row, an option list's highlight, a text's scroll."""
    if isinstance(widget, DataTable):
        return widget.cursor_row
    if isinstance(widget, OptionList):
        return widget.highlighted if widget.highlighted is not None else -1
    return round(widget.scroll_y)


async def keys_move(pilot: Pilot[Any], widget: Widget, last: int, what: str) -> None:
    """`widget` has the focus (as the user left it); `G`, `k`, `g`, `j` move it."""
    await wait_until(pilot, lambda: pilot.app.focused is widget, what=f"{what} focused")
    for key, expected in (("G", last), ("k", last - 1), ("g", 0), ("j", 1)):
        await pilot.press(key)

        def there(at: int = expected) -> bool:
            return position(widget) == at

        await wait_until(pilot, there, what=f"{key} in {what} to {expected}")


async def open_run(pilot: Pilot[Any], app: QaTuiApp, **where: str) -> RunDetailScreen:
    await wait_until(pilot, lambda: first_key(app, **where) is not None, what=f"a run {where}")
    key = first_key(app, **where)
    assert key is not None
    app.dashboard.table.move_cursor_to(key)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="the detail")
    screen = app.screen
    assert isinstance(screen, RunDetailScreen)
    await wait_until(pilot, lambda: screen.detail is not None, what="the detail loaded")
    return screen


async def test_the_detail_views_steps_child_runs_and_artifacts_move_with_j_k_g_G(
    monitor: SimMonitor,
) -> None:
    app = monitor.app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(pilot, app, provider="web", kind="test", status="failed")
        steps = screen.query_one("#steps-table", DataTable)
        await keys_move(pilot, steps, steps.row_count - 1, "Steps")
        screen.query_one(TabbedContent).active = "artifacts"
        artifacts = screen.query_one("#artifacts-table", DataTable)
        await wait_until(pilot, lambda: artifacts.row_count > 2, what="the artifacts")
        await keys_move(pilot, artifacts, artifacts.row_count - 1, "Artifacts")
        await pilot.press("escape")

        screen = await open_run(pilot, app, provider="web", kind="suite")
        children = screen.query_one("#children-table", DataTable)
        await wait_until(pilot, lambda: children.row_count > 2, what="the child runs")
        await keys_move(pilot, children, children.row_count - 1, "Child runs")


async def test_the_help_the_health_panel_and_the_new_run_lists_move_with_j_k_g_G(
    monitor: SimMonitor,
) -> None:
    app = monitor.app
    async with app.run_test(size=(80, 24)) as pilot:  # the help is longer than the screen
        await wait_until(pilot, lambda: len(app.dashboard.table.order) > 10, what="the runs")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        text = app.screen.query_one(NavScroll)
        await wait_until(pilot, lambda: text.max_scroll_y > 2, what="a help to scroll")
        await keys_move(pilot, text, round(text.max_scroll_y), "the help")
        await pilot.press("escape")

        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HealthScreen), what="health")
        providers = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: providers.row_count == 3, what="three providers")
        await keys_move(pilot, providers, 2, "the health panel")
        await pilot.press("escape")

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="new run")
        dialog = app.screen
        choices = dialog.query_one("#providers", OptionList)
        await keys_move(pilot, choices, 2, "the providers")
        await pilot.press("g", "enter")  # web: BugBug's tests and suites
        targets = dialog.query_one("#targets", OptionList)
        await wait_until(pilot, lambda: targets.option_count > 3, what="BugBug's tests")
        await pilot.press("enter")  # from the filter to the list
        await keys_move(pilot, targets, targets.option_count - 1, "the tests and suites")


async def test_an_incidents_runs_move_with_j_k_g_G(tmp_path: Path) -> None:
    monitor = build_monitor(tmp_path, spec=ScenarioSpec(triage=True), history=True)
    app = monitor.app
    try:
        async with app.run_test(size=SIZE) as pilot:
            history = app.engine.history
            assert history is not None
            await wait_until(
                pilot, lambda: bool(history.incidents()), timeout=20, what="the outage"
            )
            await pilot.press("i")
            await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen), what="i")
            await pilot.press("enter")
            await wait_until(
                pilot, lambda: isinstance(app.screen, IncidentRunsScreen), what="its runs"
            )
            runs = app.screen.query_one("#incident-runs", DataTable)
            assert runs.row_count > 2
            await keys_move(pilot, runs, runs.row_count - 1, "the incident's runs")
    finally:
        await monitor.aclose()


async def test_the_outbox_and_the_similar_bugs_move_with_j_k_g_G(desk: BugDesk) -> None:
    app = desk.app
    assert desk.outbox is not None
    desk.monitor.faults.set("bugnet", down=True)  # the reports wait
    for n in range(3):
        desk.outbox.enqueue(BugDraft(title=f"Checkout fails, report {n}"), run_name="Checkout")
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("B")
        await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")
        reports = app.screen.query_one("#reports", DataTable)
        await wait_until(pilot, lambda: reports.row_count == 3, what="three reports")
        await keys_move(pilot, reports, 2, "the outbox")
        await pilot.press("escape")
        desk.monitor.faults.clear("bugnet")

        failed = {"provider": "web", "kind": "test", "status": "failed"}
        await wait_until(pilot, lambda: first_key(app, **failed) is not None, what="a failure")
        key = first_key(app, **failed)
        assert key is not None
        name = app.dashboard.table.rows[key].run.name
        world = desk.monitor.sim.bugnet
        for n in range(3):  # bugs Bugnet finds like this failure
            world.add_bug(f"{name} fails again ({n})", "", "other", "medium", reporter=None,
                          source="dashboard", at=desk.monitor.scenario.now() - n)  # fmt: skip
        app.dashboard.table.move_cursor_to(key)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="the form")
        similar = app.screen.query_one("#similar", SimilarTable)
        await wait_until(pilot, lambda: similar.row_count >= 3, what="the similar bugs")
        similar.focus()  # as tab from the title does
        await keys_move(pilot, similar, similar.row_count - 1, "the similar bugs")
