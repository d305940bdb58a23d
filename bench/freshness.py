"""Freshness under a budget: qa-tui's engine against a naive per-run status poller.

    .venv/bin/python bench/freshness.py [--duration 100] [--idle-duration 90] [--only engine]

The simulator serves over real loopback in this (parent) process, in real time (speed 1: lag is
wall-clock seconds, sim time and wall time are the same clock). Its world holds 200 active runs
(BugBug: 60 test runs and 15 suite runs of 3 test runs each = 120; BugBrain: 80 executions) plus
some history, changing status at the moments their timelines say. BugBrain enforces its documented
30 requests/minute (and 500/hour); BugBug is held to 60/minute by the simulator's `rpm` fault;
past either, 429.

Each poller runs in its own child process, so its CPU time is its own:

- `engine`: qa-tui's Engine built by `registry.build_sources` from a config pointing at the sim,
  with a RunCache, exactly as the app builds it; every change batch is timestamped on arrival;
- `reference`: what the providers' docs show: list the runs once, then call each active run's
  status endpoint every 5 s, paced to stay within the same budget (one request every 60/rpm s
  per provider), honouring Retry-After.

Lag: for every status change the simulator makes while the poller runs (exact times, from the
runs' timelines), the time until the poller's store first holds that status or a later one.
Changes still undelivered when the poller stops count with their age at that moment (a lower
bound); how many there were is reported. Requests and 429s are counted at the simulator.

Idle: 1,000 finished runs and none active; the engine alone; requests per minute per provider and
CPU (% of one core) after start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import threading
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit, load_average, machine, percentile, rounded, run_child

SEED = 11
STATUS_EVERY_S = 5.0
"""The reference poller's per-run status interval, as the providers' docs show."""
BUGBUG_RPM = 60
BUGBRAIN_RPM = 30
BUGBUG_TERMINAL = frozenset({"passed", "failed", "error", "stopped", "skipped"})
BUGBRAIN_TERMINAL = frozenset({"completed", "failed", "cancelled"})
IDLE_SETTLE_S = 10.0
"""At idle, CPU is counted from this long after the engine starts (its first, bigger cycle)."""
PROVIDER_OF = {"web": "bugbug", "plans": "bugbrain"}
"""Config provider name → simulator provider."""


# --- the parent: simulator, counting, lag ----------------------------------------------------


class RequestCounter:
    """ASGI middleware counting requests and 429s per provider prefix."""

    def __init__(self, app: Any, counts: dict[str, dict[str, int]]) -> None:
        self.app = app
        self.counts = counts
        self.lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        provider = path.strip("/").split("/", 1)[0]

        async def counted(message: Any) -> None:
            if message["type"] == "http.response.start":
                with self.lock:
                    entry = self.counts.setdefault(provider, {"requests": 0, "http_429": 0})
                    entry["requests"] += 1
                    if message["status"] == 429:
                        entry["http_429"] += 1
            await send(message)

        await self.app(scope, receive, counted)


def busy_world() -> Any:
    from qa_tui.sim.scenario import ScenarioSpec

    return ScenarioSpec(
        bugbug_test_runs_finished=150,
        bugbug_test_runs_active=60,
        bugbug_suite_runs_finished=10,
        bugbug_suite_runs_active=15,
        tests_per_suite=3,
        bugbrain_finished=100,
        bugbrain_active=80,
        bugnet_bugs=0,
        new_run_every_s=None,
        active_span_s=(40.0, 200.0),
    )


def idle_world() -> Any:
    from qa_tui.sim.scenario import ScenarioSpec

    # 450 test runs + 50 suite runs of 3 + 350 executions = 1,000 finished runs, none active
    return ScenarioSpec(
        bugbug_test_runs_finished=450,
        bugbug_test_runs_active=0,
        bugbug_suite_runs_finished=50,
        bugbug_suite_runs_active=0,
        tests_per_suite=3,
        bugbrain_finished=350,
        bugbrain_active=0,
        bugnet_bugs=0,
        new_run_every_s=None,
    )


def config_text(base_url: str) -> str:
    from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBRAIN_PROJECT_ID, BUGBUG_TOKEN

    base = base_url.rstrip("/")
    return f"""
[[providers]]
name = "web"
kind = "bugbug"
base_url = "{base}/bugbug"
token = "{BUGBUG_TOKEN}"
requests_per_minute = {BUGBUG_RPM}

