"""`Engine`: every provider's poller, the store they fill, and the actions that go through them.

A change batch is merged once, where it is made: in the provider's poller
(`ProviderPoller._changes`), from a poll cycle's store calls or from the runs another instance
saw (team mode). The engine hands each batch on as it is: to its `changes` listeners at once
(the UI applies each as it comes), and to the cache and the history a moment later, each batch
as it was (`_unsettled` queues them, never merges them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from qa_tui.core.actions.launch import StartRequest
from qa_tui.core.actions.writes import ProviderWrites, WritePolicy
from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.engine.poller import ProviderPoller
from qa_tui.core.engine.settings import EngineSettings
from qa_tui.core.engine.shares import shares_of
from qa_tui.core.history import RunCache
from qa_tui.core.history.service import History
from qa_tui.core.model import ProviderHealth, Run, RunDetail
from qa_tui.core.providers.base import RunSource
from qa_tui.core.runs.store import Changes, RunKey, RunStore
from qa_tui.core.signals import Signal

HISTORY_LOAD_DELAY_S = 3.0
"""The longest the history's load waits for the providers' first batches."""
AFTER_BATCH_S = 0.05
"""The cache and the history take a batch this long after the UI got it, so the frame that shows
the batch does not wait for them (the history's bookkeeping runs on the loop, the cache's JSON
and sqlite on its writer thread: bench/README.md has what each cost). A batch's own HISTORY
cells follow with the other rows' strips, a moment later."""


def _ignore(_: object) -> None:
    return None


