"""One run, in depth: summary, then panes for steps, child runs, artifacts, analysis and error.

The run itself, and a suite's child runs, are drawn from the RunStore rows the table renders:
the header and the Child runs pane follow every change batch, so they never show a state the
table has left behind (there is no copy of them here). What only a detail fetch knows (steps,
artifacts, analysis) is fetched in a worker through the engine, which also polls this run every
cycle while it is open; when the store says the run changed, the detail is fetched again, so
steps advance live. Which panes show, which one the view opens on and the steps table's lines
(every step, the unreached too) are decided in detail_panes.py. A pane the provider cannot fill
says why instead of staying blank.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane, Tabs

from qa_tui.core.actions.artifacts import fetch_artifact, save_artifact
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Artifact, PaneData, Run, RunDetail, RunKind, RunStatus
from qa_tui.core.runs.store import Changes, Row, RunKey
from qa_tui.core.words.errors import provider_failure
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.detail.panes import (
    PANES,
    StepLine,
    failing_step,
    opening_pane,
    panes_for,
    running_step,
    step_count,
    step_lines,
    unreached_word,
)
from qa_tui.ui.history.compare_pane import ComparePane
from qa_tui.ui.host import ChangeListener
from qa_tui.ui.lists import NavScroll, NavTable
from qa_tui.ui.shots.detail_screenshots import DetailScreenshots
from qa_tui.ui.shots.screenshot import ScreenshotPanel

CHILD_COLUMNS = ("status", "name", "progress", "duration")
NOT_REACHED = "—"


def summary(run: Run, now: datetime, *, bug_id: str | None = None) -> Text:
    """The header block: name, status, provider, progress, times, URL, the bug filed for it."""
    text = Text()
    text.append_text(render.status_text(run))
    text.append("  ")
    text.append(render.safe(run.name), style="bold")
    text.append(f"\n{render.safe(run.provider)} · {run.kind.value}")
    if run.progress is not None:
        text.append(f" · {render.progress_bar(run, 16)}")
    duration = render.run_duration(run, now)
    if duration is not None:
        text.append(f" · {render.format_duration(duration)}")
    if run.triggered_by:
        text.append(f" · by {render.safe(run.triggered_by)}")
    if bug_id:
        text.append(f" · bug {render.safe(bug_id)}", style="bold")
    text.append(f"\nid {render.safe(run.id)}", style="dim")
    if run.url:
        text.append(f"\n{render.safe(run.url)}", style="underline")
    if run.note:
        text.append(f"\n{render.safe(run.note)}", style="italic")
    return text


def step_time(seconds: float | None) -> str:
    """A step's time: steps often take under a second, so `0.4s` rather than `0s`."""
    if seconds is not None and 0 <= seconds < 10:
        return f"{seconds:.1f}s"
    return render.format_duration(seconds)


def step_cells(line: StepLine, run: Run) -> tuple[Text | str, ...]:
    """One line of the steps table."""
    step = line.step
    if step is None:
        word = unreached_word(run)
        return (
            str(line.number),
            Text(f"· {word}", style="dim"),
            Text(NOT_REACHED, style="dim"),
            "",
            "",
        )
    return (
        str(line.number),
        Text(
            f"{render.STATUS_GLYPHS[step.status]} {render.safe(step.provider_status)}",
            style=render.STATUS_STYLES[step.status],
        ),
        render.plain(step.name),
        step_time(step.duration_s),
        render.plain(step.error or ""),
    )


def step_error(line: StepLine, run: Run, total: int) -> Text:
    """Under the steps table: the highlighted step's error in full (the column cuts it)."""
    step = line.step
    text = Text()
    if step is None:
        if run.status.is_terminal:
            text.append(f"Step {line.number} of {total} was not run: the run ended before it.")
        else:
            text.append(f"Step {line.number} of {total} has not run yet.")
        text.stylize("dim")
        return text
    if not step.error:
        return text
    head = f"Step {line.number} of {total} · {render.safe(step.provider_status)} · "
    text.append(head, style=render.STATUS_STYLES[step.status])
    text.append(render.safe(step.name, 60), style="bold")
    text.append("\n")
    text.append_text(render.plain_lines(step.error))
    return text


