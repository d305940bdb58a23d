"""What qa-tui writes to the terminal, against the fewest bytes its changes need.

    .venv/bin/python bench/terminal_bytes.py [--duration 60] [--settle 15] [--only idle,busy,demo]
                                             [--no-ssh] [--merge-into bench/results.json]

The real app (`python -m qa_tui` of this checkout, as the `qa-tui` binary runs it) runs under a pseudo-terminal of 120x35 (`TERM=xterm-256color`,
`COLORTERM=truecolor`, `SSH_CONNECTION` set as on a build box unless `--no-ssh`, empty data and
cache dirs), and every byte it writes is recorded with the time it arrived. The recording is
replayed through a terminal emulator (pyte) to see what changed on screen. pyte answers the
app's device-attribute queries while it runs, as a terminal would.

Worlds:
- **idle**: the simulator (in this process, over real loopback) with finished runs only and no
  new ones: nothing changes but the clock (the STARTED column's "5m ago" turning "6m ago");
- **busy**: 45 active runs and a new one every 3 s per provider, each running 30 to 90 s:
  statuses, progress bars and running durations change all the time;
- **demo**: `qa-tui demo`, its own simulator and triggers, as a new user starts it.

Each world is measured for `--duration` seconds, starting `--settle` seconds after the first
table row was on screen (the start-up sweep, the demo's Bug0 triggers).

**The floor** (`floor_bytes_per_s`): the bytes a writer would need that knew the terminal's
screen exactly and wrote each change once, counted on the same replay. The recording is cut
into frames (bytes that arrived less than 5 ms apart); after each frame the screen is compared
cell by cell with the screen before it (a cell changed when its character, colours or
attributes differ). On each line, the changed cells are joined into runs, two runs closer than
8 cells apart being one (a cursor move costs about that much; the cells between are counted
as written). Each run costs a cursor move to its first cell (`ESC[y;xH`, with its real digits),
then, for each cell, its character in UTF-8, plus an SGR whenever its style differs from the
pen's (the style of the cell written before it in the frame, lines top to bottom; a frame
starts from a reset pen): from a reset pen every code of the style; else only the colours that
changed when the attributes are the same, the added attributes when none goes, else a reset
and every code. Colours are counted as they are
written to this terminal, 24-bit as `38;2;r;g;b`. Nothing is charged for resetting the pen at
the end of a frame, for synchronized-update markers or for putting the cursor back.

Figures per world: `bytes_per_s` (everything the app wrote in the window), `floor_bytes_per_s`,
`ratio` (bytes over floor), `changed_cells_per_s`, `frames_per_s` (frames that wrote anything).
Targets (issue 22): idle <= 50 B/s; busy <= 3x the floor.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyte

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, load_average, machine

APP = [sys.executable, "-m", "qa_tui"]
"""The app of this checkout (PYTHONPATH is set to it), as `qa-tui` runs it."""
COLUMNS, LINES = 120, 35
ROW = re.compile(r"^[✓✗●◌!■↷?] [a-z]")
"""A table row as the terminal shows it: a status glyph, then the status word."""
FRAME_GAP_S = 0.005
RUN_GAP_CELLS = 8
FIRST_ROW_TIMEOUT_S = 60.0
IDLE_TARGET_BPS = 50.0
BUSY_TARGET_RATIO = 3.0


# --- the worlds ---------------------------------------------------------------------------


def idle_world() -> Any:
    """Finished runs only, no new ones: only the clock moves."""
    from qa_tui.sim.scenario import ScenarioSpec

    return ScenarioSpec(
        bugbug_test_runs_finished=30,
        bugbug_test_runs_active=0,
        bugbug_suite_runs_finished=4,
        bugbug_suite_runs_active=0,
        bugbrain_finished=30,
        bugbrain_active=0,
        bugnet_bugs=0,
        new_run_every_s=None,
    )


def busy_world() -> Any:
    """Many active runs changing: statuses, progress and durations move all the time."""
    from qa_tui.sim.scenario import ScenarioSpec

    return ScenarioSpec(
        bugbug_test_runs_finished=20,
        bugbug_test_runs_active=20,
        bugbug_suite_runs_finished=2,
        bugbug_suite_runs_active=2,
        tests_per_suite=3,
        bugbrain_finished=20,
        bugbrain_active=20,
        bugnet_bugs=0,
        new_run_every_s=3.0,
        active_span_s=(30.0, 90.0),
    )


# --- recording under a pty ----------------------------------------------------------------


class LiveScreen(pyte.Screen):
    """A pyte screen that answers the app's queries through the pty, as a terminal would."""

    def __init__(self, columns: int, lines: int, reply: Callable[[str], None] | None) -> None:
        super().__init__(columns, lines)
        self._reply = reply

    def write_process_input(self, data: str) -> None:
        if self._reply is not None:
            self._reply(data)


