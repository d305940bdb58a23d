"""Notifications in the app: `w` watches a run, and when it ends (or a test that passed fails)
the exact bytes for the terminal go out, a toast shows, and the header counts it until the user
looks. The terminal is a fake writer handed to the app, so the bytes are the ones a real
terminal would get; the provider is scripted, so the story decides what happens."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Static

from qa_tui.core.clock import SYSTEM_CLOCK, ManualClock
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import NetworkError
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.notify.settings import Method
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.help import HelpScreen
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.fakes import FakeSource, make_run
from tests.support.notify import TMUX_ENV, FakeTerminal, center_for
from tests.support.pilot import palette_hits, table_with_rows, wait_until, widget_text

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)
DOT = "\u00b7".encode()


def wrapped(sequence: bytes, tmux: bool) -> bytes:
    """What the terminal gets for `sequence`: as it is, or in tmux's passthrough wrapping; then
    the bell, never wrapped."""
    if tmux:
        sequence = b"\x1bPtmux;" + sequence.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\"
    return sequence + b"\x07"


def expected_bytes(method: Method, title: bytes, body: bytes, tmux: bool) -> bytes:
    if method is Method.BELL:
        return b"\x07"
    if method is Method.OSC9:
        return wrapped(b"\x1b]9;qa-tui: " + title + b" " + DOT + b" " + body + b"\x1b\\", tmux)
    if method is Method.OSC777:
        return wrapped(b"\x1b]777;notify;qa-tui: " + title + b";" + body + b"\x1b\\", tmux)
    return wrapped(
        b"\x1b]99;i=qa-tui-1:d=0;qa-tui: " + title + b"\x1b\\"
        b"\x1b]99;i=qa-tui-1:d=1:p=body;" + body + b"\x1b\\",
        tmux,
    )


METHODS = [Method.OSC9, Method.OSC777, Method.OSC99, Method.BELL]
PLACES = pytest.mark.parametrize("tmux", [False, True], ids=["outside-tmux", "in-tmux"])


@dataclass
class Toasts:
    shown: list[tuple[str, str, str]] = field(default_factory=list)

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            note = message.notification
            self.shown.append((note.title, note.message, note.severity))


@dataclass
class Story:
    source: FakeSource
    terminal: FakeTerminal
    app: QaTuiApp
    toasts: Toasts

    def run_test(self) -> Any:
        return self.app.run_test(size=(120, 30), message_hook=self.toasts.hook)

    def header(self) -> str:
        return widget_text(self.app.dashboard.health_bar)

    def line_of(self, run_id: str) -> str:
        table = self.app.dashboard.table
        return widget_text(table).splitlines()[table.order.index(("web", run_id)) + 1]


def story(*runs: Run, method: Method = Method.OSC9, tmux: bool = False, **settings: Any) -> Story:
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(*runs)
    terminal = FakeTerminal()
    center = center_for(terminal, method=method, env=TMUX_ENV if tmux else None, **settings)
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app = QaTuiApp(engine, tick_seconds=0, notify=center, terminal=terminal.write)
    return Story(source, terminal, app, Toasts())


CHECKOUT = make_run("r1", name="checkout flow", test_id="t-checkout", minutes_ago=1)
LOGIN_PASSED = make_run(
    "r2", RunStatus.PASSED, name="login page", test_id="t-login", minutes_ago=30
)
LOGIN_RUNNING = make_run("r3", name="login page", test_id="t-login", minutes_ago=2)


def ended(run: Run, status: RunStatus, **fields: Any) -> Run:
    return run.model_copy(update={"status": status, "provider_status": status.value, **fields})


async def arrived(pilot: Pilot[Any], terminal: FakeTerminal) -> None:
    await wait_until(pilot, lambda: bool(terminal.writes), what="bytes for the terminal")


@PLACES
@pytest.mark.parametrize("method", METHODS, ids=str)
async def test_a_watched_run_that_fails_reaches_the_terminal_as_these_exact_bytes(
    method: Method, tmux: bool
) -> None:
    s = story(CHECKOUT, LOGIN_PASSED, method=method, tmux=tmux)
    async with s.run_test() as pilot:
        await table_with_rows(pilot, 2)
        assert s.app.dashboard.table.cursor_key == ("web", "r1")
        await pilot.press("w")
        assert s.toasts.shown[-1][1] == "Watching checkout flow: you will be told when it ends"
        await wait_until(pilot, lambda: "◉ checkout flow" in s.line_of("r1"), what="the mark")
        assert s.terminal.writes == []

        s.source.put(ended(CHECKOUT, RunStatus.FAILED, error="#pay not found", duration_s=62))
        await arrived(pilot, s.terminal)
        body = b"watched web test " + DOT + b" 1m02s " + DOT + b" #pay not found"
        assert s.terminal.writes == [expected_bytes(method, b"Failed: checkout flow", body, tmux)]
        assert s.toasts.shown[-1] == (
            "Failed: checkout flow",
            "watched web test · 1m02s · #pay not found",
            "warning",
        )
        await wait_until(pilot, lambda: "⚑ 1 new: Failed: checkout flow" in s.header())
        await pilot.press("j")  # the user looks
        await wait_until(pilot, lambda: "⚑" not in s.header(), what="the count gone")


@PLACES
@pytest.mark.parametrize("method", METHODS, ids=str)
async def test_a_run_failing_after_its_test_passed_is_a_new_failure_on_the_terminal(
    method: Method, tmux: bool
) -> None:
    s = story(LOGIN_PASSED, LOGIN_RUNNING, method=method, tmux=tmux)
    async with s.run_test() as pilot:
        await table_with_rows(pilot, 2)
        s.source.put(ended(LOGIN_RUNNING, RunStatus.FAILED, duration_s=5))
        await arrived(pilot, s.terminal)
        body = b"web test failed; it last passed here " + DOT + b" 5s"
        assert s.terminal.writes == [expected_bytes(method, b"New failure: login page", body, tmux)]
        assert s.toasts.shown[-1][:2] == ("New failure: login page", body.decode())
        assert "⚑ 1 new: New failure: login page" in s.header()


async def test_w_again_stops_watching_and_an_ended_run_points_to_w_capital() -> None:
    s = story(CHECKOUT, LOGIN_PASSED)
    async with s.run_test() as pilot:
        await table_with_rows(pilot, 2)
        await pilot.press("w", "w")
        assert s.toasts.shown[-1][1] == "No longer watching checkout flow"
        assert "◉" not in s.line_of("r1")
        await pilot.press("j", "w")
        assert s.toasts.shown[-1][1] == (
            "login page has ended (passed); W watches every future run of it"
        )
        s.source.put(ended(CHECKOUT, RunStatus.PASSED))
        await wait_until(pilot, lambda: "✓ passed" in s.line_of("r1"), what="r1 passed")
        assert s.terminal.writes == []


async def test_w_capital_watches_every_future_run_of_the_test() -> None:
    s = story(LOGIN_PASSED, method=Method.OSC777)
    async with s.run_test() as pilot:
        await table_with_rows(pilot, 1)
        await pilot.press("W")
        assert s.toasts.shown[-1][1] == "Watching every run of this test: login page"
        s.source.put(LOGIN_RUNNING)
        table = await table_with_rows(pilot, 2)
        await wait_until(pilot, lambda: "◎ login page" in s.line_of("r3"), what="new run marked")
        assert table.order  # both runs of the test carry the mark (◎: through their test)
        assert "◎ login page" in s.line_of("r2")
        s.source.put(ended(LOGIN_RUNNING, RunStatus.PASSED, duration_s=3))
        await arrived(pilot, s.terminal)
        body = b"watched web test " + DOT + b" 3s"
        assert s.terminal.output == expected_bytes(
            Method.OSC777, b"Passed: login page", body, False
        )
        assert s.toasts.shown[-1][2] == "information"


async def test_watching_needs_the_notification_service() -> None:
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(CHECKOUT)
    app = QaTuiApp(Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST), tick_seconds=0)
    toasts = Toasts()
    async with app.run_test(size=(120, 30), message_hook=toasts.hook) as pilot:
        await table_with_rows(pilot, 1)
        await pilot.press("w")
        assert toasts.shown[-1][1].startswith("Notifications are off in this session")


def help_text(app: QaTuiApp) -> str:
    """Every line the help screen holds (scrolled or not), as text."""
    console = Console(width=120, file=io.StringIO(), record=True)
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def test_help_and_the_palette_list_both_watch_actions() -> None:
    s = story(CHECKOUT)
    async with s.run_test() as pilot:
        await table_with_rows(pilot, 1)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(s.app.screen, HelpScreen), what="help")
        text = help_text(s.app)
        assert "Watch the run: be told when it ends, in tmux and over SSH too" in text
        assert "Watch every run of its test, suite or plan, from now on" in text
        await pilot.press("escape", "ctrl+p", *"watch")
        await wait_until(
            pilot,
            lambda: (
                isinstance(s.app.screen, CommandPalette)
                and {"Watch  (w)", "Watch test  (W)"} <= set(palette_hits(s.app))
            ),
            what="both in the palette",
        )


async def test_a_provider_down_longer_than_the_limit_is_told_once_then_when_it_is_back() -> None:
    """The app's clock is a manual one: ten minutes pass when the test says so, and the app's
    one-second tick (here every 20 ms) sees the outage has lasted too long."""
    clock = ManualClock()
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(CHECKOUT)
    source.fail_with = NetworkError("web", "connection refused")
    terminal = FakeTerminal()
    center = center_for(terminal, method=Method.OSC9, unhealthy_minutes=10)
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app = QaTuiApp(engine, clock=clock, tick_seconds=0.02, notify=center, terminal=terminal.write)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: "unreachable" in widget_text(app.dashboard.health_bar))
        clock.advance(11 * 60)
        await wait_until(pilot, lambda: bool(terminal.writes), what="the outage told")
        title = b"web unreachable for 11 min"
        assert terminal.writes == [expected_bytes(Method.OSC9, title, b"connection refused", False)]
        source.fail_with = None
        clock.advance(60)
        await wait_until(pilot, lambda: len(terminal.writes) == 2, what="the provider back")
        assert terminal.writes[1] == expected_bytes(
            Method.OSC9, b"web is back", b"after 12 min without it", False
        )


async def test_w_in_the_detail_view_and_the_count_of_what_was_not_seen_yet() -> None:
    """GIVEN one run watched from its detail view and one from the table WHEN both end, one
    after the other THEN the header says two are new, naming the latest, until a key."""
    s = story(CHECKOUT, LOGIN_RUNNING, method=Method.BELL)
    async with s.run_test() as pilot:
        await table_with_rows(pilot, 2)
        s.app.dashboard.table.move_cursor_to(("web", "r1"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(s.app.screen, RunDetailScreen), what="detail")
        await pilot.press("w")
        assert s.toasts.shown[-1][1] == "Watching checkout flow: you will be told when it ends"
        await pilot.press("escape")
        s.app.dashboard.table.move_cursor_to(("web", "r3"))
        await pilot.press("w")
        assert "◉ checkout flow" in s.line_of("r1") and "◉ login page" in s.line_of("r3")
        s.source.put(ended(CHECKOUT, RunStatus.PASSED))
        await arrived(pilot, s.terminal)
        s.source.put(ended(LOGIN_RUNNING, RunStatus.STOPPED))
        await wait_until(pilot, lambda: len(s.terminal.writes) == 2, what="the second bell")
        assert s.terminal.output == b"\x07\x07"
        await wait_until(pilot, lambda: "⚑ 2 new: Stopped: login page" in s.header())
        await pilot.click(RunsTable)
        await wait_until(pilot, lambda: "⚑" not in s.header(), what="the count gone")