[[providers]]
name = "plans"
kind = "bugbrain"
base_url = "{base}/bugbrain/api/v1"
token = "{BUGBRAIN_API_KEY}"
project_id = "{BUGBRAIN_PROJECT_ID}"
requests_per_minute = {BUGBRAIN_RPM}
"""


StatusAt = Callable[[float], str]


def status_functions(sim: Any) -> dict[tuple[str, str], tuple[StatusAt, list[float]]]:
    """(provider, run id) → (raw status at time t, the times its status may change)."""
    out: dict[tuple[str, str], tuple[StatusAt, list[float]]] = {}
    for run in sim.bugbug.test_runs.values():
        tl = run.timeline
        out[("bugbug", run.id)] = (tl.status, [at for at, _ in tl.phases])
    for suite in sim.bugbug.suite_runs.values():
        times = [suite.created, suite.created + 1.0]
        for child in suite.children:
            times += [at for at, _ in child.timeline.phases]
        out[("bugbug", suite.id)] = (suite.status, times)
    for execution in sim.bugbrain.executions.values():
        tl = execution.timeline
        out[("bugbrain", execution.id)] = (tl.status, [at for at, _ in tl.phases])
    return out


def status_changes(
    functions: dict[tuple[str, str], tuple[StatusAt, list[float]]],
) -> dict[tuple[str, str], list[tuple[float, str]]]:
    """Every run's status changes, in time order: [(time, new raw status)] (creation included)."""
    changes: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for key, (status_at, times) in functions.items():
        events: list[tuple[float, str]] = []
        previous = None
        for at in sorted(set(times)):
            if at == float("inf"):
                continue
            status = status_at(at)
            if status != previous:
                events.append((at, status))
                previous = status
        changes[key] = events
    return changes


def lags(
    changes: dict[tuple[str, str], list[tuple[float, str]]],
    observed: dict[tuple[str, str], list[tuple[float, str]]],
    start: float,
    until: float,
    end: float,
) -> tuple[list[float], int, dict[str, list[float]]]:
    """Lag of every change made in [start, until]; (lags, undelivered count, lags per provider).
    A change not delivered by `end` (when the poller stopped) counts as `end - T` (a lower bound).

    A change e_i is delivered by the first observation (t, s) with t >= T_i such that some change
    e_j, j >= i, made by time t, has status s (the store holds e_i's status or a later one)."""
    all_lags: list[float] = []
    per_provider: dict[str, list[float]] = defaultdict(list)
    undelivered = 0
    for key, events in changes.items():
        seen = observed.get(key, [])
        for i, (at, _) in enumerate(events):
            if not start <= at <= until:
                continue
            delivered = None
            for t, status in seen:
                if t < at:
                    continue
                if any(s == status and t_j <= t for t_j, s in events[i:] if t_j <= t + 0.001):
                    delivered = t
                    break
            if delivered is None:
                undelivered += 1
                lag = end - at
            else:
                lag = delivered - at
            all_lags.append(lag)
            per_provider[key[0]].append(lag)
    return all_lags, undelivered, per_provider


def average_active(
    functions: dict[tuple[str, str], tuple[StatusAt, list[float]]], start: float, end: float
) -> dict[str, float]:
    """Mean number of active runs per provider over [start, end], sampled every second."""
    samples: dict[str, list[int]] = defaultdict(list)
    t = start
    while t <= end:
        counts: dict[str, int] = defaultdict(int)
        for (provider, _), (status_at, times) in functions.items():
            if min(times) > t:
                continue
            terminal = BUGBUG_TERMINAL if provider == "bugbug" else BUGBRAIN_TERMINAL
            if status_at(t) not in terminal:
                counts[provider] += 1
        for provider in ("bugbug", "bugbrain"):
            samples[provider].append(counts[provider])
        t += 1.0
    return {p: sum(v) / len(v) for p, v in samples.items() if v}


