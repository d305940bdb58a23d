"""The table at scale: qa-tui's runs table against a stock Textual DataTable, 10,000 runs.

    .venv/bin/python bench/table.py [--runs 10000] [--batches 20]

Both sides run headless (`App.run_test`, 160x50) in their own child process (so peak RSS is
theirs alone), from the same local cache of 10,000 runs (a RunCache written first), and are
timed the same way: from the moment the work is handed to the app until the next screen update
that follows it has been composed AND turned into terminal output (`render_segments`, which a
headless app would otherwise skip), so the figure includes rendering the visible lines and the
wait for the frame, not only the Python that changes the data.

- qa-tui: `QaTuiApp` with the engine's sources silent (so only the cache feeds it), and its real
  one-second clock tick (what it redraws, and the collector's full pass when one is due, land
  when they would in use).
  first table: from creating the RunCache/Engine/app to the first screen update showing the
  table with every cached run (modules already imported; `from_launch` adds interpreter start
  and imports); a batch: 500 changed runs taken by the engine as a poll cycle's are
  (`Engine._apply`: the store, then RunsChanged → DashboardScreen.apply → RunsTable; the cache
  and the history get the batch `AFTER_BATCH_S` later, the cache's JSON and sqlite on its writer
  thread, which here writes every second so that some batches' frames meet a write); a filter:
  what typing in the filter box runs (`_set_filter`).
- reference: an App with one DataTable (the same nine columns, cells from the same renderers),
  filled by `add_row` in the table order; a batch or a filter is applied by clear-and-refill
  (bench/stock_table.py).

With `--history`, qa-tui's side also keeps a run history of 200,000 results (90 days, over the
series of the cached runs): the HISTORY column is drawn, the history loads as it does in use
(once the providers' first batches are out, here after its 3-second wait, in a thread; the timed
work starts once it is loaded), and the engine records each batch in it after the frame that
shows the batch (`Engine.AFTER_BATCH_S`). The strips follow in a frame of their own
(`DashboardScreen.STRIPS_AFTER_S` after the history moved): `strips_after_p95_ms` is from
handing the batch over until that frame, `strips_frame_cpu_p95_ms` its CPU; the next batch is
handed over after it.

Memory: peak RSS of each child, of a child that only imports the modules and loads the runs
(the baseline both share), and what each table keeps for its runs (`table_memory`: two more
children, tracemalloc from handing the runs to an empty table to its first full frame).
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit, load_average, machine, peak_rss_mb, percentile, run_child

SIZE = (160, 50)
WRITE_EVERY_S = 1.0
SEED = 5
FILTERS = ("status:failed", "checkout", "provider:plans", "since:2h", "login status:passed")
NOW = datetime.now(UTC)
"""Runs are spread over the week before this (the parent writes them moments before a child reads)."""


# --- the data --------------------------------------------------------------------------------


def make_runs(count: int) -> list[Any]:
    """`count` runs: BugBug test runs and suite runs (3 test runs each), BugBrain executions;
    mostly finished, a few hundred queued or running; spread over the last week."""
    from qa_tui.core.model import Progress, ProviderKind, Run, RunKind, RunStatus

    rng = random.Random(SEED)
    names = ["Login with email", "Checkout with card", "Search products", "Password reset",
             "Sign up", "Update profile", "Apply discount code", "Nightly regression"]  # fmt: skip
    finals = [RunStatus.PASSED] * 6 + [RunStatus.FAILED] * 2 + [RunStatus.ERROR, RunStatus.STOPPED]
    runs: list[Run] = []

    def one(provider: str, kind: RunKind, index: int, parent: str | None, at: datetime) -> Run:
        active = index % 40 == 0
        status = rng.choice((RunStatus.RUNNING, RunStatus.QUEUED)) if active else rng.choice(finals)
        ended = None if active else at + timedelta(seconds=rng.uniform(20, 600))
        total = rng.randint(4, 12)
        done = rng.randint(0, total) if active else total
        return Run(
            provider=provider,
            provider_kind=ProviderKind.BUGBUG if provider == "web" else ProviderKind.BUGBRAIN,
            id=f"{provider}-{index:06d}",
            kind=kind,
            name=rng.choice(names),
            status=status,
            provider_status="completed" if provider == "plans" and not active else status.value,
            progress=Progress(done=done, total=total),
            queued=at - timedelta(seconds=3),
            started=None if status is RunStatus.QUEUED else at,
            ended=ended,
            duration_s=(ended - at).total_seconds() if ended else None,
            url=f"https://example.test/{provider}/runs/{index}",
            parent_id=parent,
            triggered_by=rng.choice(("user", "api", "scheduler", "github")),
            test_id=f"target-{index % 50}",
        )

    index = 0
    while len(runs) < count:
        at = NOW - timedelta(seconds=rng.uniform(0, 7 * 86400))
        roll = rng.random()
        if roll < 0.4:
            runs.append(one("plans", RunKind.EXECUTION, index, None, at))
        elif roll < 0.9 or count - len(runs) < 4:
            runs.append(one("web", RunKind.TEST, index, None, at))
        else:
            suite = one("web", RunKind.SUITE, index, None, at)
            runs.append(suite)
            for k in range(3):
                index += 1
                runs.append(one("web", RunKind.TEST, index, suite.id, at + timedelta(seconds=k)))
        index += 1
    return runs[:count]


def changed(runs: list[Any], rng: random.Random) -> list[Any]:
    """A new state for each run: another status (and raw word), progress moved on."""
    from qa_tui.core.model import Progress, RunStatus

    cycle = [RunStatus.RUNNING, RunStatus.PASSED, RunStatus.FAILED, RunStatus.ERROR]
    out = []
    for run in runs:
        status = rng.choice([s for s in cycle if s is not run.status])
        total = run.progress.total if run.progress else 5
        out.append(
            run.model_copy(
                update={
                    "status": status,
                    "provider_status": status.value,
                    "progress": Progress(done=rng.randint(0, total), total=total),
                }
            )
        )
    return out


# --- measuring screen updates ----------------------------------------------------------------


class Frames:
    """Stamps every screen update of an app, after turning it into terminal output."""

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.cpu_at_last_frame = 0.0
        """CPU time of this process when the last frame was done (for the work a change took)."""
        self.waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, update: Any) -> None:
            original(screen, update)
            if isinstance(update, CompositorUpdate):
                update.render_segments(app.console)  # what a real terminal would be sent
            now = time.perf_counter()
            self.cpu_at_last_frame = time.process_time()
            for waiter in list(self.waiters):
                ready, future = waiter
                if ready() and not future.done():
                    future.set_result(now)
                    self.waiters.remove(waiter)

        app._display = display

    def next_after(self, ready: Callable[[], bool]) -> asyncio.Future[float]:
        """A future for the time of the first screen update made once `ready()` is true."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters.append((ready, future))
        return future


