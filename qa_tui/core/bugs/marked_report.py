"""`b` with runs marked: one bug report listing every marked failed run, not one form per run.
Pure.

It goes through the outbox like any report, under the key `("marked", id)`, the id made from
the runs' keys: marking the same runs again and pressing `b` finds the report waiting (or the
bug filed) instead of filing it twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from qa_tui.core.bugs.triage import PLATFORM_MAX, TriageDefaults
from qa_tui.core.model import Run
from qa_tui.core.providers.bugnet import TITLE_MAX, BugDraft
from qa_tui.core.runs.store import RunKey

MARKED = "marked"
"""The first half of a marked runs' report key (the second is made from their keys)."""


def marked_key(runs: Sequence[Run]) -> RunKey:
    """The same runs, in any order, give the same key."""
    joined = "\n".join(sorted(f"{run.provider}\t{run.id}" for run in runs))
    return (MARKED, hashlib.sha256(joined.encode()).hexdigest()[:16])


def _first_line(text: str | None) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def run_line(run: Run) -> str:
    where = f" on {run.target}" if run.target else ""
    error = _first_line(run.error)
    url = f" {run.url}" if run.url else ""
    said = f": {error}" if error else ""
    return f"- {run.provider} · {run.name}{where}: {run.status.value}{said} · run {run.id}{url}"


def marked_draft(runs: Sequence[Run], defaults: TriageDefaults | None = None) -> BugDraft:
    """One report for these failed runs: each named with its provider, target, error, link."""
    defaults = defaults or TriageDefaults()
    providers = ", ".join(dict.fromkeys(run.provider for run in runs))
    first = runs[0]
    error = _first_line(first.error) or first.status.value
    title = f"{len(runs)} runs failed: {first.name}" + (
        f" and {len(runs) - 1} more" if len(runs) > 1 else ""
    )
    blocks = [
        [f"{len(runs)} runs failed ({providers})."],
        [f"Runs ({len(runs)}):", *(run_line(run) for run in runs)],
        ["Filed from qa-tui (marked runs)."],
    ]
    where = f" on {first.target}" if first.target else ""
    return BugDraft(
        title=_clip(" ".join(title.split()), TITLE_MAX),
        description="\n\n".join("\n".join(block) for block in blocks),
        category=defaults.category,
        priority=defaults.priority,
        steps_to_reproduce=f"1. Run any of the tests listed, e.g. “{first.name}”{where}",
        expected="The tests pass.",
        actual=f"{len(runs)} runs failed; the first with: {error}",
        platform=_clip(providers, PLATFORM_MAX),
        labels=list(defaults.labels),
    )
