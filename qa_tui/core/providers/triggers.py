"""A durable local record of the runs qa-tui triggered where the provider cannot list them (Bug0).

Bug0 has no read API: once a run is triggered, the only trace of it on this machine is what we
wrote down. Each record keeps the provider name, the execution id Bug0 returned, the project id,
when it was triggered and the request fields (without secrets: the commit and repository among
them), so the run can be listed after a restart, its result read again where it is reported
(Bug0's GitHub commit status), and re-run with the same fields. Once that result is final it is
written down too (`record_result`), so an ended run stays ended, whatever the commit's status
says later (a re-run on the same commit posts a new one).

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
from typing import Any

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
    result TEXT,
    PRIMARY KEY (provider, execution_id)
)
"""
_COLUMNS = ("provider", "execution_id", "project_id", "triggered_at", "triggered_epoch", "fields")
"""The columns every version of the file has (`result` came later: added when missing)."""


@dataclass(frozen=True)
class TriggerRecord:
    """One run qa-tui triggered: what was sent, to which project, and what id came back."""

    provider: str
    execution_id: str
    project_id: str
    triggered_at: datetime
    fields: Mapping[str, str] = field(default_factory=dict)
    """The request body fields that were set (strings, as sent), without the project id."""
    result: Mapping[str, Any] | None = None
    """The run's final result as read where the provider reports it (Bug0: its GitHub status),
    None until there is one."""


class TriggerLog:
    """Triggered runs per provider, newest first, surviving restarts."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path: Path | str = path if path is not None else paths.data_dir() / FILE_NAME
        self._memory: sqlite3.Connection | None = None
        if str(self.path) == MEMORY:
            self._memory = sqlite3.connect(MEMORY)
            _prepare(self._memory)

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
                f"INSERT OR REPLACE INTO triggers ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
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
        query = f"SELECT {_SELECTED} FROM triggers WHERE provider = ?"
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
                f"SELECT {_SELECTED} FROM triggers WHERE provider = ? AND execution_id = ?",
                (provider, execution_id),
            ).fetchone()
        return None if row is None else _row_to_record(row)

    def record_result(
        self, provider: str, execution_id: str, result: Mapping[str, Any]
    ) -> TriggerRecord | None:
        """Write down a trigger's final result (JSON-able); the record as it is now, None when
        no such trigger was recorded."""
        with self._connect(create=True) as conn:
            assert conn is not None  # create=True always connects
            conn.execute(
                "UPDATE triggers SET result = ? WHERE provider = ? AND execution_id = ?",
                (json.dumps(dict(result), sort_keys=True), provider, execution_id),
            )
        return self.get(provider, execution_id)

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
            _prepare(conn)
            yield conn


_SELECTED = ", ".join((*_COLUMNS, "result"))


def _prepare(conn: sqlite3.Connection) -> None:
    """The table, with the `result` column an older qa-tui's file lacks."""
    conn.execute(_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(triggers)")}
    if "result" not in columns:
        conn.execute("ALTER TABLE triggers ADD COLUMN result TEXT")


def _json_object(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    return raw if isinstance(raw, dict) else None


def _row_to_record(row: tuple[str, str, str, str, float, str, str | None]) -> TriggerRecord:
    provider, execution_id, project_id, triggered_at, _epoch, fields_json, result_json = row
    raw = _json_object(fields_json) or {}
    fields = {str(k): str(v) for k, v in raw.items()}
    return TriggerRecord(
        provider,
        execution_id,
        project_id,
        datetime.fromisoformat(triggered_at),
        fields,
        _json_object(result_json),
    )