async def settle() -> None:
    await asyncio.sleep(0.05)  # batches arrive seconds apart in real use: let the frame go idle


async def settle_after_start(pilot: Any) -> None:
    """Let the app finish starting (the footer composes after the first frame) before batches
    are timed: engine batches come seconds after the first paint, not within its first frames."""
    await pilot.pause()
    await asyncio.sleep(0.5)
    await pilot.pause()


# --- qa-tui ----------------------------------------------------------------------------------


class SilentSource:
    """A run source that never answers: the table is fed by the cache and the bench only."""

    def __init__(self, name: str) -> None:
        from qa_tui.core.http.budget import RequestBudget
        from qa_tui.core.model import ProviderKind
        from qa_tui.core.providers.base import Capabilities

        self.name = name
        self.kind = ProviderKind.BUGBUG
        self.capabilities = Capabilities()
        self.catalogue_reads = 0
        self.budget = RequestBudget(60)

    async def list_runs(self, **_: Any) -> Any:
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        return None


def make_history(path: Path, count: int) -> None:
    """`count` final results over 90 days for the series of `make_runs` (provider, target id):
    one series in five flaky, the rest passing but now and then."""
    from qa_tui.core.history.db import RunHistory
    from qa_tui.core.history.results import Result
    from qa_tui.core.model import RunKind, RunStatus

    rng = random.Random(SEED + 3)
    now = NOW.timestamp()
    results = []
    for index in range(count):
        provider, series = ("web", "plans")[index % 2], index % 50
        flaky = series % 5 == 0
        status = RunStatus.FAILED if flaky and rng.random() < 0.25 else RunStatus.PASSED
        results.append(
            Result(
                provider,
                f"h-{index:07d}",
                RunKind.TEST,
                f"target-{series}",
                f"target-{series}",
                "",
                status,
                now - rng.uniform(0, 90 * 86400),
            )
        )
    history = RunHistory(path)
    history.add(results, now=now)
    history.close()


