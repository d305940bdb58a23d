"""The runs table draws a line again only when what it shows changed, and never pays per run."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App, ComposeResult
from textual.geometry import Region

from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import Changes, Row, RunKey
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.fakes import T0, make_run
from tests.support.pilot import widget_text


class TableApp(App[None]):
    """The table alone; the app keeps the rows it draws (the dashboard's order does in use)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[RunKey, Row] = {}

    def compose(self) -> ComposeResult:
        yield RunsTable(self.rows, id="runs")

    def show(self, changes: Changes, order: list[RunKey]) -> None:
        """A batch and the new order, the way the dashboard hands them to the table."""
        for row in (*changes.added, *changes.updated):
            self.rows[row.key] = row
        for key in changes.removed:
            self.rows.pop(key, None)
        self.query_one(RunsTable).apply(changes, order)


def regions_asked_for(table: RunsTable) -> list[Region]:
    """Every region `table` asks Textual to redraw from now on (its whole region for a bare
    `refresh()`), in order."""
    asked: list[Region] = []
    original = table.refresh

    def refresh(*regions: Region, **kwargs: bool) -> RunsTable:
        asked.extend(regions or [table.region])
        return original(*regions, **kwargs)

    table.refresh = refresh  # type: ignore[method-assign]
    return asked


def _rows(*rows: Row) -> Changes:
    return Changes(added=rows)


async def test_a_running_runs_duration_still_ticks_though_its_line_was_drawn_before() -> None:
    """GIVEN a running run already on screen WHEN the clock moves on
    THEN its duration cell shows the new time (a remembered line is not reused)."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        row = Row(make_run("r1", minutes_ago=1))
        app.show(_rows(row), [row.key])
        await pilot.pause()
        assert "1m00s" in widget_text(table)
        table.now = T0 + timedelta(seconds=5)
        table.refresh()
        await pilot.pause()
        assert "1m05s" in widget_text(table)


async def test_the_clock_tick_redraws_only_the_lines_whose_times_read_differently() -> None:
    """GIVEN a running run and a run that ended long ago on screen WHEN the clock ticks on by
    five seconds THEN the running run's line shows its new duration and it is the only line
    asked to be drawn again (a tick costs what changed, not the screen)."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        running = Row(make_run("a", minutes_ago=1))
        ended = Row(make_run("b", RunStatus.PASSED, minutes_ago=300, ended=T0 - timedelta(hours=4)))
        app.show(_rows(running, ended), [running.key, ended.key])
        await pilot.pause()
        asked = regions_asked_for(table)
        table.tick(T0 + timedelta(seconds=5))
        assert [region.y for region in asked] == [1]  # the running run's line (0 is the header)
        await pilot.pause()
        lines = widget_text(table).splitlines()
        assert "1m05s" in lines[1]
        assert "5h ago" in lines[2]


async def test_a_changed_row_is_drawn_again_and_an_unchanged_one_keeps_its_line() -> None:
    """GIVEN two runs on screen WHEN only one of them changes
    THEN the changed one shows its new status, the other is exactly as before."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        first, second = Row(make_run("a", minutes_ago=1)), Row(make_run("b", minutes_ago=2))
        order: list[RunKey] = [first.key, second.key]
        app.show(_rows(first, second), order)
        await pilot.pause()
        before = widget_text(table).splitlines()
        done = Row(make_run("a", RunStatus.PASSED, minutes_ago=1))
        app.show(Changes(updated=(done,)), order)
        await pilot.pause()
        after = widget_text(table).splitlines()
        assert after[1].startswith("✓ passed")
        assert after[2] == before[2]


async def test_an_order_naming_a_run_the_table_does_not_hold_shows_a_blank_line() -> None:
    """GIVEN an order that names a run whose row has not arrived yet
    WHEN the table draws THEN that line is blank and the others are shown (no crash)."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        row = Row(make_run("a", minutes_ago=1, name="known run"))
        app.show(_rows(row), [("web", "missing"), row.key])
        await pilot.pause()
        lines = widget_text(table).splitlines()
        assert lines[1] == ""
        assert "known run" in lines[2]


async def test_the_cursor_stays_on_its_run_when_a_new_run_arrives_above_it() -> None:
    """GIVEN the cursor on the second run WHEN a newer run is listed on top
    THEN the cursor is still on the same run, one line lower."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        a, b = Row(make_run("a", minutes_ago=1)), Row(make_run("b", minutes_ago=2))
        app.show(_rows(a, b), [a.key, b.key])
        table.move_cursor_to(b.key)
        new = Row(make_run("new"))
        app.show(_rows(new), [new.key, a.key, b.key])
        await pilot.pause()
        assert table.cursor_key == b.key
        assert table.cursor_row == 2


async def test_a_first_paint_of_thousands_of_runs_is_kept_out_of_the_collectors_way() -> None:
    """GIVEN the app WHEN a batch of thousands of runs arrives (the cache's first paint)
    THEN they are frozen out of the garbage collector's full passes (no stalled frames later)."""
    import gc

    from qa_tui.core.engine import Engine
    from qa_tui.core.runs.store import RunStore
    from qa_tui.ui.app import QaTuiApp
    from qa_tui.ui.collector import LONG_LIVED_BATCH
    from tests.support.fakes import FakeSource
    from tests.support.pilot import wait_until

    gc.unfreeze()
    app = QaTuiApp(Engine([FakeSource()], RunStore()), tick_seconds=0)
    try:
        async with app.run_test(size=(120, 10)) as pilot:
            runs = [make_run(f"r{i}", RunStatus.PASSED) for i in range(LONG_LIVED_BATCH)]
            app._engine_changes(app.engine.store.apply(runs))
            table = app.query_one(RunsTable)
            await wait_until(pilot, lambda: len(table.order) >= LONG_LIVED_BATCH)
            assert gc.get_freeze_count() > 0
            assert gc.isenabled()  # collection is only held off while the batch is placed
    finally:
        gc.unfreeze()


async def test_a_ticking_duration_refreshes_its_own_cell_not_its_line() -> None:
    """GIVEN a running run on screen WHEN a second passes THEN the table asks to redraw only
    the cells that read differently, its STARTED and DURATION cells, not the line (over SSH,
    every redrawn cell crosses the link)."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        running = Row(make_run("a", minutes_ago=1, name="Checkout with card"))
        app.show(_rows(running), [running.key])
        await pilot.pause()
        header = widget_text(table).splitlines()[0]
        asked = regions_asked_for(table)
        table.tick(T0 + timedelta(seconds=1))
        [region] = asked
        assert region.y == 1
        assert region.x >= header.index("STARTED")
        assert region.right <= header.index("DURATION") + len("DURATION") + 1


async def test_a_duration_ticking_all_day_asks_for_the_same_few_regions_again() -> None:
    """GIVEN a running run on screen WHEN its duration ticks for ten minutes THEN each tick
    asks to redraw the whole DURATION cell, one region again and again, not a new span of
    characters each second (Textual keeps every region it was asked for in caches of a few
    thousand: exact spans filled them for an hour and more of an all-day session)."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        running = Row(make_run("a", minutes_ago=0.5, name="Checkout with card"))
        app.show(_rows(running), [running.key])
        await pilot.pause()
        header = widget_text(table).splitlines()[0]
        asked = regions_asked_for(table)
        for second in range(1, 600):
            table.tick(T0 + timedelta(seconds=second))
        assert len(asked) >= 599  # every tick changed the duration
        assert len(set(asked)) <= 3  # DURATION; STARTED with it when a minute turns
        assert {region.x for region in asked} <= {header.index("STARTED"), header.index("DURATION")}


async def test_the_table_keeps_the_lines_of_two_screens_not_of_every_run() -> None:
    """GIVEN 3,000 runs WHEN the user pages through all of them THEN the table keeps the drawn
    lines of at most two screens (a drawn line is a Strip with caches of its own, about 10 kB:
    kept for every run ever drawn, an all-day table grew by megabytes an hour)."""
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        rows = [Row(make_run(f"r{i}", RunStatus.PASSED, minutes_ago=i)) for i in range(3000)]
        app.show(_rows(*rows), [row.key for row in rows])
        await pilot.pause()
        table.focus()
        for _ in range(3000 // 38 + 1):
            await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_key == rows[-1].key  # paged to the last run
        assert len(table._lines) <= 2 * table.size.height


async def test_new_runs_arriving_all_day_do_not_grow_the_lines_the_table_keeps() -> None:
    """GIVEN a table open on a busy world WHEN 100 new runs arrive one by one at its top (an
    hour's worth on a quieter world), each drawn as it comes THEN the lines kept are those of two screens at
    most, and the screen shows the newest runs."""
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.query_one(RunsTable)
        table.now = T0
        order: list[RunKey] = []
        for i in range(100):
            row = Row(make_run(f"new{i}", RunStatus.RUNNING, minutes_ago=0))
            order = [row.key, *order]
            app.show(_rows(row), order)
            await pilot.pause()
        assert len(table._lines) <= 2 * table.size.height
        assert "new99" in widget_text(table)
