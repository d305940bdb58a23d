"""Which target a row ran on, and how old it is (issue 22, part 2): a TARGET column wherever it
fits (BugBug's profile, BugBrain's environment, the URL a Bug0 trigger ran on); at 80x24 it goes
before STARTED does; the HISTORY strip marks the row's own result.

The real app on the simulator's triage world (a test flaky on one profile, steady on another),
with the run history, as `qa-tui demo` builds it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.pilot import Pilot

from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import RunKey
from qa_tui.sim import ScenarioSpec
from qa_tui.sim.triage import FLAKY_PROFILE, FLAKY_TEST
from qa_tui.ui import render
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.pilot import wait_until
from tests.support.sim_monitor import SimMonitor, build_monitor, rows_of


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, spec=ScenarioSpec(triage=True), history=True)
    yield built
    await built.aclose()


def line_segments(table: RunsTable, key: RunKey) -> list[Segment]:
    """The row's line as drawn (the cursor moves there first, so it is on screen)."""
    table.move_cursor_to(key)
    y = table.order.index(key) - int(table.scroll_y) + 1
    return list(table.render_line(y))


def line_of(table: RunsTable, key: RunKey) -> str:
    return "".join(segment.text for segment in line_segments(table, key))


def titles(table: RunsTable) -> list[str]:
    return table.render_line(0).text.split()


async def loaded(pilot: Pilot[int], app: QaTuiApp, *names: str) -> None:
    await wait_until(
        pilot,
        lambda: all(rows_of(app, name) for name in names or ("web", "plans")),
        what=f"runs of {names or ('web', 'plans')}",
    )


async def test_the_target_column_names_the_profile_the_environment_and_the_url(
    monitor: SimMonitor,
) -> None:
    """GIVEN BugBug runs on several profiles, BugBrain executions on environments and a Bug0
    trigger on a preview URL, at 120x35
    WHEN the monitor shows them THEN a TARGET column says each run's target, so the test flaky
    on one profile and steady on the other reads as two targets, not two moods."""
    await monitor.trigger_previews(1)
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot, app, "web", "plans", "previews")
        table = app.dashboard.table
        assert "TARGET" in titles(table)
        column = table.render_line(0).text.index("TARGET")
        seen = set()
        for key in table.order:
            run = table.rows[key].run
            if run.target and key[0] in ("web", "plans", "previews") and key[0] not in seen:
                cell = line_of(table, key)[column : column + 14].strip()
                expected = run.target.removeprefix("https://")
                assert expected.startswith(cell.rstrip("…")), (key, cell, run.target)
                seen.add(key[0])
        assert seen == {"web", "plans", "previews"}
        flaky = [r for r in rows_of(app, "web") if r.name == FLAKY_TEST]
        assert {r.target for r in flaky} >= {FLAKY_PROFILE, "Default"}


async def test_at_80x24_started_stays_and_target_and_history_go_first(
    monitor: SimMonitor,
) -> None:
    """GIVEN the monitor at 80x24 WHEN it shows the runs
    THEN STARTED is still there and every row says how long ago it started (a 27-second-old
    error must not look like a 2-hour-old one); TARGET and HISTORY are the ones left out."""
    app = monitor.app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        table = app.dashboard.table
        shown = titles(table)
        assert "STARTED▾" in shown and "DURATION" in shown
        assert "TARGET" not in shown and "HISTORY" not in shown
        now = app.clock.now()
        for key in table.order[: table.size.height - 1]:
            run = table.rows[key].run
            ago = render.relative_time(run.started or run.queued, now)
            assert re.search(rf"\s{re.escape(ago)}\s", line_of(table, key)), (key, ago)


async def test_the_history_strip_marks_the_rows_own_result(monitor: SimMonitor) -> None:
    """GIVEN the flaky test's finished runs on its flaky profile, each in the strip of ten
    WHEN the table draws their lines THEN in each line's strip exactly one glyph is
    underlined, the row's own result, and it is the glyph of the row's status; a run still
    going (not in the strip yet) has none."""
    app = monitor.app
    async with app.run_test(size=(140, 40)) as pilot:
        await loaded(pilot, app)
        table = app.dashboard.table
        history = monitor.engine.history
        assert history is not None

        def newest_finished() -> list[RunKey]:
            """The newest finished run of the flaky test on each target, once it has a strip
            (a series' newest result is always among its last ten)."""
            newest: dict[str | None, RunKey] = {}
            for key in table.order:  # newest first
                run = table.rows[key].run
                if run.name == FLAKY_TEST and run.status.is_terminal and run.target not in newest:
                    newest[run.target] = key
            return [k for k in newest.values() if history.cell(table.rows[k].run) is not None]

        await wait_until(pilot, lambda: len(newest_finished()) >= 2, what="strips")
        for key in newest_finished():
            run = table.rows[key].run
            marked = [s for s in line_segments(table, key) if s.style and s.style.underline]
            assert [s.text for s in marked] == [render.STATUS_GLYPHS[run.status]], key
        going = [r for r in rows_of(app, "web") if r.status is RunStatus.RUNNING]
        for run in going[:3]:
            segments = line_segments(table, run.key)
            assert not [s for s in segments if s.style and s.style.underline], run.key