async def ours(
    cache_path: Path, count: int, batches: int, launched: float, history_path: Path | None = None
) -> dict[str, Any]:
    from qa_tui.core.engine import Engine
    from qa_tui.core.history import RunCache
    from qa_tui.core.history.db import RunHistory
    from qa_tui.core.history.service import History
    from qa_tui.core.runs.store import RunStore
    from qa_tui.ui.app import QaTuiApp

    rng = random.Random(SEED + 1)
    started_wall = time.time()
    started, cpu_started = time.perf_counter(), time.process_time()
    cache = RunCache(cache_path)
    sources: list[Any] = [SilentSource("web"), SilentSource("plans")]
    history = History(RunHistory(history_path)) if history_path is not None else None
    engine = Engine(sources, RunStore(), cache=cache, history=history)
    # The writers write what the batches bring every second (in use: once the engine pauses for
    # one, at the latest every 10 s): some batches' frames meet a write on the writer's thread.
    cache._writer.within_s = WRITE_EVERY_S
    if history is not None:
        history._writer.within_s = WRITE_EVERY_S
    app = QaTuiApp(engine)  # with its real clock tick: the collector's passes are made on it
    frames = Frames(app)
    table = app.dashboard.table
    first = frames.next_after(lambda: len(table.order) == count)
    result: dict[str, Any] = {}
    cpu_ms: dict[str, list[float]] = {"apply": [], "filter": []}
    result["cpu_ms"] = cpu_ms
    async with app.run_test(headless=True, size=SIZE) as pilot:
        first_shown = await first
        result["first_table_s"] = first_shown - started
        result["first_table_cpu_s"] = frames.cpu_at_last_frame - cpu_started
        result["first_table_from_launch_s"] = started_wall - launched + (first_shown - started)
        await settle_after_start(pilot)
        if history is not None:
            while not history.loaded:
                await asyncio.sleep(0.05)
            result["history_loaded_after_s"] = time.perf_counter() - started
            result["history_results"] = len(history.index)
            await settle_after_start(pilot)
        dashboard = app.dashboard
        applied: list[float] = []
        original_apply = dashboard.apply

        def timed_apply(changes: Any, now: datetime) -> None:
            original_apply(changes, now)
            applied.append(time.perf_counter())

        dashboard.apply = timed_apply  # type: ignore[method-assign]
        filter_ms = []
        for text in FILTERS:
            await settle()
            t0, cpu0 = time.perf_counter(), time.process_time()
            shown = frames.next_after(lambda: True)
            dashboard._set_filter(text)
            filter_ms.append((await shown - t0) * 1000)
            cpu_ms["filter"].append((frames.cpu_at_last_frame - cpu0) * 1000)
            result.setdefault("filter_rows", []).append(len(table.order))
            await settle()
            cleared = frames.next_after(lambda: True)
            dashboard._set_filter("")
            await cleared
        result["filter_ms"] = filter_ms
        apply_ms, apply_only_ms = [], []
        keys = [row.key for row in engine.store]
        for _ in range(batches):
            await settle()
            picked = [engine.store.get(key).run for key in rng.sample(keys, 500)]  # type: ignore[union-attr]
            fresh = changed(picked, rng)
            applied.clear()
            shown = frames.next_after(lambda: bool(applied))
            t0, cpu0 = time.perf_counter(), time.process_time()
            engine._apply(fresh)  # a poll cycle's batch, as the engine takes it (store, emit)
            t1 = await shown
            apply_ms.append((t1 - t0) * 1000)
            cpu_ms["apply"].append((frames.cpu_at_last_frame - cpu0) * 1000)
            apply_only_ms.append((applied[0] - t0) * 1000)
            while engine.unsettled:  # the cache and the history take it AFTER_BATCH_S later
                await asyncio.sleep(0.005)
            if history is not None and dashboard._strips_due is not None:
                # the strips follow in a frame of their own (STRIPS_AFTER_S after the history)
                strips = frames.next_after(lambda: dashboard._strips_due is None)
                cpu1 = time.process_time()
                result.setdefault("strips_after_ms", []).append((await strips - t0) * 1000)
                cpu_ms.setdefault("strips", []).append((frames.cpu_at_last_frame - cpu1) * 1000)
        result["apply_500_ms"] = apply_ms
        result["apply_500_without_render_ms"] = apply_only_ms
        frozen = gc.get_freeze_count()
        full_pass_ms = app.collector.full_pass()  # what the tick does every 5 minutes
        result["gc"] = {
            "frozen_objects": frozen,
            "freed_by_full_pass": frozen - gc.get_freeze_count(),
            "full_pass_ms": round(full_pass_ms, 2),
        }
    cache.close()
    if history is not None:
        history.close()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# --- the reference: a stock DataTable --------------------------------------------------------


