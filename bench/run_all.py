"""Run every benchmark and write bench/results.json (`make bench`; about 34 minutes on 2 cores).

    .venv/bin/python bench/run_all.py [--out bench/results.json] [--quick]

Each benchmark runs as its own process and prints JSON; this script merges them, adds the
machine (cores, load average before and after each part: other work on the machine slows every
figure) and checks each figure against the target it must meet. `--quick` shortens everything
(for trying the scripts, not for figures to compare).

bench/team.py (issue 15) runs here too; to run only it and put its figures under `team` in
bench/results.json, the rest left as it is: `.venv/bin/python bench/team.py --merge-into
bench/results.json`. So does bench/org.py (issue 25: twenty providers, their budgets shared as
their services limit them), which merges the same way under `org` (`--merge-into`), and
bench/terminal_bytes.py (issue 22: the bytes written to the terminal against the fewest its
changes need), under `terminal_bytes`. bench/allday.py (issue 22: 30 minutes open) is not run
here (too long): its figures, merged under `allday` by its own `--merge-into`, are kept as they
are when this script writes the file, and checked with the rest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import PYTHON, ROOT, load_average, machine


def run(script: str, *args: str) -> dict[str, Any]:
    started = time.monotonic()
    before = load_average()
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench/{script} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["_run"] = {
        "seconds": round(time.monotonic() - started, 1),
        "load_before": before,
        "load_after": load_average(),
    }
    print(f"bench/{script}: {result['_run']['seconds']} s", file=sys.stderr)
    return result


def ratio(reference: float | None, ours: float | None) -> float | None:
    if not reference or not ours:
        return None
    return round(reference / ours, 1)


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target of issue 6: the figure, the limit, and whether it is met."""
    engine = results["freshness"]["busy"]["engine"]
    reference = results["freshness"]["busy"]["reference"]
    deep = results["freshness"]["deep"]["engine"]
    sustained = results["freshness"]["bugbrain_sustained"]
    idle = results["idle"]
    table = results["table"]
    ref_table = table["reference"]
    startup = results["startup"]
    checks: dict[str, tuple[Any, str, bool]] = {
        "deep world: 0 changes never fetched": (
            deep["never_fetched"],
            "",
            deep["never_fetched"] == 0,
        ),
        "deep world: lag p95 <= 5 s (BugBug and BugBrain)": (
            deep["lag_p95_by_provider_s"],
            "s",
            all(v <= 5 for v in deep["lag_p95_by_provider_s"].values()),
        ),
        "deep world: 0 requests inside a Retry-After": (
            deep["requests_inside_retry_after"],
            "",
            deep["requests_inside_retry_after"] == 0,
        ),
        "deep world: <= 1 request per active run per minute": (
            deep["requests_per_active_run_per_min"],
            "",
            deep["requests_per_active_run_per_min"] <= 1,
        ),
        "BugBrain sustained (8.3/min): 0 never fetched, lag p95 within 1.5x its floor": (
            [sustained["never_fetched"], sustained["lag_p95_s"]],
            "s",
            sustained["never_fetched"] == 0
            and (sustained["lag_p95_s"] or 1e9)
            <= 1.5 * sustained["floor_lag_p95_s"]["two_requests_a_cycle"],
        ),
        "busy world: freshness lag p95 <= 5 s": (
            engine["lag_p95_s"],
            "s",
            engine["lag_p95_s"] <= 5,
        ),
        "busy world: lag p95 >= 10x lower than the reference": (
            ratio(reference["lag_p95_s"], engine["lag_p95_s"]),
            "x",
            (ratio(reference["lag_p95_s"], engine["lag_p95_s"]) or 0) >= 10,
        ),
        "zero 429s": (
            engine["http_429"] + deep["http_429"],
            "",
            engine["http_429"] + deep["http_429"] == 0,
        ),
        "busy world: <= 1 request per active run per minute": (
            engine["requests_per_active_run_per_min"],
            "",
            engine["requests_per_active_run_per_min"] <= 1,
        ),
        "idle <= 6 requests per provider per minute": (
            idle["requests_per_min"],
            "/min",
            all(v <= 6 for v in idle["requests_per_min"].values()),
        ),
        "idle <= 2% of one core": (idle["cpu_percent"], "%", idle["cpu_percent"] <= 2),
        "first full table of 10,000 cached runs <= 0.5 s": (
            table["first_table_s"],
            "s",
            table["first_table_s"] <= 0.5,
        ),
        "500 changes <= 15 ms p95": (
            table["apply_500_p95_ms"],
            "ms",
            table["apply_500_p95_ms"] <= 15,
        ),
        "filter <= 50 ms": (table["filter_ms"], "ms", table["filter_ms"] <= 50),
        "peak RSS <= 150 MB": (table["peak_rss_mb"], "MB", table["peak_rss_mb"] <= 150),
        "--version <= 150 ms": (startup["version_s"], "s", startup["version_s"] <= 0.15),
        "history: strips and badges for 10,000 rows over 200,000 results <= 50 ms": (
            results["history"]["cells_cold_ms"],
            "ms",
            results["history"]["target_met"],
        ),
        "with history: first full table of 10,000 cached runs <= 0.5 s": (
            results["table_with_history"]["first_table_s"],
            "s",
            results["table_with_history"]["first_table_s"] <= 0.5,
        ),
        "with history: 500 changes <= 15 ms p95": (
            results["table_with_history"]["apply_500_p95_ms"],
            "ms",
            results["table_with_history"]["apply_500_p95_ms"] <= 15,
        ),
        "demo first painted table <= 1.5 s": (
            startup["demo_first_table_s"],
            "s",
            startup["demo_first_table_s"] is not None and startup["demo_first_table_s"] <= 1.5,
        ),
    }
    for key in ("first_table_s", "apply_500_p95_ms", "filter_ms"):
        factor = ratio(ref_table[key], table[key])
        checks[f"table {key} >= 3x better than the stock DataTable"] = (
            factor,
            "x",
            (factor or 0) >= 3,
        )
    factor = ratio(ref_table.get("table_memory_mb"), table.get("table_memory_mb"))
    checks["memory the table keeps for its runs >= 3x less than the stock DataTable"] = (
        factor,
        "x",
        (factor or 0) >= 3,
    )
    checks.update(dialect_targets(results["freshness"].get("deep_by_bugbug_dialect")))
    checks.update(team_targets(results.get("team")))
    org = results.get("org")
    if org:  # issue 25's targets, as bench/org.py checks them
        for name, target in org["targets"].items():
            checks[name] = (target["value"], target["unit"], target["met"])
    terminal = results.get("terminal_bytes")
    if terminal:  # issue 22's: idle <= 50 B/s, busy <= 3x the floor
        for name, target in terminal["targets"].items():
            checks[name] = (target["value"], target["unit"], target["met"])
    allday = results.get("allday")
    if allday:  # issue 22's: RSS grows <= 5 MB an hour after minute 5 (bench/allday.py)
        target = allday["target"]
        checks[target["name"]] = (target["value"], target["unit"], target["met"])
    return {
        name: {"value": value, "unit": unit, "met": met}
        for name, (value, unit, met) in checks.items()
    }


