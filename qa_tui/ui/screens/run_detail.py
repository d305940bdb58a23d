"""One run, in depth: summary, then panes for steps, child runs, artifacts, analysis and error.

The detail is fetched in a worker through the engine (which also polls this run every cycle while
it is open); when the store says the run changed, the detail is fetched again, so steps advance
live. A pane the provider cannot fill says why instead of staying blank.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from qa_tui.core.artifacts import fetch_artifact, save_artifact
from qa_tui.core.error_words import provider_failure
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Artifact, PaneData, Run, RunDetail, RunKind
from qa_tui.core.store import Changes, RunKey
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.host import ChangeListener
from qa_tui.ui.screens.detail_screenshots import DetailScreenshots
from qa_tui.ui.widgets.compare_pane import ComparePane
from qa_tui.ui.widgets.screenshot import ScreenshotPanel


def summary(run: Run, now_text: str = "", *, bug_id: str | None = None) -> Text:
    """The header block: name, status, provider, progress, times, URL, the bug filed for it."""
    text = Text()
    text.append_text(render.status_text(run))
    text.append("  ")
    text.append(render.safe(run.name), style="bold")
    text.append(f"\n{render.safe(run.provider)} · {run.kind.value}")
    if run.progress is not None:
        text.append(f" · {render.progress_bar(run, 16)}")
    if run.duration_s is not None:
        text.append(f" · {render.format_duration(run.duration_s)}")
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


class RunDetailScreen(DetailScreenshots, ChangeListener):
    SCOPE = Scope.DETAIL
    DEFAULT_CSS = """
    RunDetailScreen #summary { height: auto; max-height: 6; padding: 0 1; background: $panel; }
    RunDetailScreen TabbedContent { height: 1fr; }
    RunDetailScreen .unavailable { color: $text-muted; padding: 1 2; }
    RunDetailScreen #error-text, RunDetailScreen #analysis-text { padding: 0 1; }
    """
    BINDINGS = bindings_for(Scope.DETAIL)

    def __init__(self, key: RunKey) -> None:
        super().__init__()
        self.key = key
        self.detail: RunDetail | None = None
        self._loading = False
        self._reload = False

    def current_key(self) -> RunKey | None:
        return self.key

    def current_detail(self) -> RunDetail | None:
        return self.detail

    def _bug_id(self) -> str | None:
        row = self.qa_app.engine.store.get(self.key)
        return row.bug_id if row else None

    def compose(self) -> ComposeResult:
        run = self.current_run()
        yield Static(summary(run, bug_id=self._bug_id()) if run else Text("…"), id="summary")
        suite = run is not None and run.kind is RunKind.SUITE  # its steps are its test runs
        with TabbedContent(id="panes", initial="children" if suite else "steps"):
            with TabPane("Steps", id="steps"):
                yield DataTable(id="steps-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="steps-note", classes="unavailable")
                yield ScreenshotPanel(id="steps-shot")
            with TabPane("Child runs", id="children"):
                yield DataTable(id="children-table", cursor_type="row")
                yield Static("", id="children-note", classes="unavailable")
            with TabPane("Artifacts", id="artifacts"):
                yield DataTable(id="artifacts-table", cursor_type="row")
                yield Static("", id="artifacts-note", classes="unavailable")
                yield ScreenshotPanel(id="artifacts-shot")
            with TabPane("Analysis", id="analysis"):
                yield Static("", id="analysis-text")
            with TabPane("Error", id="error"):
                yield Static("", id="error-text")
            with TabPane("Compare", id="compare"):
                yield ComparePane(id="compare-pane")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.qa_app.engine.focus = self.key
        steps = self.query_one("#steps-table", DataTable)
        steps.add_columns("#", "STATUS", "STEP", "TIME", "ERROR")
        children = self.query_one("#children-table", DataTable)
        children.add_columns("STATUS", "NAME", "PROGRESS", "DURATION")
        artifacts = self.query_one("#artifacts-table", DataTable)
        artifacts.add_columns("KIND", "NAME", "EXPIRES", "URL")
        self.load()

    def on_unmount(self) -> None:
        if self.qa_app.engine.focus == self.key:
            self.qa_app.engine.focus = None

    def action_back(self) -> None:
        self.app.pop_screen()

    def runs_changed(self, changes: Changes) -> None:
        if not self.is_mounted:  # still opening: compose reads the run as the store has it now
            return
        row = next((r for r in (*changes.added, *changes.updated) if r.key == self.key), None)
        if row is None:
            return
        self.query_one("#summary", Static).update(summary(row.run, bug_id=row.bug_id))
        if self.detail is not None and row.run == self.detail.run:
            return  # our own fetch put this in the store: nothing new to fetch
        self.load()

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
        self.show(detail)
        if self._reload:
            self._reload = False
            self.load()

    def show(self, detail: RunDetail) -> None:
        first, self.detail = self.detail is None, detail
        self.query_one("#summary", Static).update(summary(detail.run, bug_id=self._bug_id()))
        self._fill_steps(detail)
        self._fill_children(detail)
        self._fill_artifacts(detail.artifacts)
        self._fill_analysis(detail)
        self.screenshots_changed(detail, first=first)
        self.query_one(ComparePane).show_for(detail)
        error = detail.run.error
        self.query_one("#error-text", Static).update(
            render.plain_lines(error) if error else Text("No error reported.", style="dim")
        )

    def _note(self, pane: str, data: PaneData[object], empty: str) -> None:
        note = data.unavailable or ("" if data.items else empty)
        box = self.query_one(f"#{pane}-note", Static)
        box.update(Text(note))
        box.display = bool(note)  # an empty note would still take its padding's lines

    def _fill_steps(self, detail: RunDetail) -> None:
        table = self.query_one("#steps-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for step in detail.steps.items:
            table.add_row(
                str(step.index + 1),
                Text(
                    f"{render.STATUS_GLYPHS[step.status]} {render.safe(step.provider_status)}",
                    style=render.STATUS_STYLES[step.status],
                ),
                render.plain(step.name),
                step_time(step.duration_s),
                render.plain(step.error or ""),
            )
        if detail.steps.items:
            table.move_cursor(row=min(cursor, len(detail.steps.items) - 1))
        self._note("steps", detail.steps, "No steps reported yet.")  # type: ignore[arg-type]

    def _fill_children(self, detail: RunDetail) -> None:
        table = self.query_one("#children-table", DataTable)
        table.clear()
        for child in detail.children.items:
            table.add_row(
                render.status_text(child),
                render.plain(child.name),
                render.progress_bar(child),
                render.format_duration(child.duration_s),
                key=child.id,
            )
        self._note("children", detail.children, "This run has no child runs.")  # type: ignore[arg-type]

    def _fill_artifacts(self, artifacts: PaneData[Artifact]) -> None:
        table = self.query_one("#artifacts-table", DataTable)
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
            self.app.open_url(artifact.url)
            self.notify(f"Opening {render.safe(artifact.url, 70)}", markup=False)
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
