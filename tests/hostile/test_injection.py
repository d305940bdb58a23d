"""Injection: whatever a provider sends — Rich markup, OSC 52 and OSC 8, CSI, C1, bidi overrides,
zero-width characters, lone surrogates, 5,000-character names — is shown as text and never reaches
the terminal as a control sequence, in every place a provider string is shown.

Each test renders the screen the way the terminal driver would write it (`frame`) and searches
those exact bytes for the forbidden sequences; then checks the user can read what was sent."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual._compositor import CompositorUpdate
from textual.widgets import TabbedContent

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import ServerError
from qa_tui.core.model import (
    Artifact,
    FailureAnalysis,
    PaneData,
    Run,
    RunDetail,
    RunKind,
    RunStatus,
    Step,
)
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.detail.logs import LogScreen
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.runs.runs_table import RunsTable
from tests.hostile.corpus import HOSTILE, VISIBLE, forbidden_in, joined
from tests.support.fakes import FakeSource, make_run
from tests.support.pilot import wait_until

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)
SHORT = [name for name in HOSTILE if name != "very long"]
_STYLE_OR_MOVE = re.compile(r"\x1b\[[0-9;]*m|\x1b\[[0-9]+;[0-9]+H")


def frame(app: QaTuiApp) -> str:
    """The whole screen exactly as the driver would write it to the terminal."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, CompositorUpdate)
    text: str = update.render_segments(app.console)
    return text


def shown(app: QaTuiApp) -> str:
    """The frame without Textual's own style and cursor sequences: what the user reads."""
    return _STYLE_OR_MOVE.sub("", frame(app))


def assert_inert(app: QaTuiApp, *visible: str) -> None:
    output = frame(app)
    assert not forbidden_in(output), forbidden_in(output)
    text = shown(app)
    assert "\x1b" not in text  # nothing but Textual's own styling and cursor moves
    for expected in visible:
        assert expected in text, expected


class HostileSource(FakeSource):
    """A provider whose every string is hostile, and whose failures say hostile things."""

    def __init__(self) -> None:
        super().__init__(clock=SYSTEM_CLOCK, per_minute=60000)
        for i, name in enumerate(HOSTILE):
            self.put(
                make_run(
                    f"h{i}",
                    RunStatus.UNKNOWN if i % 2 else RunStatus.RUNNING,
                    name=HOSTILE[name],
                    raw=HOSTILE[name] if i % 2 else "running",
                    minutes_ago=i,
                    triggered_by=HOSTILE[name],
                    url=f"https://x.test/{HOSTILE[name]}",
                    note=HOSTILE[name],
                    error=HOSTILE[name],
                )
            )
        self.fail_actions = False
        self.fail_detail = False
        self.fail_log = False

    async def run_detail(self, run: Run) -> RunDetail:
        await self._spend(f"detail:{run.id}")
        if self.fail_detail:
            raise ServerError(self.name, joined(*SHORT))
        texts = [HOSTILE[name] for name in SHORT]
        steps = tuple(
            Step(index=i, name=t, status=RunStatus.FAILED, provider_status=t, error=t)
            for i, t in enumerate(texts)
        )
        children = tuple(
            make_run(f"c{i}", name=t, raw=t, status=RunStatus.UNKNOWN, kind=RunKind.TEST)
            for i, t in enumerate(texts)
        )
        artifacts = tuple(
            Artifact(id=f"a{i}", kind=t, label=t, url=f"https://x.test/{t}")
            for i, t in enumerate(texts)
        )
        analysis = (
            FailureAnalysis(
                test_name=joined("rich markup", "osc 52 clipboard"),
                category=joined("link markup"),
                description="\n".join(texts),
                fix_suggestions=tuple(texts),
                confidence=0.5,
            ),
        )
        return RunDetail(
            run=self.runs[run.id],
            steps=PaneData(items=steps),
            children=PaneData(items=children),
            artifacts=PaneData(items=artifacts),
            analysis=PaneData(items=analysis),
        )

    async def fetch_log(self, run: Run) -> str:
        await self._spend(f"log:{run.id}")
        if self.fail_log:
            raise ServerError(self.name, joined(*SHORT))
        return "\n".join(HOSTILE.values())

    async def stop_run(self, run: Run) -> Run:
        await self._spend(f"stop:{run.id}")
        raise ServerError(self.name, joined(*SHORT))

    async def rerun(self, run: Run) -> Run:
        await self._spend(f"rerun:{run.id}")
        raise ServerError(self.name, joined(*SHORT))


def _app(source: HostileSource) -> QaTuiApp:
    source.capabilities = type(source.capabilities)(logs=True, artifacts=True, analysis=True)
    return QaTuiApp(Engine([source], RunStore(), settings=FAST), tick_seconds=0)


