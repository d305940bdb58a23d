"""An incident → one bug report draft listing every run it failed, instead of one per run. Pure.

It goes through the same outbox as a run's report (filed once, never lost), under the key
`("incident", incident.id)`: the id stays as later failures join, so `b` on the same incident
again finds the report waiting or the bug already filed.
"""

from __future__ import annotations

from qa_tui.core.bugs.triage import PLATFORM_MAX, TriageDefaults
from qa_tui.core.history.incidents import Incident
from qa_tui.core.providers.bugnet import TITLE_MAX, BugDraft

INCIDENT = "incident"
"""The first half of an incident's report key (the second is its id)."""


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(incident: Incident) -> str:
    first, last = incident.first_seen, incident.last_seen
    if first.date() == last.date():
        return f"{first:%Y-%m-%d %H:%M} to {last:%H:%M} UTC"
    return f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"


def incident_title(incident: Incident) -> str:
    error = _first_line(incident.error) or "the same failure"
    tests = len(incident.tests)
    title = f"[incident] {error} ({incident.count} runs, {tests} test{'s' * (tests != 1)})"
    return _clip(" ".join(title.split()), TITLE_MAX)


def run_lines(incident: Incident) -> list[str]:
    """One line per run: provider, test, target, status and time, id, web page."""
    lines = []
    for r in incident.results:
        where = f" on {r.target}" if r.target else ""
        step = f", at step {r.failed_step}" if r.failed_step else ""
        url = f" {r.url}" if r.url else ""
        lines.append(
            f"- {r.provider} · {r.name}{where}: {r.status.value} {r.ended_at:%H:%M:%S}{step}"
            f" · run {r.run_id}{url}"
        )
    return lines


def incident_draft(incident: Incident, defaults: TriageDefaults | None = None) -> BugDraft:
    defaults = defaults or TriageDefaults()
    providers = ", ".join(incident.providers)
    summary = (
        f"One failure seen in {incident.count} runs of {len(incident.tests)} tests "
        f"({providers}), {_when(incident)}."
    )
    blocks = [
        [summary],
        ["Shared error (as the first run said it):", incident.error],
        [f"Fingerprint: {incident.fingerprint} (qa-tui incident {incident.id})"],
        [f"Runs ({incident.count}):", *run_lines(incident)],
        ["Filed from qa-tui."],
    ]
    first = incident.results[0]
    where = f" on {first.target}" if first.target else ""
    return BugDraft(
        title=incident_title(incident),
        description="\n\n".join("\n".join(block) for block in blocks),
        category=defaults.category,
        priority=defaults.priority,
        steps_to_reproduce=f"1. Run any of the tests listed, e.g. “{first.name}”{where}",
        expected="The tests pass.",
        actual=f"{incident.count} runs failed with: {_first_line(incident.error)}",
        platform=_clip(providers, PLATFORM_MAX),
        labels=list(defaults.labels),
    )
