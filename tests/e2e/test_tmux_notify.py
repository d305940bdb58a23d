"""The real binary in tmux: a run watched with `w` ends in the simulator, and tmux flags the
app's window with the bell (`window_bell_flag` 1), as it would for a user in another window.

The simulator runs in this process on a manual scenario clock over real loopback; qa-tui runs in
window 1 of a private tmux server (`-L`, no user config, `allow-passthrough on` as the README
says) while window 0 is the current one, so the bell marks window 1 as it marks a pane the user
is not looking at. Every wait is on what tmux reports, against a deadline.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from qa_tui.sim import ScenarioClock, ScenarioSpec
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.e2e.test_tmux_smoke import DEADLINE_S, Terminal, private_terminal, qa_tui_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
T = TypeVar("T")
WORLD = ScenarioSpec(
    bugbug_test_runs_finished=3,
    bugbug_test_runs_active=2,
    bugbug_suite_runs_finished=0,
    bugbug_suite_runs_active=0,
    bugbrain_finished=2,
    bugbrain_active=0,
    bugnet_bugs=1,
    new_run_every_s=None,
)
NOTIFY = '\n[notify]\nmethod = "osc9"\nnew_failure = false\ndesktop = false\n'
"""Only the watched run may notify: a bell then means that run's end, nothing else."""


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    with private_terminal("notify") as term:
        yield term


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    served = start_in_thread(
        clock=ScenarioClock.manual_at(), scenario=WORLD, enforce_documented_limits=False
    )
    try:
        yield served
    finally:
        served.stop()


def eventually(what: str, probe: Callable[[], T | None], shown: Callable[[], list[str]]) -> T:
    """`probe()` once it is not None; after the deadline, fail showing the screen."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            screen = "\n".join(shown())
            raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")
        time.sleep(0.1)  # polling a real terminal: there is nothing to await


def bell_flags(term: Terminal) -> dict[str, str]:
    listing = term.tmux("list-windows", "-t", "qa", "-F", "#{window_index} #{window_bell_flag}")
    return dict(line.split(" ", 1) for line in listing.splitlines() if " " in line)


def test_a_watched_run_ending_sets_the_bell_flag_of_the_apps_window(
    terminal: Terminal, sim: RunningSim, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(render_config(sim.base_url) + NOTIFY)
    config.chmod(0o600)
    env = {"QA_TUI_DATA_DIR": tmp_path / "data", "QA_TUI_CACHE_DIR": tmp_path / "cache"}
    exports = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items())
    command = " ".join(shlex.quote(p) for p in [*qa_tui_command(), "--config", str(config)])
    app = f"{terminal.session}:1"
    terminal.tmux("new-session", "-d", "-s", terminal.session, "-x", "100", "-y", "30", "cat")
    terminal.tmux("set-option", "-g", "allow-passthrough", "on")
    terminal.tmux("new-window", "-d", "-t", app, f"unset COLUMNS LINES; {exports} exec {command}")

    def screen() -> list[str]:
        return terminal.tmux("capture-pane", "-p", "-t", app).splitlines()

    def first_active_row() -> int | None:
        lines = screen()
        if len(lines) < 3 or not lines[1].startswith("STATUS"):
            return None
        rows = lines[2:]
        return next((i for i, row in enumerate(rows) if "● running" in row), None)

    row = eventually("a running run in the table", first_active_row, screen)
    assert bell_flags(terminal) == {"0": "0", "1": "0"}  # opening was quiet
    terminal.tmux("send-keys", "-t", app, "g", *["j"] * row, "w")  # top, down to it, watch
    watched = eventually(
        "the watch mark",
        lambda: next((line for line in screen()[2:] if "◉ " in line), None),
        screen,
    )
    name = watched.split("◉ ", 1)[1].split("  ")[0].strip()
    assert bell_flags(terminal)["1"] == "0"

    sim.sim.advance(600)  # every active run ends
    eventually(
        "the bell flag on the app's window",
        lambda: bell_flags(terminal)["1"] == "1" or None,
        screen,
    )
    assert bell_flags(terminal)["0"] == "0"
    eventually(
        "the toast naming the watched run",
        lambda: any(f": {name}" in line for line in screen()) or None,
        screen,
    )
    assert (
        subprocess.run(
            ["tmux", "-L", terminal.socket, "show-options", "-gv", "allow-passthrough"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        == "on"
    )
