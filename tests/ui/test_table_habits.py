"""Small things a k9s or lazygit user expects of the runs table (issue 22, part 5): the cursor
is always on screen (after esc, a resize, a filter); sorting the same column again reverses it,
the arrow stays and a sorted title is never cut; `R` while paused says so; `w` and `W` have
distinct marks; the titles line names each column once.

The real app, engine and clients on the simulator (tests/support/sim_monitor.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from qa_tui.core.notify.settings import Method
from qa_tui.sim import ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.notify import FakeTerminal, center_for
from tests.support.pilot import wait_until
from tests.support.sim_monitor import SimMonitor, build_monitor, rows_of

MANY = ScenarioSpec(bugbug_test_runs_finished=40, bugbrain_finished=30, new_run_every_s=None)
"""More runs than an 80x24 screen shows."""


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, spec=MANY)
    yield built
    await built.aclose()


def table_of(app: QaTuiApp) -> RunsTable:
    return app.dashboard.table


def cursor_on_screen(table: RunsTable) -> bool:
    """The cursor's line is one of the lines the table shows (under its titles)."""
    if table.cursor_key is None or table.cursor_key not in table.order:
        return False
    line = table.order.index(table.cursor_key) - int(table.scroll_y)
    return 0 <= line < table.size.height - 1


def tops(table: RunsTable) -> list[tuple[str, str]]:
    """The runs not listed under a suite run, in table order."""
    return [key for key in table.order if not table.rows[key].run.parent_id]


def titles(table: RunsTable) -> str:
    return table.render_line(0).text


async def everything(pilot: Pilot[int], app: QaTuiApp) -> RunsTable:
    await wait_until(pilot, lambda: len(rows_of(app, "plans")) >= 30, what="every run")
    await wait_until(pilot, lambda: len(rows_of(app, "web")) >= 40, what="every web run")
    return table_of(app)


async def test_the_cursor_is_on_screen_after_esc_a_filter_and_a_resize(
    monitor: SimMonitor,
) -> None:
    """GIVEN seventy runs at 80x24 WHEN the cursor is put on the oldest failed run (a filter
    then `G`) and the filter is cleared with esc THEN the cursor's line is on screen, deep as
    it now is; and again after another filter and after the terminal shrinks."""
    app = monitor.app
    async with app.run_test(size=(80, 24)) as pilot:
        table = await everything(pilot, app)
        await pilot.press("slash", *"status:failed", "enter", "G")
        chosen = table.cursor_key
        assert chosen is not None and cursor_on_screen(table)
        await pilot.press("escape")  # every run again: the chosen one is deep in the list
        await wait_until(pilot, lambda: len(table.order) == len(table.rows), what="all runs")
        assert table.cursor_key == chosen
        assert table.order.index(chosen) > table.size.height, "deep enough to leave the screen"
        await wait_until(pilot, lambda: cursor_on_screen(table), what="the cursor in sight")

        await pilot.press("slash", *"provider:plans", "enter")
        await wait_until(pilot, lambda: cursor_on_screen(table), what="after a filter")

        await pilot.press("escape", "G")
        await wait_until(pilot, lambda: cursor_on_screen(table), what="at the bottom")
        await pilot.resize_terminal(80, 12)
        await wait_until(pilot, lambda: table.size.height < 12, what="the smaller terminal")
        await wait_until(pilot, lambda: cursor_on_screen(table), what="after the resize")


