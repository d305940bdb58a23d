"""A whole org in one table: 20 providers, their budgets shared as their services limit them.

    .venv/bin/python bench/org.py [--duration 75] [--tail 35] [--idle-duration 60]
                                  [--merge-into bench/results.json]

The simulator serves an org over real loopback, in real time (sim/org/projects.py): 8 BugBug projects
(a token each, held to 60 requests a minute per token, since BugBug documents no limit), 8
BugBrain projects on 2 API keys (4 a key; 30 a minute and 500 an hour counted per key, whatever
the project), 4 Bug0 projects (10 a minute, 100 an hour each). Each polled project has about ten
active runs, and new ones arrive. The config is `qa-tui sim --projects`'s, one provider a
project at the documented rates (20 providers).

The real binary runs in tmux (160x50, an empty cache and data dir), as a user starts it:

- **first paint**: from asking tmux to start `qa-tui --config ...` to the first table row on
  screen (`capture-pane`);
- **busy**: meanwhile 10 Bug0 runs per project are triggered through qa-tui's own client (Bug0
  has no read API: the app shows them from the trigger log and never polls Bug0), and
  everything is counted at the server (bench/org_world.py): for each status change, the lag
  until the first response that carried it (or a later status); a change no response carried
  is *never fetched*; 429s and requests inside a wait the server asked for, per limit; the
  app's CPU and peak RSS from /proc. The lags held to the target are those of the changes made
  once the start-up sweep is done (`--warmup`, 30 s: four providers on one BugBrain key read
  their first lists and status filters, twelve requests, from that key's 30 a minute); the
  same figures with the start-up included are printed beside them;
- **idle**: the same org with every run finished; the app's CPU over `--idle-duration` seconds
  once its start-up sweep is done (45 s), and the requests it sends a minute.

The floor of a budget: a change waits on average half the gap between two requests that carry
it; `n` providers on one budget of `R` a minute, each needing `c` requests a cycle (BugBug 2: its
test-run and suite-run lists; BugBrain 1: its executions), see each provider's runs every
`n * c * 60 / R` s at best, so lag p95 cannot be under 0.95 of that. Target: each provider's lag
p95 within 1.5x its budget's floor. BugBrain's 500 an hour allows 8.3 a minute for good; the
bench runs inside the hour's first allowance (as bench/freshness.py), and prints that floor too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, load_average, machine, percentile, rounded
from bench.freshness_world import lags, status_changes
from bench.org_world import OrgObserver, OrgRecord, status_functions_of
from bench.startup import ROW, SCRIPT, Tmux

SEED = 13
SIZE = ("160", "50")
BUGBUG_RPM = 60
"""Per token: BugBug documents no limit; the simulator holds each token to this."""
BUGBRAIN_RPM, BUGBRAIN_RPH = 30, 500
BUG0_RPM = 10
TRIGGERS_PER_BUG0_PROJECT = 10
CYCLE_REQUESTS = {"bugbug": 2, "bugbrain": 1}
"""The fewest requests a cycle needs to see every active run: BugBug lists test runs and suite
runs, BugBrain its executions."""
SETTLE_IDLE_S = 45.0
PAINT_TIMEOUT_S = 30.0


def org_spec() -> Any:
    from qa_tui.sim.org.spec import OrgSpec

    return OrgSpec(bugbug_projects=8, bugbrain_keys=(4, 4), bug0_projects=4, bugbug_rpm=BUGBUG_RPM)


def world(busy: bool) -> Any:
    """About ten active runs per polled project and new ones arriving; or all finished."""
    from qa_tui.sim.scenario import ScenarioSpec

    if busy:
        return ScenarioSpec(
            bugbug_test_runs_finished=40,
            bugbug_test_runs_active=8,
            bugbug_suite_runs_finished=4,
            bugbug_suite_runs_active=1,
            tests_per_suite=2,
            bugbrain_finished=40,
            bugbrain_active=10,
            bugnet_bugs=0,
            new_run_every_s=15.0,
            active_span_s=(40.0, 160.0),
            history_span_s=3 * 3600.0,
            org=org_spec(),
        )
    return ScenarioSpec(
        bugbug_test_runs_finished=60,
        bugbug_test_runs_active=0,
        bugbug_suite_runs_finished=5,
        bugbug_suite_runs_active=0,
        tests_per_suite=2,
        bugbrain_finished=60,
        bugbrain_active=0,
        bugnet_bugs=0,
        new_run_every_s=None,
        org=org_spec(),
    )


class App:
    """The real binary in its own tmux server, on a config and empty data and cache dirs."""

    def __init__(self, config: Path, scratch: Path) -> None:
        self.tmux = Tmux()
        self.config = config
        self.env = f"QA_TUI_DATA_DIR={scratch / 'data'} QA_TUI_CACHE_DIR={scratch / 'cache'}"
        self.pid = 0
        self.started = 0.0

    def start(self) -> None:
        self.tmux("new-session", "-d", "-s", "idle", "-x", SIZE[0], "-y", SIZE[1], "sleep 900")
        command = f"cd {ROOT} && {self.env} exec {SCRIPT} --config {self.config}"
        self.started = time.perf_counter()
        self.tmux("new-session", "-d", "-s", "qa", "-x", SIZE[0], "-y", SIZE[1], command)
        self.pid = int(self.tmux("display", "-p", "-t", "qa", "#{pane_pid}").strip() or 0)

    def first_paint(self) -> float:
        """Seconds from asking tmux to start it to the first table row on screen."""
        lines: list[str] = []
        while time.perf_counter() - self.started < PAINT_TIMEOUT_S:
            lines = self.screen()
            if any(ROW.match(line) for line in lines):
                return time.perf_counter() - self.started
            time.sleep(0.005)
        raise RuntimeError("qa-tui showed no table row in time:\n" + "\n".join(lines))

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", "qa").splitlines()

    def cpu_s(self) -> float:
        """User + system CPU seconds of the app so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> dict[str, float]:
        found = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = round(int(value.split()[0]) / 1024, 1)
        return {"rss_mb": found.get("VmRSS", 0.0), "peak_rss_mb": found.get("VmHWM", 0.0)}

    def stop(self) -> None:
        self.tmux("send-keys", "-t", "qa", "q")
        time.sleep(0.5)
        self.tmux("kill-server")