async def reference(cache_path: Path, count: int, batches: int, launched: float) -> dict[str, Any]:
    from textual.widgets import DataTable

    from bench.stock_table import StockTableApp
    from qa_tui.core.history import RunCache
    from qa_tui.core.runs.query import View, parse_query

    rng = random.Random(SEED + 1)
    started_wall = time.time()
    started, cpu_started = time.perf_counter(), time.process_time()
    cache = RunCache(cache_path)
    app = StockTableApp(NOW, cache=cache)
    frames = Frames(app)
    result: dict[str, Any] = {}
    cpu_ms: dict[str, list[float]] = {"apply": [], "filter": []}
    result["cpu_ms"] = cpu_ms

    def table_rows() -> int:
        try:
            return app.query_one(DataTable).row_count
        except Exception:
            return 0

    first = frames.next_after(lambda: table_rows() == count)
    async with app.run_test(headless=True, size=SIZE) as pilot:
        first_shown = await first
        result["first_table_s"] = first_shown - started
        result["first_table_cpu_s"] = frames.cpu_at_last_frame - cpu_started
        result["first_table_from_launch_s"] = started_wall - launched + (first_shown - started)
        await settle_after_start(pilot)
        filter_ms = []
        for text in FILTERS:
            await settle()
            t0, cpu0 = time.perf_counter(), time.process_time()
            shown = frames.next_after(lambda: True)
            app.view = View(query=parse_query(text))
            app.refill()
            filter_ms.append((await shown - t0) * 1000)
            cpu_ms["filter"].append((frames.cpu_at_last_frame - cpu0) * 1000)
            result.setdefault("filter_rows", []).append(table_rows())
            cleared = frames.next_after(lambda: True)
            app.view = View()
            app.refill()
            await cleared  # the next measure starts once this refill is on screen
            await settle()
        result["filter_ms"] = filter_ms
        keys = [row.key for row in app.store]
        apply_ms = []
        for _ in range(batches):
            await settle()
            picked = [app.store.get(key).run for key in rng.sample(keys, 500)]  # type: ignore[union-attr]
            fresh = changed(picked, rng)
            shown = frames.next_after(lambda: True)
            t0, cpu0 = time.perf_counter(), time.process_time()
            app.store.apply(fresh)
            app.refill()
            apply_ms.append((await shown - t0) * 1000)
            cpu_ms["apply"].append((frames.cpu_at_last_frame - cpu0) * 1000)
        result["apply_500_ms"] = apply_ms
    cache.close()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# --- what each table holds ------------------------------------------------------------------


