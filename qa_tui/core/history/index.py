"""The history the table reads, in memory: per series its last results and its passes and
failures within the flaky window, and the failures incidents are made of. Pure (no I/O).

`cell(series, now)` is what one row shows: the strip (the last ten final results, oldest first)
and, when the series is flaky, its flake rate. It is asked for every line drawn, so it is cheap:
a dict lookup and, once per series and minute, a couple of bisections (cached until the series,
the incidents or the minute change). The same rules as the headless commands (flaky.py,
incidents.py) decide; this only keeps their inputs at hand.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from qa_tui.core.history.flaky import flake_rate, is_flaky
from qa_tui.core.history.incidents import Incident, group_incidents
from qa_tui.core.history.results import FAILURES, Result, SeriesKey
from qa_tui.core.model import RunStatus

STRIP_LENGTH = 10


@dataclass(frozen=True, slots=True)
class HistoryCell:
    """What a row's history column shows."""

    strip: tuple[RunStatus, ...]
    """The series' last final results, oldest first (at most ten)."""
    flake_rate: float | None = None
    """Set when the series is flaky within the window."""


class _Series:
    __slots__ = ("cached", "fails", "last", "passes", "version")

    def __init__(self) -> None:
        self.last: list[tuple[float, RunStatus]] = []
        self.passes: list[float] = []
        self.fails: list[tuple[float, str]] = []
        """(ended, run id) of its test failures within the window."""
        self.version = 0
        self.cached: tuple[tuple[int, int, int], HistoryCell] | None = None


class HistoryIndex:
    """Every series' recent results, kept from what the history records."""

    def __init__(
        self,
        *,
        flaky_window_s: float = 7 * 86400.0,
        incident_window_s: float = 1800.0,
        incident_min_runs: int = 3,
    ) -> None:
        self.flaky_window_s = flaky_window_s
        self.incident_window_s = incident_window_s
        self.incident_min_runs = incident_min_runs
        self.version = 0
        """Moves whenever what a cell or the incidents show may have changed."""
        self._series: dict[SeriesKey, _Series] = {}
        self._seen: set[tuple[str, str]] = set()
        self._failures: dict[tuple[str, str], Result] = {}
        self._incidents: tuple[int, list[Incident], frozenset[tuple[str, str]]] | None = None
        self._failures_version = 0

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, results: Iterable[Result]) -> bool:
        """Take results in (each run once; a failure's later reading replaces its error).
        True when anything shown may have changed."""
        changed = False
        for result in results:
            key = result.key
            if result.status in FAILURES and result.fingerprint:
                known = self._failures.get(key)
                if known is None or known.fingerprint != result.fingerprint:
                    self._failures[key] = result
                    self._failures_version += 1
                    changed = True
            if key in self._seen:
                continue
            self._seen.add(key)
            self._place(result)
            changed = True
        if changed:
            self.version += 1
        return changed

    def _place(self, result: Result) -> None:
        series = self._series.get(result.series)
        if series is None:
            series = self._series[result.series] = _Series()
        series.version += 1
        entry = (result.ended, result.status)
        if len(series.last) < STRIP_LENGTH or entry > series.last[0]:
            bisect.insort(series.last, entry)
            del series.last[:-STRIP_LENGTH]
        if result.status is RunStatus.PASSED:
            bisect.insort(series.passes, result.ended)
        elif result.status is RunStatus.FAILED:
            bisect.insort(series.fails, (result.ended, result.run_id))

    def forget_before(self, moment: float) -> None:
        """Drop passes, failures and incident material older than `moment` (strips stay)."""
        for series in self._series.values():
            del series.passes[: bisect.bisect_left(series.passes, moment)]
            del series.fails[: bisect.bisect_left(series.fails, (moment, ""))]
            series.version += 1
        old = [key for key, result in self._failures.items() if result.ended < moment]
        for key in old:
            del self._failures[key]
        self._failures_version += 1
        self.version += 1

    # --- what the table and screens read ---------------------------------------------------------

    def cell(self, series_key: SeriesKey, now: float) -> HistoryCell | None:
        """The strip and flaky badge of one series at `now` (None: no final result yet)."""
        series = self._series.get(series_key)
        if series is None or not series.last:
            return None
        _, _, excluded = self._incident_state()
        stamp = (series.version, self._failures_version, int(now // 60))
        if series.cached is not None and series.cached[0] == stamp:
            return series.cached[1]
        since = now - self.flaky_window_s
        passed = len(series.passes) - bisect.bisect_left(series.passes, since)
        start = bisect.bisect_left(series.fails, (since, ""))
        failed = sum(
            1
            for ended, run_id in series.fails[start:]
            if (series_key[0], run_id) not in excluded and ended <= now
        )
        rate = flake_rate(passed, failed) if is_flaky(passed, failed) else None
        cell = HistoryCell(tuple(status for _, status in series.last), rate)
        series.cached = (stamp, cell)
        return cell

    def incidents(self) -> list[Incident]:
        """Every incident among the failures kept (the flaky window), the latest first."""
        return self._incident_state()[1]

    def _incident_state(self) -> tuple[int, list[Incident], frozenset[tuple[str, str]]]:
        state = self._incidents
        if state is None or state[0] != self._failures_version:
            incidents = group_incidents(
                self._failures.values(),
                window_s=self.incident_window_s,
                min_runs=self.incident_min_runs,
            )
            excluded = frozenset(r.key for incident in incidents for r in incident.results)
            state = self._incidents = (self._failures_version, incidents, excluded)
        return state
