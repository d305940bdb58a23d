"""The outbox's storage: bug reports in an sqlite file, written before any network call.

Two tables. `reports` holds every report Bugnet has not confirmed yet (pending, sending, failed,
needs attention); a report leaves it only in the same transaction that records its bug in
`links` (run → bug), so a report is never dropped without its bug being known. `links` also
answers "was this failure filed before?" (same provider and test name) and gives rows their bug
id after a restart.

Claiming a report for sending is a compare-and-set (`pending` → `sending` with a lease), so two
senders (a retry loop and the form, or two qa-tui processes on one file) never send the same
report at once. A `sending` report whose lease ran out was abandoned mid-send (the app died):
it is claimable again, and since it is still marked `unconfirmed` it is looked up first.

File databases use one short-lived connection per call (the calls are tiny, they run directly
from asyncio code); the folder is created on the first write, never on a read. Writes use
sqlite's default full synchronous mode: a report written here survives a crash or power cut.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qa_tui.core import paths
from qa_tui.core.providers.bugnet import BugDraft

RunKey = tuple[str, str]
"""(provider name, run id), as in the run store."""

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS reports (
        ref TEXT PRIMARY KEY, draft TEXT NOT NULL, state TEXT NOT NULL,
        provider TEXT, run_id TEXT, run_name TEXT NOT NULL DEFAULT '',
        comment_on TEXT, comment TEXT NOT NULL DEFAULT '',
        last_error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        unconfirmed INTEGER NOT NULL DEFAULT 0, sent_title TEXT,
        created REAL NOT NULL, updated REAL NOT NULL,
        next_attempt REAL NOT NULL DEFAULT 0, lease_until REAL NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS links (
        provider TEXT NOT NULL, run_id TEXT NOT NULL, run_name TEXT NOT NULL DEFAULT '',
        bug_id TEXT NOT NULL, bug_title TEXT NOT NULL DEFAULT '', bug_url TEXT,
        ref TEXT NOT NULL, filed REAL NOT NULL, PRIMARY KEY (provider, run_id))""",
)


class ReportState(StrEnum):
    """Where a report is on its way to Bugnet."""

    PENDING = "pending"
    """Waiting to be sent: now, or at `next_attempt` after a failure."""
    SENDING = "sending"
    """Claimed by a sender. If the app dies here, Bugnet may have it: it is looked up first."""
    FILED = "filed"
    """Bugnet confirmed it (`bug_id` set). Filed reports leave the table; their link stays."""
    FAILED = "failed"
    """Bugnet refused it (its text in `last_error`): the user edits or discards it."""
    NEEDS_ATTENTION = "needs-attention"
    """Not retried on its own: credentials were refused, or it may already be filed and
    cannot be looked up (public API key). The user retries or discards it."""


@dataclass(frozen=True)
class Report:
    """One bug report (or comment on an existing bug) and how far it has got."""

    ref: str
    """The client reference (uuid) sent inside the report: how it is found again in Bugnet."""
    draft: BugDraft
    state: ReportState
    run_key: RunKey | None = None
    run_name: str = ""
    comment_on: str | None = None
    """Set when this report adds the failure as a comment to that bug instead of filing one."""
    comment: str = ""
    """The comment's text (when `comment_on` is set)."""
    last_error: str | None = None
    """Why the last attempt did not file it, in words for the user."""
    attempts: int = 0
    """Sends tried so far (lookups not counted)."""
    unconfirmed: bool = False
    """A send may have reached Bugnet without an answer: look the reference up before resending."""
    sent_title: str | None = None
    """The title the last send carried (the lookup's fallback search when the draft was edited)."""
    bug_id: str | None = None
    """The bug filed (or commented on), once Bugnet confirmed it."""
    bug_url: str | None = None
    created: float = 0.0
    """Unix times, from the outbox's clock."""
    updated: float = 0.0
    next_attempt: float = 0.0
    lease_until: float = 0.0

    @property
    def is_comment(self) -> bool:
        return self.comment_on is not None

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC)


@dataclass(frozen=True)
class BugLink:
    """A bug filed (or commented on) for a run, as the outbox recorded it."""

    run_key: RunKey
    run_name: str
    bug_id: str
    bug_title: str
    bug_url: str | None
    filed: float


_COLUMNS = tuple(f.name for f in fields(Report) if f.name not in ("run_key", "bug_id", "bug_url"))


def _read_draft(text: str) -> BugDraft:
    """The stored draft; one that no longer validates is kept as it was, never dropped."""
    try:
        return BugDraft.model_validate_json(text)
    except ValidationError:
        raw = json.loads(text) if text.startswith("{") else {}
        known = {k: v for k, v in raw.items() if k in BugDraft.model_fields}
        return BugDraft.model_construct(**{"title": "", **known})


def _to_report(row: sqlite3.Row) -> Report:
    values: dict[str, Any] = {name: row[name] for name in _COLUMNS}
    values["draft"] = _read_draft(row["draft"])
    values["state"] = ReportState(row["state"])
    values["unconfirmed"] = bool(row["unconfirmed"])
    values["run_key"] = (row["provider"], row["run_id"]) if row["provider"] is not None else None
    return Report(**values)


