"""The table's order, kept up to date incrementally.

`visible_keys` (core/runs/query.py) computes the order from scratch. `LiveOrder` gives the same order
at a fraction of the cost, for a table of ten thousand runs:

- a change batch moves only the rows it touched: each is bisected into its new place (suite
  children under their visible parent, oldest first), and a row whose place did not change (a
  status change under the default sort) moves nothing at all, so the flattened order, rebuilt
  lazily in one linear pass, is kept as it was;
- a new filter or sort, or a batch touching a large share of the rows (the first paint from the
  cache), is built in bulk: one filtering pass and one sort;
- sort keys are kept per row until the row's place fields or the sort change, so a new filter
  does not recompute them; the status counts of visible rows are kept as rows come and go
  (each run counted as the header shows it: a Bug0 trigger as `triggered`, core/runs/shown.py);
- all it knows of a run is one record in one dict: a batch of 500 changes is 500 lookups of
  records that have not been read for seconds (each a cache miss), not 500 in each of three dicts.

It is the UI's one copy of the rows: the runs table draws each line from `rows` (a view of these
records, not a copy), so a row lives in the store and here, and nowhere else. The table showing
what the order holds, never the store's newer rows, keeps each line where the order put it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from operator import attrgetter
from typing import cast

from qa_tui.core.model import Run
from qa_tui.core.runs.query import SORT_FIELDS, Query, View, child_order, sort_function
from qa_tui.core.runs.shown import counted_as
from qa_tui.core.runs.store import Changes, Row, RunKey

_Placed = tuple[object, ...]
"""A row's place: its sort key's items followed by its key (flat, so sorting compares plain
numbers and strings first), e.g. `(-started, ("web", "r1"))`."""


def _parent_key(run: Run) -> RunKey | None:
    return (run.provider, run.parent_id) if run.parent_id else None


class _Known:
    """What the order knows of one run: its row, where it is shown (if it is), its sort key."""

    __slots__ = ("entry", "fields", "row", "status", "top_entry", "under")

    def __init__(self, row: Row, fields: object) -> None:
        self.row = row
        self.fields = fields
        """The row's place fields under the current sort (`SORT_FIELDS`)."""
        self.top_entry: _Placed | None = None
        """Its entry at the top level (sort key, then key), worked out when first needed and
        valid while `fields` and the sort are the same; while it is shown at the top level,
        `entry` is this very tuple (no second copy)."""
        self.entry: _Placed | None = None
        """Its entry in the top level or under its suite run; None while not shown."""
        self.under: RunKey | None = None
        """The suite run it is listed under, when shown there."""
        self.status: str | None = None
        """The status it is counted in (`counted_as`), while shown."""


