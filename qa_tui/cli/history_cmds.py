"""`qa-tui flaky` and `qa-tui incidents`: the run history for scripts and CI, no UI imported.

Each first syncs recent runs from every configured provider into the history (`history.sqlite`
in the data dir; core/history/sync.py), back to `--since`, then reads it by the same rules as the
table (core/history/flaky.py, incidents.py). Data on stdout (`--json`: one array, strings exactly
as the providers sent them; else an aligned table, terminal-safe), diagnostics on stderr. Exit 0,
1 when a provider failed (what the others gave still counts and is printed), 2 for usage or config
errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import timedelta
from typing import Any

from qa_tui.cli.headless import config_path, load_or_explain
from qa_tui.cli.services import choose_providers
from qa_tui.core.config.tables import Config
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.flaky import FlakyTest, triage
from qa_tui.core.history.incidents import Incident
from qa_tui.core.history.service import History, HistorySettings
from qa_tui.core.history.sync import sync_recent
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.textsafe import cell_width, clip, pad, terminal_safe
from qa_tui.core.words.times import rfc3339

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_WINDOW = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def window(text: str) -> timedelta:
    """`--since` of `runs`, `flaky` and `incidents` (and the app's `since:`): `90m`, `24h`,
    `7d`, `2w`, `30s`."""
    match = _WINDOW.match(text.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"expected a span like 90m, 24h, 7d or 2w, got {text!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def flaky_json(found: FlakyTest) -> dict[str, Any]:
    return {
        "provider": found.provider,
        "test": found.name,
        "test_id": found.test_id,
        "target": found.target or None,
        "runs": found.runs,
        "passed": found.passed,
        "failed": found.failed,
        "flake_rate": round(found.flake_rate, 3),
        "last_seen": rfc3339(found.last_seen),
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "fingerprint": incident.fingerprint,
        "error": incident.error,
        "count": incident.count,
        "first_seen": rfc3339(incident.results[0].ended),
        "last_seen": rfc3339(incident.results[-1].ended),
        "runs": [
            {"provider": r.provider, "id": r.run_id, "name": r.name} for r in incident.results
        ],
    }


def _write_json(items: list[dict[str, Any]]) -> None:
    text = json.dumps(items, ensure_ascii=False, indent=2)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace") + b"\n")
    sys.stdout.buffer.flush()


def _write_table(rows: list[list[str]], empty: str) -> None:
    cells = [[clip(terminal_safe(c), 60) for c in row] for row in rows]
    widths = [max(cell_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    if len(rows) == 1:
        print(empty)


def _synced(config: Config, since: timedelta) -> tuple[History, list[str]]:
    """The history after syncing every provider back to `since`; the failure lines."""
    history = History(RunHistory(), HistorySettings.from_config(config.history))
    history.db.prune(history.clock.now().timestamp())  # the bounds hold here too
    cutoff = history.clock.now() - since
    failures = asyncio.run(sync_recent(build_sources(config), history, cutoff))
    for line in failures:
        print(f"qa-tui: {terminal_safe(line)}", file=sys.stderr)
    return history, failures


def _read(
    args: argparse.Namespace, command: str
) -> tuple[list[FlakyTest], list[Incident], list[str]] | None:
    config = load_or_explain(config_path(args))
    if config is None:
        return None
    chosen = choose_providers(config, getattr(args, "provider", None))
    if isinstance(chosen, str):
        print(f"qa-tui {command}: error: {chosen}", file=sys.stderr)
        return None
    history, failures = _synced(chosen, args.since)
    history.flush()
    try:
        moment = (history.clock.now() - args.since).timestamp()
        results = history.db.since(moment, [p.name for p in chosen.providers])
    finally:
        history.close()
    settings = history.settings
    flaky, incidents = triage(
        results,
        window_s=settings.incident_window_min * 60.0,
        min_runs=settings.incident_min_runs,
    )
    return flaky, incidents, failures


def run_flaky(args: argparse.Namespace) -> int:
    """`qa-tui flaky [--json] [--since 7d] [--provider NAME]`."""
    read = _read(args, "flaky")
    if read is None:
        return EXIT_USAGE
    flaky, _, failures = read
    if args.json:
        _write_json([flaky_json(f) for f in flaky])
    else:
        rows = [["PROVIDER", "TEST", "TARGET", "RUNS", "PASSED", "FAILED", "FLAKE", "LAST SEEN"]]
        for f in flaky:
            rate = f"{round(f.flake_rate * 100)}%"
            rows.append([f.provider, f.name, f.target or "-", str(f.runs), str(f.passed),
                         str(f.failed), rate, rfc3339(f.last_seen)])  # fmt: skip
        _write_table(rows, "(no flaky test)")
    return EXIT_FAILED if failures else EXIT_OK


def run_incidents(args: argparse.Namespace) -> int:
    """`qa-tui incidents [--json] [--since 24h] [--provider NAME]`."""
    read = _read(args, "incidents")
    if read is None:
        return EXIT_USAGE
    _, incidents, failures = read
    if args.json:
        _write_json([incident_json(i) for i in incidents])
    else:
        rows = [["ID", "RUNS", "FIRST", "LAST", "TESTS", "ERROR"]]
        for i in incidents:
            first_line = i.error.splitlines()[0] if i.error else ""
            first, last = rfc3339(i.results[0].ended), rfc3339(i.results[-1].ended)
            rows.append([i.id, str(i.count), first, last, str(len(i.tests)), first_line])
        _write_table(rows, "(no incident)")
    return EXIT_FAILED if failures else EXIT_OK
