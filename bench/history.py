"""The run history at scale: strips and flaky badges for 10,000 rows over a 200,000-run history.

    .venv/bin/python bench/history.py [--results 200000] [--rows 10000] [--series 2000]

A history of `--results` final results over the last 90 days (the default bound) is written to
a scratch `history.sqlite`, spread over `--series` series (test and target; some flaky, some
steady, a staging outage among them); then, as the app does:

- `load_s`: `History.load()`, the index read from disk (in a thread, beside the first paint);
- `cells_cold_ms`: the HISTORY cells (strip + flaky badge) of `--rows` table rows, the first time
  (every series' counts worked out), and `cells_warm_ms` the next frame (cached per series until
  it changes); the target is ≤ 50 ms;
- `cells_after_batch_ms`: the same rows after a batch of 500 new results (the series they touch
  are worked out again);
- `record_500_ms`: recording that batch (sqlite and the index), as the engine does per batch;
- `incidents_ms`: grouping the window's failures into incidents, as the `i` view does;
- `index_memory_mb`: what the index keeps (tracemalloc, after a full collection).

Each figure is the median of `--repeat` runs. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import load_average, machine, percentile

SEED = 11
DAY = 86400.0
TARGET_MS = 50.0


def make_results(count: int, series: int, now: float) -> list[Any]:
    """`count` results over 90 days: series of ~`count/series` runs each; one in ten flaky
    (failing a fifth of the time), one in forty always failing, the rest passing (an error or a
    stop now and then); a staging outage 3 hours ago failing 60 of them with one message."""
    from qa_tui.core.history.fingerprint import fingerprint_for
    from qa_tui.core.history.results import Result
    from qa_tui.core.model import RunKind, RunStatus

    rng = random.Random(SEED)
    out: list[Result] = []
    targets = ("Default", "Staging", "Mobile", "prod", "staging")
    for index in range(count):
        s = index % series
        test, target = f"test-{s // len(targets)}", targets[s % len(targets)]
        ended = now - rng.uniform(0, 90 * DAY)
        roll = rng.random()
        status = RunStatus.PASSED
        if (s % 10 == 0 and roll < 0.2) or s % 40 == 7:
            status = RunStatus.FAILED
        elif roll < 0.02:
            status = RunStatus.ERROR
        elif roll < 0.03:
            status = RunStatus.STOPPED
        error = f"Timed out after {rng.randint(30000, 31000)} ms waiting for #b{s}" if status in (
            RunStatus.FAILED, RunStatus.ERROR) else None  # fmt: skip
        if target == "Staging" and index % 997 == 0 and len(out) < count:
            ended = now - 3 * 3600 + rng.uniform(0, 1200)
            status = RunStatus.FAILED
            error = f"503 Service Unavailable from GET https://staging.example/api?sid={index}"
        out.append(
            Result(
                provider="web" if s % 2 else "plans",
                run_id=f"r{index:07d}",
                kind=RunKind.TEST,
                name=f"Test {test}",
                test=test,
                target=target,
                status=status,
                ended=ended,
                error=error,
                fingerprint=fingerprint_for(error, test) if error else None,
            )
        )
    return out


def rows_for(results: list[Any], count: int, now: float) -> list[Any]:
    """`count` table rows: runs of the history's series, as the table holds them."""
    from qa_tui.core.model import ProviderKind, Run, RunKind, RunStatus

    rng = random.Random(SEED + 1)
    picked = rng.sample(results, count)
    return [
        Run(
            provider=r.provider,
            provider_kind=ProviderKind.BUGBUG,
            id=f"row-{i}",
            kind=RunKind.TEST,
            name=r.name,
            status=RunStatus.RUNNING,
            provider_status="running",
            test_id=r.test,
            target=r.target,
        )
        for i, r in enumerate(picked)
    ]


def timed(work: Any) -> float:
    t0 = time.perf_counter()
    work()
    return (time.perf_counter() - t0) * 1000


async def one_round(path: Path, rows: list[Any], batch: list[Any], now: float) -> dict[str, float]:
    from datetime import UTC, datetime

    from qa_tui.core.clock import ManualClock
    from qa_tui.core.history.db import RunHistory
    from qa_tui.core.history.service import History

    clock = ManualClock(start=datetime.fromtimestamp(now, UTC))
    history = History(RunHistory(path), clock=clock)
    t0 = time.perf_counter()
    await history.load()
    load_s = time.perf_counter() - t0

    def cells() -> None:
        for run in rows:
            history.cell(run, now)

    cold = timed(cells)
    warm = timed(cells)
    record = timed(lambda: history.record(batch))
    after = timed(cells)
    index = history.index
    index._incidents = None  # grouped afresh, as after a new failure
    incidents = timed(index.incidents)
    history.db._db.execute("DELETE FROM results WHERE run_id LIKE 'new-%'")
    history.close()
    return {
        "load_s": load_s,
        "cells_cold_ms": cold,
        "cells_warm_ms": warm,
        "record_500_ms": record,
        "cells_after_batch_ms": after,
        "incidents_ms": incidents,
    }


async def index_memory(path: Path, now: float) -> float:
    from datetime import UTC, datetime

    from qa_tui.core.clock import ManualClock
    from qa_tui.core.history.db import RunHistory
    from qa_tui.core.history.service import History

    clock = ManualClock(start=datetime.fromtimestamp(now, UTC))
    history = History(RunHistory(path), clock=clock)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = history._build_index()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    history.close()
    del index
    return (after - before) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--series", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from qa_tui.core.history.db import RunHistory

    load_before = load_average()
    now = time.time()
    results = make_results(args.results, args.series, now)
    rows = rows_for(results, args.rows, now)
    rng = random.Random(SEED + 2)
    batch = [
        r._replace(run_id=f"new-{i}", ended=now - rng.uniform(0, 60))
        for i, r in enumerate(rng.sample(results, 500))
    ]
    with tempfile.TemporaryDirectory(prefix="qa-tui-bench-history-") as scratch:
        path = Path(scratch) / "history.sqlite"
        db = RunHistory(path)
        t0 = time.perf_counter()
        db.add(results, now=now)
        write_s = time.perf_counter() - t0
        db.close()
        rounds = [asyncio.run(one_round(path, rows, batch, now)) for _ in range(args.repeat)]
        memory = asyncio.run(index_memory(path, now))
    figures = {
        key: round(percentile([r[key] for r in rounds], 50), 3 if key == "load_s" else 2)
        for key in rounds[0]
    }
    worst_ms = max(max(r["cells_cold_ms"], r["cells_after_batch_ms"]) for r in rounds)
    median_ms = max(figures["cells_cold_ms"], figures["cells_after_batch_ms"])
    report = {
        "history": {
            **figures,
            "cells_worst_ms": round(worst_ms, 2),
            "target_cells_ms": TARGET_MS,
            "target_met": median_ms <= TARGET_MS,
            "target_note": "the median of the cold and after-batch passes, the slower of the two",
            "index_memory_mb": round(memory, 1),
            "write_200k_s": round(write_s, 2),
            "results": args.results,
            "rows": args.rows,
            "series": args.series,
            "repeat": args.repeat,
        },
        "load_before": load_before,
        "load_after": load_average(),
        "machine": machine(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
