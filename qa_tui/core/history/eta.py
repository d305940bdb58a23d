"""How long a running run has left: the median duration of the last passed runs of the same
test on the same target (the history's series), less the time it has run so far.

Only passed runs count: a failure usually stops early, a stopped run anywhere. Fewer than
`SURE_AT` of them make an estimate, said approximate (`~`); none, no estimate at all. The
durations are kept in memory per series (the last `SAMPLES`), loaded with the history and moved
by every result recorded, so the table asks for each running line at every tick for nothing.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.results import Result, SeriesKey, series_of
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.words.times import run_duration

SAMPLES = 10
"""The last passed runs of a series an estimate is made from."""
SURE_AT = 3
"""Fewer passed runs than this: the estimate is said approximate (`~`)."""


@dataclass(frozen=True)
class Estimate:
    """What a running run is expected to take, and from how many passed runs."""

    expected_s: float
    samples: int

    @property
    def approximate(self) -> bool:
        return self.samples < SURE_AT

    def left_s(self, elapsed_s: float) -> float:
        """Seconds left after `elapsed_s` (negative: past what it usually takes)."""
        return self.expected_s - elapsed_s


class Durations:
    """Each series' last passed durations, oldest first."""

    def __init__(self) -> None:
        self._series: dict[SeriesKey, list[tuple[float, float]]] = {}

    def add(self, key: SeriesKey, ended: float, duration_s: float) -> None:
        kept = self._series.setdefault(key, [])
        if (ended, duration_s) in kept:
            return
        bisect.insort(kept, (ended, duration_s))
        if len(kept) > SAMPLES:
            del kept[0]

    def add_results(self, results: Iterable[Result]) -> None:
        for result in results:
            if result.status is RunStatus.PASSED and result.duration_s is not None:
                self.add(result.series, result.ended, result.duration_s)

    def estimate(self, key: SeriesKey) -> Estimate | None:
        kept = self._series.get(key)
        if not kept:
            return None
        return Estimate(statistics.median(d for _, d in kept), len(kept))


def estimate_for(durations: Durations, run: Run) -> Estimate | None:
    """The estimate for a running run (None for any other, or with no passed run to go by)."""
    if run.status is not RunStatus.RUNNING:
        return None
    return durations.estimate(series_of(run))


def time_left(estimate: Estimate | None, run: Run, now: datetime) -> float | None:
    """Seconds left for a running run at `now`; None without an estimate or a start."""
    if estimate is None or run.started is None:
        return None
    elapsed = run_duration(run, now)
    return None if elapsed is None else estimate.left_s(elapsed)


def eta_text(left_s: float, *, approximate: bool) -> str:
    """A running run's time left, at most 9 cells: `45s left`, `3m left`, `1h05 left`; `~`
    before it when estimated from fewer than 3 passed runs; `over 2m` once past the estimate."""
    if left_s < 0:
        return f"over {_span(-left_s, approximate=True)}"
    tilde = "~" if approximate else ""
    return f"{tilde}{_span(left_s, approximate=approximate)} left"


def _span(seconds: float, *, approximate: bool) -> str:
    total = math.ceil(seconds)
    if total < 60:
        return f"{total}s"
    minutes = math.ceil(total / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h" if approximate or hours >= 10 else f"{hours}h{rest:02d}"


def eta_of(estimate: Estimate | None, run: Run, now: datetime) -> str | None:
    """`3m left` (`~`, `over`: see `eta_text`) for a running run with an estimate, else None."""
    left = time_left(estimate, run, now)
    if estimate is None or left is None:
        return None
    return eta_text(left, approximate=estimate.approximate)


def load_durations(db: RunHistory) -> Durations:
    """The durations kept on disk (`watch` reads them once, before it follows a run)."""
    durations = Durations()
    for provider, test, target, ended, took in db.passed_durations(SAMPLES):
        durations.add((provider, test, target), ended, took)
    return durations
