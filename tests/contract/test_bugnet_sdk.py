"""The real Bugnet SDK for Pygame (`bugnet-sdk` from PyPI) against the simulator over loopback.

A game integrating Bugnet relies on every call its SDK makes being understood: the settings read,
the session start and end, bug reports with their perf snapshot and replay. Here the SDK itself,
unchanged, talks to the simulator on a real socket (port 0), and each story checks two things: the
SDK said nothing went wrong, and the simulator recorded what it sent (`GET /_sim/truth`).

The SDK imports pygame when it is imported (pygame is one of its requirements, so installing the
SDK installs it). It needs no display for these calls: a bare `pygame.Surface` is the screen.

The SDK keeps its state in its module and makes every call on a thread of its own, reporting by
`print`: a `[Bugnet] ...` line on stdout when a call succeeded, a `[Bugnet] WARNING: ...` line on
stderr when it failed. Every call ends with exactly one such line, printed after the answer came
back. So a story stands in for stdout and stderr with a `Console` and waits for the SDK to say each
call finished (or for any warning), with a deadline; it never sleeps. Once the line is there, the
simulator has already recorded the call.
"""

from __future__ import annotations

import io
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bugnet_sdk
import httpx
import pygame
import pytest

from qa_tui.sim.credentials import BUGNET_API_KEY, BUGNET_PROJECT, BUGNET_TOKEN
from qa_tui.sim.server import RunningSim, start_in_thread

DEADLINE_S = 30.0
"""Longer than the SDK's own 15 s timeout for one call, so a hung call ends as its warning."""


class _Stream(io.StringIO):
    """One of the console's two streams. (The SDK replaces `write` on stdout with a wrapper of its
    own that keeps recent lines and calls this one; a StringIO subclass allows that.)"""

    def __init__(self, changed: threading.Condition) -> None:
        super().__init__()
        self.changed = changed

    def write(self, text: str) -> int:
        with self.changed:
            written = super().write(text)
            self.changed.notify_all()
        return written


class Console:
    """What the SDK prints, from any thread, and a way to wait for a line of it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.stdout, self.stderr = _Stream(self._changed), _Stream(self._changed)

    @property
    def out(self) -> str:
        with self._changed:
            return self.stdout.getvalue()

    @property
    def err(self) -> str:
        with self._changed:
            return self.stderr.getvalue()

    @contextmanager
    def says(self, *lines: str) -> Iterator[None]:
        """Run the block, then wait until stdout gained each of `lines` (a line given twice must
        come twice) and assert that nothing was printed on stderr (every SDK warning goes there)."""
        start = len(self.out)
        yield
        wanted, deadline = Counter(lines), time.monotonic() + DEADLINE_S
        with self._changed:
            while True:
                new, err = self.stdout.getvalue()[start:], self.stderr.getvalue()
                missing = [line for line, n in wanted.items() if new.count(line) < n]
                if not missing or err:
                    break
                left = deadline - time.monotonic()
                assert left > 0, f"the SDK never said {missing}; it printed:\n{new}"
                self._changed.wait(left)
        assert not err, f"the SDK warned:\n{err}"
        assert "WARNING" not in new, f"the SDK warned:\n{new}"


class SteadyClock:
    """Stands in for `pygame.time.Clock` in `bugnet_sdk.update(screen, clock)`, which reads only
    `get_fps()` and `get_rawtime()`: a real clock's figures depend on how fast the machine runs."""

    def __init__(self, fps: float, frame_ms: int) -> None:
        self.fps, self.frame_ms = fps, frame_ms

    def get_fps(self) -> float:
        return self.fps

    def get_rawtime(self) -> int:
        return self.frame_ms


