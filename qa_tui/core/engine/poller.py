"""One provider's polling cycles.

A cycle:

1. lists the newest runs (many runs per request), wide enough to cover the active runs down to
   `max_window`; on the first cycle that batch goes out at once (the first paint);
2. refreshes the active runs the list did not cover: where two or more share a status filter
   (`Discovers.covering`), one filtered page refreshes them all, at any depth; the rest, and the
   run open in the detail view, one by one through the cheap status call, oldest refresh first,
   as far as the budget allows now (a run that left its filter because it finished is caught so);
3. reads discovery pages (`discovery.SweepPlanner`) while a sweep is due and the budget holds
   more than the user's reserve: at start every page that can find an active run, at once;
   after that, and for history, one page a cycle; and reads the parent of an active child;
4. applies what it saw, hands the change batch to `emit` (also when a request failed half-way:
   nothing applied to the store is kept from the table), and waits: while runs are active, just
   long enough to earn back what the live steps spent (at `budget_share` of the provider's rate);
   when nothing is active, long enough to stay under `idle_requests_per_minute`; after an error,
   an exponential backoff (at least `Retry-After`). The start-up sweep does not lengthen the
   wait (the bucket's first burst pays for it); later discovery pages count like live ones.

Terminal runs are never polled again. Runs a provider cannot be asked about (Bug0) are never
polled at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qa_tui.core.clock import Clock
from qa_tui.core.engine.discovery import PageTask, SweepPlanner, spare_for_discovery
from qa_tui.core.engine.settings import EngineSettings
from qa_tui.core.errors import AuthFailed, NetworkError, NotFound, ProviderError, RateLimited
from qa_tui.core.history.service import History
from qa_tui.core.model import HealthState, ProviderHealth, Run
from qa_tui.core.providers.base import Discovers, ListQuery, RunSource
from qa_tui.core.store import Changes, RunKey, RunStore

_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def _newest_first_key(run: Run) -> tuple[int, float]:
    """Where a run sits in a provider's newest-first list: runs not started yet on top (BugBug
    sorts a null start first; a BugBrain execution not started yet is among the newest created),
    then the latest start first. A run with no time at all is new, never the oldest."""
    if run.started is None:
        return (0, -(run.queued or run.ended or _FAR_FUTURE).timestamp())
    return (1, -run.started.timestamp())


def _catalogue_reads(source: RunSource) -> int:
    """Requests a source made for its catalogue (BugBug's profile names), not for runs: one-off
    work like the start-up sweep, not counted in the live pace."""
    return int(getattr(source, "catalogue_reads", 0))


@dataclass
class ProviderPoller:
    """One provider's cycles. `cycle()` does one and returns how long to wait before the next."""

    source: RunSource
    store: RunStore
    clock: Clock
    settings: EngineSettings
    emit: Callable[[Changes], None]
    report: Callable[[ProviderHealth], None]
    focused: Callable[[], RunKey | None]
    min_interval_s: float = 0.0
    """The config's `poll_interval_s`: never poll this provider more often than this."""
    history: History | None = None
    """Where walked pages deeper than the store keeps leave their finished runs (the backfill)."""
    first: bool = True
    backoff_s: float = 0.0
    health: ProviderHealth = field(init=False)
    sweeps: SweepPlanner = field(init=False)
    _refreshed_at: dict[RunKey, float] = field(default_factory=dict)
    _changes: Changes = field(default_factory=Changes)
    _live_spent: int = 0

    def __post_init__(self) -> None:
        self.health = ProviderHealth(provider=self.source.name)
        queries = self.source.sweep_queries() if isinstance(self.source, Discovers) else ()
        self.sweeps = SweepPlanner(
            queries if self.source.capabilities.list_runs else (), self.settings
        )

    @property
    def name(self) -> str:
        return self.source.name

    def active_runs(self) -> list[Run]:
        return [
            run for run in self.store.runs_of(self.name) if run.status.is_active and run.pollable
        ]

    def window(self, active: Sequence[Run]) -> int:
        """How many of the newest runs to list so that the list covers the active ones (down to
        `max_window`; deeper ones are refreshed by status filter or one by one)."""
        if self.first:
            return self.settings.initial_window
        if not active:
            return self.settings.discover_window
        ordered = sorted(self.store.runs_of(self.name), key=_newest_first_key)
        active_keys = {run.key for run in active}
        positions = [i for i, run in enumerate(ordered) if run.key in active_keys]
        shallow = [i for i in positions if i < self.settings.max_window]
        wanted = (max(shallow) + 1 if shallow else 0) + self.settings.discover_window
        return max(self.settings.discover_window, min(self.settings.max_window, wanted))

    async def cycle(self) -> float:
        """Poll once; report health; return the seconds to wait before the next cycle."""
        budget = self.source.budget
        spent_before = budget.spent
        self._live_spent = 0
        started = self.clock.monotonic()
        try:
            await self._poll()
        except ProviderError as error:
            self._report_failure(error)
            return self._backoff(error)
        except Exception as error:  # a bug in one client: that provider shows an error, backs off
            failure = ProviderError(self.name, f"unexpected {type(error).__name__}: {error}")
            self._report_failure(failure)
            return self._backoff(failure)
        finally:
            self._flush()
        self.backoff_s = 0.0
        spent = budget.spent - spent_before
        elapsed = self.clock.monotonic() - started
        self._report_success(elapsed / max(1, spent))
        return self._interval(self._live_spent)

    def _apply(self, runs: Sequence[Run]) -> None:
        self._changes = self._changes.merged(self.store.apply(runs))
        now = self.clock.monotonic()
        for run in runs:
            self._refreshed_at[run.key] = now

    def _flush(self) -> None:
        changes, self._changes = self._changes, Changes()
        if changes:
            self.emit(changes)

    async def _poll(self) -> None:
        seen: set[RunKey] = set()
        if self.source.capabilities.list_runs:
            before, aside = self.source.budget.spent, _catalogue_reads(self.source)
            page = await self.source.list_runs(limit=self.window(self.active_runs()))
            aside = _catalogue_reads(self.source) - aside  # names read once, like the sweep
            self._live_spent += self.source.budget.spent - before - aside
            self._apply(page.runs)
            seen = {run.key for run in page.runs}
        if self.first:
            self.first = False
            confirmed = [run.key for run in self.store.runs_of(self.name) if run.status.is_terminal]
            self._changes = self._changes.merged(self.store.confirm(confirmed))
            self._flush()  # the first paint goes out before anything deeper is asked for
        seen |= await self._refresh_by_filter(seen)
        await self._refresh_one_by_one(seen)
        await self._discover()

    async def _refresh_by_filter(self, seen: set[RunKey]) -> set[RunKey]:
        """One filtered list for each status that two or more uncovered active runs share."""
        source = self.source
        if not isinstance(source, Discovers):
            return set()
        groups: dict[ListQuery, int] = {}
        for run in self.active_runs():
            query = source.covering(run) if run.key not in seen else None
            if query is not None:
                groups[query] = groups.get(query, 0) + 1
        listed: set[RunKey] = set()
        for query, count in groups.items():
            if count < 2:
                continue
            page, more = 0, True
            while more and page < 10:
                before = source.budget.spent
                found = await source.list_page(query, page)
                self._live_spent += source.budget.spent - before
                self._apply(found.runs)
                await self._read_parents(source, found.runs)
                listed |= {run.key for run in found.runs}
                page, more = page + 1, found.more
        return listed

    async def _refresh_one_by_one(self, seen: set[RunKey]) -> None:
        for run in self._refresh_targets(seen):
            if self.source.budget.wait_time() > 0:
                break  # the rest waits for the next cycle: the budget is the limit
            before = self.source.budget.spent
            fresh = await self.source.refresh_run(run)
            self._live_spent += self.source.budget.spent - before
            self._apply([fresh])

    def _refresh_targets(self, seen: set[RunKey]) -> list[Run]:
        if not self.source.capabilities.run_status:
            return []
        stale = [run for run in self.active_runs() if run.key not in seen]
        stale.sort(key=lambda run: self._refreshed_at.get(run.key, 0.0))
        focus = self.focused()
        if focus is not None and focus[0] == self.name and focus not in seen:
            row = self.store.get(focus)
            if row is not None and row.run.status.is_active and row.run.pollable:
                stale = [row.run, *[run for run in stale if run.key != focus]]
        return stale

    async def _discover(self) -> None:
        """Sweep pages, low priority. The first sweep's status filters and discovery walks are
        read at once (from the burst the bucket starts with: deep active runs are found at
        start); every other page, one a cycle, counted in the cycle's pace like live work."""
        source = self.source
        if not isinstance(source, Discovers):
            return
        paced = 0
        while paced == 0 and spare_for_discovery(source.budget, self.settings):
            task = self.sweeps.next_page(self.clock.monotonic())
            if task is None:
                return
            urgent = self.sweeps.sweeps_done == 0 and not task.query.history_only
            before = source.budget.spent
            found = await source.list_page(task.query, task.page)
            if not urgent:
                paced = source.budget.spent - before
                self._live_spent += paced
            keep = found.runs
            if not self.sweeps.adds_history(task):
                keep = [run for run in keep if run.status.is_active]
                if self.history is not None:
                    self.history.record_runs(found.runs)  # deeper than the store: history only
            self._apply(keep)
            self.sweeps.read(
                task,
                more=found.more,
                now=self.clock.monotonic(),
                planned_rpm=self._planned_rpm(),
                older=self._wants_older(task, found.runs, found.more),
            )
            await self._read_parents(source, keep)

    def _wants_older(self, task: PageTask, runs: Sequence[Run], more: bool) -> bool:
        """Whether a history walk goes on past the pages the store keeps: while the history's
        backfill has not reached back far enough on this list (checked only at that depth)."""
        query = task.query
        if self.history is None or not query.history_only:
            return False
        if task.page + 1 < self.settings.history_pages:
            return False
        if not more:
            self.history.backfill_done(self.name, query.label)
            return False
        return self.history.wants_older(self.name, query.label, runs)

    async def _read_parents(self, source: Discovers, runs: Sequence[Run]) -> None:
        """An active child whose parent is unknown here: its parent is active too, read it."""
        for run in runs:
            if run.parent_id is None or not run.status.is_active:
                continue
            if self.store.get((self.name, run.parent_id)) is not None:
                continue
            if not spare_for_discovery(self.source.budget, self.settings):
                return  # the next sweep page or cycle finds it again
            try:
                self._apply([await source.get_parent(run)])
            except NotFound:
                continue

    def _planned_rpm(self) -> float:
        if self.active_runs():
            return self.source.budget.pace_per_minute() * self.settings.budget_share
        return self.settings.idle_requests_per_minute

    def _interval(self, spent: int) -> float:
        settings = self.settings
        if self.active_runs():
            rate = self.source.budget.pace_per_minute() / 60.0 * settings.budget_share
            return max(settings.active_interval_s, self.min_interval_s, spent / rate)
        idle = spent * 60.0 / settings.idle_requests_per_minute
        return max(settings.idle_interval_s, self.min_interval_s, idle)

    def _backoff(self, error: ProviderError) -> float:
        base = self.backoff_s * 2 if self.backoff_s else self.settings.active_interval_s
        self.backoff_s = min(self.settings.max_backoff_s, base)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(self.backoff_s, error.retry_after)
        return self.backoff_s

    def _report_success(self, latency_s: float) -> None:
        budget = self.source.budget
        if budget.paused_for() > 0:
            state = HealthState.RATE_LIMITED
        elif latency_s > self.settings.slow_after_s:
            state = HealthState.SLOW
        else:
            state = HealthState.OK
        self._set_health(
            ProviderHealth(
                provider=self.name,
                state=state,
                last_success=self.clock.now(),
                message=None,
                budget_remaining=round(budget.available(), 1),
            )
        )

    def _report_failure(self, error: ProviderError) -> None:
        if isinstance(error, AuthFailed):
            state = HealthState.AUTH_FAILED
        elif isinstance(error, RateLimited):
            state = HealthState.RATE_LIMITED
        elif isinstance(error, NetworkError):
            state = HealthState.UNREACHABLE
        else:
            state = HealthState.ERROR
        self._set_health(
            self.health.model_copy(
                update={
                    "state": state,
                    "message": error.message,
                    "budget_remaining": round(self.source.budget.available(), 1),
                }
            )
        )

    def _set_health(self, health: ProviderHealth) -> None:
        if health != self.health:
            self.health = health
            self.report(health)
