"""The real binary in tmux over "SSH" (no display, no browser): `o` copies the run's address
through the terminal (OSC 52) and says so, instead of "Opening ..." with nothing opening.

tmux stands for the user's terminal: with `set-clipboard on` it takes an application's OSC 52
into a paste buffer (and passes it on to the terminal around it, over SSH too), so the buffer
holds exactly what the app copied. The simulator runs in this process on a manual clock over
real loopback; every wait is on what tmux shows, against a deadline.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_tui.sim import ScenarioClock, ScenarioSpec
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.e2e.test_tmux_notify import eventually
from tests.e2e.test_tmux_smoke import Terminal, private_terminal, qa_tui_command
from tests.support.pilot import chip_ok

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
WORLD = ScenarioSpec(
    bugbug_test_runs_finished=4,
    bugbug_test_runs_active=0,
    bugbug_suite_runs_finished=0,
    bugbug_suite_runs_active=0,
    bugbrain_finished=2,
    bugbrain_active=0,
    bugnet_bugs=1,
    new_run_every_s=None,
)
SSH = "10.0.0.7 52144 10.0.0.2 22"


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    with private_terminal("open") as term:
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


def test_o_over_ssh_puts_the_runs_address_on_the_clipboard_and_says_so(
    terminal: Terminal, sim: RunningSim, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(render_config(sim.base_url))
    config.chmod(0o600)
    env = {"QA_TUI_DATA_DIR": tmp_path / "data", "QA_TUI_CACHE_DIR": tmp_path / "cache"}
    exports = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items())
    command = " ".join(shlex.quote(p) for p in [*qa_tui_command(), "--config", str(config)])
    shell = (
        "unset COLUMNS LINES DISPLAY WAYLAND_DISPLAY BROWSER; "
        f"SSH_CONNECTION={shlex.quote(SSH)} {exports} exec {command}"
    )
    terminal.tmux("new-session", "-d", "-s", terminal.session, "-x", "120", "-y", "35", shell)
    terminal.tmux("set-option", "-g", "set-clipboard", "on")

    def failed_row() -> int | None:
        lines = terminal.screen()
        if len(lines) < 3 or not lines[1].startswith("STATUS"):
            return None
        rows = enumerate(lines[2:])  # a BugBug run: BugBrain's executions have no web page
        return next((i for i, row in rows if row.startswith("✗ failed") and " web " in row), None)

    eventually(  # every provider polled once: the rows stay where they are
        "web and plans healthy",
        lambda: all(chip_ok(terminal.screen()[0], p) for p in ("web", "plans")) or None,
        terminal.screen,
    )
    row = eventually("a failed BugBug run in the table", failed_row, terminal.screen)
    assert terminal.tmux("list-buffers") == ""
    terminal.press("g", *["j"] * row, "o")
    eventually(
        "the toast saying the address was copied",
        lambda: any("copied the address" in line for line in terminal.screen()) or None,
        terminal.screen,
    )
    assert not any("Opening" in line for line in terminal.screen())
    copied = terminal.tmux("show-buffer")
    assert re.fullmatch(rf"{re.escape(sim.base_url)}/\S+/test-runs/[0-9a-f-]+/?", copied), copied
    terminal.press("q")