async def trigger_bug0(config_path: Path, data_dir: Path, record: dict[str, Any]) -> None:
    """Ten runs per Bug0 project through qa-tui's own client and its per-project budget, into
    the trigger log the app reads."""
    from qa_tui.core.config.tables import load_config
    from qa_tui.core.errors import ProviderError
    from qa_tui.core.providers.bug0 import Bug0Source
    from qa_tui.core.providers.registry import build_sources
    from qa_tui.core.providers.triggers import TriggerLog

    config = load_config(config_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    log = TriggerLog(data_dir / "triggers.sqlite")
    bug0 = config.model_copy(
        update={"providers": [p for p in config.providers if p.kind == "bug0"]}
    )
    sources = [s for s in build_sources(bug0, triggers=log) if isinstance(s, Bug0Source)]

    async def ten(source: Bug0Source) -> None:
        for i in range(TRIGGERS_PER_BUG0_PROJECT):
            try:
                await source.trigger(url=f"https://pr-{i}.preview.example", pr_number=100 + i)
                record["sent"] += 1
            except ProviderError as error:
                record["failed"].append(f"{source.name}: {error}")

    try:
        await asyncio.gather(*(ten(source) for source in sources))
    finally:
        for source in sources:
            await source.aclose()
        log.close()


def floors(config: Any) -> dict[str, dict[str, Any]]:
    """Each budget the providers share (core/providers/sharing.py), its rate, members and floor."""
    from qa_tui.core.providers.sharing import shared_limits

    out: dict[str, dict[str, Any]] = {}
    for limit in shared_limits(config.providers):
        kind = limit.identity.kind
        entry: dict[str, Any] = {
            "service": limit.identity.service,
            "limits": limit.identity.limited.value,
            "members": list(limit.members),
            "requests_per_minute": limit.per_minute,
            "requests_per_hour": limit.per_hour,
        }
        if kind in CYCLE_REQUESTS:
            period = len(limit.members) * CYCLE_REQUESTS[kind] * 60.0 / limit.per_minute
            entry["floor_lag_p95_s"] = round(0.95 * period, 2)
            entry["floor_at_the_planned_85_percent_s"] = round(0.95 * period / 0.85, 2)
            if limit.per_hour:
                sustained = limit.per_hour / 60.0
                gap = len(limit.members) * CYCLE_REQUESTS[kind] * 60.0 / sustained
                entry["floor_lag_p95_once_the_hour_is_spent_s"] = round(0.95 * gap, 1)
        else:
            entry["floor_lag_p95_s"] = None
            entry["note"] = "Bug0 has no read API: nothing is polled, so there is no lag"
        out[limit.identity.shown] = entry
    return out


def busy(warmup: float, duration: float, tail: float) -> dict[str, Any]:
    from qa_tui.core.config.tables import load_config
    from qa_tui.sim.server import render_config, start_in_thread

    with (
        start_in_thread(seed=SEED, scenario=world(True)) as sim,
        tempfile.TemporaryDirectory(prefix="qa-tui-org-") as scratch_dir,
    ):
        scratch = Path(scratch_dir)
        record = OrgRecord(sim.sim.clock.now)
        sim.app.add_middleware(OrgObserver, record=record)
        config_path = scratch / "org.toml"
        config_path.write_text(render_config(sim.base_url, org_spec()))
        config = load_config(config_path)
        app = App(config_path, scratch)
        start = sim.sim.clock.now()
        app.start()
        try:
            first_paint = app.first_paint()
            cpu0, wall0 = app.cpu_s(), time.perf_counter()
            triggers: dict[str, Any] = {"sent": 0, "failed": []}
            window = warmup + duration + tail
            asyncio.run(_busy_window(config_path, scratch / "data", triggers, window, app))
            cpu = app.cpu_s() - cpu0
            wall = time.perf_counter() - wall0
            memory = app.memory_mb()
            last_screen = app.screen()
        finally:
            app.stop()
        end = sim.sim.clock.now()
        assert sim.sim.org is not None
        functions, project_of = status_functions_of(sim.sim.org)
    return figures(
        config, record, functions, project_of, start, start + warmup, start + warmup + duration,
        end,
        first_paint=first_paint, cpu_percent=100.0 * cpu / wall, memory=memory,
        triggers=triggers, screen=last_screen,
    )  # fmt: skip


async def _busy_window(
    config_path: Path, data_dir: Path, triggers: dict[str, Any], seconds: float, app: App
) -> None:
    trigger = asyncio.create_task(trigger_bug0(config_path, data_dir, triggers))
    await asyncio.sleep(seconds)
    if not trigger.done():
        trigger.cancel()
    await asyncio.gather(trigger, return_exceptions=True)


def figures(
    config: Any,
    record: OrgRecord,
    functions: dict[Any, Any],
    project_of: dict[Any, str],
    start: float,
    warm: float,
    until: float,
    end: float,
    **measured: Any,
) -> dict[str, Any]:
    """Lags of the changes made from `warm` (the start-up sweep done) to `until`, the target's;
    beside them, of every change from `start`, the start-up included."""
    changes = status_changes(functions)
    per_run, missed = lags(changes, dict(record.carried), warm, until, end)
    with_startup, _ = lags(changes, dict(record.carried), start, until, end)
    startup_by: dict[str, list[float]] = defaultdict(list)
    for key, values in with_startup.items():
        startup_by[project_of[key]] += values
    budgets = floors(config)
    budget_of = {member: label for label, b in budgets.items() for member in b["members"]}
    by_provider: dict[str, list[float]] = defaultdict(list)
    missed_by: dict[str, int] = defaultdict(int)
    for key, values in per_run.items():
        by_provider[project_of[key]] += values
    for key, count in missed.items():
        missed_by[project_of[key]] += count
    minutes = (end - start) / 60.0
    providers: dict[str, Any] = {}
    for provider in config.providers:
        values = by_provider.get(provider.name, [])
        budget = budgets[budget_of[provider.name]]
        floor = budget["floor_lag_p95_s"]
        p95 = rounded(percentile(values, 95)) if values else None
        providers[provider.name] = {
            "kind": provider.kind,
            "budget": budget_of[provider.name],
            "changes": len(values),
            "never_fetched": missed_by.get(provider.name, 0),
            "lag_p50_s": rounded(percentile(values, 50)) if values else None,
            "lag_p95_s": p95,
            "lag_p95_with_startup_s": rounded(percentile(startup_by[provider.name], 95))
            if startup_by.get(provider.name)
            else None,
            "floor_lag_p95_s": floor,
            "within_1_5x_floor": None if floor is None or p95 is None else p95 <= 1.5 * floor,
        }
    for budget in budgets.values():
        members = [providers[m] for m in budget["members"]]
        worst = [m["lag_p95_s"] for m in members if m["lag_p95_s"] is not None]
        budget["worst_member_lag_p95_s"] = max(worst) if worst else None
        budget["requests_per_min"] = round(
            sum(
                n
                for (service, key), n in record.requests.items()
                if service == budget["service"].lower() and _same(key, budget, config)
            )
            / minutes,
            2,
        )
    every = [lag for values in by_provider.values() for lag in values]
    everything = [lag for values in startup_by.values() for lag in values]
    return {
        "providers": providers,
        "budgets": budgets,
        "lag_p50_s": rounded(percentile(every, 50)),
        "lag_p95_s": rounded(percentile(every, 95)),
        "lag_p95_with_startup_s": rounded(percentile(everything, 95)),
        "status_changes": len(every),
        "never_fetched": sum(missed.values()),
        "http_429": record.total(record.http_429),
        "http_429_by_service": {
            s: record.total(record.http_429, s) for s in ("bugbug", "bugbrain", "bug0")
        },
        "requests_inside_retry_after": record.total(record.inside_retry_after),
        "requests_per_min_by_service": {
            s: round(record.total(record.requests, s) / minutes, 1)
            for s in ("bugbug", "bugbrain", "bug0")
        },
        "first_paint_s": round(measured["first_paint"], 3),
        "cpu_percent": round(measured["cpu_percent"], 2),
        **measured["memory"],
        "bug0_triggers": measured["triggers"]["sent"],
        "bug0_trigger_failures": measured["triggers"]["failed"][:5],
        "changes_counted_from_s": round(warm - start, 1),
        "changes_counted_over_s": round(until - warm, 1),
        "duration_s": round(end - start, 1),
        "header_at_the_end": measured["screen"][:1],
    }


def _same(key: str, budget: dict[str, Any], config: Any) -> bool:
    """Whether the server-side limit `key` (a token or key) is this budget's."""
    members = {p.name: p for p in config.providers}
    first = members[budget["members"][0]]
    if first.kind == "bug0":
        return key in {members[m].token.get_secret_value() for m in budget["members"]}
    return bool(key == first.token.get_secret_value())


def idle(duration: float) -> dict[str, Any]:
    from qa_tui.sim.server import render_config, start_in_thread

    with (
        start_in_thread(seed=SEED, scenario=world(False)) as sim,
        tempfile.TemporaryDirectory(prefix="qa-tui-org-idle-") as scratch_dir,
    ):
        scratch = Path(scratch_dir)
        record = OrgRecord(sim.sim.clock.now)
        sim.app.add_middleware(OrgObserver, record=record)
        config_path = scratch / "org.toml"
        config_path.write_text(render_config(sim.base_url, org_spec()))
        app = App(config_path, scratch)
        app.start()
        try:
            first_paint = app.first_paint()
            time.sleep(max(0.0, SETTLE_IDLE_S - (time.perf_counter() - app.started)))
            settled = sim.sim.clock.now()
            cpu0, wall0 = app.cpu_s(), time.perf_counter()
            time.sleep(duration)
            cpu, wall = app.cpu_s() - cpu0, time.perf_counter() - wall0
            memory = app.memory_mb()
        finally:
            app.stop()
        steady = {
            service: sum(
                1
                for (s, _), times in record.arrivals.items()
                if s == service
                for t in times
                if t >= settled
            )
            for service in ("bugbug", "bugbrain", "bug0")
        }
    return {
        "first_paint_s": round(first_paint, 3),
        "cpu_percent": round(100.0 * cpu / wall, 2),
        "counted_over_s": round(wall, 1),
        "counted_from_s": SETTLE_IDLE_S,
        "requests_per_min_per_provider": {
            service: round(n / (wall / 60.0) / count, 2)
            for (service, n), count in zip(steady.items(), (8, 8, 4), strict=True)
        },
        **memory,
    }


def targets(org: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 25's targets, each with its figure and whether it is met."""
    busy_figures, idle_figures = org["busy"], org["idle"]
    polled = {n: p for n, p in busy_figures["providers"].items() if p["floor_lag_p95_s"]}
    worst = max(
        (p["lag_p95_s"] / p["floor_lag_p95_s"] for p in polled.values() if p["lag_p95_s"]),
        default=None,
    )
    checks = {
        "org: 0 x 429": (busy_figures["http_429"], "", busy_figures["http_429"] == 0),
        "org: 0 requests inside a Retry-After": (
            busy_figures["requests_inside_retry_after"],
            "",
            busy_figures["requests_inside_retry_after"] == 0,
        ),
        "org: every provider's lag p95 <= 1.5x its budget's floor": (
            round(worst, 2) if worst is not None else None,
            "x",
            worst is not None and worst <= 1.5,
        ),
        "org: first paint <= 1.5 s": (
            busy_figures["first_paint_s"],
            "s",
            busy_figures["first_paint_s"] <= 1.5,
        ),
        "org: idle CPU <= 2% of a core": (
            idle_figures["cpu_percent"],
            "%",
            idle_figures["cpu_percent"] <= 2,
        ),
    }
    return {name: {"value": v, "unit": u, "met": met} for name, (v, u, met) in checks.items()}


def merge_into(path: Path, figures: dict[str, Any]) -> None:
    """Put `figures` under `org` in the results file at `path` (and its targets among the
    file's targets), every other key as it was."""
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results["org"] = figures
    kept = {k: v for k, v in results.get("targets", {}).items() if not k.startswith("org: ")}
    results["targets"] = {**kept, **figures["targets"]}
    path.write_text(json.dumps(results, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warmup", type=float, default=30.0, help="seconds of start-up before changes count"
    )
    parser.add_argument("--duration", type=float, default=75.0, help="seconds of changes counted")
    parser.add_argument("--tail", type=float, default=35.0, help="seconds polled after that")
    parser.add_argument("--idle-duration", type=float, default=60.0, help="seconds at idle")
    parser.add_argument(
        "--merge-into",
        type=Path,
        metavar="RESULTS",
        help="also put the figures under `org` in RESULTS (bench/results.json), the rest kept",
    )
    args = parser.parse_args()
    if not shutil.which("tmux"):
        raise SystemExit("bench/org.py: tmux is needed (the real binary runs in it)")
    result: dict[str, Any] = {
        "world": "8 BugBug projects (a token each, 60/min per token), 8 BugBrain projects on 2 "
        "keys (30/min and 500/h per key), 4 Bug0 projects (10/min and 100/h each); ~10 active "
        "runs per polled project; real loopback, real time, the real binary in tmux at 160x50",
        "load_before": load_average(),
    }
    result["busy"] = busy(args.warmup, args.duration, args.tail)
    result["load_after_busy"] = load_average()
    result["idle"] = idle(args.idle_duration)
    result["machine"] = machine()
    result["targets"] = targets(result)
    print(json.dumps(result, indent=2))
    if args.merge_into is not None:
        merge_into(args.merge_into, result)


if __name__ == "__main__":
    main()