async def table_memory(side: str, cache_path: Path, count: int) -> dict[str, Any]:
    """The memory a table keeps for showing `count` runs, the same way on both sides: the runs
    already in a store and the app already on screen with an empty table; from just before the
    runs are handed to the table until its first full frame, what is still allocated (Python's
    tracemalloc, after a full collection). The runs, the store, the interpreter and the libraries
    are the same for both and not counted: this is the part where the two tables differ."""
    import tracemalloc

    from qa_tui.core.engine import Engine
    from qa_tui.core.history import RunCache
    from qa_tui.core.runs.store import RunStore

    cache = RunCache(cache_path)
    store = RunStore()
    changes = store.apply(cache.load({"web", "plans"}), stale=True)
    cache.close()
    app: Any
    if side == "ours":
        from qa_tui.ui.app import QaTuiApp

        sources: list[Any] = [SilentSource("web"), SilentSource("plans")]
        app = QaTuiApp(Engine(sources, store))
        shown: Callable[[], bool] = lambda: len(app.dashboard.table.order) == count  # noqa: E731
        fill: Callable[[], None] = lambda: app._engine_changes(changes)  # noqa: E731
    else:
        from textual.widgets import DataTable

        from bench.stock_table import StockTableApp

        app = StockTableApp(NOW, store=store)
        shown = lambda: app.query_one(DataTable).row_count == count  # noqa: E731
        fill = app.refill
    frames = Frames(app)
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await settle_after_start(pilot)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        full = frames.next_after(shown)
        fill()
        await full
        await settle_after_start(pilot)
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "table_memory_mb": round((after - before) / 1e6, 2),
        "table_memory_peak_mb": round((peak - before) / 1e6, 2),
    }


# --- a baseline for memory ---------------------------------------------------------------


async def baseline(cache_path: Path, count: int, batches: int, launched: float) -> dict[str, Any]:
    """What both tables need before any widget: the modules and the runs in memory. Peak RSS
    above this is each table's own."""
    from textual.app import App  # noqa: F401
    from textual.widgets import DataTable  # noqa: F401

    from qa_tui.core.history import RunCache
    from qa_tui.core.runs.store import RunStore
    from qa_tui.ui.app import QaTuiApp  # noqa: F401

    cache = RunCache(cache_path)
    store = RunStore()
    store.apply(cache.load({"web", "plans"}), stale=True)
    cache.close()
    return {"peak_rss_mb": peak_rss_mb(), "runs": len(store)}


# --- the parent ------------------------------------------------------------------------------


