"""Triage on the real simulator's triage world (`ScenarioSpec(triage=True)`, sim/triage.py): the
flaky test shows its badge and strip, the staging outage is one incident of every run it failed,
`b` on it files one bug listing them all, and the Compare pane names the step where a failed run
left the last green one. The app, engine, history and clients are the ones `qa-tui demo` builds
(tests/support/sim_monitor.py, sim_bugs.py); every wait is on what the user would see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static, TabbedContent

from qa_tui.core.runs.store import RunKey
from qa_tui.sim import ScenarioSpec
from qa_tui.sim.triage import FLAKY_PROFILE, FLAKY_STEP, FLAKY_TEST, STEADY_PROFILE
from qa_tui.ui.bugs.file_bug import FileBugScreen
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.history.incident_runs import IncidentRunsScreen
from qa_tui.ui.history.incidents import IncidentsScreen
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.pilot import toasts_on_screen, toasts_since, wait_until, widget_text
from tests.support.sim_bugs import BugDesk, build_desk
from tests.support.sim_monitor import build_monitor

SIZE = (140, 40)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[BugDesk]:
    monitor = build_monitor(tmp_path, spec=ScenarioSpec(triage=True), history=True)
    built = build_desk(tmp_path, monitor=monitor)
    yield built
    await built.aclose()


def planted(desk: BugDesk, role: str, **where: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = desk.monitor.sim.truth()["triage"]["runs"]
    return [r for r in runs if r["role"] == role and all(r[k] == v for k, v in where.items())]


def line_of(table: RunsTable, key: RunKey) -> str:
    """The row's line as the terminal shows it (the cursor moves there first, so it is on
    screen)."""
    table.move_cursor_to(key)
    y = table.order.index(key) - int(table.scroll_y) + 1
    return table.render_line(y).text


def latest(table: RunsTable, test: str, target: str, status: str | None = None) -> RunKey | None:
    for key in table.order:
        run = table.rows[key].run
        same = (run.name, run.target) == (test, target) and run.status.is_terminal
        if same and (status is None or run.status.value == status):
            return key
    return None


async def test_the_flaky_test_shows_its_badge_and_strip_and_its_steady_twin_does_not(
    desk: BugDesk,
) -> None:
    """GIVEN "Checkout with card" failing now and then on Mobile and always passing on Default
    THEN its Mobile row reads `flaky 29%` after its last ten results (failures among them), its
    Default row shows ten passes and no badge; `is:flaky` keeps only the flaky rows."""
    app = desk.app
    flaky_runs = planted(desk, "flaky", provider="bugbug")
    failures = sum(r["outcome"] == "fail" for r in flaky_runs)
    async with app.run_test(size=SIZE) as pilot:
        table = app.dashboard.table
        history = app.engine.history
        assert history is not None

        def flaky_row() -> RunKey | None:
            key = latest(table, FLAKY_TEST, FLAKY_PROFILE)
            cell = history.cell(table.rows[key].run) if key else None
            return key if cell is not None and len(cell.strip) == 10 else None

        await wait_until(pilot, lambda: flaky_row() is not None, what="the flaky row's strip")
        await wait_until(
            pilot,
            lambda: (
                (key := latest(table, FLAKY_TEST, FLAKY_PROFILE)) is not None
                and f"flaky {round(100 * failures / len(flaky_runs))}%" in line_of(table, key)
            ),
            what="the flaky badge",
        )
        key = latest(table, FLAKY_TEST, FLAKY_PROFILE)
        assert key is not None
        line = line_of(table, key)
        strip = line.split("flaky")[0].split()[-1]
        assert len(strip) == 10 and "✗" in strip and set(strip) <= {"✓", "✗"}
        steady = latest(table, FLAKY_TEST, STEADY_PROFILE)
        assert steady is not None
        steady_line = line_of(table, steady)
        assert "✓✓✓✓✓✓✓✓✓✓" in steady_line and "flaky" not in steady_line

        await pilot.press("slash", *"is:flaky", "enter")
        await wait_until(pilot, lambda: bool(table.order), what="flaky rows")
        shown = {(table.rows[k].run.name, table.rows[k].run.target) for k in table.order}
        assert shown == {(FLAKY_TEST, FLAKY_PROFILE), ("plan tp_mobile_signup", "staging")}


async def test_the_outage_is_one_incident_and_b_files_one_bug_listing_every_run(
    desk: BugDesk,
) -> None:
    """GIVEN the staging outage (eight BugBug tests failing, four BugBrain executions breaking,
    one message with ids and numbers differing) WHEN `i` THEN one incident of those twelve
    runs; enter lists them; `b` then ctrl+s files ONE bug whose text names every run."""
    app = desk.app
    outage = planted(desk, "outage")
    async with app.run_test(size=SIZE) as pilot:
        history = app.engine.history
        assert history is not None
        await wait_until(
            pilot,
            lambda: [i.count for i in history.incidents()] == [len(outage)],
            timeout=20,
            what="the outage's runs in the history",
        )
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen), what="incidents")
        screen = app.screen
        assert isinstance(screen, IncidentsScreen)
        table = screen.query_one("#incidents", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, what="one incident row")
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] == str(len(outage)) and "503 Service Unavailable" in row[4]
        title = widget_text(screen.query_one("#incidents-title", Static))
        assert "1: one error across many runs" in title

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentRunsScreen), what="runs")
        runs = app.screen.query_one("#incident-runs", DataTable)
        assert runs.row_count == len(outage)
        await pilot.press("escape")

        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="bug form")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: any(
                b.title.startswith("[incident]") for b in desk.monitor.sim.bugnet.bugs.values()
            ),
            timeout=20,
            what="the incident's bug in Bugnet",
        )
        filed = [
            b for b in desk.monitor.sim.bugnet.bugs.values() if b.title.startswith("[incident]")
        ]
        assert len(filed) == 1
        text = filed[0].description
        assert all(r["id"] in text for r in outage)
        assert f"Runs ({len(outage)}):" in text

        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, IncidentsScreen)
                and desk.outbox is not None
                and bool(desk.outbox.links())
            ),
            what="the report filed",
        )
        told = toasts_on_screen(app)
        await pilot.press("b")  # again: one bug, not two
        await wait_until(
            pilot,
            lambda: any("was filed" in message for message in toasts_since(app, told)),
            what="the incident's bug named as filed",
        )
        assert not isinstance(app.screen, FileBugScreen)
        assert (
            len(
                [
                    b
                    for b in desk.monitor.sim.bugnet.bugs.values()
                    if b.title.startswith("[incident]")
                ]
            )
            == 1
        )


async def test_the_compare_pane_names_the_first_step_that_diverged_from_the_last_green_run(
    desk: BugDesk,
) -> None:
    """GIVEN the flaky test's latest failure on Mobile (it fails at its fifth step) WHEN its
    Compare pane opens THEN it is set against the last passing run on Mobile and names step 5
    as the first divergence; a run that never passed says so."""
    app = desk.app
    async with app.run_test(size=SIZE) as pilot:
        table = app.dashboard.table
        await wait_until(
            pilot,
            lambda: latest(table, FLAKY_TEST, FLAKY_PROFILE, "failed") is not None,
            what="a failed flaky run",
        )
        key = latest(table, FLAKY_TEST, FLAKY_PROFILE, "failed")
        assert key is not None
        table.move_cursor_to(key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, RunDetailScreen)
        await wait_until(pilot, lambda: detail.detail is not None, what="the run's detail")
        detail.query_one(TabbedContent).active = "compare"
        text = detail.query_one("#compare-text", Static)
        await wait_until(
            pilot, lambda: "First divergence" in widget_text(text), what="the comparison"
        )
        shown = widget_text(text)
        assert f"First divergence: step {FLAKY_STEP + 1}" in shown
        assert "passed in the green run, failed here" in shown
        assert "Against the last green run: Checkout with card" in shown
