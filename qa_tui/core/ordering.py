"""The table's order, kept up to date incrementally.

`visible_keys` (core/query.py) computes the order from scratch; that is what a new filter or sort
needs. A change batch of a few hundred runs out of ten thousand should not pay for a full sort,
so `LiveOrder` moves only the changed rows: each is taken out of its place and bisected back in
by its sort key (suite children under their visible parent, oldest first). The flattened order
is rebuilt lazily, once per batch, in one linear pass; the status counts of visible rows are kept
as rows come and go.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from qa_tui.core.model import Run, RunStatus
from qa_tui.core.query import View, child_order, sort_function
from qa_tui.core.store import Changes, Row, RunKey

_Placed = tuple[tuple[object, ...], RunKey]


def _parent_key(run: Run) -> RunKey | None:
    return (run.provider, run.parent_id) if run.parent_id else None


class LiveOrder:
    """The visible keys of `view`, in order, maintained from change batches."""

    def __init__(self, view: View, now: datetime) -> None:
        self.view = view
        self.now = now
        self._rows: dict[RunKey, Row] = {}
        self._sort = sort_function(view.sort)
        self._top: list[_Placed] = []
        self._children: dict[RunKey, list[_Placed]] = {}
        self._placed: dict[RunKey, tuple[RunKey | None, _Placed, RunStatus]] = {}
        """Where each visible row sits: (parent it is listed under, or None; its entry; its counted status)."""
        self._kids_of: dict[RunKey, set[RunKey]] = {}
        """Every known child of a run, visible or not (to re-place them when the parent moves)."""
        self._flat: list[RunKey] | None = []
        self.counts: Counter[RunStatus] = Counter()
        """How many visible rows are in each status."""

    @property
    def keys(self) -> list[RunKey]:
        """The visible keys, in table order."""
        if self._flat is None:
            flat: list[RunKey] = []
            for _, key in self._top:
                flat.append(key)
                kids = self._children.get(key)
                if kids:
                    flat.extend(kid for _, kid in kids)
            self._flat = flat
        return self._flat

    def rebuild(self, rows: Iterable[Row], view: View | None = None) -> None:
        """Start over (a new filter or sort)."""
        if view is not None:
            self.view = view
            self._sort = sort_function(view.sort)
        self._rows = {row.key: row for row in rows}
        self._top, self._children, self._placed = [], {}, {}
        self._kids_of = {}
        self.counts = Counter()
        for row in self._rows.values():
            parent = _parent_key(row.run)
            if parent is not None:
                self._kids_of.setdefault(parent, set()).add(row.key)
        self._place_all(list(self._rows))

    def update(self, changes: Changes) -> None:
        """Move only what the batch touched."""
        affected: list[RunKey] = []
        for row in (*changes.added, *changes.updated):
            self._rows[row.key] = row
            parent = _parent_key(row.run)
            if parent is not None:
                self._kids_of.setdefault(parent, set()).add(row.key)
            affected.append(row.key)
            affected.extend(self._kids_of.get(row.key, ()))
        for key in changes.removed:
            self._unplace(key)
            self._rows.pop(key, None)
            affected.extend(self._kids_of.get(key, ()))
        if affected:
            self._place_all(affected)

    def _place_all(self, keys: list[RunKey]) -> None:
        # parents first, so a child can see whether its parent is shown
        present = {key for key in keys if key in self._rows}
        for key in sorted(present, key=lambda k: _parent_key(self._rows[k].run) is not None):
            self._place(key)
        self._flat = None

    def _place(self, key: RunKey) -> None:
        self._unplace(key)
        row = self._rows[key]
        if not self.view.query.matches(row, self.now):
            return
        parent = _parent_key(row.run)
        parent_place = self._placed.get(parent) if parent is not None else None
        if self.view.group_suites and parent_place is not None and parent_place[0] is None:
            assert parent is not None
            entry: _Placed = (child_order(row), key)
            bisect.insort(self._children.setdefault(parent, []), entry)
            self._placed[key] = (parent, entry, row.run.status)
        else:
            entry = (self._sort(row), key)
            bisect.insort(self._top, entry)
            self._placed[key] = (None, entry, row.run.status)
        self.counts[row.run.status] += 1

    def _unplace(self, key: RunKey) -> None:
        where = self._placed.pop(key, None)
        if where is None:
            return
        parent, entry, status = where
        bucket = self._top if parent is None else self._children.get(parent, [])
        index = bisect.bisect_left(bucket, entry)
        if index < len(bucket) and bucket[index] == entry:
            del bucket[index]
        self.counts[status] -= 1
        if self.counts[status] <= 0:
            del self.counts[status]
