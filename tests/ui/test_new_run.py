"""The new-run dialog (`n`) on the real simulator: keyboard only, the new run at the top at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from qa_tui.core.actions.gitinfo import GitInfo
from qa_tui.core.model import RunStatus
from qa_tui.sim import ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs import new_run
from qa_tui.ui.runs.new_run import NewRunScreen
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, build_monitor

WORLD = ScenarioSpec(
    bugbug_test_runs_finished=4,
    bugbug_test_runs_active=2,
    bugbug_suite_runs_finished=1,
    bugbug_suite_runs_active=0,
    bugbrain_finished=3,
    bugbrain_active=1,
    new_run_every_s=None,
)


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, spec=WORLD)
    yield built
    await built.aclose()


def targets_text(app: QaTuiApp) -> str:
    """Every option of the test-and-suite list, shown or scrolled away."""
    options = app.screen.query_one("#targets", OptionList).options
    return "\n".join(str(option.prompt) for option in options)


async def test_n_starts_a_bugbug_test_by_keyboard_and_it_is_at_the_top_at_once(
    monitor: SimMonitor,
) -> None:
    app = monitor.app
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.dashboard.table
        await wait_until(pilot, lambda: len(table.order) >= 6, what="the runs")
        before = set(table.order)

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="dialog")
        assert "web  ·  BugBug" in widget_text(app.screen.query_one("#providers", OptionList))
        await pilot.press("enter")  # the first provider: web (BugBug)
        await wait_until(pilot, lambda: "Sign up" in targets_text(app), what="the tests")
        await pilot.press(*"sign up")
        await wait_until(pilot, lambda: "Login" not in targets_text(app), what="the list filtered")
        await pilot.press("enter", "enter")  # to the list; pick the highlighted test
        await pilot.press("ctrl+s")

        await wait_until(pilot, lambda: not isinstance(app.screen, NewRunScreen), what="closed")
        await wait_until(pilot, lambda: table.order[0] not in before, what="a new run at the top")
        top = table.rows[table.order[0]].run
        assert (top.provider, top.name, top.status) == ("web", "Sign up", RunStatus.QUEUED)
        assert table.cursor_key == top.key
        assert monitor.sim.bugbug.test_runs[top.id].triggered_by == "api"


async def test_esc_cancels_the_dialog_and_nothing_starts(monitor: SimMonitor) -> None:
    app = monitor.app
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="dialog")
        await pilot.press("down", "enter")  # plans (BugBrain)
        await pilot.press(*"tp_smoke")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, NewRunScreen), what="closed")
        await pilot.pause()
        assert len(monitor.sim.bugbrain.executions) == 4  # the world's own executions only


async def test_a_bugbrain_plan_typed_in_starts_and_tops_the_table_even_while_paused(
    monitor: SimMonitor,
) -> None:
    """Live updates are paused (`p`) from the start: the new run needs no poll to show. (It
    also keeps the engine from spending BugBrain's 30 requests a minute, a window the manual
    scenario clock here would never reset.)"""
    app = monitor.app
    monitor.engine.pause()
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.dashboard.table
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="dialog")
        await pilot.press("down", "enter")
        await pilot.press(*"tp_checkout_prod")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: bool(table.order) and table.rows[table.order[0]].run.provider == "plans",
            what="the new execution at the top",
        )
        run = table.rows[table.order[0]].run
        assert (run.name, run.status) == ("plan tp_checkout_prod", RunStatus.QUEUED)
        assert run.id in monitor.sim.bugbrain.executions


async def test_an_empty_plan_is_refused_on_the_form(monitor: SimMonitor) -> None:
    app = monitor.app
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="dialog")
        await pilot.press("down", "enter", "ctrl+s")
        error = app.screen.query_one("#form-error")
        await wait_until(pilot, lambda: "test plan id" in widget_text(error), what="the error")
        assert isinstance(app.screen, NewRunScreen)


async def test_bug0_is_prefilled_from_git_and_shows_as_triggered_with_the_note(
    monitor: SimMonitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = GitInfo("0a1b2c3d", "feature/checkout", "acme", "shop", None)
    monkeypatch.setattr(new_run, "read_git", lambda: checkout)
    app = monitor.app
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.dashboard.table
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="dialog")
        await pilot.press("down", "down", "enter")  # previews (Bug0)
        screen = app.screen
        await wait_until(
            pilot,
            lambda: screen.query_one("#branch", Input).value == "feature/checkout",
            what="git",
        )
        await pilot.press(*"https://p9.ex", "tab", "tab", "tab", *"9", "ctrl+s")
        await wait_until(
            pilot,
            lambda: bool(table.order) and table.rows[table.order[0]].run.provider == "previews",
            what="the triggered run at the top",
        )
        run = table.rows[table.order[0]].run
        assert run.provider_status == "triggered"  # until Bug0's status appears on the commit
        assert run.note and "waiting for Bug0's status on GitHub: acme/shop@0a1b2c3d" in run.note
        (trigger,) = monitor.sim.bug0.triggers
        assert trigger.body == {
            "projectId": "665f1c2e9b3a4d5e6f708192",
            "url": "https://p9.ex",
            "gitCommitSha": "0a1b2c3d",
            "gitBranch": "feature/checkout",
            "prNumber": "9",
            "owner": "acme",
            "repo": "shop",
        }
