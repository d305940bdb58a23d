"""Runs a provider no longer has: found by reading one of its lists whole.

Providers delete old runs (their retention; neither BugBug nor BugBrain documents how long
they keep them [INF]). The table should not go on showing a run its provider has dropped, and
an app left open all day on a project whose provider keeps a constant number of runs should
hold a constant number too. A walk (`ListQuery.is_walk`) read from its first page to its last,
in one sweep or over several (`SweepPlanner` goes on where a sweep stopped), has shown every
run its list holds. A stored run that the list would show at its top level
(`Discovers.walked_by`) and that the read did not show has left the list when it sits deeper in
the list than the deepest run the read did show, or when the whole read before did not show it
either. It leaves the table, and the runs under it with it (a suite run's test runs, also
those that finish after it left); it stays in the history. Careful by construction:

- only a read that reached the list's end (`more` false) counts, and only one that read every
  page in order; a walk stopped at `history_pages` never does, so on a big project nothing is
  ever taken for gone;
- pages shift while a read goes on over minutes: a new run pushes the others one place down (a
  run may show twice, never be missed), a run deleted above another pulls it one place up (it
  may be missed): a run deeper than everything shown is gone at once (no shift reaches there),
  one higher up (a BugBug run that never started sits on top of `-started`) only when two
  whole reads in a row missed it, and were that ever wrong, the next read that shows it brings
  it back;
- a read that showed nothing proves nothing (a server's bad day looks the same);
- an active run never leaves (it is polled, and its own reads say what became of it).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from qa_tui.core.model import Run
from qa_tui.core.runs.store import RunKey

Position = tuple[int, float]
"""Where a run sits in its list (`Discovers.list_position`): larger is deeper (older)."""


@dataclass
class WholeRead:
    """What one read of a whole list showed, so far."""

    collection: str
    next_page: int = 0
    shown: set[RunKey] = field(default_factory=set)
    deepest: Position | None = None
    """The deepest place of a run the list shows at its top level."""


class WalkReads:
    """The walks being read, page by page, by list label."""

    def __init__(
        self, walked_by: Callable[[Run], str | None], position: Callable[[Run], Position]
    ) -> None:
        self._walked_by = walked_by
        self._position = position
        self._reads: dict[str, WholeRead] = {}
        self._missed: dict[str, set[RunKey]] = {}
        """By list label: the stored runs the last whole read missed, higher up than its deepest."""

    def page_read(
        self, label: str, collection: str, page: int, runs: Sequence[Run], *, more: bool
    ) -> WholeRead | None:
        """Record the `page`-th page of the walk `label`; the whole read when that page was its
        last and every page before it was read in order since page 0 (else None)."""
        read = self._reads.get(label)
        if page == 0:
            read = self._reads[label] = WholeRead(collection)
        elif read is None or read.next_page != page:
            self._reads.pop(label, None)  # a page missed: this read proves nothing
            return None
        read.next_page = page + 1
        for run in runs:
            read.shown.add(run.key)
            if self._walked_by(run) == collection:
                place = self._position(run)
                if read.deepest is None or place > read.deepest:
                    read.deepest = place
        if more:
            return None
        del self._reads[label]
        return read

    def gone(self, label: str, read: WholeRead, stored: Iterable[Run]) -> list[RunKey]:
        """The finished runs of `stored` that the whole `read` of the walk `label` shows have
        left its list, with the runs listed under them."""
        deepest = read.deepest
        if deepest is None:
            return []
        stored = list(stored)
        missed = [
            run
            for run in stored
            if run.status.is_terminal
            and run.key not in read.shown
            and self._walked_by(run) == read.collection
        ]
        missed_before = self._missed.get(label, set())
        left = [run for run in missed if self._position(run) > deepest or run.key in missed_before]
        self._missed[label] = {run.key for run in missed} - {run.key for run in left}
        staying = {run.id for run in stored} - {run.id for run in left}
        under = [  # under a run that left now, or earlier (a child still active then)
            run
            for run in stored
            if run.parent_id is not None
            and run.parent_id not in staying
            and run.status.is_terminal
            and run.key not in read.shown
        ]
        return [run.key for run in (*left, *under)]