@dataclass
class Recording:
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)
    first_row_s: float | None = None


def record(
    command: Sequence[str], env: dict[str, str], settle_s: float, duration_s: float
) -> Recording:
    """Run `command` under a pty of COLUMNS x LINES; record every byte it writes until
    `settle_s + duration_s` after its first table row."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    recording = Recording()

    def reply(data: str) -> None:
        os.write(master, data.encode())

    screen = LiveScreen(COLUMNS, LINES, reply)
    stream = pyte.ByteStream(screen)
    done = threading.Event()
    seen_row = threading.Event()

    def read() -> None:
        while not done.is_set():
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            recording.chunks.append((time.monotonic(), data))
            if not seen_row.is_set():
                stream.feed(data)
                if any(ROW.match(line) for line in screen.display):
                    recording.first_row_s = time.monotonic() - started
                    seen_row.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not seen_row.wait(FIRST_ROW_TIMEOUT_S):
            raise RuntimeError("no table row on screen in time:\n" + "\n".join(screen.display))
        time.sleep(settle_s)
        window_start = time.monotonic()
        time.sleep(duration_s)
        recording.window = (window_start, time.monotonic())
    finally:
        done.set()
        reader.join(2)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        os.close(master)
    return recording


# --- replay: what changed, and the floor ---------------------------------------------------


_NAMED = {
    name: index
    for index, name in enumerate(
        ["black", "red", "green", "brown", "blue", "magenta", "cyan", "white"]
    )
}


def _colour_codes(colour: str, foreground: bool) -> list[str]:
    if colour == "default":
        return []
    base = 30 if foreground else 40
    bright = colour.startswith("bright")
    name = colour.removeprefix("bright")
    if name in _NAMED:
        return [str(base + (60 if bright else 0) + _NAMED[name])]
    if name == "yellow":
        return [str(base + (60 if bright else 0) + 3)]
    try:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return [str(base + 9)]
    return [str(base + 8), "2", str(red), str(green), str(blue)]


def _codes(char: Any) -> tuple[frozenset[str], list[str], list[str]]:
    """A cell's style as SGR codes: its attributes, its foreground's, its background's."""
    attributes = frozenset(
        code
        for flag, code in (
            (char.bold, "1"),
            (char.italics, "3"),
            (char.underscore, "4"),
            (char.blink, "5"),
            (char.reverse, "7"),
            (char.strikethrough, "9"),
        )
        if flag
    )
    return attributes, _colour_codes(char.fg, True), _colour_codes(char.bg, False)


def sgr_length(before: Any | None, char: Any) -> int:
    """The bytes of the shortest usual SGR that turns the style of `before` (None: the reset
    pen) into `char`'s: every code from a reset pen; only the colours that changed when the
    attributes are the same; the added attributes when none goes; else a reset and every code."""
    attributes, fg, bg = _codes(char)
    if before is None:
        codes = sorted(attributes) + fg + bg
    else:
        was_attributes, was_fg, was_bg = _codes(before)
        if not was_attributes <= attributes:
            codes = ["0", *sorted(attributes), *fg, *bg]
        else:
            codes = sorted(attributes - was_attributes)
            if fg != was_fg:
                codes += fg or ["39"]
            if bg != was_bg:
                codes += bg or ["49"]
    return len(f"\x1b[{';'.join(codes)}m") if codes else 0


def _style(char: Any) -> tuple[Any, ...]:
    return tuple(char)[1:]


def line_floor(y: int, xs: list[int], line: Any, pen: Any | None) -> tuple[int, Any | None]:
    """The fewest bytes to write the changed cells `xs` (sorted) of line `y`, the pen being
    the style of the cell `pen` (None: reset); and the pen after them (see the module)."""
    runs: list[list[int]] = []
    for x in xs:
        if runs and x - runs[-1][1] <= RUN_GAP_CELLS:
            runs[-1][1] = x
        else:
            runs.append([x, x])
    total = 0
    for first, last in runs:
        total += len(f"\x1b[{y + 1};{first + 1}H")
        for x in range(first, last + 1):
            char = line[x]
            total += len(char.data.encode())
            if pen is None or _style(char) != _style(pen):
                total += sgr_length(pen, char)
            pen = char
    return total, pen


def _snapshot(screen: pyte.Screen) -> list[list[Any]]:
    return [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]