def error_text(run: Run, detail: RunDetail | None) -> Text:
    """The Error pane: the run's error and where it stopped."""
    if not run.error and run.status not in (RunStatus.FAILED, RunStatus.ERROR):
        return Text("No error reported.", style="dim")
    text = Text()
    text.append_text(render.status_text(run))
    if run.failed_step:
        text.append(f" at step {render.safe(run.failed_step)}")
    elif run.status is RunStatus.ERROR and run.kind is RunKind.EXECUTION:
        text.append(": the execution itself broke, not one of its tests")
    text.append("\n\n")
    if run.error:
        text.append_text(render.plain_lines(run.error))
    else:
        text.append("The provider gave no error text.", style="dim")
    steps = detail.steps.items if detail is not None else ()
    total = step_count(run, steps)
    if total > len(steps) and run.status.is_terminal:
        unit = "tests" if run.kind is RunKind.EXECUTION else "steps"  # a plan's steps: its tests
        missing = total - len(steps)
        text.append(f"\n\n{len(steps)} of {total} {unit} ran; {missing} not run.", style="dim")
    return text


class RunDetailScreen(DetailScreenshots, ChangeListener):
    SCOPE = Scope.DETAIL
    CSS_PATH = "run_detail.tcss"
    BINDINGS = bindings_for(Scope.DETAIL)

    def __init__(self, key: RunKey) -> None:
        super().__init__()
        self.key = key
        self.detail: RunDetail | None = None
        """The last detail fetched, its run always the store's (`show`, `_follow`)."""
        self._fetched: Run | None = None
        """The run as the last fetch read it (the engine puts it in the store: not a change
        that needs fetching again)."""
        self._loading = False
        self._reload = False
        self._shown_panes: tuple[str, ...] = ()
        self._initial = "steps"
        """The pane the view opened on, before its detail arrived."""
        self._children: dict[str, tuple[Text | str, ...]] = {}
        """Child run id → the cells its row shows (redrawn only where they change)."""
        self._child_order: list[str] = []
        self._step_rows: list[tuple[Text | str, ...]] = []
        self._artifacts: PaneData[Artifact] | None = None

    def current_key(self) -> RunKey | None:
        return self.key

    def current_detail(self) -> RunDetail | None:
        return self.detail

    def _row(self) -> Row | None:
        return self.qa_app.engine.store.get(self.key)

    def compose(self) -> ComposeResult:
        row = self._row()
        run = row.run if row else None
        now = self.qa_app.clock.now()
        yield Static(
            summary(run, now, bug_id=row.bug_id) if row and run else Text("…"), id="summary"
        )
        shown = self._panes(run) if run else ("steps",)
        self._initial = opening_pane(run, None, shown) if run else "steps"
        with TabbedContent(id="panes", initial=self._initial):
            with TabPane("Steps", id="steps"):
                yield NavTable(id="steps-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="steps-note", classes="unavailable")
                yield Static("", id="step-error")
                yield ScreenshotPanel(id="steps-shot")
            with TabPane("Child runs", id="children"):
                yield NavTable(id="children-table", cursor_type="row")
                yield Static("", id="children-note", classes="unavailable")
            with TabPane("Artifacts", id="artifacts"):
                yield NavTable(id="artifacts-table", cursor_type="row")
                yield Static("", id="artifacts-note", classes="unavailable")
                yield ScreenshotPanel(id="artifacts-shot")
            with TabPane("Analysis", id="analysis"), NavScroll(classes="pane-text"):
                yield Static("", id="analysis-text")
            with TabPane("Error", id="error"), NavScroll(classes="pane-text"):
                yield Static("", id="error-text")
            with TabPane("Compare", id="compare"):
                yield ComparePane(id="compare-pane")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.qa_app.engine.focus = self.key
        steps = self.query_one("#steps-table", DataTable)
        steps.add_columns("#", "STATUS", "STEP", "TIME", "ERROR")
        children = self.query_one("#children-table", DataTable)
        for label, key in zip(
            ("STATUS", "NAME", "PROGRESS", "DURATION"), CHILD_COLUMNS, strict=True
        ):
            children.add_column(label, key=key)
        artifacts = self.query_one("#artifacts-table", DataTable)
        artifacts.add_columns("KIND", "NAME", "EXPIRES", "URL")
        row = self._row()
        if row is not None:
            self._follow(row)
        self._focus_pane()
        self.load()

    def on_unmount(self) -> None:
        if self.qa_app.engine.focus == self.key:
            self.qa_app.engine.focus = None

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- the store: the run's header, its panes and its child runs, as the table has them -----

    def _panes(self, run: Run) -> tuple[str, ...]:
        return panes_for(run, self.qa_app.engine.source(run.provider).capabilities)

    def _follow(self, row: Row) -> None:
        """Show the run as the store has it now: header, which panes, child runs, error."""
        run = row.run
        self.query_one("#summary", Static).update(
            summary(run, self.qa_app.clock.now(), bug_id=row.bug_id)
        )
        self._show_panes(self._panes(run))
        self._fill_children()
        self._fill_error()
        if self.detail is not None:
            self.detail = self.detail.model_copy(update={"run": run})

    def _show_panes(self, shown: tuple[str, ...]) -> None:
        if shown == self._shown_panes:
            return
        tabs = self.query_one(TabbedContent)
        for pane in PANES:  # show first: hiding the active tab moves it to the next shown one
            if pane in shown:
                tabs.show_tab(pane)
        for pane in PANES:
            if pane not in shown:
                tabs.hide_tab(pane)
        self._shown_panes = shown
        if tabs.active not in shown:
            tabs.active = shown[0]

    def runs_changed(self, changes: Changes) -> None:
        if not self.is_mounted:  # still opening: compose reads the run as the store has it now
            return
        own = next((r for r in (*changes.added, *changes.updated) if r.key == self.key), None)
        if own is not None:
            self._follow(own)
            if own.run != self._fetched:
                self.load()  # the run moved: its steps may have too
        elif self._touches_children(changes):
            self._fill_children()

    def _touches_children(self, changes: Changes) -> bool:
        provider, run_id = self.key
        if any(key[0] == provider and key[1] in self._children for key in changes.removed):
            return True
        return any(
            row.key[0] == provider and (row.run.parent_id == run_id or row.key[1] in self._children)
            for row in (*changes.added, *changes.updated)
        )

    def _child_rows(self) -> list[Row]:
        """The run's child runs as the store has them: those naming it their parent, and those
        its provider listed under it (in the provider's order, then by start)."""
        store = self.qa_app.engine.store
        provider, run_id = self.key
        listed = [c.id for c in self.detail.children.items] if self.detail else []
        rows = {
            row.key[1]: row
            for row in store
            if row.key[0] == provider and row.run.parent_id == run_id
        }
        for child_id in listed:
            found = store.get((provider, child_id))
            if found is not None:
                rows.setdefault(child_id, found)
        place = {child_id: i for i, child_id in enumerate(listed)}

        def order(row: Row) -> tuple[int, float, str]:
            moment = row.run.started or row.run.queued
            return (
                place.get(row.key[1], len(place)),
                moment.timestamp() if moment else 0.0,
                row.key[1],
            )

        return sorted(rows.values(), key=order)

    def _child_cells(self, run: Run) -> tuple[Text | str, ...]:
        duration = render.run_duration(run, self.qa_app.clock.now())
        return (
            render.status_text(run),
            render.plain(run.name),
            render.progress_bar(run),
            render.format_duration(duration),
        )

    def _fill_children(self) -> None:
        """The Child runs pane from the store: rows added or dropped, or only the cells that
        changed redrawn."""
        run = self.current_run()
        if run is None or run.kind is not RunKind.SUITE:
            return
        table = self.query_one("#children-table", DataTable)
        rows = self._child_rows()
        order = [row.key[1] for row in rows]
        cells = {row.key[1]: self._child_cells(row.run) for row in rows}
        if order != self._child_order:
            highlighted = self._child_order[table.cursor_row] if self._child_order else None
            table.clear()
            for child_id in order:
                table.add_row(*cells[child_id], key=child_id)
            if highlighted in order:
                table.move_cursor(row=order.index(highlighted))
        else:
            for child_id in order:
                for column, old, new in zip(
                    CHILD_COLUMNS, self._children[child_id], cells[child_id], strict=True
                ):
                    if old != new:
                        table.update_cell(child_id, column, new)
        self._children, self._child_order = cells, order
        if order:
            note = ""
        elif self.detail is not None and self.detail.children.unavailable:
            note = self.detail.children.unavailable
        else:
            note = (
                "No child runs reported yet."
                if run.status.is_active
                else "This run has no child runs."
            )
        box = self.query_one("#children-note", Static)
        box.update(Text(note))
        box.display = bool(note)

    def _fill_error(self) -> None:
        run = self.current_run()
        if run is not None:
            self.query_one("#error-text", Static).update(error_text(run, self.detail))

    # --- the detail: steps, artifacts, analysis ----------------------------------------------

    def load(self) -> None:
        if self._loading:
            self._reload = True
            return
        self._loading = True
        self._fetch()

    @work(group="detail", exclusive=True, exit_on_error=False)
    async def _fetch(self) -> None:
        try:
            detail = await self.qa_app.engine.detail(self.key)
        except ProviderError as error:
            note = self.query_one("#steps-note", Static)
            note.update(Text(f"Could not load: {render.safe_lines(str(error))}"))
            note.display = True
            return
        finally:
            self._loading = False
        self._fetched = detail.run
        self.show(detail)
        if self._reload:
            self._reload = False
            self.load()

    def show(self, detail: RunDetail) -> None:
        """Fill the panes from a fetched detail; the run itself is the store's."""
        row = self._row()
        if row is not None:
            detail = detail.model_copy(update={"run": row.run})
        first, self.detail = self.detail is None, detail
        self._fill_steps(detail, first=first)
        self._fill_children()
        self._fill_artifacts(detail.artifacts)
        self._fill_analysis(detail)
        self._fill_error()
        self.screenshots_changed(detail)
        self.query_one(ComparePane).show_for(detail)
        if first:
            self._open_on(detail)

    def _open_on(self, detail: RunDetail) -> None:
        """Once the first detail is in: the pane that matters (an errored execution's error),
        unless the user has gone to another pane meanwhile."""
        tabs = self.query_one(TabbedContent)
        shown = self._shown_panes or self._panes(detail.run)
        opening = opening_pane(detail.run, detail, shown)
        if tabs.active == self._initial and opening != self._initial:
            tabs.active = opening
            self._focus_pane()

    def _focus_pane(self) -> None:
        """The active pane's table takes the keys (`j`, `k`, `enter`) from the start."""
        pane = self.query_one(TabbedContent).active
        table = {
            "steps": "#steps-table",
            "children": "#children-table",
            "artifacts": "#artifacts-table",
        }.get(pane)
        if table is not None:
            self.query_one(table, DataTable).focus()
        else:
            scroll = self.query_one(f"#{pane}").query(NavScroll)
            if scroll:
                scroll.first().focus()

    def on_tabbed_content_tab_activated(self, _: TabbedContent.TabActivated) -> None:
        """A pane shown while the focus was in the one it replaced (a pane shown by the code,
        or one that appeared): its own table takes the focus, or Textual would hand it back to
        the hidden pane's next widget and switch back. From the tab bar the focus stays there,
        so the arrows go on moving between panes."""
        if not isinstance(self.focused, Tabs):
            self._focus_pane()

    def _note(self, pane: str, data: PaneData[object], empty: str) -> None:
        note = data.unavailable or ("" if data.items else empty)
        box = self.query_one(f"#{pane}-note", Static)
        box.update(Text(note))
        box.display = bool(note)  # an empty note would still take its padding's lines

    def _fill_steps(self, detail: RunDetail, *, first: bool) -> None:
        """Every step: those reported, then those not reached; on the first fill the cursor
        goes to the failing step (else the running one, else the last with a screenshot)."""
        table = self.query_one("#steps-table", DataTable)
        steps = detail.steps.items
        lines = step_lines(detail.run, steps) if not detail.steps.unavailable else []
        rows = [step_cells(line, detail.run) for line in lines]
        if len(rows) != len(self._step_rows):
            cursor = table.cursor_row
            table.clear()
            for cells in rows:
                table.add_row(*cells)
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
        else:
            for y, (old, new) in enumerate(zip(self._step_rows, rows, strict=True)):
                for x, (was, now) in enumerate(zip(old, new, strict=True)):
                    if was != now:
                        table.update_cell_at(Coordinate(y, x), now)
        self._step_rows = rows
        if first and rows:
            target = failing_step(steps)
            if target is None:
                target = running_step(steps)
            if target is None:
                target = self.last_step_with_shot(detail)
            if target is not None:
                table.move_cursor(row=target)
        note = detail.steps.unavailable or ("" if rows else "No steps reported yet.")
        table.display = bool(rows)  # no empty header over a note saying why
        box = self.query_one("#steps-note", Static)
        box.update(Text(note))
        box.display = bool(note)
        self._show_step_error(table.cursor_row)

    def _show_step_error(self, index: int) -> None:
        box = self.query_one("#step-error", Static)
        if self.detail is None:
            return
        lines = step_lines(self.detail.run, self.detail.steps.items)
        if self.detail.steps.unavailable or not 0 <= index < len(lines):
            box.remove_class("-shown")
            return
        text = step_error(lines[index], self.detail.run, len(lines))
        box.update(text)
        box.set_class(bool(text.plain), "-shown")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "steps-table":
            self._show_step_error(event.cursor_row)
        super().on_data_table_row_highlighted(event)

    def _fill_artifacts(self, artifacts: PaneData[Artifact]) -> None:
        """Refilled only when they changed, the cursor kept on the artifact it was on."""
        if artifacts == self._artifacts:
            return
        table = self.query_one("#artifacts-table", DataTable)
        old = self._artifacts.items if self._artifacts else ()
        on = old[table.cursor_row].id if 0 <= table.cursor_row < len(old) else None
        self._artifacts = artifacts
        table.clear()
        for artifact in artifacts.items:
            expires = artifact.expires.strftime("%Y-%m-%d %H:%M") if artifact.expires else "never"
            table.add_row(
                render.plain(artifact.kind),
                render.plain(artifact.label or ""),
                expires,
                render.plain(artifact.url or ""),
                key=artifact.id,
            )
        ids = [artifact.id for artifact in artifacts.items]
        if on in ids:
            table.move_cursor(row=ids.index(on))
        self._note("artifacts", artifacts, "No artifacts.")  # type: ignore[arg-type]

    def _fill_analysis(self, detail: RunDetail) -> None:
        box = self.query_one("#analysis-text", Static)
        if detail.analysis.unavailable:
            box.update(Text(detail.analysis.unavailable, style="dim"))
            return
        if not detail.analysis.items:
            box.update(Text("No failure analysis for this run.", style="dim"))
            return
        text = Text()
        for item in detail.analysis.items:
            text.append(render.safe(item.test_name or item.test_id or "test"), style="bold")
            if item.category:
                text.append(f"  [{render.safe(item.category)}]")
            if item.confidence is not None:
                text.append(f"  confidence {item.confidence:.0%}")
            text.append("\n")
            if item.description:
                text.append_text(render.plain_lines(item.description))
                text.append("\n")
            for fix in item.fix_suggestions:
                text.append(f"  • {render.safe(fix)}\n")
            text.append("\n")
        box.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "steps-table":
            self.open_step_full(event.cursor_row)
        elif event.data_table.id == "children-table" and event.row_key.value:
            key = (self.key[0], event.row_key.value)
            if key in self.qa_app.engine.store:
                self.app.push_screen(RunDetailScreen(key))
        elif event.data_table.id == "artifacts-table" and self.detail is not None:
            artifact = next(
                (a for a in self.detail.artifacts.items if a.id == event.row_key.value), None
            )
            if artifact is None:
                return
            if artifact.kind == "logs":
                self.action_show_logs()
            elif artifact.kind == "screenshot":
                self.open_artifact_full(artifact)
            else:
                self._save_artifact(artifact)

    def _highlighted_artifact(self) -> Artifact | None:
        table = self.query_one("#artifacts-table", DataTable)
        if self.detail is None or not table.has_focus or table.row_count == 0:
            return None
        index = table.cursor_row
        items = self.detail.artifacts.items
        return items[index] if 0 <= index < len(items) else None

    def action_open_browser(self) -> None:
        """`o` on an artifact (a screenshot, a file) opens it; anywhere else, the run's page."""
        artifact = self._highlighted_artifact()
        if artifact is not None and artifact.url:
            self.open_address(artifact.url, "this artifact")
            return
        super().action_open_browser()

    @work(group="download", exit_on_error=False)
    async def _save_artifact(self, artifact: Artifact) -> None:
        run = self.current_run()
        if run is None:
            return
        source = self.qa_app.engine.source(run.provider)
        try:
            data = await fetch_artifact(source, run, artifact)
        except ProviderError as error:
            self.notify(
                f"Download failed: {provider_failure(error)}", severity="error", markup=False
            )
            return
        if data is None:
            return
        try:
            path = await asyncio.to_thread(save_artifact, data, run, artifact)
        except OSError as error:
            self.notify(f"Not saved: {error.strerror or error}", severity="error", markup=False)
            return
        self.notify(f"Saved to {path}", markup=False)
