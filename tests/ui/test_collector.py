"""Runs stay out of the garbage collector's way; what that holds back is freed on the tick."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from qa_tui.core.engine import Engine
from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.collector import FREEZE_BATCH, RunsOutOfTheCollector
from tests.support.fakes import FakeSource, make_run
from tests.support.pilot import table_with_rows


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Cycle:
    """Garbage only the collector can free (reference counting cannot)."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def nothing_frozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_big_batch_moves_what_is_alive_out_of_the_collectors_passes() -> None:
    collector = RunsOutOfTheCollector()
    collector.start()
    kept = [[index] for index in range(1000)]
    collector.place(lambda: None, added=0, rows=FREEZE_BATCH)
    assert gc.get_freeze_count() >= len(kept)
    collector.stop()
    assert gc.get_freeze_count() == 0  # given back on stop


def test_a_batch_of_a_few_runs_is_left_to_the_collector() -> None:
    collector = RunsOutOfTheCollector()
    collector.start()
    collector.place(lambda: None, added=0, rows=FREEZE_BATCH - 1)
    assert gc.get_freeze_count() == 0
    collector.stop()


def test_garbage_frozen_with_a_batch_is_freed_by_the_full_pass_on_the_tick() -> None:
    clock = FakeMonotonic()
    collector = RunsOutOfTheCollector(full_pass_every_s=300, monotonic=clock)
    collector.start()
    try:
        garbage = weakref.ref(Cycle())  # unreachable at once, but only a pass can free it
        collector.place(lambda: None, added=0, rows=FREEZE_BATCH)
        gc.collect()
        assert garbage() is not None  # frozen: no automatic or explicit pass looks at it
        clock.now += 299
        assert collector.tick() is False
        assert garbage() is not None
        clock.now += 1
        assert collector.tick() is True
        assert garbage() is None
        assert gc.get_freeze_count() > 0  # the rest is frozen again
        assert len(collector.full_passes_ms) == 1
    finally:
        collector.stop()


def test_no_full_pass_when_nothing_was_frozen_since_the_last() -> None:
    clock = FakeMonotonic()
    collector = RunsOutOfTheCollector(full_pass_every_s=300, monotonic=clock)
    collector.start()
    try:
        clock.now += 301
        assert collector.tick() is False
        collector.place(lambda: None, added=0, rows=FREEZE_BATCH)
        assert collector.tick() is True
        clock.now += 301
        assert collector.tick() is False  # nothing frozen since: nothing held back
    finally:
        collector.stop()


def test_a_collector_not_started_freezes_nothing_and_never_collects() -> None:
    clock = FakeMonotonic()
    collector = RunsOutOfTheCollector(full_pass_every_s=0, monotonic=clock)
    collector.place(lambda: None, added=0, rows=FREEZE_BATCH * 10)
    assert gc.get_freeze_count() == 0
    assert collector.tick() is False


async def test_the_app_freezes_a_big_batch_and_gives_everything_back_on_exit() -> None:
    app = QaTuiApp(Engine([FakeSource()], RunStore()), tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        runs = [make_run(f"r{i}", RunStatus.PASSED) for i in range(FREEZE_BATCH)]
        app._engine_changes(app.engine.store.apply(runs))
        await table_with_rows(pilot, FREEZE_BATCH)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