def replay(recording: Recording) -> dict[str, Any]:
    """Feed the recording to a terminal emulator; count what the window wrote and changed."""
    screen = LiveScreen(COLUMNS, LINES, None)
    stream = pyte.ByteStream(screen)
    start, end = recording.window
    before = [data for at, data in recording.chunks if at < start]
    inside = [(at, data) for at, data in recording.chunks if start <= at <= end]
    for data in before:
        stream.feed(data)
    frames: list[bytes] = []
    last_at = -1.0
    for at, data in inside:
        if frames and at - last_at < FRAME_GAP_S:
            frames[-1] += data
        else:
            frames.append(data)
        last_at = at
    shown = _snapshot(screen)
    changed_cells = floor = 0
    for frame in frames:
        screen.dirty.clear()
        stream.feed(frame)
        pen = None
        for y in sorted(screen.dirty):
            if y >= screen.lines:
                continue
            line = screen.buffer[y]
            xs = [x for x in range(screen.columns) if line[x] != shown[y][x]]
            if xs:
                changed_cells += len(xs)
                cost, pen = line_floor(y, xs, line, pen)
                floor += cost
                shown[y] = [line[x] for x in range(screen.columns)]
    seconds = end - start
    written = sum(len(data) for _, data in inside)
    return {
        "seconds": round(seconds, 1),
        "bytes": written,
        "bytes_per_s": round(written / seconds, 1),
        "floor_bytes_per_s": round(floor / seconds, 1),
        "ratio": round(written / floor, 2) if floor else None,
        "changed_cells_per_s": round(changed_cells / seconds, 1),
        "frames_per_s": round(len(frames) / seconds, 2),
        "first_row_s": None if recording.first_row_s is None else round(recording.first_row_s, 2),
        "screen_at_end": list(screen.display),
    }


# --- running the worlds --------------------------------------------------------------------


def environment(scratch: Path, ssh: bool) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QA_TUI_", "TEXTUAL", "SSH_", "TMUX", "NO_COLOR"))
    }
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        QA_TUI_DATA_DIR=str(scratch / "data"),
        QA_TUI_CACHE_DIR=str(scratch / "cache"),
        QA_TUI_CONFIG=str(scratch / "config.toml"),
        QA_TUI_GRAPHICS="half-blocks",
        PYTHONPATH=str(ROOT),
    )
    if ssh:
        env["SSH_CONNECTION"] = "192.0.2.10 50000 192.0.2.20 22"
    return env


def measure_world(name: str, settle_s: float, duration_s: float, ssh: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"qa-tui-bytes-{name}-") as folder:
        scratch = Path(folder)
        env = environment(scratch, ssh)
        if name == "demo":
            recording = record([*APP, "demo"], env, settle_s, duration_s)
        else:
            from qa_tui.sim import server
            from qa_tui.sim.config_text import render_config

            spec = idle_world() if name == "idle" else busy_world()
            with server.start_in_thread(scenario=spec, seed=11) as sim:
                config = scratch / "config.toml"
                config.write_text(render_config(sim.base_url))
                config.chmod(0o600)
                recording = record([*APP, "--config", str(config)], env, settle_s, duration_s)
    return replay(recording)


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Issue 22's two targets, from this script's figures."""
    checks: dict[str, Any] = {}
    idle = results.get("idle")
    if idle:
        value = idle["bytes_per_s"]
        checks["terminal bytes: idle <= 50 B/s"] = {
            "value": value,
            "unit": "B/s",
            "met": value <= IDLE_TARGET_BPS,
        }
    busy = results.get("busy")
    if busy:
        value = busy["ratio"]
        checks["terminal bytes: busy <= 3x the floor"] = {
            "value": value,
            "unit": "x",
            "met": value is not None and value <= BUSY_TARGET_RATIO,
        }
    return checks


def merge_into(path: Path, figures: dict[str, Any]) -> None:
    """Put `figures` under `terminal_bytes` in the results file at `path`, the rest as it was."""
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results["terminal_bytes"] = figures
    results.setdefault("targets", {}).update(figures["targets"])  # beside make bench's
    path.write_text(json.dumps(results, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured per world")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds after the first row")
    parser.add_argument("--only", default="idle,busy,demo", help="worlds, comma-separated")
    parser.add_argument("--no-ssh", action="store_true", help="leave SSH_CONNECTION unset")
    parser.add_argument("--show-screen", action="store_true", help="keep each final screen")
    parser.add_argument(
        "--merge-into",
        type=Path,
        metavar="RESULTS",
        help="also put the figures under `terminal_bytes` in RESULTS, the rest kept",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {
        "size": f"{COLUMNS}x{LINES}",
        "ssh": not args.no_ssh,
        "load_before": load_average(),
    }
    for name in [part.strip() for part in args.only.split(",") if part.strip()]:
        figures = measure_world(name, args.settle, args.duration, not args.no_ssh)
        if not args.show_screen:
            figures.pop("screen_at_end")
        result[name] = figures
        print(f"terminal_bytes {name}: {figures.get('bytes_per_s')} B/s", file=sys.stderr)
    result["targets"] = targets(result)
    result["load_after"] = load_average()
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    if args.merge_into is not None:
        merge_into(args.merge_into, result)


if __name__ == "__main__":
    main()