class Team(Protocol):
    """Team mode (qa_tui/core/team): who polls each provider is decided across instances."""

    async def run_provider(self, engine: Engine, provider: str) -> None:
        """Run `provider`'s part until cancelled: poll (`poll_once`, `rest`) or follow
        (`receive`), as the team decides."""

    def emitted(self, changes: Changes) -> None:
        """Every batch the engine emits (the poller publishes its own providers')."""


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
        history: History | None = None,
        on_changes: Callable[[Changes], None] = _ignore,
        on_health: Callable[[ProviderHealth], None] = _ignore,
        poll_intervals: Mapping[str, float] | None = None,
        team: Team | None = None,
        writes: WritePolicy | None = None,
    ) -> None:
        """`poll_intervals`: per provider name, the shortest wait between its cycles (config).
        `team`: share polling with other instances (team mode); None polls alone.
        `writes`: which providers are read-only or production (None: every write allowed)."""
        self.store = store
        self.clock = clock
        self.settings = settings or EngineSettings()
        self.cache = cache
        self.history = history
        """The run history: every run reaching a final status is recorded (also from walked
        pages deeper than the store keeps: the backfill); None keeps no history."""
        self.changes: Signal[Changes] = Signal("engine.changes")
        """Every change batch, as the engine has it (`on_changes`: a first listener)."""
        self.health: Signal[ProviderHealth] = Signal("engine.health")
        """Every provider's health when it changes (`on_health`: a first listener)."""
        if on_changes is not _ignore:
            self.changes.subscribe(on_changes)
        if on_health is not _ignore:
            self.health.subscribe(on_health)
        self.team = team
        self.focus: RunKey | None = None
        """The run open in the detail view: polled every cycle while active."""
        self._sources = {source.name: source for source in sources}
        self.writes = ProviderWrites(sources, writes, clock=clock)
        """The one door to the providers' writes (core/actions/writes.py): stop, re-run and
        start below go through it, so a read-only provider is refused whoever asks."""
        self._wake = {name: asyncio.Event() for name in self._sources}
        self._running = asyncio.Event()
        self._running.set()
        self._unsettled: list[Changes] = []
        """Batches the UI has and the cache and history do not have yet (see `settle`), each
        as it was emitted: queued, not merged."""
        self._settling: asyncio.TimerHandle | None = None
        self.shares = shares_of(
            {source.name: source.budget for source in sources}, store, self.settings, clock
        )
        """Each provider's part of the budget it draws on (several share a BugBrain key)."""
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
                history=history,
                share=self.shares[source.name],
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
            if self.history is not None and not self.history.loaded:
                group.create_task(self._load_history(), name="history")
            for name in self.pollers:
                loop = (
                    self.poll_forever(name)
                    if self.team is None
                    else self.team.run_provider(self, name)
                )
                group.create_task(loop, name=f"poll:{name}")

    async def _load_history(self) -> None:
        """The history's strips and badges, read from disk once every provider's first batch
        is out (or after `history_load_delay_s`): the first paint never shares the machine
        with it."""
        assert self.history is not None
        deadline = self.clock.monotonic() + HISTORY_LOAD_DELAY_S
        while any(p.first for p in self.pollers.values()) and self.clock.monotonic() < deadline:
            await self.clock.sleep(0.05)
        try:
            await self.history.load()
        except Exception as error:  # a damaged file: no strips, the runs go on
            self.history.failed = f"{type(error).__name__}: {error}"

    async def poll_forever(self, name: str) -> None:
        """Poll one provider until cancelled."""
        while True:
            await self.rest(name, await self.poll_once(name))

    async def poll_once(self, name: str) -> float:
        """One cycle of one provider (once not paused); the seconds to wait before the next."""
        await self._running.wait()
        self._wake[name].clear()
        return await self.pollers[name].cycle()

    async def rest(self, name: str, seconds: float) -> None:
        """Wait between two cycles; `refresh_now` cuts it short."""
        await self._sleep_or_wake(seconds, self._wake[name])

    def receive(
        self,
        provider: str,
        runs: Sequence[Run],
        removed: Sequence[str] = (),
        *,
        confirm: bool = False,
    ) -> None:
        """Runs another instance's poller saw (team mode): applied and emitted like a cycle's
        batch. `confirm`: the first batch, after which cached finished runs count as confirmed.
        The provider's poller makes the batch, as it makes its own cycles'."""
        self.pollers[provider].receive(runs, removed, confirm=confirm)

    async def _sleep_or_wake(self, seconds: float, wake: asyncio.Event) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            # gather, not `await task` under suppress(CancelledError): a cancellation of this
            # task arriving right now must go on up, not be taken for the child's
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    def _emit(self, changes: Changes) -> None:
        if self.team is not None:
            self.team.emitted(changes)
        self.changes.emit(changes)
        if self.cache is None and self.history is None:
            return
        self._unsettled.append(changes)
        if self._settling is None:
            self._settling = asyncio.get_running_loop().call_later(AFTER_BATCH_S, self.settle)

    @property
    def unsettled(self) -> bool:
        """True while a batch emitted is not yet with the cache and the history."""
        return bool(self._unsettled)

    def settle(self) -> None:
        """Hand the batches emitted since the last time to the cache and the history, now
        (`AFTER_BATCH_S` after a batch, and before the app closes them)."""
        if self._settling is not None:
            self._settling.cancel()
            self._settling = None
        batches, self._unsettled = self._unsettled, []
        for changes in batches:
            if self.cache is not None:
                self.cache.save_later(
                    [row.run for row in (*changes.added, *changes.updated)], changes.removed
                )
            if self.history is not None:
                self.history.record_changes(changes)

    def _report(self, health: ProviderHealth) -> None:
        self.health.emit(health)

    def _apply(self, runs: Sequence[Run]) -> None:
        changes = self.store.apply(runs)
        if changes:
            self._emit(changes)

    async def stop_run(self, key: RunKey, *, typed: str | None = None) -> Run:
        """Stop a run; the store and table show the outcome at once. `typed`: the provider's
        name as the user typed it, which a production provider wants (writes.py)."""
        row = self.store.get(key)
        if row is None:
            raise KeyError(key)
        run = await self.writes.stop(row.run, typed=typed)
        self._apply([run])
        self.refresh_now(key[0])
        return run

    async def rerun(self, key: RunKey, *, typed: str | None = None) -> Run:
        """Start the run's test, suite or plan again; the new run joins the store at once."""
        row = self.store.get(key)
        if row is None:
            raise KeyError(key)
        run = await self.writes.start_again(row.run, typed=typed)
        self._apply([run])
        self.refresh_now(key[0])
        return run

    async def start(self, provider: str, request: StartRequest, *, typed: str | None = None) -> Run:
        """Start a new run (the `n` dialog); it joins the store at once, like a re-run."""
        run = await self.writes.start_new(provider, request, typed=typed)
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
        if self.history is not None:
            self.history.record_detail(detail)
        return detail
