"""How many bug reports are still on their way, for the header: kept from the outbox's change
reports (one read when the app opens), so drawing it never reads the outbox's database."""

from __future__ import annotations

from collections.abc import Iterable

from qa_tui.core.bugs.db import Report, ReportState

DISCARDED = "discarded"
"""The `last_error` of the change report the outbox sends for a report the user discarded."""

_WAITING = (ReportState.PENDING, ReportState.SENDING)
_NEED_THE_USER = (ReportState.FAILED, ReportState.NEEDS_ATTENTION)


class OpenReports:
    """Reports not filed yet: those the outbox is still sending, and those waiting for the user."""

    def __init__(self, reports: Iterable[Report] = ()) -> None:
        self._states = {report.ref: report.state for report in reports}

    def changed(self, report: Report) -> None:
        if report.state is ReportState.FILED or report.last_error == DISCARDED:
            self._states.pop(report.ref, None)
        else:
            self._states[report.ref] = report.state

    @property
    def sending(self) -> int:
        """Pending or being sent: the outbox will get them to Bugnet on its own."""
        return sum(state in _WAITING for state in self._states.values())

    @property
    def need_the_user(self) -> int:
        """Refused by Bugnet, or stuck (credentials, a possible duplicate): `B` to act on them."""
        return sum(state in _NEED_THE_USER for state in self._states.values())
