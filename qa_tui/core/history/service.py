"""`History`: the run history as the engine writes it and the app reads it.

The engine hands it every change batch (`record_changes`: a run that reached a final status is
recorded once), every walked page's runs (`record_runs`: the backfill reaches runs older than
the store keeps), and every detail it fetched (`record_detail`: the failing step and its error,
which a BugBrain list never says). It answers the backfill's question, `wants_older`: should a
history walk go on past the pages the store keeps? Yes, until it has gone back `backfill_days`
on that list once (kept on disk: once per provider, also when one is added later).

Reading is from memory (`HistoryIndex`): strips, flaky badges and incidents for the table,
loaded from disk in a thread once the engine starts (`load`), so the first paint never waits for
it; what is recorded before the load is done is kept and added after it. The Compare pane's last
green run is a query on disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import HistoryConfig
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.eta import Durations, Estimate, estimate_for, load_durations
from qa_tui.core.history.fingerprint import fingerprint_for
from qa_tui.core.history.incidents import Incident
from qa_tui.core.history.index import STRIP_LENGTH, HistoryCell, HistoryIndex
from qa_tui.core.history.quiet_writer import QuietWriter
from qa_tui.core.history.results import Result, moment_of, result_of, series_of
from qa_tui.core.model import Run, RunDetail, RunStatus
from qa_tui.core.runs.store import Changes
from qa_tui.core.signals import Signal

DAY = 86400.0


@dataclass(frozen=True)
class HistorySettings:
    """The `[history]` table's values (see core/config/tables.py `HistoryConfig`)."""

    keep_days: float = 90.0
    keep_runs: int = 200_000
    backfill_days: float = 7.0
    flaky_days: float = 7.0
    incident_window_min: float = 30.0
    incident_min_runs: int = 3

    @classmethod
    def from_config(cls, config: HistoryConfig) -> HistorySettings:
        return cls(
            keep_days=config.keep_days,
            keep_runs=config.keep_runs,
            backfill_days=config.backfill_days,
            flaky_days=config.flaky_days,
            incident_window_min=config.incident_window_min,
            incident_min_runs=config.incident_min_runs,
        )


def open_history(
    config: HistoryConfig, path: Path | None = None, *, clock: Clock = SYSTEM_CLOCK
) -> History | None:
    """The history in the data dir (or `path`) as the config says; None when it is off."""
    if not config.enabled:
        return None
    return History(RunHistory(path), HistorySettings.from_config(config), clock=clock)


def failing_step_of(detail: RunDetail) -> tuple[str | None, str | None]:
    """(the first failing step as `3. Checkout`, its error) from a run's detail."""
    for step in detail.steps.items:
        if step.status in (RunStatus.FAILED, RunStatus.ERROR):
            return f"{step.index + 1}. {step.name}", step.error
    return None, None