class Game:
    """A game using the real SDK, its console, and the simulator it reports to."""

    def __init__(self, running: RunningSim) -> None:
        self.running, self.console = running, Console()
        self.screen = pygame.Surface((320, 240))

    @property
    def settings(self) -> dict[str, bool]:
        """The simulated project's capture settings (change them before `playing`)."""
        return self.running.sim.bugnet.telemetry.settings

    @contextmanager
    def playing(self, game_version: str = "1.4.2") -> Iterator[None]:
        """One play session: `bugnet_sdk.init`, the block, `bugnet_sdk.shutdown`, with the SDK's
        stdout and stderr going to the console. The block runs once the SDK says it applied the
        settings and its session start was recorded; the session ends once the SDK says so.

        The streams are swapped here, in the test's own call, because pytest puts its capture
        back on `sys.stdout` and `sys.stderr` when a test's call begins."""
        saved, ended = (sys.stdout, sys.stderr), False
        sys.stdout, sys.stderr = self.console.stdout, self.console.stderr
        try:
            with self.console.says("Screenshot capture: ", "Session start recorded"):
                url = f"{self.running.base_url}/bugnet"
                bugnet_sdk.init(BUGNET_API_KEY, url, auto_capture=True, game_version=game_version)
            yield
            ended = True
            with self.console.says("SDK shut down", "Session end recorded"):
                bugnet_sdk.shutdown()
        finally:
            if not ended:  # a story that failed midway: sys.excepthook and stdout.write go back
                bugnet_sdk.shutdown()
            sys.stdout, sys.stderr = saved

    def truth(self) -> dict[str, Any]:
        """`GET /_sim/truth`: the SDK's telemetry under `bugnet_sdk`, plus the bugs it filed."""
        response = httpx.get(f"{self.running.base_url}/_sim/truth")
        truth: dict[str, Any] = response.json()
        return {**truth["bugnet_sdk"], "bugs": truth["bugnet_bugs"]}

    def sdk_bugs(self) -> list[dict[str, Any]]:
        return [b for b in self.truth()["bugs"] if b["source"] == "sdk"]


@pytest.fixture
def game() -> Iterator[Game]:
    with start_in_thread(seed=5) as running:
        yield Game(running)


def test_the_real_bugnet_sdk_starts_and_ends_a_session_against_the_simulator(game: Game) -> None:
    with game.playing(game_version="1.4.2"):
        [started] = game.truth()["sessions"]
        assert uuid.UUID(started["session_token"])  # the SDK's own id for this play session
        assert (started["platform"], started["game_version"]) == (sys.platform, "1.4.2")
        assert started["ended_at"] is None
    [ended] = game.truth()["sessions"]
    assert ended["session_token"] == started["session_token"]
    assert ended["ended_at"] is not None and ended["crashed"] is False


@pytest.mark.parametrize("capture", [True, False])
def test_the_real_bugnet_sdk_reads_its_settings_and_attaches_a_screenshot_only_when_allowed(
    game: Game, capture: bool
) -> None:
    game.settings["screenshot_capture"] = capture
    with game.playing():
        assert f"Screenshot capture: {capture} | Session capture: False" in game.console.out
        assert game.truth()["settings_reads"] == 1
        with game.console.says("Bug reported: Sprites flicker", "Performance snapshot sent"):
            bugnet_sdk.report_bug(
                "Sprites flicker",
                "On the title screen",
                include_screenshot=True,
                screen=game.screen,
            )
    [bug] = game.sdk_bugs()
    assert bug["has_screenshot"] is capture


