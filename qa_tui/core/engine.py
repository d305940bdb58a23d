"""The polling engine: keeps the run store fresh within every provider's request budget.

Per provider, one loop of cycles. A cycle:

1. lists the newest runs (many runs per request), wide enough to cover every run still active;
2. refreshes, one by one through the cheap status call, the active runs the list did not cover
   and the run open in the detail view, as far as the budget allows (oldest refresh first);
3. applies what it saw to the store and hands the non-empty change batch to `on_changes`;
4. waits: while runs are active, just long enough to earn back the requests it spent (at
   `budget_share` of the provider's rate); when nothing is active, long enough to stay under
   `idle_requests_per_minute`; after an error, an exponential backoff (at least `Retry-After`).

Terminal runs are never polled again. Runs a provider cannot be asked about (Bug0) are never
polled at all. A failing provider changes only its own health; the other loops go on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import (
    AuthFailed,
    NetworkError,
    ProviderError,
    RateLimited,
)
from qa_tui.core.history import RunCache
from qa_tui.core.launch import StartRequest, start_run
from qa_tui.core.model import HealthState, ProviderHealth, Run, RunDetail
from qa_tui.core.providers.base import RunSource
from qa_tui.core.store import Changes, RunKey, RunStore

_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EngineSettings:
    """How eagerly the engine polls. Defaults suit a pane left open all day."""

    active_interval_s: float = 2.0
    """Shortest wait between cycles while runs are active."""
    idle_interval_s: float = 15.0
    """Shortest wait between cycles while nothing is active."""
    idle_requests_per_minute: float = 4.0
    """At idle, a provider gets at most this many requests a minute."""
    budget_share: float = 0.85
    """The share of a provider's budget the engine plans to use; the rest is for user actions."""
    initial_window: int = 100
    """Runs listed per provider on the first cycle."""
    discover_window: int = 20
    """Runs listed per cycle when nothing older is active: enough to see new runs appear."""
    max_window: int = 300
    """Never list more than this per cycle; older active runs are refreshed one by one."""
    max_backoff_s: float = 120.0
    slow_after_s: float = 3.0
    """A provider whose requests take longer than this on average shows as slow."""


