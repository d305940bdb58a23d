"""One incident's runs (enter on an incident): every run it failed, oldest first, with its test,
target, time, failing step and error. `enter` opens a run the table holds; `b` files the
incident's one bug from here too; `esc` goes back to the incidents."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qa_tui.core.history.incidents import Incident
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.bugs.incident_bug import file_incident_bug
from qa_tui.ui.host import ScreenHost, host_of
from qa_tui.ui.lists import NavTable
from qa_tui.ui.worker_failures import ForwardsWorkerFailures


class IncidentRunsScreen(ForwardsWorkerFailures, Screen[None]):
    SCOPE = Scope.INCIDENTS
    CSS_PATH = "incident_runs.tcss"
    BINDINGS = bindings_for(Scope.INCIDENTS)

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    @property
    def host(self) -> ScreenHost:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        incident = self.incident
        title = Text(f"Incident · {incident.count} runs · ", style="bold")
        title.append_text(render.plain(incident.error.splitlines()[0] if incident.error else ""))
        yield Static(title, id="incident-title")
        yield NavTable(id="incident-runs", cursor_type="row", zebra_stripes=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#incident-runs", DataTable)
        table.add_columns("STATUS", "PROVIDER", "TEST", "TARGET", "ENDED", "STEP", "ERROR")
        for r in self.incident.results:
            table.add_row(
                Text(
                    f"{render.STATUS_GLYPHS[r.status]} {r.status.value}",
                    style=render.STATUS_STYLES[r.status],
                ),
                render.plain(r.provider),
                render.plain(render.safe(r.name, 40)),
                render.plain(render.safe(r.target, 20)),
                f"{r.ended_at.astimezone():%H:%M:%S}",
                render.plain(render.safe(r.failed_step or "", 24)),
                render.plain(render.safe((r.error or "").splitlines()[0] if r.error else "", 60)),
                key=f"{r.provider}\x00{r.run_id}",
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_incident()

    def action_open_incident(self) -> None:
        from qa_tui.ui.detail.run_detail import RunDetailScreen

        table = self.query_one("#incident-runs", DataTable)
        if not self.incident.results:
            return
        result = self.incident.results[min(table.cursor_row, len(self.incident.results) - 1)]
        if result.key in self.host.engine.store:
            self.app.push_screen(RunDetailScreen(result.key))
        else:
            self.notify(
                f"Run {render.safe(result.run_id, 40)} is older than the table keeps", markup=False
            )

    def action_file_incident_bug(self) -> None:
        file_incident_bug(self, self.host, self.incident)

    def action_close_incidents(self) -> None:
        self.app.pop_screen()