def measure(mode: str, duration: float, *, tail: float = 0.0, idle: bool = False) -> dict[str, Any]:
    """Serve a fresh simulator, run one poller child against it, and compute its figures."""
    from qa_tui.sim.faults import FaultPlan
    from qa_tui.sim.server import start_in_thread

    faults = FaultPlan()
    faults.set("bugbug", rpm=BUGBUG_RPM)
    spec = idle_world() if idle else busy_world()
    counts: dict[str, dict[str, int]] = {}
    with (
        start_in_thread(seed=SEED, scenario=spec, faults=faults) as sim,
        tempfile.TemporaryDirectory(prefix="qa-tui-bench-") as scratch,
    ):
        sim.app.add_middleware(RequestCounter, counts=counts)
        config = Path(scratch) / "bench.toml"
        config.write_text(config_text(sim.base_url))
        child = run_child(
            "freshness.py",
            [
                mode,
                "--config",
                str(config),
                "--duration",
                str(duration + tail),
                "--scratch",
                scratch,
            ],
            timeout=duration + tail + 120,
        )
        functions = status_functions(sim.sim)
    start, end = child["started"], child["ended"]
    minutes = (end - start) / 60.0
    per_minute = {
        provider: round(counts.get(provider, {}).get("requests", 0) / minutes, 2)
        for provider in ("bugbug", "bugbrain")
    }
    http_429 = sum(entry["http_429"] for entry in counts.values())
    result: dict[str, Any] = {
        "requests_per_min": per_minute,
        "http_429": http_429,
        "cpu_s": round(child["cpu_s"], 3),
        "duration_s": round(end - start, 1),
    }
    if idle:
        steady = end - child["settled"]
        result["cpu_percent"] = round(100.0 * child["cpu_settled_s"] / steady, 3)
        result["cpu_percent_including_first_cycle"] = round(
            100.0 * child["cpu_s"] / (end - start), 3
        )
        result["startup_cpu_s"] = round(child["startup_cpu_s"], 3)
        return result
    observed: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for t, provider, run_id, status in child["observed"]:
        observed[(PROVIDER_OF[provider], run_id)].append((t, status))
    changes = status_changes(functions)
    all_lags, undelivered, per_provider = lags(changes, observed, start, start + duration, end)
    active = average_active(functions, start, end)
    total_requests = sum(counts.get(p, {}).get("requests", 0) for p in ("bugbug", "bugbrain"))
    result.update(
        {
            "lag_p50_s": rounded(percentile(all_lags, 50)),
            "lag_p95_s": rounded(percentile(all_lags, 95)),
            "lag_max_s": rounded(max(all_lags) if all_lags else float("nan")),
            "lag_p95_by_provider_s": {
                p: rounded(percentile(v, 95)) for p, v in sorted(per_provider.items())
            },
            "status_changes": len(all_lags),
            "changes_counted_over_s": duration,
            "undelivered_at_end": undelivered,
            "average_active_runs": {p: round(v, 1) for p, v in active.items()},
            "requests_per_active_run_per_min": round(
                total_requests / minutes / max(1.0, sum(active.values())), 3
            ),
        }
    )
    return result


# --- the children: the pollers -----------------------------------------------------------------


async def engine_child(config_path: Path, duration: float, scratch: Path) -> dict[str, Any]:
    cpu0 = time.process_time()
    from qa_tui.core.config import load_config
    from qa_tui.core.engine import Engine
    from qa_tui.core.history import RunCache
    from qa_tui.core.registry import build_sources
    from qa_tui.core.store import Changes, RunStore

    observed: list[tuple[float, str, str, str]] = []

    def record(changes: Changes) -> None:
        now = time.time()
        for row in (*changes.added, *changes.updated):
            observed.append((now, row.run.provider, row.run.id, row.run.provider_status))

    sources = build_sources(load_config(config_path))
    cache = RunCache(scratch / "runs.sqlite")
    engine = Engine(sources, RunStore(), cache=cache, on_changes=record)
    startup_cpu = time.process_time() - cpu0
    started, cpu_started = time.time(), time.process_time()
    task = asyncio.create_task(engine.run())
    settle = min(IDLE_SETTLE_S, duration / 2)
    await asyncio.sleep(settle)
    cpu_settled, settled = time.process_time(), time.time()
    await asyncio.sleep(duration - settle)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    ended, cpu = time.time(), time.process_time() - cpu_started
    cpu_after_settling = time.process_time() - cpu_settled
    for source in sources:
        await source.aclose()
    cache.close()
    return {
        "started": started,
        "ended": ended,
        "cpu_s": cpu,
        "startup_cpu_s": startup_cpu,
        "settled": settled,
        "cpu_settled_s": cpu_after_settling,
        "observed": observed,
    }


class Pacer:
    """One request every `60 / rpm` seconds, never a burst; pauses on 429."""

    def __init__(self, rpm: float) -> None:
        self.gap = 60.0 / rpm
        self.next = time.monotonic()

    async def slot(self) -> None:
        now = time.monotonic()
        if self.next > now:
            await asyncio.sleep(self.next - now)
        self.next = max(self.next, time.monotonic()) + self.gap

    def pause(self, seconds: float) -> None:
        self.next = max(self.next, time.monotonic() + seconds)


