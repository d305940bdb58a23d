"""The main screen: health line, filter bar, the runs table (or why it is empty), footer.

What filters the table, how it is sorted and why it is empty are always on screen, not only in
a toast: the filter bar's line (`FILTER status:failed · f: failed and errored only · 3 of 250 runs`),
the sorted column's arrow (`▾` its usual order, `▴` reversed), and in place of an empty table
the reason (a provider that cannot be read, with the key to fix; or `0 of 250 runs match` and
what filters them). The cursor is brought back on screen after anything the user does that
moves the table under it (a filter, a sort, esc, a resize, coming back from a view).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Footer, Input

from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Run
from qa_tui.core.runs.ordering import LiveOrder
from qa_tui.core.runs.query import Query, QueryError, SortKey, View, parse_leaving_out_errors
from qa_tui.core.runs.store import Changes, RunKey
from qa_tui.core.words.errors import provider_failure
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.runs.empty_table import EmptyTable, Why
from qa_tui.ui.runs.filter_bar import FilterBar, FilterState
from qa_tui.ui.runs.run_actions import RunActions
from qa_tui.ui.runs.run_line import column_at, layout, sort_title
from qa_tui.ui.runs.runs_table import RunsTable

if TYPE_CHECKING:
    from qa_tui.ui.runs.new_run import NewRun

SORT_CYCLE = list(SortKey)
SORTABLE = frozenset(key.value for key in SortKey)
"""The columns a click on the title sorts by."""
SORT_WORDS: dict[SortKey, tuple[str, str]] = {
    SortKey.STARTED: ("newest first", "oldest first"),
    SortKey.STATUS: ("running, queued, failed first", "passed first"),
    SortKey.PROVIDER: ("A to Z", "Z to A"),
    SortKey.NAME: ("A to Z", "Z to A"),
    SortKey.DURATION: ("longest first", "shortest first"),
}
"""Each sort's usual order (`▾`) and its reverse (`▴`), in words."""
STRIPS_AFTER_S = 0.2
"""How long after a batch the other rows' strips are redrawn (coalescing bursts)."""