class History:
    """Records final results and answers what the table, screens and commands ask."""

    def __init__(
        self,
        db: RunHistory,
        settings: HistorySettings | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.db = db
        self.settings = settings or HistorySettings()
        self.clock = clock
        db.keep_days, db.keep_runs = self.settings.keep_days, self.settings.keep_runs
        self.index = HistoryIndex(
            flaky_window_s=self.settings.flaky_days * DAY,
            incident_window_s=self.settings.incident_window_min * 60.0,
            incident_min_runs=self.settings.incident_min_runs,
        )
        self.durations = Durations()
        """The last passed durations of each series: what ETAs are estimated from (eta.py)."""
        self.loaded = False
        self.failed: str | None = None
        """Why the history could not be read or written (the runs go on without it)."""
        self._pending: list[Result] = []
        self._recorded: dict[tuple[str, str], Result] = {}
        """What this session recorded, so a run seen again unchanged is not written again."""
        self._writer: QuietWriter[list[Result]] = QuietWriter(self._write_gathered, name="history")
        """Writes to disk on a thread of its own: a batch never waits for sqlite on the loop."""
        self.changed: Signal[None] = Signal("history.changed")
        """Called after new results reach the index (the table redraws its strips)."""

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # --- writing -----------------------------------------------------------------------------

    def record(self, results: Iterable[Result]) -> int:
        """Write results that are new or changed; returns how many."""
        fresh = [r for r in results if self._recorded.get(r.key) != r]
        if not fresh:
            return 0
        for result in fresh:
            self._recorded[result.key] = result
        if len(self._recorded) > 50_000:
            self._recorded.clear()
        self._writer.put(fresh)
        self.durations.add_results(fresh)
        if self.loaded:
            if self.index.add(fresh):
                self.changed.emit(None)
        else:
            self._pending.extend(fresh)
        return len(fresh)

    def _write_gathered(self, batches: list[list[Result]]) -> None:
        """On the writer's thread: the batches gathered, in one transaction."""
        try:
            self.db.add([r for batch in batches for r in batch], now=self._now())
        except sqlite3.Error as error:  # a full disk: the strips still move, from memory
            self.failed = f"history not saved: {error}"

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything recorded is on disk (before reading it back, and at close)."""
        self._writer.flush(timeout)

    def record_runs(self, runs: Iterable[Run]) -> int:
        now = self.clock.now()
        return self.record(r for run in runs if (r := result_of(run, now)) is not None)

    def record_changes(self, changes: Changes) -> int:
        return self.record_runs(row.run for row in (*changes.added, *changes.updated))

    def record_detail(self, detail: RunDetail) -> None:
        """A detail's failing step and error fill in what the run's list did not say."""
        result = result_of(detail.run, self.clock.now())
        if result is None or result.status not in (RunStatus.FAILED, RunStatus.ERROR):
            return
        step, error = failing_step_of(detail)
        self.flush()
        known = self.db.get(result.provider, result.run_id)
        if known is not None and known.failed_step and known.error:
            return
        error = result.error or error
        fingerprint = fingerprint_for(error, result.test)
        step = result.failed_step or step
        self.record([result._replace(failed_step=step, error=error, fingerprint=fingerprint)])

    # --- the backfill -------------------------------------------------------------------------

    def wants_older(self, provider: str, list_label: str, runs: Sequence[Run]) -> bool:
        """Whether a history walk of `list_label` should read on past this page: until a page
        reaches back `backfill_days`, once per provider and list (then never again)."""
        if self.settings.backfill_days <= 0 or self.db.backfilled(provider, list_label):
            return False
        horizon = self._now() - self.settings.backfill_days * DAY
        times = [w.timestamp() for r in runs if (w := r.started or r.queued or r.ended)]
        if runs and (not times or min(times) > horizon):
            return True
        self.db.mark_backfilled(provider, list_label)
        return False

    def backfill_done(self, provider: str, list_label: str) -> None:
        """The list ended before the horizon: nothing older to read."""
        if self.settings.backfill_days > 0:
            self.db.mark_backfilled(provider, list_label)

    # --- reading ------------------------------------------------------------------------------

    async def load(self) -> None:
        """Fill the index from disk, in a thread; then add what was recorded meanwhile."""
        index = await asyncio.to_thread(self._build_index)
        durations = await asyncio.to_thread(self._load_durations)
        pending, self._pending = self._pending, []
        index.add(pending)
        durations.add_results(pending)
        self.index, self.durations, self.loaded = index, durations, True
        self.changed.emit(None)

    def _build_index(self) -> HistoryIndex:
        self.flush()
        now = self._now()
        self.db.prune(now)
        index = HistoryIndex(
            flaky_window_s=self.index.flaky_window_s,
            incident_window_s=self.index.incident_window_s,
            incident_min_runs=self.index.incident_min_runs,
        )
        since = now - index.flaky_window_s
        light, failures = self.db.light_since(since)
        index.add_light(self.db.older_strips(since, STRIP_LENGTH))
        index.add_light(light)
        index.add(failures)
        index.warm(now)
        return index

    def _load_durations(self) -> Durations:
        return load_durations(self.db)

    def estimate(self, run: Run) -> Estimate | None:
        """What a running run is expected to take, from its series' last passed runs (None
        for a run not running, or with none passed to go by)."""
        return estimate_for(self.durations, run)

    @property
    def version(self) -> int:
        return self.index.version

    def cell(self, run: Run, now: float | None = None) -> HistoryCell | None:
        """A run's HISTORY cell: asked for every line drawn, so kept per series in the index
        (the series key is made again each time: three fields read. Kept by the run object, it
        kept every value of every run ever drawn alive, 50,000 of them before a clear)."""
        moment = self._now() if now is None else now
        return self.index.cell((run.provider, run.test_id or run.name, run.target or ""), moment)

    def previous_result(self, run: Run) -> RunStatus | None:
        """The final result of the same test on the same target before this run, as far as the
        history knows: None before the history is read, or when it holds nothing earlier."""
        moment = moment_of(run)
        if not self.loaded or moment is None:
            return None
        return self.index.previous(series_of(run), moment.timestamp())

    def is_flaky(self, run: Run) -> bool:
        cell = self.cell(run)
        return cell is not None and cell.flake_rate is not None

    def incidents(self) -> list[Incident]:
        return self.index.incidents()

    def last_green(self, run: Run) -> Result | None:
        """The last passing run of the same test on the same target before this one."""
        moment = moment_of(run) or self.clock.now()
        self.flush()
        return self.db.last_passing(series_of(run), moment.timestamp())

    def recent_tests(self, provider: str, limit: int = 50) -> list[tuple[str, str, str, float]]:
        """(test, target, name, last ended) the provider ran, the latest first (blocks on the
        disk: call it from a thread)."""
        self.flush()
        return self.db.recent_tests(provider, limit)

    def close(self) -> None:
        self._writer.close()
        self.db.close()
