"""`b` on an incident (the incidents view or an incident's runs): one report listing every run,
through the outbox like any other (core/history/incident_report.py)."""

from __future__ import annotations

from textual.screen import Screen

from qa_tui.core.bugs.db import ReportState
from qa_tui.core.history.incident_report import INCIDENT, incident_draft
from qa_tui.core.history.incidents import Incident
from qa_tui.ui import render
from qa_tui.ui.host import ScreenHost


def file_incident_bug(screen: Screen[None], host: ScreenHost, incident: Incident) -> None:
    """`b` on an incident: one report listing every run, through the outbox."""
    from qa_tui.ui.bugs.bug_actions import NO_TRACKER, form_for

    if host.tracker is None or host.outbox is None:
        screen.notify(NO_TRACKER, severity="warning", timeout=10, markup=False)
        return
    key = (INCIDENT, incident.id)
    filed = host.outbox.links().get(key)
    if filed:
        screen.notify(f"Bug {render.safe(filed)} was filed for this incident", markup=False)
        return
    report = host.outbox.open_report_for(key)
    if report is not None and report.state in (ReportState.PENDING, ReportState.SENDING):
        screen.notify(
            "A report for this incident is waiting to be sent (B shows the outbox)", markup=False
        )
        return
    draft = host.drafts.get(key) or (report.draft if report is not None else None)
    draft = draft or incident_draft(incident, host.bug_defaults)
    name = f"{incident.count} runs: {incident.error.splitlines()[0] if incident.error else ''}"
    screen.app.push_screen(form_for(host, key, name, draft, report))