class DashboardScreen(RunActions):
    """Every run of every provider, live."""

    SCOPE = Scope.DASHBOARD
    # Its stylesheet, dashboard.tcss beside it, is named by the app (QaTuiApp.CSS_PATH): Textual
    # never reads the CSS_PATH of the screen `get_default_screen` returns.
    BINDINGS = [
        *bindings_for(Scope.DASHBOARD),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="runs.clear_filter"),
    ]

    def __init__(self, providers: Mapping[str, str]) -> None:
        """`providers`: each provider's kind, by name, in config order."""
        super().__init__()
        self.providers = list(providers)
        self.view = View()
        self.order = LiveOrder(self.view, datetime.now(UTC))
        """The table's order, moved incrementally by each batch."""
        self.filter_text = ""
        self.filter_error: str | None = None
        """Why a term of the filter box is left out (the rest of the text filters)."""
        self.health_bar = HealthBar(providers, id="health")
        self.filter_bar = FilterBar(id="filter-bar")
        self.table = RunsTable(id="runs")
        self.empty = EmptyTable(id="empty")
        self._strips_due: Timer | None = None
        self._follow: RunKey | None = None
        """A run the cursor goes to as soon as its row is in the table (a re-run just started)."""

    def compose(self) -> ComposeResult:
        yield self.health_bar
        yield self.filter_bar
        yield self.table
        yield self.empty
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.table.focus()
        self.table.sort_title = sort_title(self.view.sort.value.upper(), reverse=False)
        self.watch(self.health_bar, "health", self._show_what_filters, init=False)
        self.watch(self.health_bar, "paused", self._show_what_filters, init=False)
        self._show_what_filters()
        history = self.qa_app.engine.history
        if history is not None:  # the HISTORY column: strips and flaky badges
            self.table.history = history.cell
            history.changed.subscribe(lambda _: self.app.call_next(self._history_moved))

    def _history_moved(self) -> None:
        """New results in the history: an `is:flaky` filter is applied again; the strips on
        screen follow `STRIPS_AFTER_S` later, in a frame of their own (a batch's frame draws its
        own rows at once; a batch of 500 finishing runs changes nearly every strip)."""
        if self.view.query.uses_facts:
            self._reorder(by_the_user=False)
        elif self._strips_due is None:
            self._strips_due = self.set_timer(STRIPS_AFTER_S, self._redraw_strips)

    def _redraw_strips(self) -> None:
        self._strips_due = None
        self.table.history_moved()

    def action_show_incidents(self) -> None:
        from qa_tui.ui.history.incidents import IncidentsScreen

        self.app.push_screen(IncidentsScreen())

    def current_key(self) -> RunKey | None:
        return self.table.cursor_key

    def apply(self, changes: Changes, now: datetime) -> None:
        """Apply one batch from the engine in place: only the changed rows move."""
        self.table.now = now
        self.order.now = now
        self.order.update(changes)
        self.table.apply(changes, self.order.keys)
        self.health_bar.total = self.order.total
        self.health_bar.counts = dict(self.order.counts)
        if self.table.cursor_key is None and self.order.keys:
            self.table.move_cursor_to(self.order.keys[0])
        self._follow_new_run()
        self._show_what_filters()

    def _reorder(self, *, by_the_user: bool = True) -> None:
        """A new filter or sort: compute the order from scratch, from the rows the table has.
        `by_the_user` (a filter, `f`, a sort): the cursor is brought back on screen; time or
        the history moving the rows leaves the view where the user put it."""
        self.order.now = self.qa_app.clock.now()
        self.order.set_view(self.view)
        self.table.set_order(self.order.keys)
        self.health_bar.total = self.order.total
        self.health_bar.counts = dict(self.order.counts)
        self._show_what_filters()
        if by_the_user:
            self.table.show_cursor()

    def _show_what_filters(self) -> None:
        """The filter bar's line, and in place of an empty table, why it is empty."""
        filtered = bool(self.filter_text.strip()) or self.view.query.failed_only
        counted = filtered or self.filter_error is not None  # else the numbers go unsaid
        state = FilterState(
            text=self.filter_text,
            failed_only=self.view.query.failed_only,
            shown=len(self.order.keys) if counted else 0,
            total=self.order.total if counted else 0,
            error=self.filter_error,
        )
        self.filter_bar.show(state)
        empty = not self.order.keys
        self.table.set_class(empty, "-empty")
        health = self.health_bar
        why = Why(tuple(health.health.values()), health.services, state, health.paused)
        self.empty.show(why if empty else None)

    def on_resize(self, _: events.Resize) -> None:
        self.call_after_refresh(self.table.show_cursor)

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.table.show_cursor)

    def refresh_marks(self) -> None:
        """The watch list changed: redraw the table's watch markers."""
        self.table.refresh()

    def show_unseen(self, count: int, latest: str) -> None:
        """The header's count of notifications not seen yet, and the latest one's title."""
        self.health_bar.unseen = (count, latest)

    def tick(self, now: datetime) -> None:
        if self.view.query.since is not None and now.second % 10 == 0:
            self._reorder(by_the_user=False)  # runs age out of a `since:` window as time passes
        self.table.tick(now)
        self.health_bar.tick(now)

    def on_runs_table_selected(self, event: RunsTable.Selected) -> None:
        self.open_run(event.key)

    def action_open_run(self) -> None:
        if self.table.cursor_key is not None:
            self.open_run(self.table.cursor_key)

    def open_run(self, key: RunKey) -> None:
        from qa_tui.ui.detail.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(key))

    def action_new_run(self) -> None:
        from qa_tui.ui.runs.new_run import NewRunScreen

        self.app.push_screen(NewRunScreen(self.qa_app.engine.sources), self._new_run_chosen)

    def _new_run_chosen(self, choice: NewRun | None) -> None:
        if choice is not None:
            self.notify(f"Starting a run on {choice.provider}…", timeout=2, markup=False)
            self._start_new_run(choice)

    @work(group="actions", exit_on_error=False)
    async def _start_new_run(self, choice: NewRun) -> None:
        try:
            run = await self.qa_app.engine.start(choice.provider, choice.request)
        except ProviderError as error:
            self.notify(f"Start failed: {provider_failure(error)}", severity="error", markup=False)
            return
        started = f"Started {render.safe(run.name, 50)} ({render.safe(run.id, 30)})"
        self.notify(f"{started}\n{run.note}" if run.note else started, markup=False)
        self.on_rerun_started(run)

    def on_rerun_started(self, run: Run) -> None:
        # The engine's batch with the new run may still be on its way to the table.
        self._follow = run.key
        self._follow_new_run()

    def _follow_new_run(self) -> None:
        if self._follow is not None and self._follow in self.table.rows:
            self.table.move_cursor_to(self._follow)
            self._follow = None

    # --- filter and sort --------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.filter_bar.box
        if box.value != self.filter_text and self.filter_error is None:
            box.value = self.filter_text
        box.add_class("visible")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.filter_bar.box
        if box.value or self.filter_text or self.filter_error:
            box.value = ""
            self._set_filter("")
        box.remove_class("visible")
        self.table.focus()
        self.table.show_cursor()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self._set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if self.filter_error:  # said on enter, not at every keystroke of a half-typed term
                self.notify(self.filter_error, severity="warning", markup=False, timeout=4)
                return
            event.input.remove_class("visible")  # the filter bar's line says what filters
            self.table.focus()
            self.table.show_cursor()

    def _parse(self, text: str, *, failed_only: bool) -> tuple[Query, str, QueryError | None]:
        """The filter text as a query of the terms that read, their text, and why a term does
        not read (an unknown field, provider or status is said, not an empty table)."""
        return parse_leaving_out_errors(
            text,
            failed_only=failed_only,
            facts=self.qa_app.engine.history,
            providers=self.providers,
        )

    def _set_filter(self, text: str) -> None:
        query, self.filter_text, error = self._parse(text, failed_only=self.view.query.failed_only)
        self.filter_error = str(error) if error is not None else None
        self.view = replace(self.view, query=query)
        self._reorder()

    def action_toggle_failed(self) -> None:
        query = self._parse(self.filter_text, failed_only=not self.view.query.failed_only)[0]
        self.view = replace(self.view, query=query)
        self.notify("Failed runs only" if query.failed_only else "All runs", timeout=2)
        self._reorder()

    def action_cycle_sort(self) -> None:
        """`s`: sort by the next column, in its usual order."""
        self._sort_by(SORT_CYCLE[(SORT_CYCLE.index(self.view.sort) + 1) % len(SORT_CYCLE)])

    def action_reverse_sort(self) -> None:
        """`S`: the same sort the other way round."""
        self._sort_by(self.view.sort, reverse=not self.view.reverse)

    def on_runs_table_header_clicked(self, event: RunsTable.HeaderClicked) -> None:
        """A click on a column's title sorts by it; on the sorted one, reverses it."""
        width = self.table.scrollable_content_region.width
        column = column_at(layout(width, self.table.history is not None), event.x)
        if column is None or column.key not in SORTABLE:
            return
        key = SortKey(column.key)
        self._sort_by(key, reverse=key is self.view.sort and not self.view.reverse)

    def _sort_by(self, sort: SortKey, *, reverse: bool = False) -> None:
        self.view = replace(self.view, sort=sort, reverse=reverse)
        self.table.sort_title = sort_title(sort.value.upper(), reverse=reverse)
        self.notify(f"Sorted by {sort.value}: {SORT_WORDS[sort][reverse]}", timeout=2)
        self._reorder()
