"""The run store: what the engine writes and the UI reads.

`apply()` takes runs as the engine saw them and answers with `Changes`: the rows added, the rows
whose visible value changed, and the keys removed. Applying a run equal to the stored one is not a
change, so a quiet poll produces an empty batch and the table does nothing at all.

A row is a run plus what qa-tui knows about it locally: whether it came from the cache and has
not been confirmed by its provider yet (`stale`), and the Bugnet bug filed for it (`bug_id`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from qa_tui.core.model import Run

RunKey = tuple[str, str]
"""(provider name, run id)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the runs table."""

    run: Run
    stale: bool = False
    """Loaded from the local cache and not yet confirmed by the provider."""
    bug_id: str | None = None
    """The Bugnet bug filed for this run, if any."""
    key: RunKey = field(init=False, repr=False, compare=False)
    """The run's key, worked out once: every batch reads it several times per row."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.run.key)


@dataclass(frozen=True, slots=True)
class Changes:
    """One batch of changes, applied by the table in place."""

    added: tuple[Row, ...] = ()
    updated: tuple[Row, ...] = ()
    removed: tuple[RunKey, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def merged(self, later: Changes) -> Changes:
        """This batch followed by `later`, as one batch (for coalescing bursts)."""
        if not self:
            return later  # the usual case (nothing pending): no pass over a big first batch
        if not later:
            return self
        ops: dict[RunKey, tuple[str, Row | None]] = {}
        for batch in (self, later):
            for row in batch.added:
                previous = ops.get(row.key)
                ops[row.key] = (
                    "updated" if previous and previous[0] == "removed" else "added",
                    row,
                )
            for row in batch.updated:
                previous = ops.get(row.key)
                ops[row.key] = ("added" if previous and previous[0] == "added" else "updated", row)
            for key in batch.removed:
                previous = ops.get(key)
                if previous is not None and previous[0] == "added":
                    del ops[key]
                else:
                    ops[key] = ("removed", None)
        return Changes(
            added=tuple(row for op, row in ops.values() if op == "added" and row is not None),
            updated=tuple(row for op, row in ops.values() if op == "updated" and row is not None),
            removed=tuple(key for key, (op, _) in ops.items() if op == "removed"),
        )


KEEP_RUNS = 20_000
"""Runs a store holds at most: as many as the run cache keeps on disk (`RunCache.keep`)."""


class RunStore:
    """Every known run, keyed by (provider, id). Owned by the engine; read by the UI.

    Bounded for a session left open all day: past `keep` runs, the finished runs that started
    longest ago leave (a twentieth of `keep` at a time, so the choice is made rarely), with the
    batch that brought the store past the bound saying so in `Changes.removed`; a run still
    active never leaves. They stay in the run cache and the history."""

    def __init__(self, *, keep: int = KEEP_RUNS) -> None:
        self.keep = keep
        self._rows: dict[RunKey, Row] = {}
        self._bugs: dict[RunKey, str] = {}
        """Bugs filed for runs, also for runs not (yet) in the store: a row gets its bug on arrival."""

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows.values())

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def get(self, key: RunKey) -> Row | None:
        return self._rows.get(key)

    def runs_of(self, provider: str) -> list[Run]:
        return [row.run for row in self._rows.values() if row.run.provider == provider]

    def apply(self, runs: Iterable[Run], *, stale: bool = False) -> Changes:
        """Upsert runs as seen by a provider (or, with `stale=True`, as loaded from the cache)."""
        added: list[Row] = []
        updated: list[Row] = []
        rows = self._rows
        for run in runs:
            key = run.key
            old = rows.get(key)
            if old is None:
                row = Row(run=run, stale=stale, bug_id=self._bugs.get(key))
                rows[key] = row
                added.append(row)
                continue
            if stale:
                continue  # the cache never overwrites what a provider already said
            if not old.stale and (old.run is run or old.run.__dict__ == run.__dict__):
                continue  # the same run (its fields compared directly: 4x cheaper than ==)
            row = Row(run, False, old.bug_id)  # every field (dataclasses.replace is slow)
            rows[key] = row
            updated.append(row)
        if len(rows) > self.keep:
            return Changes(tuple(added), tuple(updated)).merged(self._evict())
        return Changes(tuple(added), tuple(updated))

    def _evict(self) -> Changes:
        """Remove the finished runs that started longest ago, down to `keep` less a twentieth."""
        excess = len(self._rows) - self.keep + max(1, self.keep // 20)
        finished = [row for row in self._rows.values() if row.run.status.is_terminal]
        finished.sort(key=_moment)
        return self.remove(row.key for row in finished[:excess])

    def confirm(self, keys: Iterable[RunKey]) -> Changes:
        """Mark cached rows as confirmed without new data (terminal runs cannot change)."""
        updated = []
        for key in keys:
            old = self._rows.get(key)
            if old is not None and old.stale:
                row = replace(old, stale=False)
                self._rows[key] = row
                updated.append(row)
        return Changes(updated=tuple(updated))

    def link_bug(self, key: RunKey, bug_id: str) -> Changes:
        """Record the Bugnet bug filed for a run (kept for a run the store has not seen yet)."""
        return self.link_bugs({key: bug_id})

    def link_bugs(self, links: Mapping[RunKey, str]) -> Changes:
        """Record the bugs filed for many runs (the outbox's, at start), in one batch."""
        updated = []
        for key, bug_id in links.items():
            self._bugs[key] = bug_id
            old = self._rows.get(key)
            if old is not None and old.bug_id != bug_id:
                row = replace(old, bug_id=bug_id)
                self._rows[key] = row
                updated.append(row)
        return Changes(updated=tuple(updated))

    def remove(self, keys: Iterable[RunKey]) -> Changes:
        removed = tuple(key for key in keys if self._rows.pop(key, None) is not None)
        return Changes(removed=removed)


_DAWN = datetime.min.replace(tzinfo=UTC)


def _moment(row: Row) -> datetime:
    """When a run started (or was queued, or ended): the oldest leave a full store first."""
    run = row.run
    return run.started or run.queued or run.ended or _DAWN
