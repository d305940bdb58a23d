"""Safety rails on the real simulator: a read-only provider refuses every write, wherever it is
asked for, saying "read-only"; a production provider is tinted and wants its name typed.

The refusal lives in the action layer (core/actions/writes.py); these stories check that each
way a user can ask (a key on the dashboard, the palette, a key in the detail view, and the
engine call that marks' bulk actions make) ends there and says so where the user is, and that
the simulator saw nothing. tests/test_write_door.py checks that no other way exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot

from qa_tui.core.actions.writes import NotConfirmed, ReadOnly, WritePolicy
from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import RunKey
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.confirm import ConfirmScreen, TypedConfirmScreen
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.render import PRODUCTION_STYLE
from tests.support.pilot import palette_hits, toasts_on_screen, toasts_since, wait_until
from tests.support.sim_monitor import SimMonitor, build_monitor, first_key, rows_of


@pytest.fixture
async def read_only_web(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, writes=WritePolicy(read_only=frozenset({"web"})))
    yield built
    await built.aclose()


@pytest.fixture
async def production_web(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, writes=WritePolicy(production=frozenset({"web"})))
    yield built
    await built.aclose()


async def told(pilot: Pilot[int], app: QaTuiApp, words: str, before: set[str]) -> None:
    """Wait for a toast saying `words` that was not on screen `before`."""
    await wait_until(
        pilot,
        lambda: any(words in message for message in toasts_since(app, before)),
        what=f"a toast: {words}",
    )


async def running_web_run(pilot: Pilot[int], app: QaTuiApp) -> RunKey:
    await wait_until(pilot, lambda: bool(rows_of(app, "web")), what="web runs")
    key = first_key(app, provider="web", kind="test", status="running")
    assert key is not None
    app.dashboard.table.move_cursor_to(key)
    return key


async def test_a_read_only_provider_refuses_stop_and_rerun_from_keys_palette_detail_and_marks(
    read_only_web: SimMonitor,
) -> None:
    monitor, app = read_only_web, read_only_web.app
    refusal = "read-only: web is not written to (read_only = true on it)"
    async with app.run_test(size=(100, 30)) as pilot:
        key = await running_web_run(pilot, app)
        runs_before = len(monitor.sim.bugbug.test_runs)

        before = toasts_on_screen(app)  # x on the dashboard: said at once, nothing asked
        await pilot.press("x")
        await told(pilot, app, refusal, before)
        assert app.screen is app.dashboard

        before = toasts_on_screen(app)  # the palette's Stop
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"stop")
        await wait_until(
            pilot, lambda: palette_hits(app)[:1] == ["Stop  (x)"], what="the palette's Stop"
        )
        await pilot.press("enter")
        await told(pilot, app, refusal, before)
        assert not isinstance(app.screen, ConfirmScreen)

        app.dashboard.table.move_cursor_to(key)  # r in the detail view
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        before = toasts_on_screen(app)
        await pilot.press("r")
        await told(pilot, app, refusal, before)
        assert isinstance(app.screen, RunDetailScreen)

        await pilot.press("escape")  # marks: space on the run, then x on every marked run
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="the dashboard")
        app.dashboard.table.move_cursor_to(key)
        await pilot.press("space")
        before = toasts_on_screen(app)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="one question")
        await pilot.press("y")
        await told(pilot, app, refusal, before)
        with pytest.raises(ReadOnly, match="read-only"):  # what marks' bulk stop calls
            await app.engine.stop_run(key)
        assert monitor.truth(key[1])["status"] == "running"
        assert len(monitor.sim.bugbug.test_runs) == runs_before
        plans = first_key(app, provider="plans")  # the others are not read-only
        assert plans is not None and app.engine.writes.refusal("plans") is None


async def test_a_production_provider_is_tinted_and_stops_only_when_its_name_is_typed(
    production_web: SimMonitor,
) -> None:
    monitor, app = production_web, production_web.app
    async with app.run_test(size=(100, 30)) as pilot:
        key = await running_web_run(pilot, app)
        table = app.dashboard.table
        line = table.render_line(table.order.index(key) - int(table.scroll_y) + 1)
        cell = next(segment.style for segment in line if segment.text.strip() == "web")
        assert cell is not None and cell.bgcolor == PRODUCTION_STYLE.bgcolor  # PROVIDER tinted
        chip = app.dashboard.health_bar.render_line(0)
        assert any(s.text == "web" and s.style and s.style.bgcolor for s in chip)

        before = toasts_on_screen(app)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen), what="ask")
        await pilot.press(*"wbe", "enter")
        await told(pilot, app, "production: type 'web' to confirm; nothing was sent", before)
        assert monitor.truth(key[1])["status"] == "running"
        with pytest.raises(NotConfirmed):  # a bulk action that did not ask is refused too
            await app.engine.stop_run(key)

        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen), what="ask")
        await pilot.press(*"web", "enter")
        await wait_until(
            pilot, lambda: table.rows[key].run.status is RunStatus.STOPPED, what="stopped"
        )
        assert monitor.truth(key[1])["status"] == "stopped"
