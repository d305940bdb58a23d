"""Incidents (`i`): failures grouped by their error's fingerprint across runs, tests and
providers, one row each: how many runs, the first and last failure, the tests, the shared
error. `enter` lists an incident's runs; `b` files one bug listing every run (through the
outbox, like any report: never lost, never filed twice); `i` or `esc` goes back.

What is shown comes from the run history (core/history): the screen reads it when opened and
again whenever the history moves, keeping the cursor on the incident it was on.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qa_tui.core.history.incident_report import INCIDENT
from qa_tui.core.history.incidents import Incident
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.bugs.incident_bug import file_incident_bug
from qa_tui.ui.host import ScreenHost, host_of
from qa_tui.ui.lists import NavTable
from qa_tui.ui.worker_failures import ForwardsWorkerFailures


def when(moment: datetime, now: datetime) -> str:
    return f"{moment.astimezone():%H:%M} ({render.relative_time(moment, now)})"


class IncidentsScreen(ForwardsWorkerFailures, Screen[None]):
    SCOPE = Scope.INCIDENTS
    CSS_PATH = "incidents.tcss"
    BINDINGS = bindings_for(Scope.INCIDENTS)

    def __init__(self) -> None:
        super().__init__()
        self.incidents: list[Incident] = []
        self._version = -1

    @property
    def host(self) -> ScreenHost:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="incidents-title")
        yield NavTable(id="incidents", cursor_type="row", zebra_stripes=True)
        yield Static("", id="incident-error")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#incidents", DataTable)
        table.add_columns("RUNS", "FIRST", "LAST", "TESTS", "ERROR", "BUG")
        self.refresh_incidents()
        table.focus()
        self.set_interval(1.0, self._follow_history)

    def _follow_history(self) -> None:
        history = self.host.engine.history
        if history is not None and history.version != self._version:
            self.refresh_incidents()

    def refresh_incidents(self) -> None:
        history = self.host.engine.history
        table = self.query_one("#incidents", DataTable)
        current = self.highlighted
        self.incidents = history.incidents() if history is not None else []
        self._version = history.version if history is not None else 0
        links = self.host.outbox.links() if self.host.outbox is not None else {}
        now = self.host.clock.now()
        table.clear()
        for incident in self.incidents:
            tests = incident.tests
            shown = render.safe(tests[0], 24) + (f" +{len(tests) - 1}" if len(tests) > 1 else "")
            table.add_row(
                Text(str(incident.count), style="bold red"),
                when(incident.first_seen, now),
                when(incident.last_seen, now),
                shown,
                render.plain(
                    render.safe(incident.error.splitlines()[0] if incident.error else "", 50)
                ),
                render.safe(links.get((INCIDENT, incident.id), "")),
                key=incident.id,
            )
        title = Text("Incidents", style="bold")
        if history is None:
            title.append("  no run history is kept ([history] enabled = false)", style="dim")
        elif not self.incidents:
            title.append("  none: no failure seen in three runs or more", style="dim")
        else:
            title.append(f"  {len(self.incidents)}: one error across many runs · enter lists them")
        self.query_one("#incidents-title", Static).update(title)
        if current is not None:
            ids = [i.id for i in self.incidents]
            if current.id in ids:
                table.move_cursor(row=ids.index(current.id))
        self._show_error()

    @property
    def highlighted(self) -> Incident | None:
        table = self.query_one("#incidents", DataTable)
        if not self.incidents or table.row_count == 0:
            return None
        return self.incidents[min(table.cursor_row, len(self.incidents) - 1)]

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_error()

    def _show_error(self) -> None:
        incident = self.highlighted
        box = self.query_one("#incident-error", Static)
        if incident is None:
            box.update("")
            return
        text = Text(f"{incident.count} runs · {', '.join(incident.providers)} · ", style="dim")
        text.append_text(render.plain_lines(incident.error))
        box.update(text)

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open_incident()

    def action_open_incident(self) -> None:
        from qa_tui.ui.history.incident_runs import IncidentRunsScreen

        incident = self.highlighted
        if incident is not None:
            self.app.push_screen(IncidentRunsScreen(incident))

    def action_close_incidents(self) -> None:
        self.app.pop_screen()

    def action_file_incident_bug(self) -> None:
        incident = self.highlighted
        if incident is not None:
            file_incident_bug(self, self.host, incident)
