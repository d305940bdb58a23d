"""Open all day: qa-tui's memory and CPU, minute by minute, on a busy world of constant size.

    .venv/bin/python bench/allday.py [--minutes 30] [--tracemalloc] [--merge-into bench/results.json]

Not part of `make bench` (it takes `--minutes`, 30 by default). The simulator (in this process,
over real loopback, in real time) serves a busy world that holds a constant number of runs: a
new BugBug run every 20 s and a new BugBrain execution every 30 s (300 an hour), each running 1
to 4 minutes, and each provider keeps its newest 60 runs (`ScenarioSpec.retain_runs`: the
oldest finished ones go as new ones come, as a provider's retention would), so about 12 runs
are active at any time, their statuses, progress and durations changing, and every one ends.

The table holds what the providers hold: a run they no longer list leaves it once a whole walk
of its list shows it gone (core/engine/retention.py), so the world's constant size is the
table's too, and what grows is what the app keeps beside it.

The real app (`python -m qa_tui` of this checkout, with the simulator's config:
BugBug, BugBrain, Bug0 and the Bugnet tracker; history and notifications on, as a user has them)
runs under a pseudo-terminal of 120x35 with `SSH_CONNECTION` set, its output read and dropped.

Each minute it prints (to stderr, and in the JSON) the app's resident set size (`VmRSS`), its
CPU over that minute (user + system time over wall time, in % of one core) and the bytes it
wrote to the terminal. The figure held to the target is the growth of RSS after minute 5 (the
start-up, the first sweeps and the history's first fill are over by then), as a least-squares
slope over the minutes from 5 to the end, in MB an hour (the first and last samples' difference
is printed beside it). Target (issue 22): <= 5 MB an hour.

`--tracemalloc` runs the app under tracemalloc (bench/allday_probe.py: slower and bigger, for
finding what grows, not for the figures) and prints the allocation sites that grew most between
minute 5 and the end, each with its traceback.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, load_average, machine

COLUMNS, LINES = 120, 35
SETTLE_MINUTE = 5
TARGET_MB_PER_HOUR = 5.0
NEW_RUN_EVERY_S = 20.0
"""A new BugBug run this often, a BugBrain execution 1.5 times as often: 300 new runs an hour."""
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def constant_world() -> Any:
    """Busy, and the same size all day: runs end as new ones start, the oldest finished go."""
    from qa_tui.sim.scenario import ScenarioSpec

    return ScenarioSpec(
        bugbug_test_runs_finished=40,
        bugbug_test_runs_active=8,
        bugbug_suite_runs_finished=4,
        bugbug_suite_runs_active=1,
        tests_per_suite=3,
        bugbrain_finished=40,
        bugbrain_active=8,
        bugnet_bugs=5,
        new_run_every_s=NEW_RUN_EVERY_S,
        active_span_s=(60.0, 240.0),
        retain_runs=60,
    )


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (minute, MB) points, in MB an hour."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if not var:
        return None
    cov = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return round(cov / var * 60, 2)


class Terminal:
    """A pty of COLUMNS x LINES whose output is read and counted, never shown."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.written = 0
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)

    def start(self) -> None:
        os.close(self.slave)
        self._reader.start()

    def _read(self) -> None:
        while not self._done.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.written += len(data)

    def close(self) -> None:
        self._done.set()
        self._reader.join(2)
        os.close(self.master)


def growth_top(folder: Path, limit: int = 15) -> list[dict[str, Any]]:
    """The allocation sites that grew most between the first snapshot and the last."""
    snapshots = sorted(folder.glob("snapshot-*.pickle"), key=lambda p: int(p.stem.split("-")[1]))
    if len(snapshots) < 2:
        return []
    first = tracemalloc.Snapshot.load(str(snapshots[0]))
    last = tracemalloc.Snapshot.load(str(snapshots[-1]))
    top = []
    for stat in last.compare_to(first, "traceback")[:limit]:
        top.append(
            {
                "kb": round(stat.size_diff / 1024, 1),
                "blocks": stat.count_diff,
                "traceback": [f"{frame.filename}:{frame.lineno}" for frame in stat.traceback][-8:],
            }
        )
    return top


