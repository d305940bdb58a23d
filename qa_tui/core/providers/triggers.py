"""A durable local record of the runs qa-tui triggered where the provider cannot list them (Bug0).

Bug0 has no read API: once a run is triggered, the only trace of it on this machine is what we
wrote down. Each record keeps the provider name, the execution id Bug0 returned, the project id,
when it was triggered and the request fields (without secrets), so the run can be listed after a
restart and re-run with the same fields.

Storage is an sqlite file (stdlib) in `paths.data_dir()/triggers.sqlite`; the folder is created on
the first write, never at import or on a read. `":memory:"` keeps one connection for the life of
the instance (tests). File databases use one short-lived connection per call: the calls are tiny,
so they run directly from asyncio code, and two qa-tui processes may share the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from qa_tui.core import paths

MEMORY = ":memory:"
FILE_NAME = "triggers.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS triggers (
    provider TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    triggered_at TEXT NOT NULL,
    triggered_epoch REAL NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (provider, execution_id)
)
"""


@dataclass(frozen=True)
class TriggerRecord:
    """One run qa-tui triggered: what was sent, to which project, and what id came back."""

    provider: str
    execution_id: str
    project_id: str
    triggered_at: datetime
    fields: Mapping[str, str] = field(default_factory=dict)
    """The request body fields that were set (strings, as sent), without the project id."""


class TriggerLog:
    """Triggered runs per provider, newest first, surviving restarts."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path: Path | str = path if path is not None else paths.data_dir() / FILE_NAME
        self._memory: sqlite3.Connection | None = None
        if str(self.path) == MEMORY:
            self._memory = sqlite3.connect(MEMORY)
            self._memory.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"TriggerLog(path={str(self.path)!r})"

    def close(self) -> None:
        """Release the in-memory connection (file databases hold none between calls)."""
        if self._memory is not None:
            self._memory.close()
            self._memory = None

    def record(
        self,
        provider: str,
        execution_id: str,
        project_id: str,
        triggered_at: datetime,
        fields: Mapping[str, str],
    ) -> TriggerRecord:
        """Write one trigger down (the same provider + execution id again replaces it)."""
        when = triggered_at if triggered_at.tzinfo else triggered_at.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
        record = TriggerRecord(provider, execution_id, project_id, when, dict(fields))
        with self._connect(create=True) as conn:
            assert conn is not None  # create=True always connects
            conn.execute(
                "INSERT OR REPLACE INTO triggers VALUES (?, ?, ?, ?, ?, ?)",
                (
                    provider,
                    execution_id,
                    project_id,
                    when.isoformat(),
                    when.timestamp(),
                    json.dumps(dict(fields), sort_keys=True),
                ),
            )
        return record

    def records(
        self, provider: str, *, limit: int | None = None, since: datetime | None = None
    ) -> list[TriggerRecord]:
        """A provider's triggers, newest first; `since` keeps those triggered at or after it."""
        query = "SELECT * FROM triggers WHERE provider = ?"
        args: list[object] = [provider]
        if since is not None:
            query += " AND triggered_epoch >= ?"
            args.append(since.timestamp())
        query += " ORDER BY triggered_epoch DESC, rowid DESC"
        if limit is not None:
            query += " LIMIT ?"
            args.append(max(0, limit))
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            return [_row_to_record(row) for row in conn.execute(query, args)]

    def get(self, provider: str, execution_id: str) -> TriggerRecord | None:
        """One trigger by the execution id the provider returned, if it was recorded here."""
        with self._connect(create=False) as conn:
            if conn is None:
                return None
            row = conn.execute(
                "SELECT * FROM triggers WHERE provider = ? AND execution_id = ?",
                (provider, execution_id),
            ).fetchone()
        return None if row is None else _row_to_record(row)

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection inside a transaction; None for a read when nothing was ever written."""
        if self._memory is not None:
            with self._memory:
                yield self._memory
            return
        file = Path(self.path)
        if not create and not file.exists():
            yield None
            return
        paths.private_file(file)
        with closing(sqlite3.connect(file, timeout=5.0)) as conn, conn:
            conn.execute(_SCHEMA)
            yield conn


def _row_to_record(row: tuple[str, str, str, str, float, str]) -> TriggerRecord:
    provider, execution_id, project_id, triggered_at, _epoch, fields_json = row
    try:
        raw = json.loads(fields_json)
    except ValueError:
        raw = {}
    fields = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    return TriggerRecord(
        provider, execution_id, project_id, datetime.fromisoformat(triggered_at), fields
    )