def dialect_targets(by_dialect: dict[str, Any] | None) -> dict[str, tuple[Any, str, bool]]:
    """Issue 20's: the deep world under every reading of BugBug's paging finds every active run."""
    checks: dict[str, tuple[Any, str, bool]] = {}
    for spec, deep in (by_dialect or {}).items():
        lag = deep["lag_p95_by_provider_s"].get("bugbug")
        figures = [deep["never_fetched"], lag, deep["requests_inside_retry_after"]]
        checks[
            f"deep world as {spec}: 0 never fetched, BugBug lag p95 <= 5 s, 0 in Retry-After"
        ] = (
            figures,
            "",
            deep["never_fetched"] == 0
            and lag is not None
            and lag <= 5
            and deep["requests_inside_retry_after"] == 0,
        )
    return checks


def team_targets(team: dict[str, Any] | None) -> dict[str, tuple[Any, str, bool]]:
    """Issue 15's targets, from bench/team.py's figures (none when it was not run)."""
    if not team:
        return {}
    limit, steady = team["limit_rpm"], team["team"]["steady"]
    failover, outage = team["team"]["failover"], team["team"]["redis_outage"]
    took = failover["new_poller_after_s"]
    return {
        "team: total requests a minute <= the limit": (
            steady["requests_per_min"], "/min", steady["requests_per_min"] <= limit
        ),
        "team: 0 x 429": (steady["http_429"], "", steady["http_429"] == 0),
        "team: every instance's lag p95 <= 5 s": (
            steady["lag_p95_s_worst_instance"], "s", (steady["lag_p95_s_worst_instance"] or 0) <= 5
        ),
        "team: failover, another holds the lease in <= 10 s": (
            took, "s", took is not None and took <= 10
        ),
        "team: failover, 0 settled store mismatches 15 s later": (
            failover["store_vs_truth_15s_later"]["settled"], "",
            failover["store_vs_truth_15s_later"]["settled"] == 0,
        ),
        "team: Redis outage, 0 unhandled exceptions, 0 inside a Retry-After, 0 settled mismatches": (
            [outage["unhandled_exceptions"], outage["requests_inside_retry_after"],
             outage["store_vs_truth_at_end"]["settled"]],
            "", outage["unhandled_exceptions"] == outage["requests_inside_retry_after"]
            == outage["store_vs_truth_at_end"]["settled"] == 0,
        ),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = args.quick
    started = time.monotonic()
    load_before = load_average()
    startup = run("startup.py", *(["--runs", "2", "--version-runs", "5"] if quick else []))
    table = run(
        "table.py",
        *(["--runs", "2000", "--batches", "5", "--reference-batches", "2"] if quick else []),
    )
    history = run("history.py", *(["--results", "20000", "--rows", "2000"] if quick else []))
    table_history = run(
        "table.py",
        "--only",
        "ours",
        *(["--history", "20000", "--runs", "2000", "--batches", "5"] if quick else ["--history"]),
    )
    freshness = run(
        "freshness.py",
        *(
            ["--duration", "30", "--tail", "10", "--idle-duration", "60"]
            if quick
            else ["--duration", "75", "--tail", "35", "--idle-duration", "120"]
        ),
    )
    team = run(
        "team.py", *(["--instances", "5", "--steady", "20", "--alone", "10"] if quick else [])
    )
    org = run(
        "org.py",
        *(
            ["--warmup", "20", "--duration", "30", "--tail", "15", "--idle-duration", "20"]
            if quick
            else []
        ),
    )
    terminal_bytes = run(
        "terminal_bytes.py", *(["--duration", "20", "--settle", "8"] if quick else [])
    )
    kept = json.loads(Path(args.out).read_text()) if Path(args.out).exists() else {}
    results: dict[str, Any] = {
        "freshness": {
            "deep": freshness["deep"],
            "busy": freshness["busy"],
            "bugbrain_sustained": freshness["bugbrain_sustained"],
            "deep_by_bugbug_dialect": freshness["deep_by_bugbug_dialect"],
        },
        "idle": freshness["idle"],
        "table": table["table"],
        "table_with_history": table_history["ours"],
        "history": history["history"],
        "startup": startup["startup"],
        "team": {key: value for key, value in team.items() if key != "_run"},
        "org": {key: value for key, value in org.items() if key != "_run"},
        "terminal_bytes": {key: value for key, value in terminal_bytes.items() if key != "_run"},
        **({"allday": kept["allday"]} if "allday" in kept else {}),
        "machine": {
            **machine(),
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "parts": {
                "startup": startup["_run"],
                "table": table["_run"],
                "history": history["_run"],
                "table_with_history": table_history["_run"],
                "freshness": freshness["_run"],
                "team": team["_run"],
                "org": org["_run"],
                "terminal_bytes": terminal_bytes["_run"],
            },
        },
        "notes": {
            "freshness": freshness.get("clock"),
            "quick": quick,
            "total_seconds": round(time.monotonic() - started, 1),
            "peak_rss": (
                "both processes hold the same 10,000 runs: peak RSS is mostly Python, the "
                "libraries and the runs (table.rss_baseline_mb: a process that imports the same "
                "modules and loads the runs, with no app), so the two peaks are close and their "
                "ratio says little; where the tables differ is what each keeps to show the runs "
                "(table.table_memory_mb: allocations still held after filling an empty table "
                "with the runs already in a store, by tracemalloc, the same way on both sides)"
            ),
        },
    }
    results["targets"] = targets(results)
    text = json.dumps(results, indent=2)
    Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
