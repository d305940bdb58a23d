"""The main screen: health line, filter, the runs table, footer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Footer, Input

from qa_tui.core.error_words import provider_failure
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Run
from qa_tui.core.ordering import LiveOrder
from qa_tui.core.query import QueryError, SortKey, View, parse_query
from qa_tui.core.store import Changes, RunKey
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.screens.run_actions import RunActions
from qa_tui.ui.widgets.health_bar import HealthBar
from qa_tui.ui.widgets.runs_table import RunsTable

if TYPE_CHECKING:
    from qa_tui.ui.screens.new_run import NewRun

SORT_CYCLE = list(SortKey)
STRIPS_AFTER_S = 0.2
"""How long after a batch the other rows' strips are redrawn (coalescing bursts)."""


class DashboardScreen(RunActions):
    """Every run of every provider, live."""

    SCOPE = Scope.DASHBOARD
    DEFAULT_CSS = """
    DashboardScreen #filter { dock: top; height: 1; border: none; padding: 0 1; display: none; }
    DashboardScreen #filter.visible { display: block; }
    DashboardScreen #filter.bad-filter { color: $error; }
    """
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
        """Why the text in the filter box is not a filter (the last good one still applies)."""
        self.health_bar = HealthBar(providers, id="health")
        self.table = RunsTable(id="runs")
        self._strips_due: Timer | None = None
        self._follow: RunKey | None = None
        """A run the cursor goes to as soon as its row is in the table (a re-run just started)."""

    def compose(self) -> ComposeResult:
        yield self.health_bar
        yield Input(placeholder="filter: words status:failed provider:web since:2h", id="filter")
        yield self.table
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.table.focus()
        history = self.qa_app.engine.history
        if history is not None:  # the HISTORY column: strips and flaky badges
            self.table.history = history.cell
            history.on_change = lambda: self.app.call_next(self._history_moved)

    def _history_moved(self) -> None:
        """New results in the history: an `is:flaky` filter is applied again; the strips on
        screen follow `STRIPS_AFTER_S` later, in a frame of their own (a batch's frame draws its
        own rows at once; a batch of 500 finishing runs changes nearly every strip)."""
        if self.view.query.uses_facts:
            self._reorder()
        elif self._strips_due is None:
            self._strips_due = self.set_timer(STRIPS_AFTER_S, self._redraw_strips)

    def _redraw_strips(self) -> None:
        self._strips_due = None
        self.table.history_moved()

    def action_show_incidents(self) -> None:
        from qa_tui.ui.screens.incidents import IncidentsScreen

        self.app.push_screen(IncidentsScreen())

    def current_key(self) -> RunKey | None:
        return self.table.cursor_key

    def apply(self, changes: Changes, now: datetime) -> None:
        """Apply one batch from the engine in place: only the changed rows move."""
        self.table.now = now
        self.order.now = now
        self.order.update(changes)
        self.table.apply(changes, self.order.keys)
        self.health_bar.counts = dict(self.order.counts)
        if self.table.cursor_key is None and self.order.keys:
            self.table.move_cursor_to(self.order.keys[0])
        self._follow_new_run()

    def _reorder(self) -> None:
        """A new filter or sort: compute the order from scratch, from the rows the table has."""
        self.order.now = self.qa_app.clock.now()
        self.order.set_view(self.view)
        self.table.set_order(self.order.keys)
        self.health_bar.counts = dict(self.order.counts)

    def refresh_marks(self) -> None:
        """The watch list changed: redraw the table's watch markers."""
        self.table.refresh()

    def show_unseen(self, count: int, latest: str) -> None:
        """The header's count of notifications not seen yet, and the latest one's title."""
        self.health_bar.unseen = (count, latest)

    def tick(self, now: datetime) -> None:
        if self.view.query.since is not None and now.second % 10 == 0:
            self._reorder()  # runs age out of a `since:` window as time passes
        self.table.tick(now)
        self.health_bar.tick(now)

    def on_runs_table_selected(self, event: RunsTable.Selected) -> None:
        self.open_run(event.key)

    def action_open_run(self) -> None:
        if self.table.cursor_key is not None:
            self.open_run(self.table.cursor_key)

    def open_run(self, key: RunKey) -> None:
        from qa_tui.ui.screens.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(key))

    def action_new_run(self) -> None:
        from qa_tui.ui.screens.new_run import NewRunScreen

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
        box = self.query_one("#filter", Input)
        box.add_class("visible")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or self.filter_text:
            box.value = ""
            self._set_filter("")
        box.remove_class("visible")
        self.table.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self._set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if self.filter_error:  # said on enter, not at every keystroke of a half-typed term
                self.notify(self.filter_error, severity="warning", markup=False, timeout=4)
                return
            if not event.value:
                event.input.remove_class("visible")
            self.table.focus()

    def _set_filter(self, text: str) -> None:
        box = self.query_one("#filter", Input)
        try:
            query = parse_query(
                text, failed_only=self.view.query.failed_only, facts=self.qa_app.engine.history
            )
        except QueryError as error:
            box.add_class("bad-filter")  # not Input's own -invalid, which it resets itself
            box.tooltip = self.filter_error = str(error)
            return
        box.remove_class("bad-filter")
        box.tooltip = self.filter_error = None
        self.filter_text = text
        self.view = View(query=query, sort=self.view.sort, group_suites=self.view.group_suites)
        self._reorder()

    def action_toggle_failed(self) -> None:
        failed_only = not self.view.query.failed_only
        facts = self.qa_app.engine.history
        query = parse_query(self.filter_text, failed_only=failed_only, facts=facts)
        self.view = View(query=query, sort=self.view.sort, group_suites=self.view.group_suites)
        self.notify("Failed runs only" if query.failed_only else "All runs", timeout=2)
        self._reorder()

    def action_cycle_sort(self) -> None:
        sort = SORT_CYCLE[(SORT_CYCLE.index(self.view.sort) + 1) % len(SORT_CYCLE)]
        self.view = View(query=self.view.query, sort=sort, group_suites=self.view.group_suites)
        self.table.sort_title = sort.value.upper()
        self.notify(f"Sorted by {sort.value}", timeout=2)
        self._reorder()
