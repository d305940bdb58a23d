"""The header's count of bug reports still on their way follows the outbox's change reports."""

from __future__ import annotations

from dataclasses import replace

from qa_tui.core.bugs.db import Report, ReportState
from qa_tui.core.bugs.tally import DISCARDED, OpenReports
from qa_tui.core.providers.bugnet import BugDraft


def _report(ref: str, state: ReportState = ReportState.PENDING) -> Report:
    draft = BugDraft(title=f"bug {ref}", description="it broke")
    return Report(ref=ref, draft=draft, state=state, created=0.0)


def test_reports_are_counted_as_sending_until_bugnet_has_them() -> None:
    tally = OpenReports([_report("a"), _report("b", ReportState.SENDING)])
    assert (tally.sending, tally.need_the_user) == (2, 0)
    tally.changed(replace(_report("a"), state=ReportState.FILED, bug_id="BUG-1"))
    assert (tally.sending, tally.need_the_user) == (1, 0)


def test_a_refused_or_stuck_report_needs_the_user_until_it_is_sent_again() -> None:
    tally = OpenReports()
    tally.changed(_report("a", ReportState.FAILED))
    tally.changed(_report("b", ReportState.NEEDS_ATTENTION))
    assert (tally.sending, tally.need_the_user) == (0, 2)
    tally.changed(_report("a", ReportState.PENDING))  # edited and sent again
    assert (tally.sending, tally.need_the_user) == (1, 1)


def test_a_discarded_report_is_no_longer_counted() -> None:
    tally = OpenReports([_report("a", ReportState.FAILED)])
    tally.changed(replace(_report("a"), state=ReportState.FAILED, last_error=DISCARDED))
    assert (tally.sending, tally.need_the_user) == (0, 0)
