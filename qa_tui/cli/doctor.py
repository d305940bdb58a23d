"""`qa-tui doctor`: one line for the config, then one per provider and the tracker.

Each line: the verdict (`ok`, `unverified`, `bad credentials`, `wrong project`, `unreachable`,
`rate limited`, `error`), the name, the kind, the base URL, and what was found (with the
provider's rate-limit headroom when it sends one). Exit 0 when nothing failed (`unverified`, for
Bug0, is not a failure), 1 when something did, 2 when the config itself is wrong. No secret is
ever printed (core/doctor/checks.py blanks them). Then a `shared` line for each limit several providers
draw on (one BugBrain key for several projects): their one budget, and whose higher
`requests_per_minute` gave way to the lowest (core/providers/sharing.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from qa_tui.cli.headless import config_path, load_or_explain
from qa_tui.cli.services import Services
from qa_tui.core.config.tables import Config
from qa_tui.core.doctor.checks import Diagnosis, diagnose
from qa_tui.core.probe.probe import Probe, probe
from qa_tui.core.probe.record import write_recording
from qa_tui.core.providers.sharing import sharing_notes
from qa_tui.core.textsafe import cell_width, pad, terminal_safe

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def headroom(diagnosis: Diagnosis) -> str:
    """`; rate limit: 28 of 30 left`, when the provider said."""
    if diagnosis.remaining is None:
        return ""
    of = f" of {diagnosis.limit}" if diagnosis.limit is not None else ""
    return f"; rate limit: {diagnosis.remaining}{of} left"


def lines(config: Config, path: str, diagnoses: list[Diagnosis]) -> list[list[str]]:
    tracker = " and a tracker" if config.tracker is not None else ", no tracker"
    count = len(config.providers)
    rows = [["ok", "config", "", path, f"{count} provider{'s' * (count != 1)}{tracker}"]]
    for d in diagnoses:
        detail = terminal_safe(d.detail) + headroom(d)
        rows.append([d.verdict.value, d.name, d.kind, terminal_safe(d.base_url), detail])
    return rows


def print_rows(rows: list[list[str]]) -> None:
    widths = [max(cell_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [pad(cell, width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), flush=True)


def run_doctor(args: argparse.Namespace, services: Services | None = None) -> int:
    """`qa-tui doctor [--config PATH] [--probe [--json] [--record DIR]]`."""
    services = services or Services()
    if (getattr(args, "json", False) or getattr(args, "record", None)) and not args.probe:
        print("qa-tui doctor: error: --json and --record go with --probe", file=sys.stderr)
        return EXIT_USAGE
    path = config_path(args)
    config = load_or_explain(path)
    if config is None:
        print(f"config  {path}: see the error above")
        return EXIT_USAGE
    if getattr(args, "probe", False):
        return run_probe(config, args, services)
    found = asyncio.run(
        diagnose(config, clock=services.clock, transport_for=services.transport_for)
    )
    print_rows(lines(config, str(path), found))
    for note in sharing_notes(config.providers):
        print(f"shared  {terminal_safe(note)}", flush=True)
    return EXIT_FAILED if any(d.verdict.failed for d in found) else EXIT_OK


def probe_lines(found: Probe) -> list[str]:
    """The plain report: per provider a head line, then one line per thing met."""
    out: list[str] = []
    for report in [*found.providers, *([found.tracker] if found.tracker else [])]:
        head = f"{report.status}  {report.name} ({report.kind})"
        out.append(terminal_safe(head + (f": {report.detail}" if report.detail else "")))
        out.extend(f"  - {terminal_safe(line)}" for line in report.met)
    return out


def run_probe(config: Config, args: argparse.Namespace, services: Services) -> int:
    """`doctor --probe`: what each server turned out to speak; `--record DIR` keeps it."""
    found = asyncio.run(probe(config, clock=services.clock, transport_for=services.transport_for))
    if args.record:
        folder = Path(args.record).expanduser()
        try:
            written = [
                path
                for report in [*found.providers, *([found.tracker] if found.tracker else [])]
                for path in write_recording(folder, report.name, report.exchanges, found.secrets)
            ]
        except OSError as exc:
            print(f"qa-tui doctor: error: cannot write {folder}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        print(f"recorded {len(written)} responses, redacted, in {folder}", file=sys.stderr)
    if args.json:
        print(json.dumps(found.as_json(), indent=2))
    else:
        for line in probe_lines(found):
            print(line, flush=True)
    return EXIT_FAILED if found.failed else EXIT_OK