def _newest_first_key(run: Run) -> tuple[int, float]:
    """Where a run sits in a provider's newest-first list: runs not started yet on top (BugBug
    sorts a null start first; a BugBrain execution not started yet is among the newest created),
    then the latest start first. A run with no time at all is new, never the oldest."""
    if run.started is None:
        return (0, -(run.queued or run.ended or _FAR_FUTURE).timestamp())
    return (1, -run.started.timestamp())


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
    first: bool = True
    backoff_s: float = 0.0
    health: ProviderHealth = field(init=False)
    _refreshed_at: dict[RunKey, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.health = ProviderHealth(provider=self.source.name)

    @property
    def name(self) -> str:
        return self.source.name

    def active_runs(self) -> list[Run]:
        return [
            run for run in self.store.runs_of(self.name) if run.status.is_active and run.pollable
        ]

    def window(self, active: Sequence[Run]) -> int:
        """How many of the newest runs to list so that the list covers the active ones."""
        if self.first:
            return self.settings.initial_window
        if not active:
            return self.settings.discover_window
        ordered = sorted(self.store.runs_of(self.name), key=_newest_first_key)
        active_keys = {run.key for run in active}
        deepest = max(i for i, run in enumerate(ordered) if run.key in active_keys)
        wanted = deepest + 1 + self.settings.discover_window
        return max(self.settings.discover_window, min(self.settings.max_window, wanted))

    async def cycle(self) -> float:
        """Poll once; report health; return the seconds to wait before the next cycle."""
        budget = self.source.budget
        spent_before = budget.spent
        started = self.clock.monotonic()
        try:
            changes = await self._poll()
        except ProviderError as error:
            self._report_failure(error)
            return self._backoff(error)
        except Exception as error:  # a bug in one client: that provider shows an error, backs off
            failure = ProviderError(self.name, f"unexpected {type(error).__name__}: {error}")
            self._report_failure(failure)
            return self._backoff(failure)
        self.backoff_s = 0.0
        if changes:
            self.emit(changes)
        spent = budget.spent - spent_before
        elapsed = self.clock.monotonic() - started
        self._report_success(elapsed / max(1, spent))
        return self._interval(spent)

    async def _poll(self) -> Changes:
        changes, seen = Changes(), set[RunKey]()
        if self.source.capabilities.list_runs:
            page = await self.source.list_runs(limit=self.window(self.active_runs()))
            changes = self.store.apply(page.runs)
            seen = {run.key for run in page.runs}
            now = self.clock.monotonic()
            for key in seen:
                self._refreshed_at[key] = now
        if self.first:
            self.first = False
            confirmed = [run.key for run in self.store.runs_of(self.name) if run.status.is_terminal]
            changes = changes.merged(self.store.confirm(confirmed))
        for run in self._refresh_targets(seen):
            if self.source.budget.wait_time() > 0:
                break  # the rest waits for the next cycle: the budget is the limit
            fresh = await self.source.refresh_run(run)
            self._refreshed_at[run.key] = self.clock.monotonic()
            changes = changes.merged(self.store.apply([fresh]))
        return changes

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


def _ignore(_: object) -> None:
    return None


class Engine:
    """All providers' pollers, the store they fill, and the actions that go through them."""

    def __init__(
        self,
        sources: Sequence[RunSource],
        store: RunStore,
        *,
        clock: Clock = SYSTEM_CLOCK,
        settings: EngineSettings | None = None,
        cache: RunCache | None = None,
        on_changes: Callable[[Changes], None] = _ignore,
        on_health: Callable[[ProviderHealth], None] = _ignore,
        poll_intervals: Mapping[str, float] | None = None,
    ) -> None:
        """`poll_intervals`: per provider name, the shortest wait between its cycles (config)."""
        self.store = store
        self.clock = clock
        self.settings = settings or EngineSettings()
        self.cache = cache
        self.on_changes = on_changes
        self.on_health = on_health
        self.focus: RunKey | None = None
        """The run open in the detail view: polled every cycle while active."""
        self._sources = {source.name: source for source in sources}
        self._wake = {name: asyncio.Event() for name in self._sources}
        self._running = asyncio.Event()
        self._running.set()
        self.pollers = {
            source.name: ProviderPoller(
                source=source,
                store=store,
                clock=clock,
                settings=self.settings,
                emit=self._emit,
                report=self._report,
                focused=lambda: self.focus,
                min_interval_s=(poll_intervals or {}).get(source.name, 0.0),
            )
            for source in sources
        }

    @property
    def sources(self) -> list[RunSource]:
        return list(self._sources.values())

    def source(self, provider: str) -> RunSource:
        return self._sources[provider]

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        """Stop polling (the `p` key); nothing is sent until `resume()`."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()
        self.refresh_now()

    def refresh_now(self, provider: str | None = None) -> None:
        """Cut the current wait short (the `R` key)."""
        for name, event in self._wake.items():
            if provider is None or name == provider:
                event.set()

    def load_cache(self) -> Changes:
        """Put the cached runs of configured providers in the store, marked stale: the first paint."""
        if self.cache is None:
            return Changes()
        runs = self.cache.load(set(self._sources))
        return self.store.apply(runs, stale=True)

    async def run(self) -> None:
        """Poll every provider until cancelled."""
        async with asyncio.TaskGroup() as group:
            for name in self.pollers:
                group.create_task(self._loop(name), name=f"poll:{name}")

    async def _loop(self, name: str) -> None:
        poller = self.pollers[name]
        wake = self._wake[name]
        while True:
            await self._running.wait()
            wake.clear()
            wait = await poller.cycle()
            await self._sleep_or_wake(wait, wake)

    async def _sleep_or_wake(self, seconds: float, wake: asyncio.Event) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _emit(self, changes: Changes) -> None:
        if self.cache is not None:
            self.cache.save([row.run for row in (*changes.added, *changes.updated)])
        self.on_changes(changes)

    def _report(self, health: ProviderHealth) -> None:
        self.on_health(health)

    def _apply(self, runs: Sequence[Run]) -> None:
        changes = self.store.apply(runs)
        if changes:
            self._emit(changes)

    async def stop_run(self, key: RunKey) -> Run:
        """Stop a run; the store and table show the outcome at once."""
        row = self.store.get(key)
        if row is None:
            raise KeyError(key)
        run = await self._sources[key[0]].stop_run(row.run)
        self._apply([run])
        self.refresh_now(key[0])
        return run

    async def rerun(self, key: RunKey) -> Run:
        """Start the run's test, suite or plan again; the new run joins the store at once."""
        row = self.store.get(key)
        if row is None:
            raise KeyError(key)
        run = await self._sources[key[0]].rerun(row.run)
        self._apply([run])
        self.refresh_now(key[0])
        return run

    async def start(self, provider: str, request: StartRequest) -> Run:
        """Start a new run (the `n` dialog); it joins the store at once, like a re-run."""
        run = await start_run(self._sources[provider], request, clock=self.clock)
        self._apply([run])
        self.refresh_now(provider)
        return run

    async def detail(self, key: RunKey) -> RunDetail:
        """Everything the detail view shows; the run itself is refreshed in the store too."""
        row = self.store.get(key)
        if row is None:
            raise KeyError(key)
        detail = await self._sources[key[0]].run_detail(row.run)
        self._apply([detail.run, *detail.children.items])
        return detail
