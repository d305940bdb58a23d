"""Headless commands: data on stdout, diagnostics on stderr, no UI imported.

`qa-tui runs` asks every configured provider for its recent runs at once and prints them newest
first, as JSON (`--json`, strings exactly as the providers sent them) or as an aligned table for
humans (provider strings made terminal-safe). A provider that fails is one line on stderr and
exit code 1; what the others answered is still printed. So is a Bug0 provider whose results
could not be read on GitHub (its runs are printed, as far as they are known); with no GitHub
token at all that line is a note, not a failure (as in `doctor`: Bug0 itself works).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qa_tui.cli.services import Services, choose_providers
from qa_tui.core import paths
from qa_tui.core.config.tables import Config, ConfigFileMissing, load_config, warn_if_world_readable
from qa_tui.core.errors import ConfigError, ProviderError
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.providers.base import ReadsElsewhere, RunSource
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.runs.newest import newest_first
from qa_tui.core.runs.shown import RUNNING_WORDS, TRIGGERED, status_matches
from qa_tui.core.textsafe import cell_width, clip, pad, terminal_safe
from qa_tui.core.words.share import runs_markdown
from qa_tui.core.words.times import rfc3339, run_duration

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
JSON_FIELDS = (
    "provider",
    "provider_kind",
    "id",
    "kind",
    "name",
    "status",
    "provider_status",
    "progress",
    "queued",
    "started",
    "ended",
    "duration_s",
    "url",
    "error",
    "parent_id",
    "triggered_by",
    "test_id",
    "target",
    "target_id",
    "mode",
    "note",
)


def config_path(args: argparse.Namespace) -> Path:
    """`--config PATH`, else `$QA_TUI_CONFIG`, else the user config dir."""
    given: str | None = getattr(args, "config", None)
    return Path(given).expanduser() if given else paths.config_file()


def init_command(path: Path) -> str:
    """The command that writes the commented example config to `path`."""
    if path == paths.config_file():
        return "qa-tui config init"
    return f"qa-tui config init --config {shlex.quote(str(path))}"


def load_or_explain(path: Path) -> Config | None:
    """The config, or None after printing one line saying what is wrong (and how to make one)."""
    try:
        config = load_config(path)
    except ConfigFileMissing:
        print(
            f"qa-tui: no config file at {path}. Make one with `{init_command(path)}` (the commented "
            f"example, to edit) or `qa-tui sim --write-config {path}` (to try the simulator); "
            "or pass --config PATH.",
            file=sys.stderr,
        )
        return None
    except ConfigError as exc:
        print(f"qa-tui: config error: {exc}", file=sys.stderr)
        return None
    warning = warn_if_world_readable(path)
    if warning:
        print(f"qa-tui: warning: {warning}", file=sys.stderr)
    return config


@dataclass
class Gathered:
    """What `gather_runs` got: runs newest first, and one line per provider that failed."""

    runs: list[Run] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def gather_runs(
    sources: Sequence[RunSource], *, limit: int, status: RunStatus | None
) -> Gathered:
    """Ask every source at once; a failing source becomes a line in `failures`, never a crash."""

    async def one(source: RunSource) -> tuple[list[Run], str | None, list[str]]:
        try:
            page = await source.list_runs(limit=limit, status=status)
            trouble = source.trouble_elsewhere() if isinstance(source, ReadsElsewhere) else None
        except ProviderError as exc:
            return [], f"{source.name}: {exc.kind.value}: {exc.message}", []
        except Exception as exc:  # a bug in a client must not hide the other providers
            return [], f"{source.name}: unexpected {type(exc).__name__}", []
        finally:
            await source.aclose()
        notes = [f"{source.name}: skipped {page.skipped} unreadable run(s)"] if page.skipped else []
        runs = [r for r in page.runs if status is None or r.status == status][:limit]
        failed = None
        if trouble is not None:  # its runs are listed; their results could not be read
            line = f"{source.name}: {trouble.message} (check {trouble.fix_key})"
            if trouble.unset:  # not set up (no GitHub token): said, as doctor does, not a failure
                notes.append(line)
            else:
                failed = line
        return runs, failed, notes

    gathered = Gathered()
    for runs, failure, notes in await asyncio.gather(*(one(s) for s in sources)):
        gathered.runs.extend(runs)
        gathered.failures.extend([failure] if failure else [])
        gathered.notes.extend(notes)
    gathered.runs.sort(key=newest_first)  # the table's order too (core/runs/newest.py)
    return gathered


TIME_FIELDS = ("queued", "started", "ended")


def run_as_json(run: Run, now: datetime | None = None) -> dict[str, Any]:
    """One run as the `runs --json` element: field order fixed, times RFC 3339 in UTC to the
    second (core/words/times.py), and `duration_s` the time so far while the run is going (as of
    `now`, default the real clock), whichever provider it is."""
    dumped = run.model_dump(mode="json")
    shown = {name: dumped.get(name) for name in JSON_FIELDS}
    for name in TIME_FIELDS:
        shown[name] = rfc3339(getattr(run, name))
    shown["duration_s"] = run_duration(run, now or datetime.now(UTC))
    return shown


def write_json(runs: Sequence[Run], now: datetime) -> None:
    """The JSON array on stdout. Non-ASCII stays as it is; a lone surrogate a provider sent
    (valid in JSON, not in UTF-8) is written back as its `\\udxxx` escape."""
    text = json.dumps([run_as_json(r, now) for r in runs], ensure_ascii=False, indent=2)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace") + b"\n")
    sys.stdout.buffer.flush()


def write_text(text: str) -> None:
    """Text on stdout as UTF-8 whatever the locale (a lone surrogate written as its escape)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace") + b"\n")
    sys.stdout.buffer.flush()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{hours}h{minutes:02d}m"
        if hours
        else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")
    )


