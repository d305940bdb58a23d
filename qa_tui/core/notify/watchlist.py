"""The watch list: runs the user watches (`w`) and tests, suites and plans whose every run they
watch (`W`), kept in `watch.sqlite` in the data dir so it outlives a restart.

A target is the provider, the run's kind and what it ran (`Run.test_id`: test id, suite id,
test plan id, Bug0 project), or the run's name when the provider gave no id; a target kept by
name still covers later runs that carry an id, as long as their name is the same. The list is
read once when opened and kept in memory (`covers()` is asked for every line the table draws);
each change is written at once, in its own short transaction. The folder is created on the first
write, never on a read.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from qa_tui.core import paths
from qa_tui.core.model import Run
from qa_tui.core.signals import Signal

RunKey = tuple[str, str]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
        provider TEXT NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
        added REAL NOT NULL, PRIMARY KEY (provider, run_id))""",
    """CREATE TABLE IF NOT EXISTS targets (
        provider TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, by_name INTEGER NOT NULL,
        name TEXT NOT NULL DEFAULT '', added REAL NOT NULL, PRIMARY KEY (provider, kind, target))""",
)


@dataclass(frozen=True)
class Target:
    """What a run ran: every run of it is watched."""

    provider: str
    kind: str
    target: str
    """The target id, or the run's name when `by_name`."""
    by_name: bool = False

    @classmethod
    def of(cls, run: Run) -> Target:
        if run.test_id:
            return cls(run.provider, run.kind.value, run.test_id)
        return cls(run.provider, run.kind.value, run.name, by_name=True)


class WatchList:
    """Watched runs and watched targets; `path=None` keeps them in memory only."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._runs: dict[RunKey, str] = {}
        self._targets: dict[Target, str] = {}
        self.changed: Signal[None] = Signal("watchlist.changed")
        """Called after every change (the app redraws the table's watch markers)."""
        if path is not None and path.exists():
            with self._db() as db:
                for provider, run_id, name in db.execute("SELECT provider, run_id, name FROM runs"):
                    self._runs[(provider, run_id)] = name
                for provider, kind, target, by_name, name in db.execute(
                    "SELECT provider, kind, target, by_name, name FROM targets"
                ):
                    self._targets[Target(provider, kind, target, bool(by_name))] = name

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        assert self.path is not None
        with closing(sqlite3.connect(str(self.path))) as db, db:
            for statement in _SCHEMA:
                db.execute(statement)
            yield db

    def _write(self, sql: str, values: tuple[object, ...]) -> None:
        if self.path is not None:
            paths.private_file(self.path)
            with self._db() as db:
                db.execute(sql, values)
        self.changed.emit(None)

    @property
    def runs(self) -> dict[RunKey, str]:
        """Watched runs → the name they had when watched."""
        return dict(self._runs)

    @property
    def targets(self) -> dict[Target, str]:
        """Watched targets → the name of the run they were watched from."""
        return dict(self._targets)

    def __bool__(self) -> bool:
        return bool(self._runs or self._targets)

    def watches_run(self, run: Run) -> bool:
        return run.key in self._runs

    def watches_target(self, run: Run) -> bool:
        if not self._targets:
            return False
        kind = run.kind.value
        if run.test_id and Target(run.provider, kind, run.test_id) in self._targets:
            return True
        return Target(run.provider, kind, run.name, by_name=True) in self._targets

    def covers(self, run: Run) -> bool:
        """True when this run is watched, by itself or through its target."""
        return run.key in self._runs or self.watches_target(run)

    def toggle_run(self, run: Run) -> bool:
        """Watch the run, or stop watching it; True when it is watched now."""
        if run.key in self._runs:
            del self._runs[run.key]
            self._write("DELETE FROM runs WHERE provider = ? AND run_id = ?", run.key)
            return False
        self._runs[run.key] = run.name
        self._write(
            "INSERT OR REPLACE INTO runs (provider, run_id, name, added) VALUES (?, ?, ?, ?)",
            (*run.key, run.name, time.time()),
        )
        return True

    def toggle_target(self, run: Run) -> bool:
        """Watch every run of this run's target, or stop; True when it is watched now. A target
        kept by name is found again from a run that now carries an id, and the other way round."""
        kept = [t for t in (Target.of(run), Target(run.provider, run.kind.value, run.name, True))]
        found = next((t for t in kept if t in self._targets), None)
        if found is not None:
            del self._targets[found]
            self._write(
                "DELETE FROM targets WHERE provider = ? AND kind = ? AND target = ?",
                (found.provider, found.kind, found.target),
            )
            return False
        target = Target.of(run)
        self._targets[target] = run.name
        self._write(
            "INSERT OR REPLACE INTO targets (provider, kind, target, by_name, name, added) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                target.provider,
                target.kind,
                target.target,
                int(target.by_name),
                run.name,
                time.time(),
            ),
        )
        return True
