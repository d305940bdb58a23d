"""The local run cache (sqlite in the platformdirs cache dir): the table's first paint.

Every run the engine sees is upserted here; on the next start the store is filled from it at once,
rows marked stale until their provider confirms them. It is a cache: losing it loses nothing
but the first paint, so writes are not fsynced. A run is stored as JSON without the fields that
hold their default (mostly nulls): reading ten thousand back then takes half the time.

The engine hands each batch over with `save_later`: the JSON and the sqlite write (see
bench/README.md for what they cost) happen on a writer thread in the loop's pauses
(quiet_writer.py), never inside the frame that shows the batch; a run changed by several batches
in the meantime is written once, as it was last. Runs that left the table (their provider
deleted them: core/engine/retention.py; or a full store let them go) leave the cache in the
same write, so a restart does not show them again. `close()` writes what is left.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from qa_tui.core import paths
from qa_tui.core.history.quiet_writer import QuietWriter
from qa_tui.core.model import Run

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    provider TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    seen REAL NOT NULL,
    PRIMARY KEY (provider, id)
)
"""


_RUNS = TypeAdapter(list[Run])
_Batch = tuple[Sequence[Run], Sequence[tuple[str, str]]]
"""Runs to upsert, and the (provider, id) of runs to delete, in the order they were handed over."""
_CHUNK = 50
"""Runs turned into JSON between two moments the writer lets the loop's thread run."""


class RunCache:
    """Runs by (provider, id), as JSON; bounded to the `keep` most recently seen."""

    def __init__(self, path: Path | str, *, keep: int = 20_000) -> None:
        self.path = path
        self.keep = keep
        if isinstance(path, Path):
            paths.private_file(path)  # 0600 in a 0700 folder, its WAL files too
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(_SCHEMA)
        (self._tick,) = self._db.execute("SELECT COALESCE(MAX(seen), 0) FROM runs").fetchone()
        self._lock = threading.Lock()
        """One connection, two threads (the loop's and the writer's): one at a time."""
        self._writer: QuietWriter[_Batch] = QuietWriter(self._save_gathered, name="cache")

    def close(self) -> None:
        self._writer.close()
        self._db.close()

    def flush(self) -> None:
        """Wait until every run handed to `save_later` is written."""
        self._writer.flush()

    def save_later(self, runs: Sequence[Run], gone: Sequence[tuple[str, str]] = ()) -> None:
        """Upsert these runs and delete the `gone` ones on the writer's thread, soon (see the
        module doc)."""
        if runs or gone:
            self._writer.put((runs, gone))

    def _save_gathered(self, batches: list[_Batch]) -> None:
        latest: dict[tuple[str, str], Run | None] = {}
        for runs_of_batch, gone in batches:
            latest.update((run.key, run) for run in runs_of_batch)
            latest.update((key, None) for key in gone)
        runs = [run for run in latest.values() if run is not None]
        rows: list[tuple[str, str, str, int]] = []
        for start in range(0, len(runs), _CHUNK):
            if start:
                time.sleep(0)  # lets the loop's thread in: a frame may be waiting for it
            rows.extend(self._row(run) for run in runs[start : start + _CHUNK])
        self._upsert(rows, [key for key, run in latest.items() if run is None])

    def save(self, runs: Iterable[Run]) -> None:
        """Upsert runs now (one transaction)."""
        self._upsert([self._row(run) for run in runs])

    def _row(self, run: Run) -> tuple[str, str, str, int]:
        self._tick += 1
        body = run.model_dump_json(exclude_defaults=True)  # half the work to read back
        return (run.provider, run.id, body, self._tick)

    def _upsert(
        self, rows: list[tuple[str, str, str, int]], gone: Sequence[tuple[str, str]] = ()
    ) -> None:
        if not rows and not gone:
            return
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO runs (provider, id, body, seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (provider, id) DO UPDATE SET body = excluded.body, seen = excluded.seen",
                rows,
            )
            self._db.executemany("DELETE FROM runs WHERE provider = ? AND id = ?", gone)

    def load(self, providers: set[str]) -> list[Run]:
        """Cached runs of the given providers; unreadable rows are dropped, not fatal."""
        with self._lock:
            self._prune()
            bodies = [
                body
                for provider, body in self._db.execute("SELECT provider, body FROM runs")
                if provider in providers
            ]
        try:  # all at once: a third faster than one by one
            return _RUNS.validate_json("[" + ",".join(bodies) + "]")
        except ValidationError:
            pass  # some row is bad: read them one by one, dropping the bad ones
        runs = []
        for body in bodies:
            try:
                runs.append(Run.model_validate_json(body))
            except ValidationError:
                continue
        return runs

    def _prune(self) -> None:
        (count,) = self._db.execute("SELECT COUNT(*) FROM runs").fetchone()
        if count > self.keep:
            self._db.execute(
                "DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs ORDER BY seen LIMIT ?)",
                (count - self.keep,),
            )
