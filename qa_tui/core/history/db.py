"""The run history on disk: `history.sqlite` in the data dir (it outlives a cache wipe).

One row per final result, keyed by (provider, run id): recording a run again replaces its row
(a detail view may add the failing step a list did not say). Bounded on every open and every
`PRUNE_EVERY` results recorded: rows older than `keep_days`, then the oldest past `keep_runs`.
Indexed for what is read: a series newest first (strips, the last green run), failures by time
(incidents), everything since a moment (`qa-tui flaky`). The backfill's progress per provider
and list is kept here too, so it is done once, not at every start.

Writes are WAL with `synchronous=NORMAL`: a crash may lose the last results, never corrupt the
file; the history is rebuilt from the providers' lists anyway.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from qa_tui.core import paths
from qa_tui.core.history.results import Result, SeriesKey
from qa_tui.core.model import RunKind, RunStatus

FILE_NAME = "history.sqlite"
PRUNE_EVERY = 5_000
_COLUMNS = (
    "provider, run_id, kind, name, test, target, status, ended, error, failed_step, "
    "fingerprint, url, duration"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    provider TEXT NOT NULL, run_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    test TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL, ended REAL NOT NULL,
    error TEXT, failed_step TEXT, fingerprint TEXT, url TEXT, duration REAL,
    PRIMARY KEY (provider, run_id)
);
CREATE INDEX IF NOT EXISTS results_series ON results (provider, test, target, ended);
CREATE INDEX IF NOT EXISTS results_ended ON results (ended);
CREATE TABLE IF NOT EXISTS backfill (
    provider TEXT NOT NULL, list TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (provider, list)
);
"""


def _row(result: Result) -> tuple[object, ...]:
    return (
        result.provider,
        result.run_id,
        result.kind.value,
        result.name,
        result.test,
        result.target,
        result.status.value,
        result.ended,
        result.error,
        result.failed_step,
        result.fingerprint,
        result.url,
        result.duration_s,
    )


def _result(row: tuple[object, ...]) -> Result | None:
    provider, run_id, kind, name, test, target, status, ended, error, step, fp, url, took = row
    try:
        return Result(
            str(provider),
            str(run_id),
            RunKind(str(kind)),
            str(name),
            str(test),
            str(target),
            RunStatus(str(status)),
            float(ended),  # type: ignore[arg-type]
            error if isinstance(error, str) else None,
            step if isinstance(step, str) else None,
            fp if isinstance(fp, str) else None,
            url if isinstance(url, str) else None,
            float(took) if isinstance(took, int | float) else None,
        )
    except (ValueError, TypeError):
        return None  # a row this version cannot read: skipped, never fatal