async def _dashboard(pilot: Any, app: QaTuiApp) -> RunsTable:
    table = app.query_one(RunsTable)
    await wait_until(pilot, lambda: len(table.order) == len(HOSTILE), what="every run listed")
    return table


async def test_the_runs_table_shows_hostile_names_and_status_words_as_text() -> None:
    app = _app(HostileSource())
    async with app.run_test(size=(220, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        assert_inert(app, *(VISIBLE[name] for name in SHORT if name in VISIBLE))


async def test_every_detail_pane_shows_hostile_strings_as_text() -> None:
    app = _app(HostileSource())
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        screen = app.screen
        assert isinstance(screen, RunDetailScreen)
        await wait_until(pilot, lambda: screen.detail is not None, what="detail loaded")
        await pilot.pause()
        assert_inert(app, "\\x1b]52;c;")  # the summary and the steps pane
        for pane in ("children", "artifacts", "analysis", "error"):
            screen.query_one(TabbedContent).active = pane
            await pilot.pause()
            assert_inert(app, VISIBLE["rich markup"])


async def test_the_log_view_shows_a_hostile_log_as_text() -> None:
    app = _app(HostileSource())
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), what="log view")
        await wait_until(pilot, lambda: "Loading" not in shown(app), what="log loaded")
        assert_inert(app, VISIBLE["osc 52 clipboard"], VISIBLE["bidi override"])


async def test_the_stop_confirmation_shows_the_hostile_name_as_text() -> None:
    app = _app(HostileSource())
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="question")
        assert_inert(app, "Stop this run?")


@pytest.mark.parametrize("action", ["stop", "rerun"])
async def test_a_failed_action_notifies_the_hostile_provider_error_as_text(action: str) -> None:
    source = HostileSource()
    app = _app(source)
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("x" if action == "stop" else "r", "y")
        word = "Stop failed" if action == "stop" else "Re-run failed"
        await wait_until(pilot, lambda: word in shown(app), what="the failure toast")
        assert_inert(app, word, "[bold red]ALARM[/]")


async def test_a_detail_that_fails_to_load_says_so_as_text() -> None:
    source = HostileSource()
    source.fail_detail = True
    app = _app(source)
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Could not load" in shown(app), what="the failure")
        assert_inert(app, "Could not load", "[bold red]ALARM[/]")


async def test_a_log_that_fails_to_load_says_so_as_text() -> None:
    source = HostileSource()
    source.fail_log = True
    app = _app(source)
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("l")
        await wait_until(pilot, lambda: "Could not load" in shown(app), what="the failure")
        assert_inert(app, "Could not load the log")


async def test_an_unexpected_crash_with_provider_text_in_it_is_notified_as_text() -> None:
    """The last line of defence: a worker that dies of a bug says so, and its text is inert."""

    class Crashing(HostileSource):
        async def run_detail(self, run: Run) -> RunDetail:
            raise RuntimeError(joined(*SHORT))

    app = _app(Crashing())
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await _dashboard(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "RuntimeError" in shown(app), what="the crash notice")
        assert_inert(app, "RuntimeError")


# --- `qa-tui runs`: the table for humans is inert, the JSON for scripts is exact -----------------


def _runs_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *extra: str) -> int:
    import qa_tui.cli.headless as headless
    from qa_tui.cli.main import main

    source = FakeSource("web")
    for i, name in enumerate(HOSTILE):
        text = HOSTILE[name]
        source.put(make_run(f"id-{i}-{text}"[:80], name=text, raw=text, error=text, url=text))
    monkeypatch.setattr(headless, "build_sources", lambda config, **_: [source])
    path = tmp_path / "c.toml"
    path.write_text('[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "t"\n')
    path.chmod(0o600)
    return main(["runs", "--config", str(path), *extra])


def test_the_runs_table_for_humans_shows_every_hostile_string_inert(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _runs_cli(monkeypatch, tmp_path) == 0
    out = capsys.readouterr().out
    assert not forbidden_in(out)
    assert "\x1b" not in out
    for name in ("rich markup", "osc 52 clipboard", "bidi override", "lone surrogate"):
        assert VISIBLE[name][:20] in out, name


def test_runs_json_keeps_every_hostile_string_exactly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert _runs_cli(monkeypatch, tmp_path, "--json") == 0
    out = capsysbinary.readouterr().out
    assert b"\x1b" not in out and b"\x07" not in out  # JSON escapes keep control bytes inert
    runs = json.loads(out)
    assert sorted(run["name"] for run in runs) == sorted(HOSTILE.values())
    assert all(run["name"] == run["provider_status"] == run["error"] for run in runs)
