"""The real binary in a real terminal: `qa-tui demo` inside tmux, driven with keys, read back
with capture-pane. Skipped when tmux is not installed.

Each test starts its own tmux server on a unique socket (`-L`, no user config), so it cannot
touch a user's sessions or another test's, and kills it in a `finally`. Every wait polls the
screen against a deadline; the shell records qa-tui's exit code in a file after it quits.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.pilot import chip_ok

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

DEADLINE_S = 30.0
"""Longest wait for any one thing on screen (the first paint includes Python's start-up)."""


def qa_tui_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m qa_tui`."""
    script = Path(sys.executable).with_name("qa-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qa_tui"]


@dataclass
class Terminal:
    """A detached tmux session running one command."""

    socket: str
    session: str = "qa"

    @property
    def socket_path(self) -> Path:
        """Where tmux puts the socket of `-L NAME` (it leaves the file behind when it exits)."""
        return Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / self.socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return done.stdout

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", self.session).splitlines()

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, what: str, predicate: Callable[[list[str]], bool]) -> list[str]:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            lines = self.screen()
            if predicate(lines):
                return lines
            if time.monotonic() > deadline:
                shown = "\n".join(lines)
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{shown}")
            time.sleep(0.1)  # polling a real terminal: there is nothing to await


@contextmanager
def private_terminal(name: str) -> Iterator[Terminal]:
    """A tmux server of its own (socket `qa-tui-NAME-…`), killed and its socket removed after."""
    term = Terminal(socket=f"qa-tui-{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        yield term
    finally:
        term.tmux("kill-server")
        term.socket_path.unlink(missing_ok=True)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    with private_terminal("e2e") as term:
        yield term


def provider_rows(lines: list[str], provider: str) -> list[str]:
    """Table rows of `provider` (the line under the header line onwards; the PROVIDER column)."""
    return [line for line in lines[2:] if re.match(rf"^\S \S+\s+{provider}\s", line)]


@pytest.mark.parametrize(
    ("width", "height", "no_color"),
    [(100, 30, False), (80, 24, True)],
    ids=["100x30", "80x24-NO_COLOR"],
)
def test_the_demo_shows_three_providers_opens_a_run_and_quits_with_code_zero(
    terminal: Terminal, tmp_path: Path, width: int, height: int, no_color: bool
) -> None:
    exit_file = tmp_path / "exit-code"
    command = " ".join(shlex.quote(part) for part in [*qa_tui_command(), "demo"])
    env = "NO_COLOR=1 " if no_color else ""
    # COLUMNS/LINES inherited from a test runner would override the pane's real size.
    shell = f"unset COLUMNS LINES; {env}{command}; echo EXIT=$? > {shlex.quote(str(exit_file))}"
    started = time.monotonic()
    terminal.tmux(
        "new-session", "-d", "-s", terminal.session, "-x", str(width), "-y", str(height), shell
    )

    lines = terminal.wait_for(
        "runs from web, plans and previews",
        lambda ls: (
            all(provider_rows(ls, p) for p in ("web", "plans", "previews")) and "q Quit" in ls[-1]
        ),
    )
    lines = terminal.wait_for(  # a provider's chip turns ok when its cycle ends, after its rows
        "three healthy chips",
        lambda ls: all(chip_ok(ls[0], p) for p in ("web", "plans", "previews")),
    )
    first_paint = time.monotonic() - started
    assert lines[1].startswith("STATUS") and "PROVIDER" in lines[1]
    # A provider's first rows can show before its first cycle (discovery at start) ends and its
    # chip says ok: the chips are waited for, not expected with the first rows.
    lines = terminal.wait_for(
        "every provider's chip healthy",
        lambda ls: all(chip_ok(ls[0], p) for p in ("web", "plans", "previews")),
    )
    assert all(len(line) <= width for line in lines)
    assert "? Help" in lines[-1] and "q Quit" in lines[-1]

    terminal.press("j")
    terminal.press("Enter")
    terminal.wait_for(  # its first pane: a suite's child runs, any other run's steps
        "the run detail",
        lambda ls: (
            any(pane in x for x in ls[:8] for pane in ("Steps", "Child runs"))
            and any("esc Back" in x for x in ls[-2:])
        ),
    )

    terminal.press("Escape")
    terminal.wait_for("the dashboard again", lambda ls: len(ls) > 1 and ls[1].startswith("STATUS"))

    terminal.press("q")
    deadline = time.monotonic() + DEADLINE_S
    while not exit_file.exists() or not exit_file.read_text().strip():
        assert time.monotonic() < deadline, "qa-tui did not exit after q"
        time.sleep(0.1)
    assert exit_file.read_text().strip() == "EXIT=0"
    print(f"\n{width}x{height}: first paint with three providers after {first_paint:.1f}s")


def test_the_failing_steps_screenshot_is_drawn_in_half_blocks_in_plain_tmux(
    terminal: Terminal, tmp_path: Path
) -> None:
    """GIVEN the demo in tmux at 100x30 (tmux answers neither the Sixel nor the Kitty graphics
    query) WHEN a failed test run is opened THEN its failing step's screenshot is drawn under
    the steps in coloured half-blocks, beside a caption naming the step."""
    command = " ".join(shlex.quote(part) for part in [*qa_tui_command(), "demo"])
    shell = f"unset COLUMNS LINES QA_TUI_GRAPHICS NO_COLOR; {command}"
    terminal.tmux("new-session", "-d", "-s", terminal.session, "-x", "100", "-y", "30", shell)
    terminal.wait_for("the runs table", lambda ls: len(ls) > 3 and ls[1].startswith("STATUS"))
    terminal.press("/")
    # the box's own placeholder: the footer's "/ Filter" is on screen before the box opens
    terminal.wait_for("the filter box", lambda ls: any("filter: words" in x for x in ls))
    terminal.press("-l", "status:failed kind:test")
    terminal.press("Enter")

    def first_row(lines: list[str]) -> str:
        header = next((i for i, x in enumerate(lines) if x.startswith("STATUS")), len(lines))
        return lines[header + 1] if header + 1 < len(lines) else ""

    # At 100 columns the HISTORY strip takes the KIND column's place: the filter line says kind.
    terminal.wait_for(  # and the table has the keys again (the footer's q Quit): else g is typed
        "failed test runs only",
        lambda ls: (
            first_row(ls).startswith("✗ failed")
            and any("FILTER" in x and "kind:test" in x for x in ls[:3])
            and "Quit" in [x for x in ls if x.strip()][-1]
        ),
    )
    terminal.press("g", "Enter")

    def picture(lines: list[str]) -> list[str]:
        return [line for line in lines if line.count("▀") >= 30]

    lines = terminal.wait_for(
        "the failing step's screenshot",
        lambda ls: len(picture(ls)) >= 8 and any(re.search(r"step \d+ of \d+", x) for x in ls),
    )
    caption = next(x for x in lines if re.search(r"step \d+ of \d+ · failed", x))
    assert caption.index("step") > caption.rindex("▀")  # the caption beside the picture
    coloured = terminal.tmux("capture-pane", "-p", "-e", "-t", terminal.session)
    assert re.search(r"\x1b\[(38|48);[25];[0-9;]+m▀", coloured)  # drawn in colour
    assert all(len(line) <= 100 for line in lines)
    terminal.press("Escape", "q")
