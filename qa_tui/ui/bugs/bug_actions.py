"""`b` on a run: decide what the bug form opens with, fetching the run's detail when needed.

What the form starts from, in order: the draft the user left with `esc`; the report for this run
still in the outbox (refused or stuck: the form then edits it); a fresh draft built by core
triage from the run and its detail (steps, artifacts, analysis). A report still waiting to be
sent is not opened twice: `b` says so and points at the outbox.
"""

from __future__ import annotations

from textual.widget import Widget

from qa_tui.core.bugs.db import Report, ReportState
from qa_tui.core.bugs.triage import build_draft, can_file
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Run, RunDetail
from qa_tui.core.providers.bugnet import BugDraft
from qa_tui.core.runs.store import RunKey
from qa_tui.ui import render
from qa_tui.ui.bugs.file_bug import BugRequest, FileBugScreen
from qa_tui.ui.host import ScreenHost

NO_TRACKER = (
    "No bug tracker is configured. Add a [tracker] table to the config file "
    '(see config.example.toml): kind = "bugnet", base_url, project, and a token, '
    "email + password, or api_key. Then restart qa-tui."
)


def start_filing(
    screen: Widget, host: ScreenHost, key: RunKey | None, detail: RunDetail | None
) -> None:
    """Open the bug form for the run `key` (from the dashboard or the detail view)."""
    row = host.engine.store.get(key) if key is not None else None
    if row is None or key is None:
        return
    run = row.run
    if host.tracker is None or host.outbox is None:
        screen.notify(NO_TRACKER, severity="warning", timeout=10, markup=False)
        return
    if not can_file(run):
        screen.notify(
            f"b files a bug for a failed or errored run; this one is {render.status_word(run)}",
            markup=False,
        )
        return
    report = host.outbox.open_report_for(key)
    if report is not None and report.state in (ReportState.PENDING, ReportState.SENDING):
        screen.notify(
            "A report for this run is waiting to be sent (B shows the outbox)", markup=False
        )
        return
    kept = host.drafts.get(key)
    if kept is not None or report is not None:
        draft = kept if kept is not None else report.draft if report is not None else None
        assert draft is not None
        screen.app.push_screen(form_for(host, key, run.name, draft, report))
        return
    if detail is not None and detail.run.key == key:
        draft = build_draft(run, detail, host.bug_defaults)
        screen.app.push_screen(form_for(host, key, run.name, draft, None))
        return
    screen.notify("Preparing the bug report…", timeout=2)
    screen.run_worker(
        _prepare(screen, host, run), group="bugs", exclusive=True, exit_on_error=False
    )


async def _prepare(screen: Widget, host: ScreenHost, run: Run) -> None:
    """Fetch the run's detail (steps, links, analysis), then open the prefilled form."""
    detail: RunDetail | None = None
    try:
        detail = await host.engine.detail(run.key)
    except (ProviderError, KeyError) as error:
        screen.notify(
            f"Could not load the run's steps ({error}): the report has what the table knows",
            severity="warning",
            markup=False,
        )
    current = detail.run if detail is not None else run
    draft = build_draft(current, detail, host.bug_defaults)
    screen.app.push_screen(form_for(host, run.key, current.name, draft, None))


def form_for(
    host: ScreenHost, key: RunKey, name: str, draft: BugDraft, report: Report | None
) -> FileBugScreen:
    """The bug form for one run; with `report`, it edits that outbox report (same reference)."""
    assert host.tracker is not None and host.outbox is not None
    request = BugRequest(
        run_key=key,
        run_name=report.run_name if report is not None and report.run_name else name,
        draft=draft,
        tracker=host.tracker,
        outbox=host.outbox,
        drafts=host.drafts,
        ref=report.ref if report is not None else None,
    )
    return FileBugScreen(request)
