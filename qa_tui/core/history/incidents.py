"""Incidents: one failure seen across many runs. Pure.

Failures (failed or errored results) whose fingerprints match are one incident when at least
`min_runs` of them (default 3, of any tests, any provider) follow each other with no gap longer
than `window_s` (default 30 minutes): an outage of two hours is one incident, not four, and
three failures a day apart are none. An incident is named by its fingerprint and its first run,
so it keeps its id as later failures join it (that id is what its bug report is filed under).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from qa_tui.core.history.results import FAILURES, Result


@dataclass(frozen=True)
class Incident:
    """Failures sharing one fingerprint, close together in time, oldest first."""

    id: str
    fingerprint: str
    results: tuple[Result, ...]

    @property
    def error(self) -> str:
        """The shared error, as its first run said it."""
        return self.results[0].error or ""

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def first_seen(self) -> datetime:
        return self.results[0].ended_at

    @property
    def last_seen(self) -> datetime:
        return self.results[-1].ended_at

    @property
    def tests(self) -> list[str]:
        """The names of the tests it failed, each once, in order of first failure."""
        return list(dict.fromkeys(r.name for r in self.results))

    @property
    def providers(self) -> list[str]:
        return list(dict.fromkeys(r.provider for r in self.results))


def incident_id(fingerprint: str, first: Result) -> str:
    seed = f"{fingerprint}|{first.provider}|{first.run_id}"
    return "inc-" + hashlib.sha1(seed.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def group_incidents(
    results: Iterable[Result], *, window_s: float = 1800.0, min_runs: int = 3
) -> list[Incident]:
    """The incidents among `results` (anything not a failure with a fingerprint is ignored),
    the latest first."""
    by_print: dict[str, list[Result]] = {}
    for result in results:
        if result.status in FAILURES and result.fingerprint:
            by_print.setdefault(result.fingerprint, []).append(result)
    incidents: list[Incident] = []
    for fingerprint, failures in by_print.items():
        if len(failures) < min_runs:
            continue
        failures.sort(key=lambda r: (r.ended, r.provider, r.run_id))
        run: list[Result] = [failures[0]]
        for failure in failures[1:]:
            if failure.ended - run[-1].ended <= window_s:
                run.append(failure)
                continue
            if len(run) >= min_runs:
                incidents.append(
                    Incident(incident_id(fingerprint, run[0]), fingerprint, tuple(run))
                )
            run = [failure]
        if len(run) >= min_runs:
            incidents.append(Incident(incident_id(fingerprint, run[0]), fingerprint, tuple(run)))
    incidents.sort(key=lambda i: i.results[-1].ended, reverse=True)
    return incidents
