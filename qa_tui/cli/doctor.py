"""`qa-tui doctor`: one line for the config, then one per provider and the tracker.

Each line: the verdict (`ok`, `unverified`, `bad credentials`, `wrong project`, `unreachable`,
`rate limited`, `error`), the name, the kind, the base URL, and what was found (with the
provider's rate-limit headroom when it sends one). Exit 0 when nothing failed (`unverified`, for
Bug0, is not a failure), 1 when something did, 2 when the config itself is wrong. No secret is
ever printed (core/doctor.py blanks them). Then a `shared` line for each limit several providers
draw on (one BugBrain key for several projects): their one budget, and whose higher
`requests_per_minute` gave way to the lowest (core/budget_sharing.py).
"""

from __future__ import annotations

import argparse
import asyncio

from qa_tui.cli.headless import config_path, load_or_explain
from qa_tui.cli.services import Services
from qa_tui.core.budget_sharing import sharing_notes
from qa_tui.core.config import Config
from qa_tui.core.doctor import Diagnosis, diagnose
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
    """`qa-tui doctor [--config PATH]`."""
    services = services or Services()
    path = config_path(args)
    config = load_or_explain(path)
    if config is None:
        print(f"config  {path}: see the error above")
        return EXIT_USAGE
    found = asyncio.run(
        diagnose(config, clock=services.clock, transport_for=services.transport_for)
    )
    print_rows(lines(config, str(path), found))
    for note in sharing_notes(config.providers):
        print(f"shared  {terminal_safe(note)}", flush=True)
    return EXIT_FAILED if any(d.verdict.failed for d in found) else EXIT_OK
