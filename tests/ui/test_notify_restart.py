"""Across a restart: the rules come from the config again, the watch list from the data dir and
the last results from the run cache, so a test watched and passed yesterday is still marked
today, and today's failure of it is a new failure, even when the provider no longer lists
yesterday's run."""

from __future__ import annotations

from pathlib import Path

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.config.tables import load_config
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.history import RunCache
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.notify.center import NotifyCenter
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from tests.support.fakes import FakeSource, make_run
from tests.support.notify import PLAIN_ENV, FakeTerminal
from tests.support.pilot import table_with_rows, wait_until, widget_text

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)
CONFIG = """\
[[providers]]
name = "web"
kind = "bugbug"
token = "tok-123"

[notify]
method = "osc777"
"""
YESTERDAY = make_run(
    "r-old", RunStatus.PASSED, name="login page", test_id="t-login", minutes_ago=900
)
TODAY = make_run("r-new", name="login page", test_id="t-login", minutes_ago=1)


def session(home: Path, terminal: FakeTerminal, *runs: Run) -> tuple[QaTuiApp, FakeSource]:
    """The app as `qa-tui` builds it: config from the file, watch list in the data dir, cache."""
    config = load_config(home / "config.toml")
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(*runs)
    cache = RunCache(home / "cache" / "runs.sqlite")
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST, cache=cache)
    center = NotifyCenter.open(config.notify, home / "data", PLAIN_ENV)
    return QaTuiApp(engine, tick_seconds=0, notify=center, terminal=terminal.write), source


def line(app: QaTuiApp, run_id: str) -> str:
    table = app.dashboard.table
    return widget_text(table).splitlines()[table.order.index(("web", run_id)) + 1]


async def test_the_watch_list_the_rules_and_the_last_pass_survive_a_restart(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    first = FakeTerminal()
    app, _ = session(tmp_path, first, YESTERDAY)
    async with app.run_test(size=(120, 30)) as pilot:
        await table_with_rows(pilot, 1)
        await pilot.press("W")
        await wait_until(pilot, lambda: "◎ login page" in line(app, "r-old"), what="marked")
        await pilot.press("q")
    assert app.engine.cache is not None
    app.engine.cache.close()
    assert first.writes == []
    assert (tmp_path / "data" / "watch.sqlite").exists()

    second = FakeTerminal()
    app, source = session(tmp_path, second, TODAY)  # the provider no longer lists r-old
    async with app.run_test(size=(120, 30)) as pilot:
        await table_with_rows(pilot, 2)
        assert "◎ login page" in line(app, "r-old")  # from the cache, still watched
        await wait_until(pilot, lambda: "◎ login page" in line(app, "r-new"), what="new marked")
        source.put(TODAY.model_copy(update={"status": RunStatus.FAILED, "duration_s": 4.0}))
        await wait_until(pilot, lambda: bool(second.writes), what="the notification")
        body = "web test failed; it last passed here · 4s"
        assert second.output == (
            f"\x1b]777;notify;qa-tui: New failure: login page;{body}\x1b\\\x07".encode()
        )
    assert app.engine.cache is not None
    app.engine.cache.close()
