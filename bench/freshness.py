"""Freshness under a budget: qa-tui's engine against a naive per-run status poller.

    .venv/bin/python bench/freshness.py [--duration 80] [--tail 40] [--only deep] ...

The simulator serves over real loopback in this (parent) process, in real time (speed 1: lag is
wall-clock seconds). BugBrain enforces its documented 30 requests/minute and 500/hour; BugBug is
held to 60/minute by the simulator's `rpm` fault; past either, 429. The worlds are in
bench/freshness_world.py: `deep` (active runs past position 250 of their lists, the world a busy
project has), `busy` (issue 6's 200 active runs, all among the newest 100) and `idle`.

Each poller runs in its own child process, so its CPU time is its own:

- `engine`: qa-tui's Engine built by `registry.build_sources` from a config pointing at the sim,
  with a RunCache, exactly as the app builds it;
- `reference`: what the providers' docs show: list the newest runs once (two pages of BugBug test
  runs, one of suite runs, one of BugBrain executions), then call each active run's status
  endpoint every 5 s, paced to stay within the same budget, honouring Retry-After.

Everything is counted at the server (`ServerObserver`): for every status change the simulator
makes while the poller runs (exact times, from the runs' timelines), the lag until the first
response that carried the run in that status or a later one. A change no response ever carried is
**never fetched**; it counts with its age when the poller stopped (a lower bound). Requests,
429s, and requests sent while a 429's Retry-After was still running, per provider.

`dialects`: the deep world under every reading of BugBug's paging (`PAGING_DIALECTS`), the engine
alone: a server whose `next` is null or names another host, whose pages are smaller than asked,
which ignores time ranges, must not leave a deep active run unseen.

`sustained`: the deep world with BugBrain held to what 500 requests an hour allow for good (8.3 a
minute), printed beside the floor that pace sets on the lag.

Idle: 1,000 finished runs and none active; the engine alone; requests a minute per provider and
CPU (% of one core) once the start-up sweep is done, and the start-up's own requests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit, load_average, machine, percentile, rounded, run_child
from bench.freshness_world import (
    BUGBRAIN_TERMINAL,
    BUGBUG_TERMINAL,
    PROVIDERS,
    ServerObserver,
    ServerRecord,
    average_active,
    deep_runs,
    lags,
    paging_floor,
    spec_for,
    status_changes,
    status_functions,
)

SEED = 11
STATUS_EVERY_S = 5.0
"""The reference poller's per-run status interval, as the providers' docs show."""
BUGBUG_RPM = 60
BUGBRAIN_RPM = 30
BUGBRAIN_SUSTAINED_RPM = 500 / 60
"""What BugBrain's 500 requests an hour allow, sustained: the pace once the hour's share is used."""
IDLE_STEADY_FROM_S = 45.0
"""At idle, requests and CPU are counted from this long after the engine starts: by then the
start-up sweep (every status filter, the first pages of history) is done."""
PROVIDER_OF = {"web": "bugbug", "plans": "bugbrain"}
PAGING_DIALECTS = (
    "bugbug.next=relative",
    "bugbug.next=null",
    "bugbug.next=other-host",
    "bugbug.page_size=fixed",
    "bugbug.page_size=capped",
    "hardest-bugbug",
)
"""The deep world again under each reading of BugBug's paging the docs allow (`qa-tui sim
--dialect help`): the default's figures are `deep`. `hardest-bugbug` is `next` null, pages of
25 whatever is asked, and time ranges ignored."""
"""Config provider name → simulator provider."""


def config_text(base_url: str, bugbrain_rpm: float = BUGBRAIN_RPM) -> str:
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
requests_per_minute = {bugbrain_rpm:.3f}
"""


def measure(
    mode: str,
    world: str,
    duration: float,
    *,
    tail: float = 0.0,
    bugbrain_rpm: float = BUGBRAIN_RPM,
    dialect: str = "",
) -> dict[str, Any]:
    """Serve a fresh simulator of `world` (speaking `dialect`, a `qa-tui sim --dialect` spec),
    run one poller child against it, count at the server."""
    from dataclasses import replace

    from qa_tui.sim.dialects import parse_dialect
    from qa_tui.sim.faults import FaultPlan
    from qa_tui.sim.server import start_in_thread

    faults = FaultPlan()
    faults.set("bugbug", rpm=BUGBUG_RPM)
    record = ServerRecord()
    spec = replace(spec_for(world), dialect=parse_dialect(dialect))
    with (
        start_in_thread(seed=SEED, scenario=spec, faults=faults) as sim,
        tempfile.TemporaryDirectory(prefix="qa-tui-bench-") as scratch,
    ):
        sim.app.add_middleware(ServerObserver, record=record)
        config = Path(scratch) / "bench.toml"
        config.write_text(config_text(sim.base_url, bugbrain_rpm))
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
        deep = deep_runs(sim.sim, child["started"])
        page = {"fixed": 25, "capped": 50}.get(spec.dialect.bugbug_page_size, 100)
        floor = paging_floor(
            sim.sim,
            child["started"] + 20.0,
            child["started"] + duration,
            page=page,
            rpm=BUGBUG_RPM,
            share=0.85,
        )
    start, end = child["started"], child["ended"]
    if world == "idle":
        return idle_figures(record, child)
    minutes = (end - start) / 60.0
    per_run, missed = lags(status_changes(functions), record.carried, start, start + duration, end)
    active = average_active(functions, start, end)
    all_lags = [lag for values in per_run.values() for lag in values]
    by_provider = {
        p: [lag for (q, _), values in per_run.items() if q == p for lag in values]
        for p in PROVIDERS
    }
    total_requests = sum(record.requests.get(p, 0) for p in PROVIDERS)
    groups: dict[str, Any] = {}
    for label, found in deep.items():
        keys = [key for _, key in found]
        group_lags = [lag for key in keys for lag in per_run.get(key, [])]
        groups[label] = {
            "positions": [i for i, _ in found],
            "changes": len(group_lags),
            "never_fetched": sum(missed.get(key, 0) for key in keys),
            "lag_p95_s": rounded(percentile(group_lags, 95)) if group_lags else None,
        }
    return {
        "lag_p50_s": rounded(percentile(all_lags, 50)),
        "lag_p95_s": rounded(percentile(all_lags, 95)),
        "lag_max_s": rounded(max(all_lags) if all_lags else float("nan")),
        "lag_p50_by_provider_s": {
            p: rounded(percentile(v, 50)) for p, v in by_provider.items() if v
        },
        "lag_p95_by_provider_s": {
            p: rounded(percentile(v, 95)) for p, v in by_provider.items() if v
        },
        "status_changes": len(all_lags),
        "never_fetched": sum(missed.values()),
        "never_fetched_by_provider": {
            p: sum(n for (q, _), n in missed.items() if q == p) for p in PROVIDERS
        },
        "deep_active_runs": groups,
        "bugbug_paging_floor": floor,
        "changes_counted_over_s": duration,
        "requests_per_min": {p: round(record.requests.get(p, 0) / minutes, 2) for p in PROVIDERS},
        "http_429": sum(record.http_429.values()),
        "requests_inside_retry_after": sum(record.inside_retry_after.values()),
        "average_active_runs": {p: round(v, 1) for p, v in active.items()},
        "requests_per_active_run_per_min": round(
            total_requests / minutes / max(1.0, sum(active.values())), 3
        ),
        "cpu_s": round(child["cpu_s"], 3),
        "duration_s": round(end - start, 1),
    }


def idle_figures(record: ServerRecord, child: dict[str, Any]) -> dict[str, Any]:
    """Idle: requests a minute per provider and CPU once the start-up sweep is done."""
    start, end, settled = child["started"], child["ended"], child["settled"]
    steady_minutes = (end - settled) / 60.0
    steady = {p: sum(1 for t in record.arrivals.get(p, []) if t >= settled) for p in PROVIDERS}
    total = {p: record.requests.get(p, 0) for p in PROVIDERS}
    return {
        "requests_per_min": {p: round(n / steady_minutes, 2) for p, n in steady.items()},
        "requests_counted_from_s": IDLE_STEADY_FROM_S,
        "startup_requests": {p: total[p] - steady[p] for p in PROVIDERS},
        "requests_per_min_including_startup": {
            p: round(n / ((end - start) / 60.0), 2) for p, n in total.items()
        },
        "http_429": sum(record.http_429.values()),
        "cpu_percent": round(100.0 * child["cpu_settled_s"] / (end - settled), 3),
        "cpu_percent_including_first_cycle": round(100.0 * child["cpu_s"] / (end - start), 3),
        "startup_cpu_s": round(child["startup_cpu_s"], 3),
        "duration_s": round(end - start, 1),
    }


# --- the children: the pollers -----------------------------------------------------------------


async def engine_child(config_path: Path, duration: float, scratch: Path) -> dict[str, Any]:
    """qa-tui's engine, built from the config as the app builds it, with a run cache."""
    cpu0 = time.process_time()
    from qa_tui.core.config.tables import load_config
    from qa_tui.core.engine import Engine
    from qa_tui.core.history import RunCache
    from qa_tui.core.providers.registry import build_sources
    from qa_tui.core.runs.store import RunStore

    sources = build_sources(load_config(config_path))
    cache = RunCache(scratch / "runs.sqlite")
    engine = Engine(sources, RunStore(), cache=cache)
    startup_cpu = time.process_time() - cpu0
    started, cpu_started = time.time(), time.process_time()
    task = asyncio.create_task(engine.run())
    settle = min(IDLE_STEADY_FROM_S, duration / 2)
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
    parser.add_argument("--idle-duration", type=float, default=120.0, help="seconds at idle")
    parser.add_argument(
        "--only",
        choices=("deep", "busy", "sustained", "idle", "dialects"),
        action="append",
        help="parts",
    )
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    only = set(args.only or ("deep", "busy", "sustained", "idle", "dialects"))
    result: dict[str, Any] = {
        "clock": "real time (simulator speed 1): lags are wall-clock seconds, counted at the server",
        "load_before": load_average(),
    }
    for world in ("deep", "busy"):
        if world in only:
            result[world] = {
                mode: measure(mode, world, args.duration, tail=args.tail)
                for mode in ("engine", "reference")
            }
    if "sustained" in only:
        sustained = measure(
            "engine", "deep", args.duration, tail=args.tail, bugbrain_rpm=BUGBRAIN_SUSTAINED_RPM
        )
        result["bugbrain_sustained"] = sustained_figures(sustained)
    if "idle" in only:
        result["idle"] = measure("engine", "idle", args.idle_duration)
    if "dialects" in only:
        result["deep_by_bugbug_dialect"] = {
            spec: measure("engine", "deep", args.duration, tail=args.tail, dialect=spec)
            for spec in PAGING_DIALECTS
        }
    result["machine"] = machine()
    print(json.dumps(result, indent=2))


def sustained_figures(measured: dict[str, Any]) -> dict[str, Any]:
    """BugBrain at the pace its hourly limit allows for good, with the floor that pace sets."""
    rpm = measured["requests_per_min"]["bugbrain"]
    period_one = 60.0 / BUGBRAIN_SUSTAINED_RPM
    return {
        "requests_per_min_allowed": round(BUGBRAIN_SUSTAINED_RPM, 2),
        "requests_per_min": rpm,
        "lag_p50_s": measured["lag_p50_by_provider_s"].get("bugbrain"),
        "lag_p95_s": measured["lag_p95_by_provider_s"].get("bugbrain"),
        "never_fetched": measured["never_fetched_by_provider"]["bugbrain"],
        "deep_active_runs": measured["deep_active_runs"]["bugbrain executions"],
        "http_429": measured["http_429"],
        "requests_inside_retry_after": measured["requests_inside_retry_after"],
        "floor_lag_p95_s": {
            "one_request_a_cycle": round(0.95 * period_one, 1),
            "two_requests_a_cycle": round(0.95 * 2 * period_one, 1),
            "two_requests_a_cycle_at_the_planned_share": round(0.95 * 2 * period_one / 0.85, 1),
        },
        "floor_note": (
            "500 requests an hour allow one every 7.2 s: a change waits on average half the gap "
            "between two requests that carry it. If one request could carry every run, lag p95 "
            "could not be under ~6.8 s. A cycle here is two requests (the newest executions, "
            "and the time range that holds the deep ones): ~13.7 s at the whole allowance, "
            "~16.1 s at the 85% the engine plans to use (the rest is kept for the user's own "
            "actions)."
        ),
    }


if __name__ == "__main__":
    main()
