"""The outbox: bug reports not filed yet, with why, and retry / edit / discard.

It reads the outbox (core) when opened and whenever the app hears a report changed; it never
sends anything itself: retry hands the report back to the outbox's background loop, edit opens
the bug form on it. A report that may already be in Bugnet but cannot be looked up (public API
key only) is sent again only after the user confirms.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from qa_tui.core.bugs.db import Report, ReportState
from qa_tui.core.bugs.outbox import Outbox, OutboxError
from qa_tui.core.clock import Clock
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.lists import NavTable
from qa_tui.ui.worker_failures import ForwardsWorkerFailures

STATE_STYLES = {
    ReportState.PENDING: "yellow",
    ReportState.SENDING: "cyan",
    ReportState.FAILED: "red bold",
    ReportState.NEEDS_ATTENTION: "magenta bold",
    ReportState.FILED: "green",
}


class OutboxScreen(ForwardsWorkerFailures, ModalScreen[None]):
    SCOPE = Scope.OUTBOX
    CSS_PATH = "outbox.tcss"
    BINDINGS = bindings_for(Scope.OUTBOX)

    def __init__(self, outbox: Outbox, clock: Clock, edit: Callable[[Report], None]) -> None:
        super().__init__()
        self.outbox = outbox
        self.clock = clock
        self.edit = edit
        self.reports: list[Report] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Outbox", id="outbox-title")
            yield NavTable(id="reports", cursor_type="row", zebra_stripes=True)
            yield Static("", id="reason")
            yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#reports", DataTable)
        table.add_columns("STATE", "SINCE", "TRIES", "RUN", "TITLE")
        self.refresh_reports()
        table.focus()
        self.set_interval(1.0, self._show_reason)  # "sent in 42s" counts down

    def refresh_reports(self) -> None:
        """Read the outbox again; the cursor stays on the report it was on."""
        table = self.query_one("#reports", DataTable)
        current = self.highlighted
        self.reports = self.outbox.open_reports()
        table.clear()
        now = self.clock.now()
        for report in self.reports:
            kind = "comment" if report.is_comment else "bug"
            table.add_row(
                Text(report.state.value, style=STATE_STYLES[report.state]),
                render.relative_time(datetime.fromtimestamp(report.created, UTC), now),
                str(report.attempts),
                render.plain(report.run_name or "", "dim"),
                Text(f"{kind}: ").append_text(render.plain(report.draft.title)),
                key=report.ref,
            )
        if current is not None:
            index = next((i for i, r in enumerate(self.reports) if r.ref == current.ref), 0)
            table.move_cursor(row=index)
        count = len(self.reports)
        title = f"Outbox: {count} report{'s' if count != 1 else ''} not filed yet"
        if not count:
            title = "Outbox: empty, every report was filed"
        self.query_one("#outbox-title", Static).update(Text(title))
        self._show_reason()

    @property
    def highlighted(self) -> Report | None:
        if not self.is_mounted or not self.reports:
            return None
        row = self.query_one("#reports", DataTable).cursor_row
        return self.reports[row] if 0 <= row < len(self.reports) else None

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_reason()

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_edit_report()

    def _show_reason(self) -> None:
        report = self.highlighted
        text = Text()
        if report is not None:
            text.append(_explain(report, self.clock.now().timestamp()), style="bold")
            if report.last_error:
                text.append("\n").append_text(render.plain(report.last_error))
        self.query_one("#reason", Static).update(text)

    def action_retry_report(self) -> None:
        report = self.highlighted
        if report is None:
            return
        try:
            self.outbox.retry(report.ref)
        except OutboxError as error:
            if report.unconfirmed and not self.outbox.tracker.can_read:
                question = Text(f"{render.safe(str(error))}\n\nSend it again anyway?")
                self.app.push_screen(
                    ConfirmScreen(question, yes="Send again"),
                    lambda yes: self._resend(report) if yes else None,
                )
                return
            self.notify(str(error), severity="warning", markup=False)
            return
        self.notify("Sending it again", timeout=2)
        self.refresh_reports()

    def _resend(self, report: Report) -> None:
        try:
            self.outbox.retry(report.ref, resend_unconfirmed=True)
        except OutboxError as error:
            self.notify(str(error), severity="warning", markup=False)
        self.refresh_reports()

    def action_edit_report(self) -> None:
        report = self.highlighted
        if report is None:
            return
        if report.state is ReportState.SENDING:
            self.notify("This report is being sent right now", markup=False)
            return
        self.edit(report)

    def action_discard_report(self) -> None:
        report = self.highlighted
        if report is None:
            return
        question = Text("Discard this report? It will not be filed.\n\n")
        question.append_text(render.plain(report.draft.title))
        self.app.push_screen(
            ConfirmScreen(question, yes="Discard"),
            lambda yes: self._discard(report) if yes else None,
        )

    def _discard(self, report: Report) -> None:
        if not self.outbox.discard(report.ref):
            self.notify("It is being sent right now: try again in a moment", markup=False)
        self.refresh_reports()

    def action_close_outbox(self) -> None:
        self.dismiss(None)


def _explain(report: Report, now: float) -> str:
    """One line on where the report stands and what the user can do."""
    if report.state is ReportState.FAILED:
        return "Bugnet refused it: edit it (e) and file it again, or discard it (d)."
    if report.state is ReportState.NEEDS_ATTENTION:
        return (
            "It will not be retried on its own: retry (r) once the cause is fixed, or discard (d)."
        )
    if report.state is ReportState.SENDING:
        return "Being sent now."
    when = render.format_duration(max(0.0, report.next_attempt - now)) or "0s"
    if report.unconfirmed:
        return f"Bugnet may have it already: it is looked up in {when}, then sent if not (r: now)."
    return f"Waiting: it is sent in {when} (r: now)."
