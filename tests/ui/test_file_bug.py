"""Filing a bug from a failed run, on the real simulator: what the user sees and what Bugnet gets.

The app, engine, Bugnet client and outbox are the ones `qa-tui demo` builds (tests/support/
sim_bugs.py); the assertions read the simulated Bugnet's own state. Every wait is on something the
user would see or on the simulator's state, never a sleep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from qa_tui.core.bugs.db import ReportState
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.providers.bugnet import reference_line
from qa_tui.core.runs.store import RunKey
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.bugs.file_bug import FileBugScreen
from qa_tui.ui.bugs.outbox import OutboxScreen
from qa_tui.ui.bugs.similar_bugs import SimilarPrompt, SimilarTable
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_bugs import BugDesk, build_desk
from tests.support.sim_monitor import first_key

WIDE = (150, 40)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[BugDesk]:
    built = build_desk(tmp_path)
    yield built
    await built.aclose()


class Toasts:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.texts.append(message.notification.message)

    def any(self, words: str) -> bool:
        return any(words in text for text in self.texts)


async def _failed_web_test(pilot: Pilot[int], app: QaTuiApp) -> Run:
    """Wait for the table, then put the cursor on the first failed BugBug test run."""
    table = app.query_one(RunsTable)

    def failed() -> RunKey | None:
        return first_key(app, status="failed", provider="web", kind="test")

    await wait_until(pilot, lambda: failed() is not None, what="a failed BugBug test")
    key = failed()
    assert key is not None
    table.move_cursor_to(key)
    return table.rows[key].run


async def _open_form(pilot: Pilot[int], app: QaTuiApp) -> FileBugScreen:
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="the bug form")
    form = app.screen
    assert isinstance(form, FileBugScreen)
    title = form.query_one("#similar-title", Static)
    await wait_until(pilot, lambda: "Looking" not in widget_text(title), what="similar search")
    return form


def _row_bug(app: QaTuiApp, key: RunKey) -> str | None:
    return app.dashboard.table.rows[key].bug_id


async def test_b_on_a_failed_run_opens_the_form_prefilled_and_ctrl_s_files_it_in_bugnet(
    desk: BugDesk,
) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        run = await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)

        title = form.query_one("#title", Input).value
        assert title == f"[web] {run.name}: {run.error}"
        description = form.query_one("#description", TextArea).text
        assert run.url and f"Run: {run.url}" in description
        assert "Provider: web (bugbug), test" in description
        assert "Environment: Chrome" in description
        assert "Screenshots:" in description and "Artifacts:" in description
        steps = form.query_one("#steps-to-reproduce", TextArea).text
        assert steps.startswith(f"1. Run the test “{run.name}” on web") and "→ failed" in steps
        assert form.query_one("#actual", TextArea).text.endswith(str(run.error))

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="the form closes")
        filed = desk.bugs_titled(title)
        assert len(filed) == 1
        bug = filed[0]
        assert (bug.source, bug.category, bug.priority) == ("dashboard", "other", "medium")
        assert f"Run: {run.url}" in bug.description
        assert "→ failed" in bug.steps_to_reproduce
        await wait_until(pilot, lambda: _row_bug(app, run.key) == bug.id, what="the row's bug")
        assert bug.id[:8] in widget_text(app.query_one(RunsTable))

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        summary = app.screen.query_one("#summary", Static)
        await wait_until(pilot, lambda: f"bug {bug.id}" in widget_text(summary))


async def test_filing_the_same_failure_again_offers_the_existing_bug_first(desk: BugDesk) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        run = await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        title = form.query_one("#title", Input).value
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(desk.bugs_titled(title)) == 1, what="the first bug")
        bug = desk.bugs_titled(title)[0]
        await wait_until(pilot, lambda: app.screen is app.dashboard)

        form = await _open_form(pilot, app)
        similar = form.query_one("#similar", SimilarTable)
        assert similar.found[0].bug_id == bug.id and similar.found[0].filed_here
        assert "filed here" in widget_text(similar)

        await pilot.press("ctrl+s")  # a new bug? it asks first, offering the existing one
        await wait_until(pilot, lambda: isinstance(app.screen, SimilarPrompt), what="the question")
        assert bug.id in str(app.screen.query_one("#question", Static).render())
        await pilot.press("c")
        await wait_until(pilot, lambda: len(bug.comments) == 1, what="the comment in Bugnet")
        assert bug.comments[0]["body"].startswith(f"Seen again: {title}")
        assert len(desk.bugs_titled(title)) == 1
        await wait_until(pilot, lambda: app.screen is app.dashboard)
        assert _row_bug(app, run.key) == bug.id


async def test_c_on_a_similar_bug_adds_the_failure_to_it(desk: BugDesk) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        title = form.query_one("#title", Input).value
        existing = desk.monitor.sim.bugnet.add_bug(
            title, "Seen before.", "ui", "high", reporter=None, source="dashboard", at=0.0
        )
        form._search_similar()  # the user reopened after someone filed it elsewhere
        similar = form.query_one("#similar", SimilarTable)
        await wait_until(pilot, lambda: bool(similar.found), what="the similar bug")
        assert similar.found[0].bug_id == existing.id and similar.found[0].score == 1.0
        similar.focus()
        await pilot.press("c")
        await wait_until(pilot, lambda: len(existing.comments) == 1, what="the comment")
        assert len(desk.bugs_titled(title)) == 1


async def test_a_400_shows_bugnets_text_on_the_form_and_keeps_the_draft(desk: BugDesk) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        title = form.query_one("#title", Input).value
        platform = form.query_one("#platform", Input)
        platform.value = "Chrome 126 on a very long device description, Linux x86_64"

        await pilot.press("ctrl+s")
        error = form.query_one("#form-error", Static)
        await wait_until(pilot, lambda: "Bugnet refused" in widget_text(error), what="the 400")
        assert "platform must be at most 50 characters" in widget_text(error)
        assert app.screen is form
        assert form.query_one("#title", Input).value == title
        assert platform.value.startswith("Chrome 126 on a very long")
        assert desk.bugs_titled(title) == []

        platform.value = "Chrome 126 · Linux"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(desk.bugs_titled(title)) == 1, what="filed")
        assert desk.outbox is not None and desk.outbox.open_reports() == []
        assert reference_line(form.ref or "") in desk.bugs_titled(title)[0].description


async def test_what_core_validation_refuses_shows_on_the_form_and_nothing_is_sent(
    desk: BugDesk,
) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        form.query_one("#title", Input).value = "   "
        await pilot.press("ctrl+s")
        error = form.query_one("#form-error", Static)
        await wait_until(pilot, lambda: "Title: a title is required" in widget_text(error))
        assert form.query_one("#title", Input).has_class("-invalid")
        assert desk.outbox is not None and desk.outbox.open_reports() == []
        assert desk.wire.posts("/bugs") == 0


async def test_esc_keeps_the_draft_and_b_opens_it_again(desk: BugDesk) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        form.query_one("#title", Input).value = "Checkout: my own words"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.dashboard)

        form = await _open_form(pilot, app)
        assert form.query_one("#title", Input).value == "Checkout: my own words"
        assert desk.wire.posts("/bugs") == 0


async def test_with_bugnet_down_the_report_waits_in_the_outbox_and_files_once_it_is_back(
    desk: BugDesk,
) -> None:
    app = desk.app
    toasts = Toasts()
    async with app.run_test(size=WIDE, message_hook=toasts.hook) as pilot:
        run = await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        title = form.query_one("#title", Input).value
        desk.monitor.faults.set("bugnet", down=True)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="the form closes")
        [waiting] = [t for t in toasts.texts if "waits in the outbox" in t]
        assert waiting.startswith(  # in words: no exception's name, no address
            "Not filed yet: the connection to Bugnet broke before its answer came. The report "
            "waits in the outbox"
        ), waiting

        await pilot.press("B")
        await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")
        outbox_screen = app.screen
        assert isinstance(outbox_screen, OutboxScreen)
        assert [r.draft.title for r in outbox_screen.reports] == [title]
        reason = outbox_screen.query_one("#reason", Static)
        assert "the connection to Bugnet broke before its answer came" in widget_text(reason)

        desk.monitor.faults.clear("bugnet")
        await wait_until(
            pilot,
            lambda: outbox_screen.reports[0].state is not ReportState.SENDING,
            what="the background attempt to end",
        )
        await pilot.press("r")
        await wait_until(pilot, lambda: len(desk.bugs_titled(title)) == 1, what="filed")
        await wait_until(pilot, lambda: outbox_screen.reports == [], what="an empty outbox")
        assert toasts.any("Filed bug")
        await pilot.press("escape")
        await wait_until(pilot, lambda: _row_bug(app, run.key) is not None)
        assert len(desk.bugs_titled(title)) == 1


async def test_a_bug_for_an_errored_run_opens_with_a_sentence_that_reads_as_one(
    desk: BugDesk,
) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: first_key(app, status="error") is not None, what="error")
        key = first_key(app, status="error")
        assert key is not None
        app.query_one(RunsTable).move_cursor_to(key)
        run = app.query_one(RunsTable).rows[key].run
        form = await _open_form(pilot, app)
        description = form.query_one("#description", TextArea).text
        kind = {"test": "test", "suite": "suite", "execution": "test plan execution"}[run.kind]
        first = f"The {kind} “{run.name}” ended with an error on {run.provider}."
        assert description.splitlines()[0] == first, description


async def test_after_a_restart_the_row_still_shows_its_bug(tmp_path: Path) -> None:
    first = build_desk(tmp_path)
    try:
        async with first.app.run_test(size=WIDE) as pilot:
            run = await _failed_web_test(pilot, first.app)
            await _open_form(pilot, first.app)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: _row_bug(first.app, run.key) is not None)
            bug_id = _row_bug(first.app, run.key)
    finally:
        await first.aclose()

    again = build_desk(tmp_path)  # the same outbox file; the same seeded world
    try:
        async with again.app.run_test(size=(90, 30)) as pilot:
            table = again.app.query_one(RunsTable)
            await wait_until(pilot, lambda: run.key in table.rows)
            assert _row_bug(again.app, run.key) == bug_id
            table.move_cursor_to(run.key)
            await wait_until(pilot, lambda: f"bug {str(bug_id)[:8]}" in widget_text(table))
    finally:
        await again.aclose()


async def test_without_a_tracker_b_says_how_to_configure_one(tmp_path: Path) -> None:
    desk = build_desk(tmp_path, tracker=False)
    toasts = Toasts()
    try:
        async with desk.app.run_test(size=WIDE, message_hook=toasts.hook) as pilot:
            await _failed_web_test(pilot, desk.app)
            await pilot.press("b")
            await wait_until(pilot, lambda: toasts.any("[tracker]"), what="the explanation")
            assert desk.app.screen is desk.app.dashboard
    finally:
        await desk.aclose()


async def test_b_on_a_passed_run_files_nothing_and_says_why(desk: BugDesk) -> None:
    app = desk.app
    toasts = Toasts()
    async with app.run_test(size=WIDE, message_hook=toasts.hook) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: first_key(app, status=RunStatus.PASSED.value) is not None)
        key = first_key(app, status=RunStatus.PASSED.value)
        assert key is not None
        table.move_cursor_to(key)
        await pilot.press("b")
        await wait_until(pilot, lambda: toasts.any("failed or errored run"))
        assert app.screen is app.dashboard


async def test_with_only_an_api_key_the_form_files_through_public_submit(tmp_path: Path) -> None:
    desk = build_desk(tmp_path, token=None)
    try:
        app = desk.app
        async with app.run_test(size=WIDE) as pilot:
            await _failed_web_test(pilot, app)
            form = await _open_form(pilot, app)
            assert "public API key" in widget_text(form.query_one("#heading", Static))
            assert "needs a session" in widget_text(form.query_one("#similar-title", Static))
            title = form.query_one("#title", Input).value
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: len(desk.bugs_titled(title)) == 1, what="submitted")
            assert desk.bugs_titled(title)[0].source == "sdk"
    finally:
        await desk.aclose()


async def test_a_new_title_searches_bugnet_again_once_typing_pauses(desk: BugDesk) -> None:
    app = desk.app
    async with app.run_test(size=WIDE) as pilot:
        await _failed_web_test(pilot, app)
        form = await _open_form(pilot, app)
        assert desk.wire.posts("/bugs/similar") == 1
        seeded = "Checkout fails with a declined payment message"
        form.query_one("#title", Input).value = seeded
        similar = form.query_one("#similar", SimilarTable)
        await wait_until(
            pilot, lambda: any(c.title == seeded for c in similar.found), what="the seeded bug"
        )
        assert desk.wire.posts("/bugs/similar") == 2
        assert similar.found[0].title == seeded and similar.found[0].score == 1.0


async def test_the_header_counts_a_report_on_its_way_until_bugnet_has_it(desk: BugDesk) -> None:
    """GIVEN Bugnet down WHEN a bug is filed THEN the header says one report is being sent, and
    once Bugnet is back and has it, the header says nothing of the outbox any more."""
    app = desk.app
    bar = app.dashboard.health_bar
    async with app.run_test(size=WIDE) as pilot:
        await _failed_web_test(pilot, app)
        await _open_form(pilot, app)
        assert "✉" not in widget_text(bar)
        desk.monitor.faults.set("bugnet", down=True)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "✉ 1 sending" in widget_text(bar), what="1 sending")
        desk.monitor.faults.clear("bugnet")
        await pilot.press("B")
        await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")
        outbox_screen = app.screen
        assert isinstance(outbox_screen, OutboxScreen)
        await wait_until(
            pilot,
            lambda: outbox_screen.reports[0].state is not ReportState.SENDING,
            what="the background attempt to end",
        )
        await pilot.press("r")
        await wait_until(pilot, lambda: outbox_screen.reports == [], what="an empty outbox")
        await pilot.press("escape")
        await wait_until(pilot, lambda: "✉" not in widget_text(bar), what="no report in the header")