class ReportsDb:
    """The outbox file: open reports and run → bug links."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"ReportsDb(path={str(self.path)!r})"

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection inside one transaction; None for a read when nothing was ever written."""
        if not create and not self.path.exists():
            yield None
            return
        paths.private_file(self.path)
        with closing(sqlite3.connect(self.path, timeout=10.0)) as conn, conn:
            conn.row_factory = sqlite3.Row
            for statement in _SCHEMA:
                conn.execute(statement)
            yield conn

    def _select(self, where: str, args: tuple[Any, ...] = ()) -> list[Report]:
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            rows = conn.execute(f"SELECT * FROM reports WHERE {where}", args).fetchall()
        return [_to_report(row) for row in rows]

    def insert(self, report: Report) -> None:
        provider, run_id = report.run_key or (None, None)
        values = {name: getattr(report, name) for name in _COLUMNS}
        values.update(
            draft=report.draft.model_dump_json(),
            state=report.state.value,
            unconfirmed=int(report.unconfirmed),
            provider=provider,
            run_id=run_id,
        )
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._connect(create=True) as conn:
            assert conn is not None
            conn.execute(f"INSERT INTO reports ({names}) VALUES ({marks})", tuple(values.values()))

    def get(self, ref: str) -> Report | None:
        found = self._select("ref = ?", (ref,))
        return found[0] if found else None

    def update(self, report: Report, *, only_if: tuple[ReportState, ...] = ()) -> bool:
        """Write `report` over its row; with `only_if`, only while the row is in one of those
        states (a compare-and-set). False when nothing was written."""
        sets = {name: getattr(report, name) for name in _COLUMNS if name not in ("ref", "created")}
        sets.update(
            draft=report.draft.model_dump_json(),
            state=report.state.value,
            unconfirmed=int(report.unconfirmed),
        )
        query = f"UPDATE reports SET {', '.join(f'{k} = ?' for k in sets)} WHERE ref = ?"
        args: list[Any] = [*sets.values(), report.ref]
        if only_if:
            query += f" AND state IN ({', '.join('?' for _ in only_if)})"
            args += [s.value for s in only_if]
        with self._connect(create=True) as conn:
            assert conn is not None
            return conn.execute(query, args).rowcount == 1

    def claim(self, ref: str, now: float, lease_s: float) -> Report | None:
        """Take a pending report (or one abandoned mid-send) for sending; None if not claimable."""
        with self._connect(create=False) as conn:
            if conn is None:
                return None
            changed = conn.execute(
                "UPDATE reports SET state = ?, lease_until = ?, updated = ? WHERE ref = ? AND "
                "(state = ? OR (state = ? AND lease_until <= ?))",
                ("sending", now + lease_s, now, ref, "pending", "sending", now),
            ).rowcount
            row = conn.execute("SELECT * FROM reports WHERE ref = ?", (ref,)).fetchone()
        return _to_report(row) if changed == 1 and row is not None else None

    def due(self, now: float) -> list[str]:
        """Refs ready to send, oldest first: pending and due, or abandoned mid-send."""
        found = self._select(
            "(state = 'pending' AND next_attempt <= ?) OR (state = 'sending' AND lease_until <= ?) "
            "ORDER BY created",
            (now, now),
        )
        return [r.ref for r in found]

    def next_due(self) -> float | None:
        """When the next report becomes due (None: nothing will become due on its own)."""
        with self._connect(create=False) as conn:
            if conn is None:
                return None
            (when,) = conn.execute(
                "SELECT MIN(CASE state WHEN 'pending' THEN next_attempt ELSE lease_until END) "
                "FROM reports WHERE state IN ('pending', 'sending')"
            ).fetchone()
        return None if when is None else float(when)

    def open_reports(self) -> list[Report]:
        """Every report not filed yet, newest first."""
        return self._select("1 ORDER BY created DESC, rowid DESC")

    def delete(self, ref: str, *, only_if: tuple[ReportState, ...] = ()) -> bool:
        query, args = "DELETE FROM reports WHERE ref = ?", [ref]
        if only_if:
            query += f" AND state IN ({', '.join('?' for _ in only_if)})"
            args += [s.value for s in only_if]
        with self._connect(create=False) as conn:
            return conn is not None and conn.execute(query, args).rowcount == 1

    def file(self, report: Report, bug_title: str, now: float) -> None:
        """Bugnet confirmed `report` (bug_id set): drop it and record its link, atomically."""
        assert report.bug_id is not None
        with self._connect(create=True) as conn:
            assert conn is not None
            conn.execute("DELETE FROM reports WHERE ref = ?", (report.ref,))
            if report.run_key is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *report.run_key,
                        report.run_name,
                        report.bug_id,
                        bug_title,
                        report.bug_url,
                        report.ref,
                        now,
                    ),
                )

    def links(self, *, provider: str | None = None, run_name: str | None = None) -> list[BugLink]:
        """Recorded run → bug links, newest first (optionally for one provider's test name)."""
        query, args = "SELECT * FROM links WHERE 1", list[str]()
        if provider is not None:
            query, args = query + " AND provider = ?", [*args, provider]
        if run_name is not None:
            query, args = query + " AND run_name = ?", [*args, run_name]
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            rows = conn.execute(query + " ORDER BY filed DESC", args).fetchall()
        return [
            BugLink(
                (r["provider"], r["run_id"]),
                r["run_name"],
                r["bug_id"],
                r["bug_title"],
                r["bug_url"],
                r["filed"],
            )
            for r in rows
        ]
