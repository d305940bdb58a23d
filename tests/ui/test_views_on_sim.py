"""Saved views on the simulator: `[[views]]` on the keys 1…9, `v` to pick one, `0` for every
run, the palette saving the filter shown as a view in views.toml beside the config, and the last
view shown again at the next start."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.command import CommandList, CommandPalette

from qa_tui.core.config.views import ViewBook, ViewConfig
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs.view_picker import ViewName, ViewPicker
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import build_monitor, rows_of


def palette_hits(app: QaTuiApp) -> list[str]:
    results = app.screen.query_one(CommandList)
    prompts = (str(results.get_option_at_index(i).prompt) for i in range(results.option_count))
    return [prompt.split("\n")[0] for prompt in prompts]


PLANS = ViewConfig(name="Plans", filter="provider:plans")
FAILED_WEB = ViewConfig(
    name="Failed web", filter="provider:web status:failed", sort="name", columns=("status", "name")
)


async def test_number_keys_show_saved_views_and_0_every_run_and_v_picks_one(
    tmp_path: Path,
) -> None:
    """GIVEN two [[views]] WHEN the user presses 2 THEN only web's failed runs show, sorted by
    name, in the view's columns; v then enter on the first lists BugBrain's runs; 0 every run."""
    monitor = build_monitor(tmp_path, views=ViewBook([PLANS, FAILED_WEB], state_dir=tmp_path))
    app = monitor.app
    try:
        async with app.run_test(size=(110, 30)) as pilot:
            await wait_until(pilot, lambda: len(rows_of(app, "plans")) > 1, what="runs")
            dashboard, table = app.dashboard, app.dashboard.table
            everything = len(dashboard.order.keys)
            await pilot.press("2")
            await wait_until(pilot, lambda: dashboard.filter_text == FAILED_WEB.filter, what="2")
            shown = [table.rows[key].run for key in dashboard.order.keys]
            assert shown and all(r.provider == "web" and r.status.value == "failed" for r in shown)
            top_names = [r.name.casefold() for r in shown if not r.parent_id]
            assert len(top_names) > 1 and top_names == sorted(top_names)  # A to Z
            titles = widget_text(table).splitlines()[0].split()
            assert titles == ["STATUS", "NAME▾"]
            await pilot.press("v")
            await wait_until(pilot, lambda: isinstance(app.screen, ViewPicker), what="picker")
            await pilot.press("up", "enter")  # it opens on view 2; above it, the first
            await wait_until(pilot, lambda: dashboard.filter_text == PLANS.filter, what="picked")
            assert {key[0] for key in dashboard.order.keys} == {"plans"}
            assert "PROVIDER" in widget_text(table).splitlines()[0]  # every column again
            await pilot.press("0")
            await wait_until(pilot, lambda: dashboard.filter_text == "", what="every run")
            assert len(dashboard.order.keys) >= everything
    finally:
        await monitor.aclose()


async def test_the_palette_saves_the_filter_as_a_view_and_the_last_view_comes_back_at_start(
    tmp_path: Path,
) -> None:
    """GIVEN a filter typed by hand WHEN the palette's Save view names it "Mine" THEN
    views.toml beside the config holds it (the config untouched), it is on key 1, and a new
    session starts on it."""
    config = tmp_path / "config.toml"
    config.write_text("# mine, with comments\n", encoding="utf-8")
    monitor = build_monitor(tmp_path, views=ViewBook.beside(config, []))
    app = monitor.app
    try:
        async with app.run_test(size=(110, 30)) as pilot:
            await wait_until(pilot, lambda: len(rows_of(app, "web")) > 1, what="runs")
            await pilot.press("slash", *"provider:web", "enter")
            await pilot.press("ctrl+p", *"Save view")
            await wait_until(
                pilot,
                lambda: (
                    isinstance(app.screen, CommandPalette)
                    and "Save view  (palette)" in palette_hits(app)
                ),
                what="the palette's line",
            )
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ViewName), what="the name")
            await pilot.press(*"Mine", "enter")
            await wait_until(pilot, lambda: (tmp_path / "views.toml").exists(), what="saved")
    finally:
        await monitor.aclose()
    saved = tomllib.loads((tmp_path / "views.toml").read_text(encoding="utf-8"))
    assert saved["views"] == [{"name": "Mine", "filter": "provider:web", "sort": "started"}]
    assert config.read_text(encoding="utf-8") == "# mine, with comments\n"
    again = ViewBook.beside(config, [])  # the last view is kept in the (test's) data dir
    assert again.numbered(1) == ViewConfig(name="Mine", filter="provider:web", sort="started")
    (tmp_path / "again").mkdir()
    second = build_monitor(tmp_path / "again", views=again)
    try:
        async with second.app.run_test(size=(110, 30)) as pilot:
            await wait_until(
                pilot, lambda: second.app.dashboard.filter_text == "provider:web", what="restored"
            )
            await wait_until(pilot, lambda: len(rows_of(second.app, "web")) > 1, what="runs")
            assert {key[0] for key in second.app.dashboard.order.keys} == {"web"}
    finally:
        await second.aclose()
