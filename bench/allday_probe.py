"""qa-tui with tracemalloc on, for bench/allday.py --tracemalloc: `python bench/allday_probe.py
ARGS...` runs `qa-tui ARGS...` (with this checkout on PYTHONPATH); each SIGUSR1 writes a tracemalloc snapshot to the folder named
by `QA_TUI_BENCH_SNAPSHOTS` (snapshot-1.pickle, snapshot-2.pickle, ...), between two frames."""

from __future__ import annotations

import os
import signal
import sys
import tracemalloc
from pathlib import Path
from types import FrameType

FRAMES = 12


def main() -> int:
    folder = Path(os.environ["QA_TUI_BENCH_SNAPSHOTS"])
    taken = 0

    def snapshot(_signal: int, _frame: FrameType | None) -> None:
        nonlocal taken
        taken += 1
        tracemalloc.take_snapshot().dump(str(folder / f"snapshot-{taken}.pickle"))

    tracemalloc.start(FRAMES)
    signal.signal(signal.SIGUSR1, snapshot)
    from qa_tui.cli.main import main as qa_tui

    return qa_tui(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
