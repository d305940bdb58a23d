"""The history the table reads, in memory: per series its last results and its passes and
failures within the flaky window, and the failures incidents are made of. Pure (no I/O).

`cell(series, now)` is what one row shows: the strip (the last ten final results, oldest first)
and, when the series is flaky, its flake rate. It is asked for every line drawn, so it is cheap:
a dict lookup and, once per series and minute, a couple of bisections (cached until the series,
the incidents or the minute change). The same rules as the headless commands (flaky.py:
passed and failed, incident failures not counted; incidents.py) decide; this keeps their inputs
at hand and counts them the same way.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

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
    run_ids: tuple[str, ...] = ()
    """The run id of each result of `strip` (the table marks a row's own result)."""


class _Series:
    __slots__ = ("cached", "fails", "last", "passes", "version")

    def __init__(self) -> None:
        self.last: list[tuple[float, RunStatus, str]] = []
        """(ended, status, run id) of its last final results, oldest first."""
        self.passes: list[float] = []
        self.fails: list[tuple[float, str]] = []
        """(ended, run id) of its test failures within the window."""
        self.version = 0
        self.cached: tuple[int, int, float, HistoryCell] | None = None
        """(series version, incidents version, valid until, cell)."""


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
        self._grouped_at = -1
        self._excluded_versions = 0

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
            self._place(result.series, result.ended, result.status, result.run_id)
            changed = True
        if changed:
            self.version += 1
        return changed

    def add_light(self, rows: Iterable[tuple[str, str, str, str, RunStatus, float]]) -> None:
        """Take results that are no incident's material (no fingerprint), as bare
        (provider, run id, test, target, status, ended): how the history loads from disk
        without building a `Result` for each of 200,000 rows."""
        seen = self._seen
        for provider, run_id, test, target, status, ended in rows:
            key = (provider, run_id)
            if key not in seen:
                seen.add(key)
                self._place((provider, test, target), ended, status, run_id)
        self.version += 1

    def _place(self, key: SeriesKey, ended: float, status: RunStatus, run_id: str) -> None:
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = _Series()
        series.version += 1
        last = series.last
        if len(last) < STRIP_LENGTH or ended > last[0][0]:
            if not last or ended >= last[-1][0]:
                last.append((ended, status, run_id))
            else:
                bisect.insort(last, (ended, status, run_id))
            if len(last) > STRIP_LENGTH:
                del last[0]
        if status is RunStatus.PASSED:
            passes = series.passes
            if not passes or ended >= passes[-1]:
                passes.append(ended)
            else:
                bisect.insort(passes, ended)
        elif status is RunStatus.FAILED:
            bisect.insort(series.fails, (ended, run_id))

    def previous(self, series_key: SeriesKey, before: float) -> RunStatus | None:
        """The series' latest final result that ended before `before`; None when none of the
        results kept for its strip did (or the series is unknown)."""
        series = self._series.get(series_key)
        if series is None:
            return None
        for ended, status, _ in reversed(series.last):
            if ended < before:
                return status
        return None

    def cell(self, series_key: SeriesKey, now: float) -> HistoryCell | None:
        """The strip and flaky badge of one series at `now` (None: no final result yet).

        Kept per series until the series changes, the incidents its failures may belong to
        change, or the first result it counted leaves the window."""
        series = self._series.get(series_key)
        if series is None:
            return None
        fails = series.fails
        excluded_version = self._incident_state()[0] if fails else 0
        cached = series.cached
        if (
            cached is not None
            and cached[0] == series.version
            and cached[1] == excluded_version
            and now < cached[2]
        ):
            return cached[3]
        excluded = self._incident_state()[2] if fails else frozenset()
        since = now - self.flaky_window_s
        passes = series.passes
        first_pass = bisect.bisect_left(passes, since) if passes else 0
        passed = len(passes) - first_pass
        failed = 0
        first_fail = bisect.bisect_left(fails, (since, "")) if fails else 0
        if excluded:
            provider = series_key[0]
            failed = sum(
                1
                for ended, run_id in fails[first_fail:]
                if ended <= now and (provider, run_id) not in excluded
            )
        else:
            failed = len(fails) - first_fail
        rate = failed / (passed + failed) if passed and failed else None
        edges = [passes[first_pass]] if passed else []
        edges += [fails[first_fail][0]] if first_fail < len(fails) else []
        valid_until = min(edges) + self.flaky_window_s if edges else float("inf")
        strip = tuple([status for _, status, _ in series.last])
        cell = HistoryCell(strip, rate, tuple([run_id for _, _, run_id in series.last]))
        series.cached = (series.version, excluded_version, valid_until, cell)
        return cell

    def warm(self, now: float) -> None:
        """Work out every series' cell and the incidents now (the loader's thread does, so the
        first frames only look them up)."""
        self._incident_state()
        for key in list(self._series):
            self.cell(key, now)

    def incidents(self) -> list[Incident]:
        """Every incident among the failures kept (the flaky window), the latest first."""
        return self._incident_state()[1]

    def _incident_state(self) -> tuple[int, list[Incident], frozenset[tuple[str, str]]]:
        """(a version that moves only when which runs are incident failures changes, the
        incidents, those runs)."""
        state = self._incidents
        if state is not None and self._grouped_at == self._failures_version:
            return state
        incidents = group_incidents(
            self._failures.values(),
            window_s=self.incident_window_s,
            min_runs=self.incident_min_runs,
        )
        excluded = frozenset(r.key for incident in incidents for r in incident.results)
        version = state[0] if state is not None and state[2] == excluded else self._next_excluded()
        state = self._incidents = (version, incidents, excluded)
        self._grouped_at = self._failures_version
        return state

    def _next_excluded(self) -> int:
        self._excluded_versions += 1
        return self._excluded_versions