def table_rows(runs: Sequence[Run], now: datetime) -> list[list[str]]:
    """The human table's cells; every provider string is terminal-safe and clipped. STARTED is
    RFC 3339 (UTC), DURATION the time so far for a running run (as of `now`)."""
    rows = [["PROVIDER", "KIND", "STATUS", "NAME", "PROGRESS", "STARTED", "DURATION", "ID"]]
    for run in runs:
        raw = terminal_safe(run.provider_status)
        status = run.status.value if raw == run.status.value else f"{run.status.value} ({raw})"
        progress = f"{run.progress.done}/{run.progress.total}" if run.progress else "-"
        cells = [run.provider, run.kind.value, status, run.name, progress]
        cells += [rfc3339(run.started) or "-", _duration(run_duration(run, now)), run.id]
        rows.append([clip(terminal_safe(c), 48) for c in cells])
    return rows


def write_table(runs: Sequence[Run], now: datetime) -> None:
    """An aligned plain-text table on stdout."""
    rows = table_rows(runs, now)
    widths = [max(cell_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not runs:
        print("(no runs)")


def created_since(runs: Sequence[Run], cutoff: datetime) -> list[Run]:
    """The runs that began at or after `cutoff` (their start, else their creation or end, as the
    app's `since:` filter reads them)."""
    return [r for r in runs if (when := r.started or r.queued or r.ended) and when >= cutoff]


def normalized_for(word: str) -> RunStatus:
    """The normalized status a `--status` word is part of (what a provider is asked for):
    `triggered` is queued (Bug0), `paused` and BugBug's other running words are running."""
    if word == TRIGGERED:
        return RunStatus.QUEUED
    if word in RUNNING_WORDS:
        return RunStatus.RUNNING
    return RunStatus(word)


def run_runs(args: argparse.Namespace, services: Services | None = None) -> int:
    """`qa-tui runs`: exit 0 when every provider answered, 1 when some failed, 2 on config errors.
    `services`: the clock, transport and trigger log (tests: the simulator in-process)."""
    services = services or Services()
    config = load_or_explain(config_path(args))
    if config is None:
        return EXIT_USAGE
    chosen = choose_providers(config, args.provider)
    if isinstance(chosen, str):
        print(f"qa-tui runs: error: {chosen}", file=sys.stderr)
        return EXIT_USAGE
    status = normalized_for(args.status) if args.status else None
    sources = build_sources(
        chosen,
        clock=services.clock,
        transport_for=services.transport_for,
        triggers=services.triggers,
    )
    gathered = asyncio.run(gather_runs(sources, limit=args.limit, status=status))
    now = services.clock.now()
    since: timedelta | None = getattr(args, "since", None)
    runs = gathered.runs if since is None else created_since(gathered.runs, now - since)
    if args.status:  # as the app's `status:` reads it (one rule: core/runs/shown.py)
        runs = [run for run in runs if status_matches(run, (args.status,))]
    form = "json" if args.json else getattr(args, "format", "table")
    if form == "json":
        write_json(runs, now)
    elif form == "markdown":  # what the lists say: a screenshot link needs the run's steps (Y)
        write_text(runs_markdown(runs))
    else:
        write_table(runs, now)
    for line in gathered.notes + gathered.failures:
        print(f"qa-tui: {terminal_safe(line)}", file=sys.stderr)
    return EXIT_FAILED if gathered.failures else EXIT_OK
