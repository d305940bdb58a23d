"""The table's order, kept up to date incrementally.

`visible_keys` (core/query.py) computes the order from scratch. `LiveOrder` gives the same order
at a fraction of the cost, for a table of ten thousand runs:

- a change batch moves only the rows it touched: each is bisected into its new place (suite
  children under their visible parent, oldest first), and a row whose place did not change (a
  status change under the default sort) moves nothing at all, so the flattened order, rebuilt
  lazily in one linear pass, is kept as it was;
- a new filter or sort, or a batch touching a large share of the rows (the first paint from the
  cache), is built in bulk: one filtering pass and one sort;
- sort keys are kept per row until the row or the sort changes, so a new filter does not
  recompute them; the status counts of visible rows are kept as rows come and go.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import cast

from qa_tui.core.model import Run, RunStatus
from qa_tui.core.query import SORT_FIELDS, Query, View, child_order, sort_function
from qa_tui.core.store import Changes, Row, RunKey

_Placed = tuple[object, ...]
"""A row's place: its sort key's items followed by its key (flat, so sorting compares plain
numbers and strings first), e.g. `(-started, ("web", "r1"))`."""


def _parent_key(run: Run) -> RunKey | None:
    return (run.provider, run.parent_id) if run.parent_id else None


class LiveOrder:
    """The visible keys of `view`, in order, maintained from change batches."""

    BULK_SHARE = 0.25
    """A batch touching more than this share of the rows is placed in bulk (one sort)."""

    def __init__(self, view: View, now: datetime) -> None:
        self.view = view
        self.now = now
        self._rows: dict[RunKey, Row] = {}
        self._sort = sort_function(view.sort)
        self._place_fields = attrgetter(*SORT_FIELDS[view.sort])
        self._match_all = view.query == Query()
        self._sort_keys: dict[RunKey, tuple[Row, tuple[object, ...]]] = {}
        """Each row's sort key, valid while the row (by identity) and the sort stay the same."""
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
        """The visible keys, in table order. The same list object until the order changes."""
        if self._flat is None:
            children = self._children
            flat: list[object] = []
            if not any(children.values()):
                flat = [entry[-1] for entry in self._top]
            else:
                append, extend = flat.append, flat.extend
                for entry in self._top:
                    key = entry[-1]
                    append(key)
                    kids = children.get(key)  # type: ignore[call-overload]
                    if kids:
                        extend(kid[-1] for kid in kids)
            self._flat = cast(list[RunKey], flat)
        return self._flat

    def rebuild(self, rows: Iterable[Row], view: View | None = None) -> None:
        """Start over (a new filter or sort)."""
        if view is not None:
            if view.sort != self.view.sort:
                self._sort = sort_function(view.sort)
                self._place_fields = attrgetter(*SORT_FIELDS[view.sort])
                self._sort_keys = {}
            self.view = view
        self._rows = {row.key: row for row in rows}
        self._kids_of = {}
        for key, row in self._rows.items():
            parent = _parent_key(row.run)
            if parent is not None:
                self._kids_of.setdefault(parent, set()).add(key)
        self._build()

    def set_view(self, view: View) -> None:
        """Show the rows it already has through another filter or sort."""
        if view.sort != self.view.sort:
            self._sort = sort_function(view.sort)
            self._place_fields = attrgetter(*SORT_FIELDS[view.sort])
            self._sort_keys = {}
        self.view = view
        self._build()

    def update(self, changes: Changes) -> None:
        """Move only what the batch touched; a row whose place cannot have changed (the same
        sort fields, still matching the filter) only has its status counted again."""
        touched: list[RunKey] = []
        rows, placed = self._rows, self._placed
        place_of = self._place_fields
        match = None if self._match_all else self.view.query.predicate(self.now)
        for row in changes.added:  # first: a batch may add a run and then update it
            rows[row.key] = row
            touched.append(row.key)
        for row in changes.updated:
            key = row.key
            before = rows.get(key)
            rows[key] = row
            where = placed.get(key)
            if (
                before is not None
                and where is not None
                and place_of(before.run) == place_of(row.run)
                and (match is None or match(row.run))
            ):
                self._recount(key, where, row)
            else:
                touched.append(key)
        for key in touched:
            run = rows[key].run
            if run.parent_id:
                self._kids_of.setdefault((run.provider, run.parent_id), set()).add(key)
        for key in changes.removed:
            if self._unplace(key):
                self._flat = None
            rows.pop(key, None)
            self._sort_keys.pop(key, None)
            touched.extend(self._kids_of.get(key, ()))  # they may now stand on their own
        if len(touched) > self.BULK_SHARE * len(rows):
            self._build()
        elif touched:
            self._place_all(touched)

    def _recount(
        self, key: RunKey, where: tuple[RunKey | None, _Placed, RunStatus], row: Row
    ) -> None:
        """The row stays where it is: count its new status, keep its sort key for the new row."""
        under, entry, counted = where
        status = row.run.status
        if counted is not status:
            self._count(counted, -1)
            self._count(status, 1)
            self._placed[key] = (under, entry, status)
        cached = self._sort_keys.get(key)
        if cached is not None:
            self._sort_keys[key] = (row, cached[1])

    def _sort_key(self, key: RunKey, row: Row) -> tuple[object, ...]:
        cached = self._sort_keys.get(key)
        if cached is not None and cached[0] is row:
            return cached[1]
        value = self._sort(row)
        self._sort_keys[key] = (row, value)
        return value

    def _build(self) -> None:
        """Place every row from scratch: one filtering pass, one sort (as `visible_keys`)."""
        query, now, rows = self.view.query, self.now, self._rows
        self._match_all = query == _EVERYTHING
        if self._match_all:
            shown = rows
        else:
            match = query.predicate(now)
            shown = {key: row for key, row in rows.items() if match(row.run)}
        top: list[_Placed] = []
        children: dict[RunKey, list[_Placed]] = {}
        placed: dict[RunKey, tuple[RunKey | None, _Placed, RunStatus]] = {}
        group, sort_key = self.view.group_suites, self._sort_key
        for key, row in shown.items():
            run = row.run
            parent = (run.provider, run.parent_id) if run.parent_id else None
            if (
                group
                and parent is not None
                and parent in shown
                and _parent_key(shown[parent].run) not in shown
            ):
                entry: _Placed = (*child_order(row), key)
                children.setdefault(parent, []).append(entry)
                placed[key] = (parent, entry, run.status)
            else:
                entry = (*sort_key(key, row), key)
                top.append(entry)
                placed[key] = (None, entry, run.status)
        top.sort()
        for kids in children.values():
            kids.sort()
        self._top, self._children, self._placed = top, children, placed
        self.counts = Counter(map(_STATUS_OF, placed.values()))
        self._flat = None

    def _place_all(self, keys: list[RunKey]) -> None:
        """Place each key (parents first, so a child sees whether its parent is shown), then
        the children of every run whose place changed."""
        rows = self._rows
        tops: list[RunKey] = []
        kids: list[RunKey] = []
        for key in dict.fromkeys(keys):
            row = rows.get(key)
            if row is not None:
                (kids if row.run.parent_id else tops).append(key)
        match = None if self._match_all else self.view.query.predicate(self.now)
        moved: list[RunKey] = [key for key in (*tops, *kids) if self._place(key, match)]
        for key in dict.fromkeys(kid for parent in moved for kid in self._kids_of.get(parent, ())):
            if key in rows and self._place(key, match):
                moved.append(key)
        if moved:
            self._flat = None

    def _place(self, key: RunKey, match: Callable[[Run], bool] | None) -> bool:
        """Put `key` where it belongs now (`match`: the filter, None for none); True when the
        order changed. (Written out flat: it runs for every row of every batch.)"""
        row = self._rows[key]
        run = row.run
        old = self._placed.get(key)
        if match is not None and not match(run):
            return self._unplace(key)
        under: RunKey | None = None
        if run.parent_id and self.view.group_suites:
            parent = (run.provider, run.parent_id)
            parent_place = self._placed.get(parent) if parent != key else None
            if parent_place is not None and parent_place[0] is None:
                under = parent
        entry: _Placed
        if under is not None:
            entry = (*child_order(row), key)
        else:
            cached = self._sort_keys.get(key)
            if cached is None or cached[0] is not row:
                cached = (row, self._sort(row))
                self._sort_keys[key] = cached
            entry = (*cached[1], key)
        status = run.status
        if old is not None and old[0] == under and old[1] == entry:
            if old[2] is not status:  # same place, another status: only the counts change
                counts = self.counts
                counts[status] += 1
                counts[old[2]] -= 1
                if counts[old[2]] <= 0:
                    del counts[old[2]]
                self._placed[key] = (under, old[1], status)
            return False
        self._unplace(key)
        bucket = self._top if under is None else self._children.setdefault(under, [])
        bisect.insort(bucket, entry)
        self._placed[key] = (under, entry, status)
        self._count(status, 1)
        return True

    def _unplace(self, key: RunKey) -> bool:
        where = self._placed.pop(key, None)
        if where is None:
            return False
        parent, entry, status = where
        bucket = self._top if parent is None else self._children.get(parent, [])
        index = bisect.bisect_left(bucket, entry)
        if index < len(bucket) and bucket[index] == entry:
            del bucket[index]
        self._count(status, -1)
        return True

    def _count(self, status: RunStatus, delta: int) -> None:
        self.counts[status] += delta
        if self.counts[status] <= 0:
            del self.counts[status]


_EVERYTHING = Query()
_STATUS_OF = itemgetter(2)
