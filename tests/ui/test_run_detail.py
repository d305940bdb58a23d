"""Drilling into a run: enter opens its detail, esc comes back, panes say why they are empty."""

from __future__ import annotations

from textual.widgets import DataTable, Static, TabbedContent

from qa_tui.core.model import RunStatus
from qa_tui.core.providers.base import Capabilities
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.help import HelpScreen
from tests.support.fakes import make_run
from tests.support.pilot import table_with_rows, wait_until, widget_text
from tests.ui.test_dashboard import _app, _source


async def test_enter_opens_the_run_with_its_steps_and_esc_goes_back() -> None:
    app = _app(_source())
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        screen = app.screen
        steps = screen.query_one("#steps-table", DataTable)
        await wait_until(pilot, lambda: steps.row_count == 3, what="three steps")
        assert "checkout flow" in widget_text(screen.query_one("#summary", Static))
        assert app.engine.focus == ("web", "r1")
        await pilot.press("escape")
        assert app.screen is app.dashboard
        assert app.engine.focus is None


async def test_q_on_the_detail_view_closes_it_instead_of_quitting() -> None:
    app = _app(_source())
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        await pilot.press("q")
        assert app.screen is app.dashboard
        assert app.is_running


async def test_an_empty_pane_says_so_instead_of_staying_blank() -> None:
    source = _source()
    source.capabilities = Capabilities(artifacts=True)  # it keeps artifacts; this run has none
    app = _app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        screen = app.screen
        screen.query_one(TabbedContent).active = "artifacts"
        note = screen.query_one("#artifacts-note", Static)
        await wait_until(pilot, lambda: "No artifacts" in str(note.render()))


async def test_help_lists_every_action_from_the_one_list() -> None:
    app = _app(_source())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "\n".join(widget_text(w) for w in app.screen.query(Static))
        for words in ("Stop or cancel", "Filter runs", "command palette", "Copy the run"):
            assert words in text
        await pilot.press("escape")
        assert app.screen is app.dashboard


async def test_a_change_arriving_while_the_detail_is_still_opening_is_shown_once_it_is_open() -> (
    None
):
    """GIVEN the detail view just pushed (its widgets not made yet) WHEN a batch changing its
    run arrives in that moment THEN nothing fails, and once open it shows the run as it is now."""
    source = _source()
    app = _app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 3)
        screen = RunDetailScreen(("web", "r1"))
        app.push_screen(screen)
        renamed = make_run("r1", RunStatus.FAILED, name="checkout flow, renamed", minutes_ago=1)
        source.put(renamed)  # the provider says so from now on
        changes = app.engine.store.apply([renamed])
        screen.runs_changed(changes)  # what on_runs_changed does when a batch lands now
        await wait_until(pilot, lambda: screen.is_mounted, what="the detail open")
        summary = screen.query_one("#summary", Static)
        await wait_until(pilot, lambda: "renamed" in widget_text(summary), what="new name")
        assert "failed" in widget_text(summary)
        assert app.is_running
