"""The main screen: health line, filter bar, the runs table (or why it is empty), footer.

What filters the table, how it is sorted and why it is empty are always on screen, not only in
a toast: the filter bar's line (`FILTER status:failed · f: failed and errored only · 3 of 250 runs`),
the sorted column's arrow (`▾` its usual order, `▴` reversed), and in place of an empty table
the reason (a provider that cannot be read, with the key to fix; or `0 of 250 runs match` and
what filters them). The cursor is brought back on screen after anything the user does that
moves the table under it (a filter, a sort, esc, a resize, coming back from a view).

The app talks to this screen through its methods (`apply`, `tick`, `show_health`, `show_team`,
`show_outbox`, `show_paused`, `show_unseen`, `show_watch_marks`, `refresh_marks`), never through its widgets: what
the header and the table are is this screen's business. A row is drawn from the order's rows
(`LiveOrder.rows`): the table keeps none of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Footer, Input

from qa_tui.core.config.views import COLUMN_KEYS, ViewBook, ViewConfig
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import ProviderHealth, Run
from qa_tui.core.runs.ordering import LiveOrder
from qa_tui.core.runs.query import Query, QueryError, SortKey, View, parse_leaving_out_errors
from qa_tui.core.runs.store import Changes, RunKey
from qa_tui.core.team.status import TeamStatus
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.confirm import TypedConfirmScreen
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.runs.empty_table import EmptyTable, Why
from qa_tui.ui.runs.filter_bar import FilterBar, FilterState
from qa_tui.ui.runs.marks import MarkedActions, Marks
from qa_tui.ui.runs.run_actions import RunActions, write_failure
from qa_tui.ui.runs.run_line import column_at, sort_title
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

    def __init__(
        self,
        providers: Mapping[str, str],
        views: ViewBook | None = None,
        *,
        production: frozenset[str] = frozenset(),
        team: TeamStatus | None = None,
    ) -> None:
        """`providers`: each provider's kind, by name, in config order; `views`: the saved
        views (core/config/views.py; None: none, and none can be saved); `production`: those
        with `production = true` (their chip and provider cells are tinted); `team`: team
        mode's state at start (None: team mode is off)."""
        super().__init__()
        self.providers = list(providers)
        self.views = views or ViewBook()
        self.current_view: ViewConfig | None = None
        """The saved view shown (None: every run, or a filter typed by hand)."""
        self.view = View()
        self.order = LiveOrder(self.view, datetime.now(UTC))
        """The table's order, moved incrementally by each batch."""
        self.filter_text = ""
        self.filter_error: str | None = None
        """Why a term of the filter box is left out (the rest of the text filters)."""
        self.health_bar = HealthBar(providers, production=production, id="health")
        if team is not None:
            self.health_bar.set_reactive(HealthBar.team, team)
        self.filter_bar = FilterBar(id="filter-bar")
        self.table = RunsTable(self.order.rows, production=production, id="runs")
        self.empty = EmptyTable(id="empty")
        self._strips_due: Timer | None = None
        self._follow: RunKey | None = None
        """A run the cursor goes to as soon as its row is in the table (a re-run just started)."""
        self._cursor_due = False
        """The first rows are in and the cursor goes to the top one once the batches already
        on their way are in too (`_cursor_to_top`)."""
        self.marks = Marks()
        """The runs marked with `space` and `*`: `x`, `r`, `w`, `b` act on them all."""
        self.marked_actions = MarkedActions(self, self.marks)

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
        last = self.views.last()
        if last is not None:  # the view shown when qa-tui was last closed
            self.show_view(last, quietly=True)
        history = self.qa_app.engine.history
        if history is not None:  # the HISTORY column: strips and flaky badges
            self.table.history = history.cell
            self.table.expected = history.estimate  # a running run's time left
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
        if self.marks and changes.removed and self.marks.discard(changes.removed):
            self.health_bar.marked = len(self.marks)  # a marked run that left the store
        if self.table.cursor_key is None and self.order.keys and not self._cursor_due:
            # after the batches already queued (each provider's first, the cache's and the
            # outbox's): the cursor starts on the top row of them all, not of the first to land
            self._cursor_due = True
            self.app.call_later(self._cursor_to_top)
        self._follow_new_run()
        self._show_what_filters()

    def _cursor_to_top(self) -> None:
        self._cursor_due = False
        if self.table.cursor_key is None and self.order.keys:
            self.table.move_cursor_to(self.order.keys[0])

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
        """The watch list or the marks changed: redraw the table's name marks."""
        self.health_bar.marked = len(self.marks)
        self.table.refresh()

    def show_watch_marks(self, watch_mark: Callable[[Run], bool | str]) -> None:
        """Draw each run's watch mark (`◉`, `◎`) before its name, beside the `+` of a mark."""
        self.table.marked = self.marks.marker(watch_mark)

    # --- marks ------------------------------------------------------------------------------

    def action_mark_run(self) -> None:
        """`space`: mark or unmark the run under the cursor."""
        key = self.table.cursor_key
        if key is not None:
            self.marks.toggle(key)
            self.refresh_marks()

    def action_mark_all(self) -> None:
        """`*`: mark every run shown."""
        self.marks.mark_all(self.order.keys)
        self.refresh_marks()

    def action_stop_run(self) -> None:
        if self.marks:
            self.marked_actions.stop_each()
        else:
            super().action_stop_run()

    def action_rerun(self) -> None:
        if self.marks:
            self.marked_actions.rerun_each()
        else:
            super().action_rerun()

    def action_watch_run(self) -> None:
        if self.marks:
            self.marked_actions.watch_each()
        else:
            super().action_watch_run()

    def action_file_bug(self) -> None:
        if self.marks:
            self.marked_actions.file_one_bug()
        else:
            super().action_file_bug()

    def show_unseen(self, count: int, latest: str) -> None:
        """The header's count of notifications not seen yet, and the latest one's title."""
        self.health_bar.unseen = (count, latest)

    @property
    def provider_health(self) -> Mapping[str, ProviderHealth]:
        """Each provider's latest health, by name, as the header shows it."""
        return self.health_bar.health

    def show_health(self, health: ProviderHealth, now: datetime) -> None:
        """A provider's new health in the header (a chip's "data 2m old" reads `now`, the app's
        clock, ticking or not)."""
        self.health_bar.now = now
        self.health_bar.update_health(health)

    def show_team(self, status: TeamStatus) -> None:
        """Team mode's state (role, instances watching) in the header."""
        self.health_bar.team = status

    def show_outbox(self, sending: int, need_the_user: int) -> None:
        """Bug reports not filed yet, in the header: being sent, and waiting for the user."""
        self.health_bar.outbox = (sending, need_the_user)

    def show_paused(self, paused: bool) -> None:
        """Live updates paused (`p`), in the header and in why an empty table is empty."""
        self.health_bar.paused = paused

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

        engine = self.qa_app.engine
        refusals = [engine.writes.refusal(source.name) for source in engine.sources]
        if refusals and all(refusals):
            self.notify(refusals[0] or "read-only", severity="warning", markup=False)
            return
        self.app.push_screen(NewRunScreen(engine.sources), self._new_run_chosen)

    def _new_run_chosen(self, choice: NewRun | None) -> None:
        """The dialog's Start is the question, except for a production provider: its name is
        typed first; a read-only one is refused at once (and by the action layer anyway)."""
        if choice is None:
            return
        writes = self.qa_app.engine.writes
        refused = writes.refusal(choice.provider)
        if refused is not None:
            self.notify(refused, severity="warning", markup=False)
        elif writes.needs_typed_name(choice.provider):

            def typed_then(typed: str | None) -> None:
                if typed is not None:
                    self._start_new_run(choice, typed)

            question = Text(f"Start a run on {choice.provider}?")
            self.app.push_screen(TypedConfirmScreen(question, choice.provider), typed_then)
        else:
            self._start_new_run(choice)

    @work(group="actions", exit_on_error=False)
    async def _start_new_run(self, choice: NewRun, typed: str | None = None) -> None:
        self.notify(f"Starting a run on {choice.provider}…", timeout=2, markup=False)
        try:
            run = await self.qa_app.engine.start(choice.provider, choice.request, typed=typed)
        except ProviderError as error:
            self.notify(f"Start failed: {write_failure(error)}", severity="error", markup=False)
            return
        started = f"Started {render.safe(run.name, 50)} ({render.safe(run.id, 30)})"
        self.notify(f"{started}\n{run.note}" if run.note else started, markup=False)
        self.on_rerun_started(run)

    def on_rerun_started(self, run: Run) -> None:
        # The engine's batch with the new run may still be on its way to the table.
        self._follow = run.key
        self._follow_new_run()

    def _follow_new_run(self) -> None:
        if self._follow is not None and self._follow in self.order.rows:
            self.table.move_cursor_to(self._follow)
            self._follow = None

    # --- saved views ------------------------------------------------------------------------

    def action_show_view(self, number: int) -> None:
        """`1`…`9`: the saved view on that key; `0`: every run."""
        if number == 0:
            self.show_view(None)
            return
        view = self.views.numbered(number)
        if view is None:
            self.notify(
                f"No view on {number}: add [[views]] to the config, or save the filter as a "
                "view from the palette (:)",
                markup=False,
            )
            return
        self.show_view(view)

    def action_pick_view(self) -> None:
        """`v`: the saved views, to pick one."""
        from qa_tui.ui.runs.view_picker import EVERY_RUN, ViewPicker

        views = self.views.views

        def picked(index: int | None) -> None:
            if index == EVERY_RUN:
                self.show_view(None)
            elif index is not None:
                self.show_view(views[index])

        self.app.push_screen(ViewPicker(views, self.current_view), picked)

    def show_view(self, view: ViewConfig | None, *, quietly: bool = False) -> None:
        """Show a saved view (its filter, sort and columns), or every run (None); remembered
        for the next start."""
        self.current_view = view
        text = view.filter if view is not None else ""
        query, self.filter_text, error = self._parse(text, failed_only=False)
        self.filter_error = str(error) if error is not None else None
        sort = SortKey(view.sort) if view is not None and view.sort else SortKey.STARTED
        reverse = view.reverse if view is not None and view.sort else False
        self.view = replace(self.view, query=query, sort=sort, reverse=reverse)
        self.table.sort_title = sort_title(sort.value.upper(), reverse=reverse)
        self.table.columns = frozenset(view.columns) if view is not None and view.columns else None
        box = self.filter_bar.box
        with box.prevent(Input.Changed):
            box.value = self.filter_text
        self._reorder()
        self.views.remember(view)
        if not quietly:
            self.notify(self._view_words(view), markup=False, timeout=3)

    def _view_words(self, view: ViewConfig | None) -> str:
        if view is None:
            return "Every run (0)"
        number = self.views.number_of(view)
        key = f" ({number})" if number is not None else ""
        return f"View{key}: {render.safe(view.name, 40)}: {render.safe(view.filter or 'every run', 60)}"

    def action_save_view(self) -> None:
        """The palette's Save view: the filter, sort and columns shown now, under a name."""
        from qa_tui.ui.runs.view_picker import ViewName

        if self.views.file is None:
            self.notify("Views cannot be saved here: qa-tui was started without a config file")
            return
        what = self.filter_text or "every run"
        suggested = self.current_view.name if self.current_view is not None else ""

        def named(name: str | None) -> None:
            if name:
                self._save_view(name)

        self.app.push_screen(ViewName(what, suggested), named)

    def _save_view(self, name: str) -> None:
        columns = self.table.columns
        try:
            view = ViewConfig(
                name=name,
                filter=self.filter_text,
                sort=self.view.sort.value,
                reverse=self.view.reverse,
                columns=tuple(c for c in COLUMN_KEYS if c in columns) if columns else None,
            )
            path = self.views.save(view)
        except (ValidationError, ValueError, OSError) as error:
            words = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
            self.notify(f"Not saved: {words}", severity="error", markup=False)
            return
        self.current_view = view
        self.views.remember(view)
        number = self.views.number_of(view)
        key = f", on {number}" if number is not None else ", in the v list"
        self.notify(f"Saved view {render.safe(name, 40)}{key} ({path})", markup=False)

    # --- filter and sort --------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.filter_bar.box
        if box.value != self.filter_text and self.filter_error is None:
            box.value = self.filter_text
        box.add_class("visible")
        box.focus()

    def action_clear_filter(self) -> None:
        """`esc`: clear the marks first; with none, clear the filter."""
        if self.marks:
            self.marks.clear()
            self.refresh_marks()
            return
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
        self.current_view = None  # a filter typed by hand is no saved view any more
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
        column = column_at(self.table.column_layout(width), event.x)
        if column is None or column.key not in SORTABLE:
            return
        key = SortKey(column.key)
        self._sort_by(key, reverse=key is self.view.sort and not self.view.reverse)

    def _sort_by(self, sort: SortKey, *, reverse: bool = False) -> None:
        self.view = replace(self.view, sort=sort, reverse=reverse)
        self.table.sort_title = sort_title(sort.value.upper(), reverse=reverse)
        self.notify(f"Sorted by {sort.value}: {SORT_WORDS[sort][reverse]}", timeout=2)
        self._reorder()