def summary(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "first_table_s": round(raw["first_table_s"], 3),
        "first_table_from_launch_s": round(raw["first_table_from_launch_s"], 3),
        "apply_500_p50_ms": round(percentile(raw["apply_500_ms"], 50), 2),
        "apply_500_p95_ms": round(percentile(raw["apply_500_ms"], 95), 2),
        "filter_ms": round(percentile(raw["filter_ms"], 50), 2),
        "filter_max_ms": round(max(raw["filter_ms"]), 2),
        "filter_rows": raw.get("filter_rows"),
        "peak_rss_mb": raw["peak_rss_mb"],
        **({"gc": raw["gc"]} if "gc" in raw else {}),
        **{k: round(raw[k], 3) for k in ("history_loaded_after_s",) if k in raw},
        **(
            {
                "strips_after_p95_ms": round(percentile(raw["strips_after_ms"], 95), 2),
                "strips_frame_cpu_p95_ms": round(percentile(raw["cpu_ms"]["strips"], 95), 2),
            }
            if raw.get("strips_after_ms")
            else {}
        ),
        **{k: raw[k] for k in ("history_results",) if k in raw},
        "cpu": {
            "first_table_s": round(raw["first_table_cpu_s"], 3),
            "apply_500_p95_ms": round(percentile(raw["cpu_ms"]["apply"], 95), 2),
            "filter_ms": round(percentile(raw["cpu_ms"]["filter"], 50), 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "side",
        nargs="?",
        choices=("ours", "reference", "baseline", "memory-ours", "memory-reference"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument(
        "--reference-batches",
        type=int,
        default=5,
        help="batches for the stock table (each refill of 10,000 rows takes seconds)",
    )
    parser.add_argument("--only", choices=("ours", "reference"))
    parser.add_argument(
        "--history",
        type=int,
        nargs="?",
        const=200_000,
        default=None,
        metavar="RESULTS",
        help="qa-tui keeps a run history of this many results (default 200,000)",
    )
    parser.add_argument("--history-db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.side.startswith("memory-"):
            side = args.side.removeprefix("memory-")
            emit(asyncio.run(table_memory(side, Path(args.cache), args.runs)))
            return
        if args.side == "ours" and args.history_db:
            history_db = Path(args.history_db)
            emit(
                asyncio.run(
                    ours(Path(args.cache), args.runs, args.batches, args.launched, history_db)
                )
            )
            return
        run = {"ours": ours, "reference": reference, "baseline": baseline}[args.side]
        emit(asyncio.run(run(Path(args.cache), args.runs, args.batches, args.launched)))
        return
    from qa_tui.core.history import RunCache

    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="qa-tui-bench-") as scratch:
        path = Path(scratch) / "runs.sqlite"
        cache = RunCache(path)
        cache.save(make_runs(args.runs))
        cache.close()
        history_db = Path(scratch) / "history.sqlite"
        if args.history:
            make_history(history_db, args.history)
        sides = {}
        for side in ("ours", "reference", "baseline"):
            if args.only and side not in (args.only, "baseline"):
                continue
            batches = args.batches if side == "ours" else args.reference_batches
            child_args = [side, "--cache", str(path), "--runs", str(args.runs)]
            child_args += ["--batches", str(batches), "--launched", str(time.time())]
            if args.history and side == "ours":
                child_args += ["--history-db", str(history_db)]
            sides[side] = run_child("table.py", child_args)
        memory = {
            side: run_child(
                "table.py", [f"memory-{side}", "--cache", str(path), "--runs", str(args.runs)]
            )
            for side in ("ours", "reference")
            if not args.only or side == args.only
        }
    if args.only:
        only = {**summary(sides[args.only]), **memory[args.only]}
        print(json.dumps({args.only: only}, indent=2))
        return
    ours_figures = {**summary(sides["ours"]), **memory["ours"]}
    ref = {**summary(sides["reference"]), **memory["reference"]}
    base_rss = sides["baseline"]["peak_rss_mb"]
    ours_above = round(ours_figures["peak_rss_mb"] - base_rss, 1)
    ref_above = round(ref["peak_rss_mb"] - base_rss, 1)
    table = {
        **ours_figures,
        "apply_500_without_render_p95_ms": round(
            percentile(sides["ours"]["apply_500_without_render_ms"], 95), 2
        ),
        "reference": ref,
        "ratio_vs_reference": {
            key: round(ref[key] / ours_figures[key], 1)
            for key in (
                "first_table_s",
                "apply_500_p95_ms",
                "filter_ms",
                "table_memory_mb",
                "peak_rss_mb",
            )
            if ours_figures[key]
        },
        "rss_baseline_mb": base_rss,
        "rss_above_baseline_mb": {"ours": ours_above, "reference": ref_above},
        "rss_above_baseline_ratio": round(ref_above / ours_above, 1) if ours_above > 0 else None,
        "runs": args.runs,
        "batches": args.batches,
        "reference_batches": args.reference_batches,
        "terminal_size": list(SIZE),
        "history_results": args.history or 0,
    }
    print(json.dumps({"table": table, "load_before": load_before, "machine": machine()}, indent=2))


if __name__ == "__main__":
    main()
