"""Start-up: `qa-tui --version`, and the time until `qa-tui demo` shows its first table.

    .venv/bin/python bench/startup.py [--runs 5] [--version-runs 15]

- `--version`: wall time of the real console script in a subprocess, median of N runs.
- demo first table: the real binary in a real terminal, `qa-tui demo` in a detached tmux session
  (120x40, its own tmux server started beforehand so only qa-tui is timed). The clock starts
  when tmux is asked to start the command and stops at the first `capture-pane` showing a table
  row under the header (a status glyph and word). That covers Python's start-up, imports, the
  simulator starting in its child process (qa_tui/cli/demo_sim.py), the first poll of each
  provider over loopback and the drawing; the demo starts with an empty cache, so that first
  table comes from the providers. Polling adds up to ~15 ms; the median of N runs is reported.
  `make bench` compiles qa-tui's modules first (`make bytecode`), as an installed package is.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, load_average, machine

SCRIPT = Path(sys.executable).with_name("qa-tui")
ROW = re.compile(r"^[✓✗●◌!■↷?] [a-z]")
"""A table row as the terminal shows it: a status glyph, then the status word."""


def version_times(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(SCRIPT), "--version"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


class Tmux:
    def __init__(self) -> None:
        self.socket = f"qa-tui-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return done.stdout


def demo_first_table(timeout: float = 30.0) -> float:
    tmux = Tmux()
    try:
        tmux("new-session", "-d", "-s", "idle", "-x", "120", "-y", "40", "sleep 600")
        command = f"cd {ROOT} && exec {SCRIPT} demo"
        started = time.perf_counter()
        tmux("new-session", "-d", "-s", "qa", "-x", "120", "-y", "40", command)
        while time.perf_counter() - started < timeout:
            lines = tmux("capture-pane", "-p", "-t", "qa").splitlines()
            if any(ROW.match(line) for line in lines):
                return time.perf_counter() - started
            time.sleep(0.005)
        raise RuntimeError("qa-tui demo showed no table row in time:\n" + "\n".join(lines))
    finally:
        tmux("send-keys", "-t", "qa", "q")
        time.sleep(0.3)
        tmux("kill-server")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="demo start-ups")
    parser.add_argument("--version-runs", type=int, default=15)
    args = parser.parse_args()
    load_before = load_average()
    version = version_times(args.version_runs)
    result: dict[str, object] = {
        "version_s": round(statistics.median(version), 3),
        "version_all_s": [round(t, 3) for t in version],
    }
    if shutil.which("tmux"):
        demo = [demo_first_table() for _ in range(args.runs)]
        result["demo_first_table_s"] = round(statistics.median(demo), 3)
        result["demo_first_table_all_s"] = [round(t, 3) for t in demo]
        result["demo_method"] = "real binary in tmux, polled with capture-pane"
    else:
        result["demo_first_table_s"] = None
        result["demo_method"] = "not measured: tmux is not installed"
    print(
        json.dumps({"startup": result, "load_before": load_before, "machine": machine()}, indent=2)
    )


if __name__ == "__main__":
    main()
