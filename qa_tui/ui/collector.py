"""Keeping runs out of the garbage collector's way.

A collection pass reads every object of the generations it walks and every object those refer
to. Runs are many, long-lived, and each is a handful of tracked objects (a pydantic model, its
field dict and set, its progress), so on CPython's own schedule they make the passes slow: with
ten thousand runs alive a full pass takes tens of milliseconds and the middle generation, after
a 500-run batch, 5 to 10; and a pass starts inside whichever allocation crosses a threshold, most
often while a batch is being applied, so the frame that shows the batch is late.

Runs and rows are immutable values without reference cycles: reference counting frees them, the
collector never needs to look at them. So once a batch of many runs is placed, the app moves
everything alive out of the collector's way (`gc.freeze`, which costs nothing), and CPython's
passes only walk what was made since. A batch of a few runs (most polls) is left alone: it costs
the collector nothing to speak of.

Freezing also keeps the garbage cycles alive at that moment (from Textual, asyncio: about a
hundred objects a batch) until they are unfrozen, so when anything was frozen, the app's clock
tick unfreezes everything and makes one full pass (a tenth of a second with ten thousand runs)
every `full_pass_every_s`, between frames.

A batch of thousands of runs (the cache's first paint) is also placed with no pass at all.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator

LONG_LIVED_BATCH = 1000
"""A batch adding at least this many runs is placed with no collection pass at all."""
FREEZE_BATCH = 200
"""A batch adding or changing at least this many runs is frozen out of the collector's passes."""


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """No garbage collection pass in this block (it would walk every object, to free none)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RunsOutOfTheCollector:
    """Freezes what each batch leaves alive; unfreezes and collects fully on the tick, rarely."""

    def __init__(
        self,
        *,
        full_pass_every_s: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.full_pass_every_s = full_pass_every_s
        self._monotonic = monotonic
        self._running = False
        self._frozen_since_full_pass = False
        self._last_full = monotonic()
        self.full_passes_ms: list[float] = []
        """How long each full pass made on the tick took (the last hundred)."""

    def start(self) -> None:
        self._running = True
        self._last_full = self._monotonic()

    def stop(self) -> None:
        """Give back what was frozen: the collector may free it again."""
        if self._running:
            gc.unfreeze()
            self._running = False

    def place(self, apply: Callable[[], None], *, added: int, rows: int) -> None:
        """Run `apply`, which puts a batch in the table (`added` new runs, `rows` new or changed
        in all). Thousands of new runs (the cache's first paint) are placed with no collection
        pass; if the batch is big, what is alive then (its runs among it) is frozen."""
        if added >= LONG_LIVED_BATCH:
            with no_collection():
                apply()
        else:
            apply()
        if self._running and rows >= FREEZE_BATCH:
            gc.freeze()
            self._frozen_since_full_pass = True

    def tick(self) -> bool:
        """Make the full pass if one is due; True when it made one."""
        if not self._running:
            return False
        if (
            not self._frozen_since_full_pass
            or self._monotonic() - self._last_full < self.full_pass_every_s
        ):
            return False
        self.full_pass()
        return True

    def full_pass(self) -> float:
        """Unfreeze, collect every generation, freeze again; how long it took, in ms."""
        self._last_full = self._monotonic()
        self._frozen_since_full_pass = False
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        took = (time.perf_counter() - started) * 1000
        self.full_passes_ms = [*self.full_passes_ms[-99:], took]
        return took
