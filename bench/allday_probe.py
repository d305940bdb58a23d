"""qa-tui with tracemalloc on, for bench/allday.py --tracemalloc: `python bench/allday_probe.py
ARGS...` runs `qa-tui ARGS...` (with this checkout on PYTHONPATH), under tracemalloc unless
`QA_TUI_BENCH_TRACEMALLOC=0` (pymalloc's own figures are only there without it); each SIGUSR1
writes, to the
folder named by `QA_TUI_BENCH_SNAPSHOTS`, between two frames:

- a tracemalloc snapshot (snapshot-1.pickle, snapshot-2.pickle, ...), when tracing;
- a census (census-1.json, ...): how many objects of each type the collector tracks (frozen
  ones included), sys.getallocatedblocks() and pymalloc's arenas, so that what grows can be
  told apart from memory pymalloc holds for blocks that were freed (fragmentation); and, for
  each type named in `QA_TUI_BENCH_HOLDERS` (comma-separated, e.g. `textual.geometry.Region`),
  the containers holding most of them and what refers to those; and the fullest
  functools.lru_cache caches (Rich's and Textual's among them) with their bounds."""

from __future__ import annotations

import collections
import functools
import gc
import json
import os
import re
import signal
import sys
import tempfile
import tracemalloc
from pathlib import Path
from types import FrameType
from typing import Any

FRAMES = 12


def pymalloc_stats() -> dict[str, Any]:
    """The summary lines of sys._debugmallocstats (written by CPython to fd 2)."""
    with tempfile.TemporaryFile("w+") as scratch:
        saved = os.dup(2)
        try:
            os.dup2(scratch.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        scratch.seek(0)
        text = scratch.read()
    stats: dict[str, Any] = {}
    for line in text.splitlines():
        match = re.match(r"^#?\s*([a-z][a-z \-()]+?)\s*=\s*([\d,]+)\s*$", line)
        if match:
            stats[match.group(1).strip()] = int(match.group(2).replace(",", ""))
    return stats


def _name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def holders(objects: list[Any], wanted: str, limit: int = 8) -> list[dict[str, Any]]:
    """The containers holding most objects of the type named `wanted` (one pass over every
    tracked object), each with what refers to it: where objects of a growing type are kept."""
    counted: list[tuple[int, Any]] = []
    for obj in objects:
        members: Any
        if isinstance(obj, dict):
            members = list(obj.values()) + list(obj.keys())
        elif isinstance(obj, (list, set, frozenset, tuple)):
            members = obj
        else:
            continue
        count = sum(1 for member in members if _name(member) == wanted)
        if count:
            counted.append((count, obj))
    counted.sort(key=lambda item: -item[0])
    found = []
    for count, obj in counted[:limit]:
        referrers = [_name(ref) for ref in gc.get_referrers(obj) if ref is not objects][:4]
        found.append({"holds": count, "container": _name(obj), "held_by": referrers})
    return found


def census() -> dict[str, Any]:
    """gc.get_objects() leaves the frozen out (Python 3.11), so they are unfrozen to be counted and
    everything alive is frozen again: the app's collector unfreezes all on its next full pass."""
    frozen = gc.get_freeze_count()
    if frozen:
        gc.unfreeze()
    objects = gc.get_objects()
    counts: collections.Counter[str] = collections.Counter(_name(obj) for obj in objects)
    wanted = [name for name in os.environ.get("QA_TUI_BENCH_HOLDERS", "").split(",") if name]
    held = {name: holders(objects, name) for name in wanted}
    lru = [obj for obj in objects if isinstance(obj, functools._lru_cache_wrapper)]
    lru.sort(key=lambda cache: -cache.cache_info().currsize)
    caches = [
        {
            "cache": f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}",
            "size": obj.cache_info().currsize,
            "bound": obj.cache_info().maxsize,
        }
        for obj in lru[:25]
    ]
    del objects
    if frozen:
        gc.freeze()
    return {
        "allocated_blocks": sys.getallocatedblocks(),
        "frozen": frozen,
        "pymalloc": pymalloc_stats(),
        "types": dict(counts.most_common(400)),
        "holders": held,
        "lru_caches": caches,
    }


def main() -> int:
    folder = Path(os.environ["QA_TUI_BENCH_SNAPSHOTS"])
    taken = 0

    def snapshot(_signal: int, _frame: FrameType | None) -> None:
        nonlocal taken
        taken += 1
        (folder / f"census-{taken}.json").write_text(json.dumps(census()))
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(str(folder / f"snapshot-{taken}.pickle"))

    traced = os.environ.get("QA_TUI_BENCH_TRACEMALLOC", "1") == "1"
    if traced:
        tracemalloc.start(FRAMES)
    signal.signal(signal.SIGUSR1, snapshot)
    from qa_tui.cli.main import main as qa_tui

    return qa_tui(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
