"""Your keys and your theme on the real simulator: `[keys]` rebinds an action everywhere it is
shown (footer, `?`, palette) and the old key stops doing it; `[ui] theme` opens the app in it,
and a theme picked in the palette is handed on to be kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.color import Color
from textual.command import CommandPalette
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from qa_tui.core.config.ui_state import save_theme, saved_theme
from qa_tui.core.model import RunStatus
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.help import HelpScreen
from qa_tui.ui.keymap import check_keys
from tests.support.pilot import palette_hits, wait_until
from tests.support.sim_monitor import build_monitor, first_key, rows_of


def footer(app: QaTuiApp) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in app.screen.query(FooterKey)]


def help_lines(app: QaTuiApp) -> list[str]:
    console = Console(width=120, file=io.StringIO(), record=True)
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text().splitlines()


async def test_ctrl_k_stops_a_run_once_it_is_your_key_and_footer_help_and_palette_say_so(
    tmp_path: Path,
) -> None:
    keys = check_keys({"runs.stop": "ctrl+k", "runs.rerun": "r,ctrl+r"})
    monitor = build_monitor(tmp_path, keys=keys)
    app = monitor.app
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: bool(rows_of(app, "web")), what="web runs")
            await wait_until(pilot, lambda: ("^k", "Stop") in footer(app), what="^k in the footer")
            assert ("x", "Stop") not in footer(app)
            key = first_key(app, provider="web", kind="test", status="running")
            assert key is not None
            app.dashboard.table.move_cursor_to(key)

            await pilot.press("x")  # no longer stop's key
            assert app.screen is app.dashboard
            await pilot.press("ctrl+k")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="ask")
            await pilot.press("y")
            await wait_until(
                pilot,
                lambda: app.dashboard.table.rows[key].run.status is RunStatus.STOPPED,
                what="stopped",
            )
            assert monitor.truth(key[1])["status"] == "stopped"

            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
            lines = help_lines(app)
            stop = next(line for line in lines if "Stop or cancel the run" in line)
            rerun = next(line for line in lines if "Start the same test" in line)
            assert stop.split()[0] == "^k" and rerun.split()[:2] == ["r", "^r"]

            await pilot.press("escape", "ctrl+p", *"stop")
            await wait_until(
                pilot,
                lambda: (
                    isinstance(app.screen, CommandPalette) and "Stop  (^k)" in palette_hits(app)
                ),
                what="the palette's Stop with ctrl+k",
            )
    finally:
        await monitor.aclose()


async def test_the_app_opens_in_your_theme_and_keeps_the_one_you_pick(tmp_path: Path) -> None:
    picked: list[str] = []
    monitor = build_monitor(tmp_path, theme="nord", remember_theme=picked.append)
    app = monitor.app
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: app.theme == "nord", what="nord")
            assert picked == []  # opening in it is not picking it
            await pilot.press("ctrl+p", *"theme")
            await wait_until(
                pilot,
                lambda: (
                    isinstance(app.screen, CommandPalette) and "Theme  (T)" in palette_hits(app)
                ),
                what="the palette's theme switch",
            )
            await pilot.press("enter")  # the palette's theme switch: every Textual theme
            await wait_until(pilot, lambda: "textual-light" in palette_hits(app), what="themes")
            await pilot.press(*"gruvbox")
            await wait_until(pilot, lambda: palette_hits(app)[:1] == ["gruvbox"], what="gruvbox")
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.theme == "gruvbox", what="gruvbox")
            await wait_until(pilot, lambda: picked[-1:] == ["gruvbox"], what="gruvbox kept")
    finally:
        await monitor.aclose()
    state = tmp_path / "ui-state.toml"
    save_theme(state, picked[-1])
    assert saved_theme(state) == "gruvbox"
    assert state.stat().st_mode & 0o077 == 0


async def test_no_color_wins_over_your_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With NO_COLOR set, every line the app hands the terminal has lost its hues, nord's too
    (Textual's own NO_COLOR filter, which a theme must not undo)."""
    monkeypatch.setenv("NO_COLOR", "1")
    monitor = build_monitor(tmp_path, theme="nord")
    app = monitor.app
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: bool(rows_of(app, "web")), what="web runs")
            assert app.theme == "nord" and app.no_color
            screen = app.screen
            lines = [screen._compositor.render_strips()[y] for y in range(3)]  # header, titles, row
            colours = set()
            for strip in lines:
                for line_filter in app.get_line_filters():
                    strip = strip.apply_filter(line_filter, Color.parse("black"))
                for segment in strip:
                    style = segment.style
                    for colour in (style.color, style.bgcolor) if style else ():
                        if colour is not None and colour.triplet is not None:
                            colours.add(tuple(colour.triplet))
            assert colours and all(r == g == b for r, g, b in colours), colours  # greys only
    finally:
        await monitor.aclose()