async def reference_child(config_path: Path, duration: float) -> dict[str, Any]:
    """A poller written the way the providers' docs show: list once, then per-run status calls."""
    cpu0 = time.process_time()
    import httpx

    providers = {p["name"]: p for p in tomllib.loads(config_path.read_text())["providers"]}
    web, plans = providers["web"], providers["plans"]
    observed: list[tuple[float, str, str, str]] = []
    known: dict[tuple[str, str], str] = {}

    def see(provider: str, run_id: str, status: str) -> None:
        if known.get((provider, run_id)) != status:
            known[(provider, run_id)] = status
            observed.append((time.time(), provider, run_id, status))

    async def get(client: httpx.AsyncClient, pacer: Pacer, url: str, **params: Any) -> Any:
        while True:
            await pacer.slot()
            response = await client.get(url, params=params or None)
            if response.status_code == 429:
                retry = response.headers.get("Retry-After")
                reset = response.headers.get("X-RateLimit-Reset")
                wait = float(retry) if retry else max(1.0, float(reset or 0) - time.time())
                pacer.pause(wait)
                continue
            response.raise_for_status()
            return response.json()

    async def bugbug(client: httpx.AsyncClient, deadline: float) -> None:
        pacer = Pacer(web["requests_per_minute"])
        active: dict[str, str] = {}  # run id → "testruns" | "suiteruns"
        for collection, pages in (("testruns", 2), ("suiteruns", 1)):
            for page in range(1, pages + 1):
                body = await get(
                    client, pacer, f"/api/v2/{collection}/", page=page, page_size=100,
                    ordering="-started",
                )  # fmt: skip
                for item in body["results"]:
                    see("web", item["id"], item["status"])
                    if item["status"] not in BUGBUG_TERMINAL:
                        active[item["id"]] = collection
        await poll_each(
            pacer,
            deadline,
            active,
            lambda run_id: get(client, pacer, f"/api/v2/{active[run_id]}/{run_id}/status/"),
            "web",
            BUGBUG_TERMINAL,
        )

    async def bugbrain(client: httpx.AsyncClient, deadline: float) -> None:
        pacer = Pacer(plans["requests_per_minute"])
        body = await get(client, pacer, "/executions", project_id=plans["project_id"], limit=100)
        active: dict[str, str] = {}
        for item in body["data"]:
            see("plans", item["id"], item["status"])
            if item["status"] not in BUGBRAIN_TERMINAL:
                active[item["id"]] = "executions"
        await poll_each(
            pacer,
            deadline,
            active,
            lambda run_id: get(client, pacer, f"/executions/{run_id}/status"),
            "plans",
            BUGBRAIN_TERMINAL,
        )

    async def poll_each(
        pacer: Pacer,
        deadline: float,
        active: dict[str, str],
        fetch: Callable[[str], Any],
        provider: str,
        terminal: frozenset[str],
    ) -> None:
        """Every active run's status every 5 s (as far as the budget allows), oldest poll first."""
        last: dict[str, float] = dict.fromkeys(active, 0.0)
        while active and time.monotonic() < deadline:
            run_id = min(active, key=lambda r: last[r])
            due = last[run_id] + STATUS_EVERY_S
            if due > time.monotonic():
                await asyncio.sleep(due - time.monotonic())
            body = await fetch(run_id)
            last[run_id] = time.monotonic()
            see(provider, run_id, body["status"])
            if body["status"] in terminal:
                del active[run_id]
        if time.monotonic() < deadline:
            await asyncio.sleep(deadline - time.monotonic())

    headers_web = {"Authorization": f"Token {web['token']}"}
    headers_plans = {"Authorization": f"Bearer {plans['token']}"}
    startup_cpu = time.process_time() - cpu0
    started, cpu_started = time.time(), time.process_time()
    deadline = time.monotonic() + duration
    async with (
        httpx.AsyncClient(base_url=web["base_url"], headers=headers_web, timeout=15) as c1,
        httpx.AsyncClient(base_url=plans["base_url"], headers=headers_plans, timeout=15) as c2,
    ):
        tasks = [
            asyncio.create_task(bugbug(c1, deadline)),
            asyncio.create_task(bugbrain(c2, deadline)),
        ]
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    ended, cpu = time.time(), time.process_time() - cpu_started
    return {
        "started": started,
        "ended": ended,
        "cpu_s": cpu,
        "startup_cpu_s": startup_cpu,
        "observed": observed,
    }


def child_main(args: argparse.Namespace) -> None:
    config = Path(args.config)
    if args.mode == "engine":
        emit(asyncio.run(engine_child(config, args.duration, Path(args.scratch))))
    else:
        emit(asyncio.run(reference_child(config, args.duration)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("mode", nargs="?", choices=("engine", "reference"), help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument(
        "--duration", type=float, default=80.0, help="seconds of status changes counted per poller"
    )
    parser.add_argument(
        "--tail", type=float, default=40.0, help="seconds each poller keeps running after that"
    )
    parser.add_argument("--idle-duration", type=float, default=90.0, help="seconds at idle")
    parser.add_argument("--only", choices=("engine", "reference", "idle"), action="append")
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    only = set(args.only or ("engine", "reference", "idle"))
    result: dict[str, Any] = {
        "clock": "real time (simulator speed 1): lags are wall-clock seconds",
        "load_before": load_average(),
    }
    freshness: dict[str, Any] = {}
    for mode in ("engine", "reference"):
        if mode in only:
            freshness[mode] = measure(mode, args.duration, tail=args.tail)
    result["freshness"] = freshness
    if "idle" in only:
        result["idle"] = measure("engine", args.idle_duration, idle=True)
    result["machine"] = machine()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
