"""The reference for bench/table.py: a stock Textual DataTable showing the runs.

The same nine columns as qa-tui's table, cells from the same renderers, rows in the same order;
filled by `add_row`, and brought up to date by clear-and-refill (what a first version written
from the DataTable docs does).
"""

from __future__ import annotations

from datetime import datetime

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from qa_tui.core.history import RunCache
from qa_tui.core.runs.query import View, visible_keys
from qa_tui.core.runs.store import Row, RunStore
from qa_tui.ui import render
from qa_tui.ui.runs.run_line import COLUMNS


def cells(row: Row, now: datetime) -> tuple[str, ...]:
    run = row.run
    name = render.safe(run.name)
    return (
        f"{render.STATUS_GLYPHS[run.status]} {render.status_word(run)}",
        render.safe(run.provider),
        run.kind.value,
        f"  └ {name}" if run.parent_id else name,
        render.progress_bar(run),
        render.relative_time(run.started or run.queued, now),
        render.format_duration(render.run_duration(run, now)),
        render.safe(run.triggered_by),
        render.safe(row.bug_id),
    )


class StockTableApp(App[None]):
    """One DataTable of every run in `store`; with a cache, it loads it into the store first."""

    def __init__(
        self, now: datetime, *, cache: RunCache | None = None, store: RunStore | None = None
    ) -> None:
        super().__init__()
        self.now = now
        self.cache = cache
        self.store = store or RunStore()
        self.view = View()

    def compose(self) -> ComposeResult:
        yield DataTable(id="runs", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(column.title for column in COLUMNS))
        if self.cache is not None:
            self.store.apply(self.cache.load({"web", "plans"}), stale=True)
            self.refill()

    def refill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for key in visible_keys(self.store, self.view, self.now):
            row = self.store.get(key)
            assert row is not None
            table.add_row(*cells(row, self.now), key=f"{key[0]}/{key[1]}")