async def test_sorting_the_same_column_again_reverses_it_and_keeps_the_arrow(
    monitor: SimMonitor,
) -> None:
    """GIVEN the table newest first (`STARTED▾`) WHEN `S` is pressed THEN it is oldest first
    and the title reads `STARTED▴`; a click on NAME sorts A to Z (`NAME▾`), a second click Z to
    A (`NAME▴`); sorted by duration, the title reads `DURATION▾` whole, never `DURATIO…`."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        table = await everything(pilot, app)
        newest_first = tops(table)
        assert "STARTED▾" in titles(table)
        await pilot.press("S")
        await wait_until(pilot, lambda: "STARTED▴" in titles(table), what="STARTED▴")
        assert tops(table)[0] == newest_first[-1]

        x = titles(table).index("NAME")
        await pilot.click(RunsTable, offset=(x + 1, 0))
        await wait_until(pilot, lambda: "NAME▾" in titles(table), what="NAME▾")
        names = [
            table.rows[k].run.name.casefold()
            for k in table.order
            if not table.rows[k].run.parent_id
        ]
        assert names == sorted(names)
        await pilot.click(RunsTable, offset=(x + 1, 0))
        await wait_until(pilot, lambda: "NAME▴" in titles(table), what="NAME▴")
        names = [
            table.rows[k].run.name.casefold()
            for k in table.order
            if not table.rows[k].run.parent_id
        ]
        assert names == sorted(names, reverse=True)

        for _ in range(5):
            if "DURATION" in titles(table) and "▾" in titles(table).split("DURATION")[1][:1]:
                break
            await pilot.press("s")
        assert "DURATION▾" in titles(table)
        assert "DURATIO…" not in titles(table)


@pytest.mark.parametrize("width", [80, 100, 120, 160, 200])
async def test_the_titles_line_names_each_column_once_at_any_width_and_sort(
    monitor: SimMonitor, width: int
) -> None:
    """GIVEN the table at a width WHEN it is sorted by each column in turn, each way round
    THEN its titles line names every column once, the sorted one with its arrow."""
    app = monitor.app
    async with app.run_test(size=(width, 30)) as pilot:
        table = await everything(pilot, app)
        for _ in range(5):
            for _ in range(2):
                words = titles(table).split()
                bare = [word.rstrip("▾▴") for word in words]
                assert len(bare) == len(set(bare)), words
                assert sum(1 for word in words if word[-1] in "▾▴") == 1, words
                await pilot.press("S")
            await pilot.press("s")


async def test_r_while_paused_says_it_is_paused(monitor: SimMonitor) -> None:
    """GIVEN live updates paused (`p`) WHEN `R` is pressed THEN a warning says nothing is
    polled while paused and how to resume, instead of nothing at all."""
    said: list[tuple[str, str]] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            said.append((message.notification.severity, message.notification.message))

    app = monitor.app
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await everything(pilot, app)
        await pilot.press("p")
        await wait_until(pilot, lambda: app.engine.paused, what="paused")
        await pilot.press("R")
        await wait_until(pilot, lambda: any("paused" in m.lower() for _, m in said[1:]), what="R")
        severity, message = said[-1]
        assert severity == "warning"
        assert "p resumes" in message


async def test_w_and_capital_w_mark_runs_differently(tmp_path: Path) -> None:
    """GIVEN one run watched by itself (`w`) and another whose test is watched (`W`)
    WHEN the table draws them THEN the first is marked `◉`, every run of the second's test
    `◎`: the two watches read apart."""
    terminal = FakeTerminal()
    center = center_for(terminal, method=Method.OSC9)
    monitor = build_monitor(tmp_path, spec=MANY, notify=center, terminal=terminal.write)
    try:
        app = monitor.app
        async with app.run_test(size=(120, 35)) as pilot:
            table = await everything(pilot, app)
            runs = [r for r in rows_of(app, "web") if r.status.is_active and not r.parent_id]
            first = runs[0]
            others = [r for r in rows_of(app, "web") if r.name != first.name]
            second = others[0]
            table.move_cursor_to(first.key)
            await pilot.press("w")
            table.move_cursor_to(second.key)
            await pilot.press("W")

            def line(key: tuple[str, str]) -> str:
                table.move_cursor_to(key)
                return table.render_line(table.order.index(key) - int(table.scroll_y) + 1).text

            await wait_until(pilot, lambda: f"◎ {second.name}" in line(second.key), what="◎")
            assert f"◉ {first.name}" in line(first.key)
            same_test = [r for r in rows_of(app, "web") if r.name == second.name]
            assert len(same_test) > 1
            for run in same_test:
                assert f"◎ {second.name}" in line(run.key)
    finally:
        await monitor.aclose()
