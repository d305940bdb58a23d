"""The discovery planner: which page a sweep reads next, and when the next sweep is due.

A sweep reads every query a source gives (`Discovers.sweep_queries()`): each status filter to
its last page, so an active run is found however deep it sits, then each whole-list walk for the
runs no filter selects and for history. Walks are long on a big project, so a sweep reads at most
`walk_pages_per_sweep` pages of each and the next sweep goes on where it stopped; a walk that can
only add history (`ListQuery.history_only`) stops at `history_pages`.

The first sweep is due at once; each later one is spaced so that sweeping costs about
`sweep_share` of the rate the live cycles plan for (and never comes sooner than
`sweep_min_interval_s`). Sweep pages are low priority: they are read only while the budget holds
more than the share reserved for user actions (`spare_for_discovery`), never by waiting for it.

Pure: no I/O, times come in as arguments, so a fake clock drives it in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa_tui.core.engine.settings import EngineSettings
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.providers.base import ListQuery

MAX_FILTER_PAGES = 1000
"""A hard stop against a provider whose status filter never ends (100,000 active runs)."""


@dataclass(frozen=True)
class PageTask:
    """One page to read: the `page`-th (0-based) of `query`."""

    query: ListQuery
    page: int


def discovery_reserve(budget: RequestBudget, settings: EngineSettings) -> float:
    """Tokens discovery leaves in the bucket for the user's own actions (stop, re-run, start)."""
    return budget.burst * (1.0 - settings.budget_share)


def spare_for_discovery(budget: RequestBudget, settings: EngineSettings) -> bool:
    """True when one more discovery request leaves the user's reserve untouched."""
    return budget.available() >= 1.0 + discovery_reserve(budget, settings)


class SweepPlanner:
    """The progress of a provider's discovery sweeps."""

    def __init__(self, queries: Sequence[ListQuery], settings: EngineSettings) -> None:
        self.queries = tuple(queries)
        self.settings = settings
        self.due_at = 0.0
        """Monotonic time the next sweep may start (the first: at once)."""
        self.sweeps_done = 0
        self._pending: list[ListQuery] = []
        self._page = 0
        self._walk_cursor: dict[str, int] = {}
        self._walk_read = 0
        self._spent = 0
        self._last_now = 0.0

    def next_page(self, now: float) -> PageTask | None:
        """The page to read next, starting a sweep if one is due (None: nothing to read now)."""
        if not self._pending:
            if not self.queries or now < self.due_at:
                return None
            self._pending = list(self.queries)
            self._spent = 0
            self._last_now = now
            self._begin_query()
        return PageTask(self._pending[0], self._page)

    def postpone(self, now: float) -> None:
        """A sweep was just done by another instance (team mode): the next is due as if this
        planner had done it, so a poller taking over does not sweep again at once."""
        if not self._pending:
            self.sweeps_done = max(1, self.sweeps_done)
            self.due_at = max(self.due_at, now + self.settings.sweep_min_interval_s)

    def adds_history(self, task: PageTask) -> bool:
        """Whether a page's finished runs join the store, or only its active ones."""
        return not task.query.is_walk or task.page < self.settings.history_pages

    def read(
        self, task: PageTask, *, more: bool, now: float, planned_rpm: float, older: bool = False
    ) -> None:
        """Record that `task` was read; `more`: the list has a later page; `older`: the run
        history still wants older runs from this list (its backfill), so a history-only walk
        goes on past `history_pages`, `walk_pages_per_sweep` pages a sweep like any walk."""
        self._spent += 1
        self._last_now = now
        query, following = task.query, task.page + 1
        if query.is_walk:
            self._walk_read += 1
            deep_enough = (
                query.history_only and following >= self.settings.history_pages and not older
            )
            self._walk_cursor[query.label] = following if more and not deep_enough else 0
            finished = self._walk_read >= self.settings.walk_pages_per_sweep
            finished = finished or not more or deep_enough
        else:
            finished = not more or following >= MAX_FILTER_PAGES
        if not finished:
            self._page = following
            return
        self._pending.pop(0)
        if self._pending:
            self._begin_query()
        else:
            self._finish(now, planned_rpm)

    def covered(self, query: ListQuery) -> None:
        """`query` was just read to its end by a live step: this sweep need not read it again."""
        if query not in self._pending or query.is_walk:
            return
        current = self._pending[0] == query
        self._pending.remove(query)
        if not current:
            return
        if self._pending:
            self._begin_query()
        else:
            self._finish_without_cost()

    def _finish_without_cost(self) -> None:
        self.sweeps_done += 1
        self.due_at = self._last_now + self.settings.sweep_min_interval_s

    def _begin_query(self) -> None:
        query = self._pending[0]
        self._page = self._walk_cursor.get(query.label, 0) if query.is_walk else 0
        self._walk_read = 0

    def _finish(self, now: float, planned_rpm: float) -> None:
        self.sweeps_done += 1
        spacing = self._spent * 60.0 / max(1e-9, self.settings.sweep_share * planned_rpm)
        self.due_at = now + max(self.settings.sweep_min_interval_s, spacing)
