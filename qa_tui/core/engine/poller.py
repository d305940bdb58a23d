"""One provider's polling cycles.

A cycle:

1. lists the newest runs (many runs per request), wide enough to cover the active runs down to
   `max_window`; on the first cycle that batch goes out at once (the first paint);
2. refreshes the active runs the list did not cover, at any depth: two or more through one page
   of the time range around them (`Discovers.around`), or a status filter they share
   (`Discovers.covering`); a run missing from its filter is read alone; the rest, and the run
   open in the detail view, one by one through the cheap status call, oldest refresh first,
   as far as the budget allows now;
3. reads discovery pages (`discovery.SweepPlanner`) while a sweep is due and the budget holds
   more than the user's reserve: at start every status filter (waiting for spare tokens if it
   must) and the walks that can find an active run;
   (on a budget several providers share, one of them a cycle: the burst is everyone's); after
   that one page a cycle, and history pages no faster than `sweep_share` of the rate;
   and reads the parent of an active child; a walk read to its end says which finished runs
   the provider no longer has (its retention deleted them): they leave the store
   (`retention.py`);
4. reads where the runs that failed failed, when their list did not say (`ReadsFailures`:
   BugBug's opaque `stepsRuns`): a run that failed in the last minutes at once, like live work
   (its notice and history then carry the error), the older ones and the backfill's from what is
   spare, newest first;
5. applies what it saw, hands the change batch to `emit` (also when a request failed half-way:
   nothing applied to the store is kept from the table), and waits: while runs are active, just
   long enough to earn back what the live steps spent (at `budget_share` of the provider's rate,
   or its fair part of it when other providers draw on the same budget: `shares.py`); when
   nothing is active, long enough to stay under `idle_requests_per_minute`; after an error,
   an exponential backoff (at least `Retry-After`). The start-up sweep does not lengthen the
   wait (the bucket's first burst pays for it); later discovery pages count like live ones.

Terminal runs are never polled again. Runs a provider cannot be asked about (a Bug0 trigger
that carried no commit) are never polled at all; a Bug0 trigger on a commit is followed through
the source's listing (its commit's status is read on GitHub, providers/bug0/source.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from qa_tui.core.clock import Clock
from qa_tui.core.engine import health
from qa_tui.core.engine.discovery import (
    PageTask,
    SweepPlanner,
    discovery_reserve,
    spare_for_discovery,
)
from qa_tui.core.engine.retention import WalkReads
from qa_tui.core.engine.settings import EngineSettings
from qa_tui.core.engine.shares import BudgetShare
from qa_tui.core.errors import NotFound, ProviderError, RateLimited
from qa_tui.core.history.service import History
from qa_tui.core.model import ProviderHealth, Run, RunStatus
from qa_tui.core.providers.base import (
    Discovers,
    ListQuery,
    QueryPage,
    ReadsElsewhere,
    ReadsFailures,
    RunSource,
    position_by_start,
)
from qa_tui.core.runs.store import Changes, RunKey, RunStore

RANGE_RETRY_S = 60.0
"""After a time range around the deep runs overflowed a page, status filters serve this long."""
PACE_SMOOTHING = 0.7
"""How much of the recent average a cycle's wait keeps (the rest is this cycle's spend)."""
UNKNOWN_POLLED_S = 6 * 3600.0
"""A run in a status no doc lists (`preparing`) is polled like an active one while it is this
young: it may still move (providers.md §5), but a word that never moves is not polled forever."""
FRESH_FAILURE_S = 600.0
"""A run that failed less than this long ago has where it failed read at once (live work)."""
FAILURES_QUEUED = 2_000
"""Failed runs waiting for their failing step to be read, at most (the oldest wait longest)."""


def _nothing() -> Collection[RunKey]:
    return ()


@dataclass
class Spent:
    """What the requests made inside one `with spending(source)` block spent of its budget."""

    requests: int = 0
    """Every request, catalogue reads included."""
    catalogue: int = 0
    """Those made for the source's catalogue (`RunSource.catalogue_reads`), not for runs."""

    @property
    def live(self) -> int:
        """The requests that count in a cycle's pace: catalogue reads are one-off work, like
        the start-up sweep."""
        return self.requests - self.catalogue