class LiveOrder:
    """The visible keys of `view`, in order, maintained from change batches."""

    BULK_SHARE = 0.25
    """A batch touching more than this share of the rows is placed in bulk (one sort)."""

    def __init__(self, view: View, now: datetime) -> None:
        self.view = view
        self.now = now
        self._known: dict[RunKey, _Known] = {}
        self._sort = sort_function(view.sort, reverse=view.reverse)
        self._place_fields = attrgetter(*SORT_FIELDS[view.sort])
        self._match_all = view.query == _EVERYTHING
        self._top: list[_Placed] = []
        self._children: dict[RunKey, list[_Placed]] = {}
        self._kids_of: dict[RunKey, set[RunKey]] = {}
        """Every known child of a run, visible or not (to re-place them when the parent moves)."""
        self._flat: list[RunKey] | None = []
        self.counts: Counter[str] = Counter()
        """How many visible rows are counted in each status (`counted_as`)."""

    @property
    def rows(self) -> Mapping[RunKey, Row]:
        """Every row it knows, shown or not, by key: a live view of its records, not a copy
        (what the runs table draws its lines from)."""
        return _Rows(self._known)

    def row(self, key: RunKey) -> Row | None:
        """The row of `key` as this order has it, or None when it does not know the run."""
        known = self._known.get(key)
        return None if known is None else known.row

    @property
    def total(self) -> int:
        """How many runs it knows, shown or not (the filter's "3 of 250")."""
        return len(self._known)

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
            self._use_sort(view)
            self.view = view
        place_of = self._place_fields
        fresh = [(row.key, _Known(row, place_of(row.run))) for row in rows]
        self._known.clear()  # the same dict, refilled: `rows` views stay views of it
        self._known.update(fresh)
        self._kids_of = {}
        for key, known in self._known.items():
            parent = _parent_key(known.row.run)
            if parent is not None:
                self._kids_of.setdefault(parent, set()).add(key)
        self._build()

    def set_view(self, view: View) -> None:
        """Show the rows it already has through another filter or sort."""
        self._use_sort(view)
        self.view = view
        self._build()

    def _use_sort(self, view: View) -> None:
        if (view.sort, view.reverse) == (self.view.sort, self.view.reverse):
            return
        self._sort = sort_function(view.sort, reverse=view.reverse)
        self._place_fields = place_of = attrgetter(*SORT_FIELDS[view.sort])
        for known in self._known.values():
            known.fields = place_of(known.row.run)
            known.top_entry = None

    def update(self, changes: Changes) -> None:
        """Move only what the batch touched; a row whose place cannot have changed (the same
        place fields, still matching the filter) only has its status counted again."""
        touched: list[RunKey] = []
        all_known, counts, place_of = self._known, self.counts, self._place_fields
        match = None if self._match_all else self.view.query.predicate(self.now)
        for row in changes.added:  # first: a batch may add a run and then update it
            key = row.key
            known = all_known.get(key)
            if known is None:
                all_known[key] = _Known(row, place_of(row.run))
            else:
                known.row, known.fields, known.top_entry = row, place_of(row.run), None
            touched.append(key)
        recounted = False
        for row in changes.updated:  # written out flat: every row of every batch comes here
            key, run = row.key, row.run
            known = all_known.get(key)
            if known is None:
                all_known[key] = _Known(row, place_of(run))
                touched.append(key)
                continue
            known.row = row
            fields = place_of(run)
            if known.fields != fields:
                known.fields, known.top_entry = fields, None
                touched.append(key)
            elif known.entry is None or (match is not None and not match(run)):
                touched.append(key)
            elif known.status != (counted := counted_as(run)):  # same place, another status
                counts[known.status] -= 1  # type: ignore[index]
                counts[counted] += 1
                known.status = counted
                recounted = True
        if recounted:
            for status in [status for status, count in counts.items() if count <= 0]:
                del counts[status]
        for key in touched:
            run = all_known[key].row.run
            if run.parent_id:
                self._kids_of.setdefault((run.provider, run.parent_id), set()).add(key)
        for key in changes.removed:
            gone = all_known.pop(key, None)
            if gone is not None and self._unplace(gone):
                self._flat = None
            touched.extend(self._kids_of.get(key, ()))  # they may now stand on their own
        if len(touched) > self.BULK_SHARE * len(all_known):
            self._build()
        elif touched:
            self._place_all(touched)

    def _build(self) -> None:
        """Place every row from scratch: one filtering pass, one sort (as `visible_keys`)."""
        query, all_known = self.view.query, self._known
        self._match_all = query == _EVERYTHING
        if self._match_all:
            shown = all_known
        else:
            match = query.predicate(self.now)
            shown = {key: known for key, known in all_known.items() if match(known.row.run)}
            for known in all_known.values():
                known.entry = known.under = known.status = None
        top: list[_Placed] = []
        children: dict[RunKey, list[_Placed]] = {}
        group, sort = self.view.group_suites, self._sort
        statuses: list[str] = []
        for key, known in shown.items():
            row = known.row
            run = row.run
            parent = (run.provider, run.parent_id) if run.parent_id else None
            if (
                group
                and parent is not None
                and parent in shown
                and _parent_key(shown[parent].row.run) not in shown
            ):
                entry: _Placed = (*child_order(row), key)
                children.setdefault(parent, []).append(entry)
                known.under = parent
            else:
                entry = known.top_entry or (*sort(row), key)
                known.top_entry = entry
                top.append(entry)
                known.under = None
            known.entry, known.status = entry, counted_as(run)
            statuses.append(known.status)
        top.sort()
        for kids in children.values():
            kids.sort()
        self._top, self._children = top, children
        self.counts = Counter(statuses)
        self._flat = None

    def _place_all(self, keys: list[RunKey]) -> None:
        """Place each key (parents first, so a child sees whether its parent is shown), then
        the children of every run whose place changed."""
        all_known = self._known
        tops: list[RunKey] = []
        kids: list[RunKey] = []
        for key in dict.fromkeys(keys):
            known = all_known.get(key)
            if known is not None:
                (kids if known.row.run.parent_id else tops).append(key)
        match = None if self._match_all else self.view.query.predicate(self.now)
        moved: list[RunKey] = [key for key in (*tops, *kids) if self._place(key, match)]
        for key in dict.fromkeys(kid for parent in moved for kid in self._kids_of.get(parent, ())):
            if key in all_known and self._place(key, match):
                moved.append(key)
        if moved:
            self._flat = None

    def _place(self, key: RunKey, match: Callable[[Run], bool] | None) -> bool:
        """Put `key` where it belongs now (`match`: the filter, None for none); True when the
        order changed."""
        known = self._known[key]
        row = known.row
        run = row.run
        if match is not None and not match(run):
            return self._unplace(known)
        under: RunKey | None = None
        if run.parent_id and self.view.group_suites:
            parent = (run.provider, run.parent_id)
            above = self._known.get(parent) if parent != key else None
            if above is not None and above.entry is not None and above.under is None:
                under = parent
        entry: _Placed
        if under is not None:
            entry = (*child_order(row), key)
        else:
            entry = known.top_entry or (*self._sort(row), key)
            known.top_entry = entry
        status = counted_as(run)
        if known.entry is not None and known.under == under and known.entry == entry:
            if known.status != status:  # same place, another status: only the counts change
                self._count(known.status, -1)
                self._count(status, 1)
                known.status = status
            return False
        self._unplace(known)
        bucket = self._top if under is None else self._children.setdefault(under, [])
        bisect.insort(bucket, entry)
        known.entry, known.under, known.status = entry, under, status
        self._count(status, 1)
        return True

    def _unplace(self, known: _Known) -> bool:
        entry = known.entry
        if entry is None:
            return False
        bucket = self._top if known.under is None else self._children.get(known.under, [])
        index = bisect.bisect_left(bucket, entry)
        if index < len(bucket) and bucket[index] == entry:
            del bucket[index]
        self._count(known.status, -1)
        known.entry = known.under = known.status = None
        return True

    def _count(self, status: str | None, delta: int) -> None:
        if status is None:
            return
        self.counts[status] += delta
        if self.counts[status] <= 0:
            del self.counts[status]


class _Rows(Mapping[RunKey, Row]):
    """`LiveOrder.rows`: its rows by key, read through to its records (the order keeps one
    dict of them for its life, so a view never goes stale)."""

    __slots__ = ("_known",)

    def __init__(self, known: dict[RunKey, _Known]) -> None:
        self._known = known

    def __getitem__(self, key: RunKey) -> Row:
        return self._known[key].row

    def get(self, key: RunKey, default: Row | None = None) -> Row | None:  # type: ignore[override]
        known = self._known.get(key)
        return default if known is None else known.row

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[RunKey]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


_EVERYTHING = Query()
