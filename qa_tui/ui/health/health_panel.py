"""The health panel (`h`): every provider, its service and state, the budget it draws on and who
shares it, its requests a minute, its last success; and for the highlighted one, the reason and
the fix of a failure and what its service limits.

One row per provider, failing ones first. The table keeps to the columns the width allows (at 80
columns: provider, state, budget, requests a minute, last success); the lines under it say
everything of the highlighted provider. It is live while open: rows are redrawn each second
only where a cell changed.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from qa_tui.core.doctor.health import ProviderReport, provider_reports
from qa_tui.core.engine.advice import DOCTOR
from qa_tui.core.model import HealthState
from qa_tui.ui import render
from qa_tui.ui.health.health_line import FAILING, HEALTHY, glyph
from qa_tui.ui.host import host_of
from qa_tui.ui.lists import NavTable

COLUMNS = ("PROVIDER", "STATE", "BUDGET", "RATE", "SHARED WITH", "REQ/MIN", "LAST OK")
NARROW = ("PROVIDER", "STATE", "BUDGET", "REQ/MIN", "LAST OK")
WIDE_FROM = 110
"""Every column from this width; below it, `NARROW`."""


def _order(report: ProviderReport) -> int:
    if report.state in FAILING:
        return FAILING.index(report.state)
    return len(FAILING) + (0 if report.state not in HEALTHY else 1)


def cells(report: ProviderReport, columns: tuple[str, ...], now: datetime) -> list[Text]:
    style = render.HEALTH_STYLES[report.state]
    values = {
        "PROVIDER": Text(render.safe(report.name, 16)).append(f"·{report.service}", style="dim"),
        "STATE": Text(f"{glyph(report.state)} {report.state.value}", style=style),
        "BUDGET": Text(render.safe(report.budget_short, 22)),
        "RATE": Text(report.rate.replace(" a minute", "/min").replace(" an hour", "/h")),
        "SHARED WITH": Text(render.safe(", ".join(report.shares_with) or "-", 24)),
        "REQ/MIN": Text(str(report.requests_last_minute), justify="right"),
        "LAST OK": Text(render.relative_time(report.last_success, now) or "-"),
    }
    return [values[column] for column in columns]


def details(report: ProviderReport, now: datetime) -> Text:
    """Everything of one provider: state and reason, the fix, its budget and who shares it."""
    style = render.HEALTH_STYLES[report.state]
    text = Text().append(render.safe(report.name), style="bold")
    text.append(f" · {report.service} · ")
    text.append(f"{glyph(report.state)} {report.state.value}", style=style)
    if report.message:
        text.append(f": {render.safe(report.message, 200)}")
    if report.last_success is not None and report.state is not HealthState.OK:
        text.append(
            f" (last success {render.relative_time(report.last_success, now)})", style="dim"
        )
    if report.advice is not None:
        text.append("\nFix: ", style="bold")
        if report.advice.key is not None:
            text.append(f"check {report.advice.key} of provider {render.safe(report.name)}; ")
        text.append(report.advice.hint)
        if DOCTOR not in report.advice.hint:
            text.append(f"; {DOCTOR} checks every provider", style="dim")
    text.append("\nBudget: ", style="bold")
    text.append(f"{render.safe(report.budget)}: {report.rate}")
    if report.shares_with:
        others = ", ".join(render.safe(name) for name in report.shares_with)
        text.append(f", shared with {others} (a Retry-After any of them meets holds them all)")
    else:
        text.append(", its own")
    text.append(f". {report.limited}.", style="dim")
    paused = (
        f"; waiting {report.paused_for:.0f} s, as the service asked" if report.paused_for else ""
    )
    count = report.requests_last_minute
    text.append(f"\n{count} request{'s' * (count != 1)} in the last minute{paused}.")
    return text


class HealthScreen(ModalScreen[None]):
    """Every provider's health and budget; `esc`, `h` or `q` closes it."""

    CSS_PATH = "health_panel.tcss"
    BINDINGS = [
        Binding("escape,h,q", "dismiss", "Close", id="health.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._columns: tuple[str, ...] = ()
        self._shown: dict[str, list[Text]] = {}
        self._order: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield Static(id="title")
            yield NavTable(cursor_type="row", zebra_stripes=False, id="providers")
            yield Static(id="details")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_reports()
        self.set_interval(1.0, self.refresh_reports)

    def on_resize(self, _: events.Resize) -> None:
        self.refresh_reports()

    def reports(self) -> list[ProviderReport]:
        host = host_of(self.app)
        return sorted(provider_reports(host.engine.sources, host.provider_health), key=_order)

    def refresh_reports(self) -> None:
        """Lay the table out for the width, and redraw only the cells that changed."""
        table = self.query_one(DataTable)
        moment = host_of(self.app).clock.now()
        reports = self.reports()
        columns = COLUMNS if self.size.width >= WIDE_FROM else NARROW
        order = [r.name for r in reports]
        if columns != self._columns or order != self._order:
            selected = self._order[table.cursor_row] if self._order and table.row_count else None
            table.clear(columns=True)
            for column in columns:
                table.add_column(column, key=column)
            for report in reports:
                table.add_row(*cells(report, columns, moment), key=report.name)
            self._columns, self._order = columns, order
            self._shown = {r.name: cells(r, columns, moment) for r in reports}
            if selected in order:
                table.move_cursor(row=order.index(selected))
        else:
            for report in reports:
                fresh = cells(report, columns, moment)
                for column, old, new in zip(columns, self._shown[report.name], fresh, strict=True):
                    if old != new:
                        table.update_cell(report.name, column, new)
                self._shown[report.name] = fresh
        failing = sum(1 for r in reports if r.state in FAILING)
        title = Text().append("Provider health", style="bold")
        title.append(f"  {len(reports)} providers · {failing} failing · esc closes", style="dim")
        self.query_one("#title", Static).update(title)
        self._show_details(reports, moment)

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.refresh_reports()

    def _show_details(self, reports: list[ProviderReport], now: datetime) -> None:
        table = self.query_one(DataTable)
        if not reports or table.cursor_row >= len(reports):
            return
        report = reports[table.cursor_row]
        self.query_one("#details", Static).update(details(report, now))
