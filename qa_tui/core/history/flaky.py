"""The flaky rule, after Buildkite's: a test is flaky when it both passed and failed on the same
target within the window (the target stands in for the commit: the same code, the same place,
two answers). Pure.

- a pass on one target and a failure on another is not flaky: that is a target problem;
- only a test failure counts (`failed`): an `error` is the run breaking (BugBug: "not the test's
  fault"; BugBrain: the execution crashed), never the test's answer;
- a failure that is part of an incident (see incidents.py) does not count either: an outage that
  fails forty tests at once is not forty flaky tests;
- the flake rate is the share of its passes and failures that failed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from qa_tui.core.history.incidents import Incident, group_incidents
from qa_tui.core.history.results import Result, SeriesKey
from qa_tui.core.model import RunStatus


@dataclass(frozen=True)
class FlakyTest:
    """One flaky series: how often it passed and failed in the window."""

    series: SeriesKey
    name: str
    test_id: str | None
    runs: int
    """Every final result of the series in the window (errors, stops and skips too)."""
    passed: int
    failed: int
    last_seen: float

    @property
    def provider(self) -> str:
        return self.series[0]

    @property
    def target(self) -> str:
        return self.series[2]

    @property
    def flake_rate(self) -> float:
        return flake_rate(self.passed, self.failed)


def is_flaky(passed: int, failed: int) -> bool:
    """The rule itself, on one series' counts."""
    return passed > 0 and failed > 0


def flake_rate(passed: int, failed: int) -> float:
    return failed / (passed + failed) if passed + failed else 0.0


def find_flaky(
    results: Iterable[Result], *, excluded: Collection[tuple[str, str]] = ()
) -> list[FlakyTest]:
    """The flaky series among `results` (already cut to the window); failures whose run key is
    in `excluded` (an incident's) do not count. The flakiest first."""
    counts: dict[SeriesKey, list[int]] = {}
    last: dict[SeriesKey, Result] = {}
    for result in results:
        tally = counts.setdefault(result.series, [0, 0, 0])
        tally[0] += 1
        if result.status is RunStatus.PASSED:
            tally[1] += 1
        elif result.status is RunStatus.FAILED and result.key not in excluded:
            tally[2] += 1
        if result.series not in last or result.ended >= last[result.series].ended:
            last[result.series] = result
    found = [
        FlakyTest(key, last[key].name, last[key].test_id, runs, passed, failed, last[key].ended)
        for key, (runs, passed, failed) in counts.items()
        if is_flaky(passed, failed)
    ]
    found.sort(key=lambda f: (-f.flake_rate, f.provider, f.name, f.target))
    return found


def triage(
    results: list[Result], *, window_s: float = 1800.0, min_runs: int = 3
) -> tuple[list[FlakyTest], list[Incident]]:
    """The flaky tests and the incidents among `results`, by the same rules as the table."""
    incidents = group_incidents(results, window_s=window_s, min_runs=min_runs)
    excluded = {r.key for incident in incidents for r in incident.results}
    return find_flaky(results, excluded=excluded), incidents