class RunHistory:
    """Final results on disk, bounded by age and count."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        keep_days: float = 90.0,
        keep_runs: int = 200_000,
        now: float | None = None,
    ) -> None:
        """`now` (unix seconds): prune as of then at once (`History` does, on its clock)."""
        self.path = path if path is not None else paths.data_dir() / FILE_NAME
        if isinstance(self.path, Path):
            paths.private_file(self.path)  # 0600 in a 0700 folder, its WAL files too
        self.keep_days = keep_days
        self.keep_runs = keep_runs
        self._lock = threading.RLock()
        """One connection, used from the event loop (reads) and the history's writer thread."""
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._add_duration_column()
        self._since_prune = 0
        if now is not None:
            self.prune(now)

    def _add_duration_column(self) -> None:
        """A history written before durations were kept gains the column (empty: its ETAs
        start from the runs that pass from now on)."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
        if "duration" not in columns:
            self._db.execute("ALTER TABLE results ADD COLUMN duration REAL")

    def passed_durations(self, per_series: int) -> list[tuple[str, str, str, float, float]]:
        """(provider, test, target, ended, duration) of each series' newest `per_series`
        passed runs with a duration, oldest first (what ETAs are estimated from)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT provider, test, target, ended, duration FROM ("
                " SELECT provider, test, target, ended, duration, ROW_NUMBER() OVER ("
                "  PARTITION BY provider, test, target ORDER BY ended DESC) AS newest"
                " FROM results WHERE status = 'passed' AND duration IS NOT NULL"
                ") WHERE newest <= ? ORDER BY ended",
                (int(per_series),),
            ).fetchall()
        return [(str(p), str(t), str(g), float(e), float(d)) for p, t, g, e, d in rows]

    def __repr__(self) -> str:
        return f"RunHistory(path={str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, results: Iterable[Result], *, now: float | None = None) -> int:
        """Record results (one transaction); returns how many."""
        rows = [_row(r) for r in results]
        if not rows:
            return 0
        marks = ", ".join("?" * len(rows[0]))
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                f"INSERT OR REPLACE INTO results ({_COLUMNS}) VALUES ({marks})", rows
            )
        self._since_prune += len(rows)
        if self._since_prune >= PRUNE_EVERY:
            self.prune(time.time() if now is None else now)
        return len(rows)

    def prune(self, now: float) -> None:
        """Drop results older than `keep_days`, then the oldest beyond `keep_runs`."""
        self._since_prune = 0
        with self._lock, self._db:
            self._db.execute("DELETE FROM results WHERE ended < ?", (now - self.keep_days * 86400,))
            (count,) = self._db.execute("SELECT COUNT(*) FROM results").fetchone()
            if count > self.keep_runs:
                self._db.execute(
                    "DELETE FROM results WHERE rowid IN "
                    "(SELECT rowid FROM results ORDER BY ended LIMIT ?)",
                    (count - self.keep_runs,),
                )

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM results").fetchone()
        return int(count)

    def _read(self, where: str, params: tuple[object, ...], tail: str = "") -> Iterator[Result]:
        sql = f"SELECT {_COLUMNS} FROM results WHERE {where} {tail}"
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        for row in rows:
            result = _result(row)
            if result is not None:
                yield result

    def since(self, moment: float, providers: Iterable[str] | None = None) -> list[Result]:
        """Every result that ended at or after `moment`, oldest first (some providers only)."""
        results = self._read("ended >= ?", (moment,), "ORDER BY ended")
        wanted = set(providers) if providers is not None else None
        return [r for r in results if wanted is None or r.provider in wanted]

    def light_since(
        self, moment: float
    ) -> tuple[list[tuple[str, str, str, str, RunStatus, float]], list[Result]]:
        """Everything since `moment`, as the index loads it: bare rows for the results without
        a fingerprint, whole results for the failures with one (incidents' material)."""
        light: list[tuple[str, str, str, str, RunStatus, float]] = []
        statuses = {status.value: status for status in RunStatus}
        with self._lock:
            rows = self._db.execute(
                "SELECT provider, run_id, test, target, status, ended FROM results "
                "WHERE ended >= ? AND fingerprint IS NULL",
                (moment,),
            ).fetchall()
        for provider, run_id, test, target, status, ended in rows:
            known = statuses.get(status)
            if known is not None:
                light.append((provider, run_id, test, target, known, float(ended)))
        failures = list(self._read("ended >= ? AND fingerprint IS NOT NULL", (moment,)))
        return light, failures

    def older_strips(
        self, before: float, per_series: int
    ) -> list[tuple[str, str, str, str, RunStatus, float]]:
        """Each series' newest `per_series` results that ended before `before` (what strips
        need of what is older than the flaky window), one indexed query per series."""
        statuses = {status.value: status for status in RunStatus}
        out: list[tuple[str, str, str, str, RunStatus, float]] = []
        with self._lock:
            keys = self._db.execute(
                "SELECT DISTINCT provider, test, target FROM results"
            ).fetchall()
            for provider, test, target in keys:
                rows = self._db.execute(
                    "SELECT run_id, status, ended FROM results WHERE provider = ? AND test = ? "
                    "AND target = ? AND ended < ? ORDER BY ended DESC LIMIT ?",
                    (provider, test, target, before, per_series),
                ).fetchall()
                for run_id, status, ended in rows:
                    known = statuses.get(status)
                    if known is not None:
                        out.append((provider, run_id, test, target, known, float(ended)))
        return out

    def get(self, provider: str, run_id: str) -> Result | None:
        return next(self._read("provider = ? AND run_id = ?", (provider, run_id)), None)

    def series(
        self, key: SeriesKey, *, before: float | None = None, limit: int = 10
    ) -> list[Result]:
        """The newest results of one series (ended before `before`), newest first."""
        provider, test, target = key
        cutoff = float("inf") if before is None else before
        return list(
            self._read(
                "provider = ? AND test = ? AND target = ? AND ended < ?",
                (provider, test, target, cutoff),
                f"ORDER BY ended DESC LIMIT {int(limit)}",
            )
        )

    def last_passing(self, key: SeriesKey, before: float) -> Result | None:
        """The newest passed result of a series that ended before `before`."""
        provider, test, target = key
        return next(
            self._read(
                "provider = ? AND test = ? AND target = ? AND ended < ? AND status = 'passed'",
                (provider, test, target, before),
                "ORDER BY ended DESC LIMIT 1",
            ),
            None,
        )

    def recent_tests(self, provider: str, limit: int = 50) -> list[tuple[str, str, str, float]]:
        """(test, target, name, last ended) of the provider's series, the latest first: what
        was run where (the new-run dialog suggests it)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT test, target, MAX(name), MAX(ended) AS last FROM results "
                "WHERE provider = ? GROUP BY test, target ORDER BY last DESC LIMIT ?",
                (provider, int(limit)),
            ).fetchall()
        return [
            (str(test), str(target), str(name), float(last)) for test, target, name, last in rows
        ]

    # --- the backfill's progress -------------------------------------------------------------

    def backfilled(self, provider: str, list_label: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT done FROM backfill WHERE provider = ? AND list = ?", (provider, list_label)
            ).fetchone()
        return bool(row and row[0])

    def mark_backfilled(self, provider: str, list_label: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO backfill (provider, list, done) VALUES (?, ?, 1)",
                (provider, list_label),
            )
