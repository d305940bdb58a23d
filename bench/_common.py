"""Helpers shared by the benchmark scripts: percentiles, machine facts, child processes.

Each benchmark runs the thing it measures in a child process (`python bench/x.py --child ...`)
so that CPU time and peak memory belong to that thing alone; the child prints one JSON object
on its last stdout line and the parent reads it.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) by linear interpolation; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rounded(value: float, digits: int = 3) -> float | None:
    return None if math.isnan(value) else round(value, digits)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count() or 0,
        "python": sys.version.split()[0],
        "load_average": load_average(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def run_child(script: str, args: Sequence[str], *, timeout: float = 600.0) -> dict[str, Any]:
    """Run `python bench/<script> --child ...`; return the JSON object it printed last."""
    command = [PYTHON, str(ROOT / "bench" / script), "--child", *args]
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{script} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}"
        )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    result: dict[str, Any] = json.loads(lines[-1])
    result.setdefault("_wall_s", round(time.monotonic() - started, 2))
    return result


def emit(result: dict[str, Any]) -> None:
    """Print one JSON object on one line (a child's answer) and flush."""
    print(json.dumps(result), flush=True)