def census_growth(folder: Path, limit: int = 30) -> dict[str, Any]:
    """What bench/allday_probe.py counted at each snapshot: the types whose count grew most
    between the first census and the last, and pymalloc's figures at each."""
    files = sorted(folder.glob("census-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    if len(files) < 2:
        return {}
    censuses = [json.loads(path.read_text()) for path in files]
    first, last = censuses[0]["types"], censuses[-1]["types"]
    grown = {name: last.get(name, 0) - first.get(name, 0) for name in set(first) | set(last)}
    top = sorted(grown.items(), key=lambda item: -item[1])[:limit]
    return {
        "types_grown": dict(top),
        "each": [
            {
                key: census[key]
                for key in ("allocated_blocks", "frozen", "pymalloc", "holders", "lru_caches")
            }
            for census in censuses
        ],
    }


def run(minutes: int, traced: bool, census: bool = False, holders: str = "") -> dict[str, Any]:
    from qa_tui.sim import server
    from qa_tui.sim.config_text import render_config

    with (
        tempfile.TemporaryDirectory(prefix="qa-tui-allday-") as folder,
        server.start_in_thread(scenario=constant_world(), seed=5) as sim,
    ):
        scratch = Path(folder)
        config = scratch / "config.toml"
        config.write_text(render_config(sim.base_url))
        config.chmod(0o600)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("QA_TUI_", "TEXTUAL", "TMUX", "NO_COLOR"))
        }
        env.update(
            TERM="xterm-256color",
            COLORTERM="truecolor",
            SSH_CONNECTION="192.0.2.10 50000 192.0.2.20 22",
            QA_TUI_DATA_DIR=str(scratch / "data"),
            QA_TUI_CACHE_DIR=str(scratch / "cache"),
            QA_TUI_GRAPHICS="half-blocks",
            PYTHONPATH=str(ROOT),
        )
        command = [sys.executable, "-m", "qa_tui", "--config", str(config)]
        probed = traced or census
        if probed:
            env["QA_TUI_BENCH_SNAPSHOTS"] = str(scratch)
            env["QA_TUI_BENCH_TRACEMALLOC"] = "1" if traced else "0"
            env["QA_TUI_BENCH_HOLDERS"] = holders
            command = [sys.executable, str(ROOT / "bench" / "allday_probe.py"), "--config"]
            command.append(str(config))
        terminal = Terminal()
        process = subprocess.Popen(
            command,
            stdin=terminal.slave,
            stdout=terminal.slave,
            stderr=terminal.slave,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        terminal.start()
        samples: list[dict[str, Any]] = []
        try:
            started = time.monotonic()
            cpu_before, written_before = cpu_seconds(process.pid), 0
            for minute in range(1, minutes + 1):
                time.sleep(max(0.0, started + minute * 60 - time.monotonic()))
                if process.poll() is not None:
                    raise RuntimeError(f"qa-tui exited ({process.returncode}) at minute {minute}")
                cpu = cpu_seconds(process.pid)
                sample = {
                    "minute": minute,
                    "rss_mb": round(rss_mb(process.pid), 1),
                    "cpu_percent": round((cpu - cpu_before) / 60 * 100, 2),
                    "terminal_bytes_per_s": round((terminal.written - written_before) / 60, 1),
                }
                cpu_before, written_before = cpu, terminal.written
                samples.append(sample)
                print(json.dumps(sample), file=sys.stderr, flush=True)
                if probed and (minute == minutes or (minute - SETTLE_MINUTE) % 5 == 0):
                    os.kill(process.pid, signal.SIGUSR1)
            if probed:
                time.sleep(20)  # the second snapshot is written between two frames
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            terminal.close()
        result: dict[str, Any] = {"minutes": samples}
        if traced:
            result["growth_top"] = growth_top(scratch)
        if probed:
            result["census"] = census_growth(scratch)
        return result


def summary(samples: list[dict[str, Any]], minutes: int) -> dict[str, Any]:
    after = [(s["minute"], s["rss_mb"]) for s in samples if s["minute"] >= SETTLE_MINUTE]
    slope = slope_per_hour(after)
    first, last = (after[0], after[-1]) if after else ((0, 0.0), (0, 0.0))
    span_h = (last[0] - first[0]) / 60
    return {
        "rss_growth_mb_per_hour": slope,
        "rss_growth_first_to_last_mb_per_hour": round((last[1] - first[1]) / span_h, 2)
        if span_h
        else None,
        "rss_at_minute_5_mb": first[1],
        "rss_at_end_mb": last[1],
        "cpu_percent_mean_after_minute_5": round(
            sum(s["cpu_percent"] for s in samples if s["minute"] > SETTLE_MINUTE)
            / max(1, len([s for s in samples if s["minute"] > SETTLE_MINUTE])),
            2,
        ),
        "target": {
            "name": "all day: RSS grows <= 5 MB an hour after minute 5",
            "value": slope,
            "unit": "MB/h",
            "met": slope is not None and slope <= TARGET_MB_PER_HOUR and minutes >= 30,
        },
    }


def merge_into(path: Path, figures: dict[str, Any]) -> None:
    """Put `figures` under `allday` in the results file at `path`, every other key as it was."""
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results["allday"] = figures
    target = figures["target"]  # beside make bench's targets
    results.setdefault("targets", {})[target["name"]] = {
        key: target[key] for key in ("value", "unit", "met")
    }
    path.write_text(json.dumps(results, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--tracemalloc", action="store_true", help="find what grows (slower)")
    parser.add_argument(
        "--census",
        action="store_true",
        help="count objects and pymalloc's arenas every 5 minutes (bench/allday_probe.py, no tracemalloc)",
    )
    parser.add_argument(
        "--holders",
        default="",
        metavar="TYPES",
        help="with the census: which containers hold most objects of these types "
        "(comma-separated, e.g. textual.geometry.Region)",
    )
    parser.add_argument(
        "--merge-into",
        type=Path,
        metavar="RESULTS",
        help="also put the figures under `allday` in RESULTS (bench/results.json), the rest kept",
    )
    args = parser.parse_args()
    load_before = load_average()
    figures = run(args.minutes, args.tracemalloc, args.census or bool(args.holders), args.holders)
    result = {
        **summary(figures["minutes"], args.minutes),
        "tracemalloc": args.tracemalloc,
        "census": args.census,
        **figures,
        "world": "a new BugBug run every 20 s, a BugBrain execution every 30 s, 60 kept each",
        "load_before": load_before,
        "load_after": load_average(),
        "machine": machine(),
    }
    print(json.dumps(result, indent=2))
    if args.merge_into is not None and not (args.tracemalloc or args.census or args.holders):
        merge_into(args.merge_into, result)


if __name__ == "__main__":
    main()