@contextmanager
def spending(source: RunSource) -> Iterator[Spent]:
    """Measures what the block spends of `source`'s budget: filled in when the block ends
    (a block that raises leaves it at zero: its cycle backs off, nothing is paced)."""
    spent = Spent()
    budget_before, catalogue_before = source.budget.spent, source.catalogue_reads
    yield spent
    spent.requests = source.budget.spent - budget_before
    spent.catalogue = source.catalogue_reads - catalogue_before


def _reached_all(expected: Sequence[Run], listed: set[RunKey], page: Sequence[Run]) -> bool:
    """Whether an oldest-first list has reached past every expected run: each is listed, or
    started before the latest start this page shows (so it would have been listed by now)."""
    starts = [run.started for run in page if run.started is not None]
    reached = max(starts) if starts else None
    return all(
        run.key in listed
        or (reached is not None and run.started is not None and run.started < reached)
        for run in expected
    )


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
    share: BudgetShare
    """The providers this one shares its budget with (often itself alone), and its fair part."""
    min_interval_s: float = 0.0
    """The config's `poll_interval_s`: never poll this provider more often than this."""
    wanted: Callable[[], Collection[RunKey]] = _nothing
    """More runs refreshed every cycle like the focused one (team mode: followers' detail views)."""
    history: History | None = None
    """Where walked pages deeper than the store keeps leave their finished runs (the backfill)."""
    first: bool = True
    backoff_s: float = 0.0
    health: ProviderHealth = field(init=False)
    sweeps: SweepPlanner = field(init=False)
    walks: WalkReads | None = field(init=False)
    """The walks being read whole, which say what runs the provider no longer has."""
    _refreshed_at: dict[RunKey, float] = field(default_factory=dict)
    _changes: Changes = field(default_factory=Changes)
    """The batch this cycle is making. This is the one place a batch is merged: a cycle makes
    several store calls (the list, deep refreshes, single reads, failures, discovery pages) and
    only the poller knows where its cycle ends, so each listener (the table, the notifications,
    team mode's stream, the cache, the history) gets one batch a cycle; after `emit` no one
    merges it again."""
    _live_spent: int = 0
    _paced: float = 0.0
    """What a cycle spends on average, lately (requests)."""
    _owed: float = 0.0
    """Requests spent and not yet earned back by a wait."""
    _history_due: float = 0.0
    _ranges_after: float = 0.0
    _unread: dict[RunKey, Run] = field(default_factory=dict)
    """Failed runs whose failing step is still to be read (`ReadsFailures`), by key."""
    _unread_history: set[RunKey] = field(default_factory=set)
    """Those of `_unread` seen only in a history walk (not kept in the store)."""

    def __post_init__(self) -> None:
        self.health = ProviderHealth(provider=self.source.name)
        queries = self.source.sweep_queries() if isinstance(self.source, Discovers) else ()
        self.sweeps = SweepPlanner(
            queries if self.source.capabilities.list_runs else (), self.settings
        )
        source = self.source
        self.walks = (
            WalkReads(source.walked_by, source.list_position)
            if isinstance(source, Discovers)
            else None
        )

    @property
    def name(self) -> str:
        return self.source.name

    def resume(self) -> None:
        """Go on from what another instance polled (team mode: the store already holds its runs
        and its sweep's finds): no first-paint listing, no start-up sweep at once."""
        self.first = False
        self.sweeps.postpone(self.clock.monotonic())

    def active_runs(self) -> list[Run]:
        return [run for run in self.store.runs_of(self.name) if self._polled(run)]

    def _polled(self, run: Run) -> bool:
        """Active (queued, running), or in a status no doc lists and young: worth polling."""
        if not run.pollable:
            return False
        if run.status is not RunStatus.UNKNOWN:
            return run.status.is_active
        moment = run.started or run.queued
        age = (self.clock.now() - moment).total_seconds() if moment else 0.0
        return age < UNKNOWN_POLLED_S

    def window(self, active: Sequence[Run]) -> int:
        """How many of the newest runs to list so that the list covers the active ones (down to
        `max_window`; deeper ones are refreshed by time range, status filter or one by one)."""
        if self.first:
            return self.settings.initial_window
        if not active:
            return self.settings.discover_window
        key = self.source.list_position if isinstance(self.source, Discovers) else None
        ordered = sorted(self.store.runs_of(self.name), key=key or position_by_start)
        active_keys = {run.key for run in active}
        positions = [i for i, run in enumerate(ordered) if run.key in active_keys]
        shallow = [i for i in positions if i < self.settings.max_window]
        wanted = (max(shallow) + 1 if shallow else 0) + self.settings.drift_margin
        return max(self.settings.discover_window, min(self.settings.max_window, wanted))

    async def cycle(self) -> float:
        """Poll once; report health; return the seconds to wait before the next cycle."""
        self._live_spent = 0
        started = self.clock.monotonic()
        try:
            with spending(self.source) as spent:
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
        elapsed = self.clock.monotonic() - started
        self._report_success(elapsed / max(1, spent.requests))
        return self._interval(self._live_spent)

    @contextmanager
    def _live(self) -> Iterator[Spent]:
        """The requests made inside count in this cycle's pace (`_interval`), catalogue reads
        aside."""
        with spending(self.source) as spent:
            yield spent
        self._live_spent += spent.live

    def _apply(self, runs: Sequence[Run]) -> None:
        self._changes = self._changes.merged(self.store.apply(runs))
        now = self.clock.monotonic()
        refreshed = self._refreshed_at
        for run in runs:
            if run.status.is_terminal:
                refreshed.pop(run.key, None)  # never refreshed again: nothing to order by
            else:
                refreshed[run.key] = now
        self._queue_failures(runs)

    def _queue_failures(self, runs: Sequence[Run], *, history_only: bool = False) -> None:
        source = self.source
        if not isinstance(source, ReadsFailures):
            return
        for run in runs:
            if source.failure_unread(run) and len(self._unread) < FAILURES_QUEUED:
                self._unread[run.key] = run
                if history_only:
                    self._unread_history.add(run.key)

    def receive(
        self, runs: Sequence[Run], removed: Sequence[str] = (), *, confirm: bool = False
    ) -> None:
        """Runs another instance's poller saw (team mode), emitted as one batch like a cycle's:
        `removed`, ids that left that instance's store; `confirm`, its first batch, after which
        the cached finished runs count as confirmed."""
        self._changes = self._changes.merged(self.store.apply(runs))
        if removed:
            gone = self.store.remove((self.name, run_id) for run_id in removed)
            self._changes = self._changes.merged(gone)
        if confirm:
            done = [run.key for run in self.store.runs_of(self.name) if run.status.is_terminal]
            self._changes = self._changes.merged(self.store.confirm(done))
        self._flush()

    def _flush(self) -> None:
        changes, self._changes = self._changes, Changes()
        if changes:
            self.emit(changes)

    async def _poll(self) -> None:
        seen: set[RunKey] = set()
        if self.source.capabilities.list_runs:
            with self._live():  # names read beside the list are one-off, like the sweep
                page = await self.source.list_runs(limit=self.window(self.active_runs()))
            self._apply(page.runs)
            seen = {run.key for run in page.runs}
        if self.first:
            self.first = False
            confirmed = [run.key for run in self.store.runs_of(self.name) if run.status.is_terminal]
            self._changes = self._changes.merged(self.store.confirm(confirmed))
            self._flush()  # the first paint goes out before anything deeper is asked for
            self._report_success(0.0)  # and its provider shows as answering with it
        seen |= await self._refresh_deep(seen)
        await self._refresh_one_by_one(seen)
        await self._read_failures()
        await self._discover()

    async def _refresh_deep(self, seen: set[RunKey]) -> set[RunKey]:
        """The active runs the newest list did not cover, two or more: first one page of the
        time range around them (it shows each whatever its status now); for those it did not
        show, one filtered list per status they share; a run missing from its status list has
        left that status (most likely finished), so it is read alone."""
        source = self.source
        deep = [run for run in self.active_runs() if run.key not in seen]
        if not isinstance(source, Discovers) or len(deep) < 2:
            return set()
        listed: set[RunKey] = set()
        ranged = source.around(deep) if self.clock.monotonic() >= self._ranges_after else None
        if ranged is not None:
            found = await self._live_page(source, ranged, 0)
            listed |= {run.key for run in found.runs}
            if found.more:  # too wide a range for one page: status filters for a while
                self._ranges_after = self.clock.monotonic() + RANGE_RETRY_S
        groups: dict[ListQuery, list[Run]] = {}
        for run in deep:
            query = source.covering(run) if run.key not in listed else None
            if query is not None:
                groups.setdefault(query, []).append(run)
        for query, expected in groups.items():
            if len(expected) < 2:
                continue
            page, more = 0, True
            while more and page < 10:
                found = await self._live_page(source, query, page)
                listed |= {run.key for run in found.runs}
                page, more = page + 1, found.more
                if query.oldest_first and _reached_all(expected, listed, found.runs):
                    break  # the rest of the list is newer than every run still looked for
            if not more:
                self.sweeps.covered(query)
            for run in expected:  # gone from its list: it changed; read it now, waiting if need be
                if run.key not in listed:
                    try:
                        with self._live():
                            finished = await source.read_finished(run)
                    except NotFound:
                        self._forget([run.key])  # gone from the provider too
                    else:
                        self._apply([finished])
                    listed.add(run.key)
        return listed

    async def _live_page(self, source: Discovers, query: ListQuery, page: int) -> QueryPage:
        with self._live():
            found = await source.list_page(query, page)
        self._apply(found.runs)
        await self._read_parents(source, found.runs)
        return found

    async def _refresh_one_by_one(self, seen: set[RunKey]) -> None:
        for run in self._refresh_targets(seen):
            if self.source.budget.wait_time() > 0:
                break  # the rest waits for the next cycle: the budget is the limit
            try:
                with self._live():
                    fresh = await self.source.refresh_run(run)
            except NotFound:
                self._forget([run.key])  # deleted while it ran (or while qa-tui was closed)
            else:
                self._apply([fresh])

    def _refresh_targets(self, seen: set[RunKey]) -> list[Run]:
        if not self.source.capabilities.run_status:
            return []
        stale = [run for run in self.active_runs() if run.key not in seen]
        stale.sort(key=lambda run: self._refreshed_at.get(run.key, 0.0))
        for focus in (*self.wanted(), self.focused()):  # the user's own focus goes first
            if focus is not None and focus[0] == self.name and focus not in seen:
                row = self.store.get(focus)
                if row is not None and self._polled(row.run):
                    stale = [row.run, *[run for run in stale if run.key != focus]]
        return stale

    async def _read_failures(self) -> None:
        """Where the queued failed runs failed, newest first: a fresh failure at once (waiting
        for the budget like any live request), the others only from what is spare."""
        source = self.source
        if not isinstance(source, ReadsFailures) or not self._unread:
            return
        now = self.clock.now()
        queued = sorted(
            self._unread.values(),
            key=lambda run: (run.ended or run.started or run.queued or now).timestamp(),
            reverse=True,
        )
        for run in queued:
            fresh = run.ended is not None and (now - run.ended).total_seconds() < FRESH_FAILURE_S
            if not fresh and not spare_for_discovery(source.budget, self.settings):
                return
            del self._unread[run.key]
            history_only = run.key in self._unread_history
            self._unread_history.discard(run.key)
            if not source.failure_unread(run):
                continue
            with self._live():
                read = await source.read_failure(run)
            failure = {"failed_step": read.failed_step, "error": read.error}
            row = self.store.get(run.key)
            if history_only and row is None:
                if self.history is not None:
                    self.history.record_runs([read])
            elif row is not None:
                self._apply([row.run.model_copy(update=failure)])

    async def _discover(self) -> None:
        """Sweep pages, low priority, never taking the budget below the user's reserve. The first
        sweep's status filters are read at once, waiting for spare tokens if there are none yet
        (they find the deep active runs); its other pages come from what is spare; every later
        page, one a cycle, counted in the cycle's pace like live work."""
        source = self.source
        if not isinstance(source, Discovers):
            return
        paced = 0
        while paced == 0:
            task = self.sweeps.next_page(self.clock.monotonic())
            if task is None:
                return
            first_sweep = self.sweeps.sweeps_done == 0
            if first_sweep and not task.query.is_walk:
                await self._wait_for_spare()
            elif not spare_for_discovery(source.budget, self.settings):
                return
            urgent = first_sweep and not task.query.history_only
            now = self.clock.monotonic()
            if task.query.history_only:
                if now < self._history_due:
                    return  # history waits its turn: a share of the rate, never the live lag
                self._history_due = now + 60.0 / max(
                    1e-9, self.settings.sweep_share * self._planned_rpm()
                )
            with spending(self.source) as spent:
                found = await source.list_page(task.query, task.page)
            if not urgent:
                paced = spent.live
                self._live_spent += paced
            keep = found.runs
            if not self.sweeps.adds_history(task):
                keep = [run for run in keep if self._polled(run)]
                if self.history is not None:
                    self.history.record_runs(found.runs)  # deeper than the store: history only
                    deeper = [run for run in found.runs if not run.status.is_active]
                    self._queue_failures(deeper, history_only=True)
            self._apply(keep)
            self._forget_gone(task, found)
            self.sweeps.read(
                task,
                more=found.more,
                now=self.clock.monotonic(),
                planned_rpm=self._planned_rpm(),
                older=self._wants_older(task, found.runs, found.more),
            )
            await self._read_parents(source, keep)
            if urgent and len(self.share.members) > 1:
                # the burst is everyone's: one start-up page a cycle, so that no provider on the
                # budget waits for the others' sweeps before it polls again
                return

    def _forget_gone(self, task: PageTask, found: QueryPage) -> None:
        """A walk read whole: the finished runs it shows its provider no longer has leave the
        store (engine/retention.py), but not one open in a detail view."""
        query = task.query
        if self.walks is None or not query.is_walk:
            return
        whole = self.walks.page_read(
            query.label, query.collection, task.page, found.runs, more=found.more
        )
        if whole is None:
            return
        open_here = {self.focused(), *self.wanted()}
        gone = self.walks.gone(query.label, whole, self.store.runs_of(self.name))
        self._forget([key for key in gone if key not in open_here])

    def _forget(self, keys: Sequence[RunKey]) -> None:
        """Runs the provider no longer has leave the store (and this cycle's batch says so)."""
        if keys:
            self._changes = self._changes.merged(self.store.remove(keys))
            for key in keys:
                self._refreshed_at.pop(key, None)

    async def _wait_for_spare(self) -> None:
        budget = self.source.budget
        while not spare_for_discovery(budget, self.settings):
            missing = 1.0 + discovery_reserve(budget, self.settings) - budget.available()
            await self.clock.sleep(max(0.05, missing / budget.rate_per_second))

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
            if run.parent_id is None or not self._polled(run):
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
        """What this provider's cycles plan for: its fair part of its budget (`BudgetShare`)."""
        if self.active_runs():
            return self.share.live_rpm(self.name)
        return self.share.idle_rpm(self.name)

    def _interval(self, spent: int) -> float:
        """While active, the wait earns back what cycles spend on average (a cycle that read a
        finished run or a discovery page pays for it over the next few waits, not all in one:
        a spike never doubles one wait); at idle, this cycle's spend under the idle rate."""
        settings = self.settings
        active = bool(self.active_runs())
        self.share.note(self.name, active)
        if active:
            rate = self.share.live_rpm(self.name) / 60.0
            self._paced = spent if not self._paced else self._paced
            self._paced = PACE_SMOOTHING * self._paced + (1 - PACE_SMOOTHING) * spent
            owed = self._owed + spent
            paid = min(owed, self._paced + 0.2 * max(0.0, owed - self._paced))
            self._owed = owed - paid
            return max(settings.active_interval_s, self.min_interval_s, paid / rate)
        self._owed = 0.0
        idle = spent * 60.0 / self.share.idle_rpm(self.name)
        return max(settings.idle_interval_s, self.min_interval_s, idle)

    def _backoff(self, error: ProviderError) -> float:
        base = self.backoff_s * 2 if self.backoff_s else self.settings.active_interval_s
        self.backoff_s = min(self.settings.max_backoff_s, base)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(self.backoff_s, error.retry_after)
        return self.backoff_s

    def _report_success(self, latency_s: float) -> None:
        budget, slow = self.source.budget, self.settings.slow_after_s
        verifiable = self.source.capabilities.run_status  # Bug0 lists its local trigger log
        now = health.after_success(self.name, budget, self.clock, latency_s, slow, verifiable)
        if isinstance(self.source, ReadsElsewhere):  # Bug0's results, read on GitHub
            trouble = self.source.trouble_elsewhere()
            if trouble is not None:
                now = health.with_trouble(now, trouble)
        self._set_health(now)

    def _report_failure(self, error: ProviderError) -> None:
        self._set_health(health.after_failure(self.health, error, self.source.budget))

    def _set_health(self, now: ProviderHealth) -> None:
        if now != self.health:
            self.health = now
            self.report(now)