def test_a_bug_reported_through_the_real_bugnet_sdk_is_filed_with_its_perf_snapshot(
    game: Game,
) -> None:
    title = "Player falls through the floor on level 3"
    with game.playing(game_version="2.0.1"):
        bugnet_sdk.update(game.screen, SteadyClock(fps=59.94, frame_ms=17))
        bugnet_sdk.set_player(steam_id="76561198000000001", player_name="Alice")
        with game.console.says(f"Bug reported: {title}", "Performance snapshot sent"):
            bugnet_sdk.report_bug(
                title,
                "Near the bridge the collision mesh has a gap.",
                category="gameplay",
                priority="high",
                steps="1. Start level 3\n2. Jump near the left railing",
            )
    [bug] = game.sdk_bugs()
    assert (bug["title"], bug["category"], bug["priority"]) == (title, "gameplay", "high")
    assert bug["description"] == "Near the bridge the collision mesh has a gap."
    assert bug["steps_to_reproduce"] == "1. Start level 3\n2. Jump near the left railing"
    assert (bug["game_version"], bug["platform"]) == ("2.0.1", sys.platform)
    assert (bug["steam_id"], bug["reporter_name"]) == ("76561198000000001", "Alice")
    [snapshot] = game.truth()["perf_snapshots"]
    assert snapshot["bug_report_id"] == bug["id"]
    assert (snapshot["fps"], snapshot["frame_time_ms"]) == (59.9, 17.0)
    assert snapshot["memory_used_mb"] >= 0  # 0.0 unless psutil is installed
    team_view = httpx.get(
        f"{game.running.base_url}/bugnet/api/projects/{BUGNET_PROJECT}/bugs/{bug['id']}",
        headers={"Authorization": f"Bearer {BUGNET_TOKEN}"},
    )
    assert team_view.json()["data"]["title"] == title  # the team sees the player's report


def test_a_scene_load_timed_by_the_real_bugnet_sdk_arrives_as_a_perf_snapshot_with_its_metrics(
    game: Game,
) -> None:
    with game.playing(), game.console.says("Scene load snapshot sent for 'level_1'"):
        bugnet_sdk.scene_load_start("level_1")
        bugnet_sdk.scene_load_end("level_1")
    [snapshot] = game.truth()["perf_snapshots"]
    assert snapshot["bug_report_id"] is None
    assert snapshot["custom_metrics"]["scene_name"] == "level_1"
    assert snapshot["custom_metrics"]["load_time_ms"] >= 0


def test_a_crash_reported_through_the_real_bugnet_sdk_is_filed_and_ends_the_session_as_crashed(
    game: Game,
) -> None:
    message = f"division by zero in Enemy.update ({uuid.uuid4().hex[:8]})"  # the SDK dedupes
    stack = 'Traceback (most recent call last):\n  File "game.py", line 42, in update\n'
    with game.playing():
        with game.console.says(
            "Session end recorded", f"Bug reported: [Error] {message}", "Performance snapshot sent"
        ):
            bugnet_sdk.report_error(message, stack)
        [session] = game.truth()["sessions"]
        assert session["crashed"] is True and session["ended_at"] is not None
    [bug] = game.sdk_bugs()
    assert (bug["title"], bug["category"], bug["priority"]) == (
        f"[Error] {message}",
        "crash",
        "critical",
    )
    assert stack in bug["description"]
    [session] = game.truth()["sessions"]  # shutdown ended it again: it stays a crashed one
    assert (session["crashed"], session["ends"]) == (True, 2)


def test_the_real_bugnet_sdk_uploads_a_session_replay_when_the_project_captures_sessions(
    game: Game,
) -> None:
    game.settings["session_capture"] = True
    with game.playing():
        for event in (
            pygame.event.Event(pygame.MOUSEMOTION, pos=(120, 80)),
            pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(120, 80), button=1),
            pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(120, 80), button=1),
        ):
            bugnet_sdk.handle_event(event)
        with game.console.says(
            "Bug reported: Door will not open", "Performance snapshot sent", "Session replay sent"
        ):
            bugnet_sdk.report_bug("Door will not open", "Clicked it three times")
    [bug] = game.sdk_bugs()
    [replay] = game.truth()["session_replays"]
    assert (replay["bug_report_id"], replay["events"]) == (bug["id"], 3)
    assert replay["metadata"]["platform"] == sys.platform
    assert replay["file_name"] == "session-replay.json"
