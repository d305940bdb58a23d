"""Retention: a run its provider deleted leaves the table once a whole walk of its list shows it
gone; nothing is taken for gone on less than that.

The engine runs on a manual clock against a scripted source whose walk lists every run, newest
first, 10 to a page; deleting a run from the source is what a provider's retention does.
"""

from __future__ import annotations

from qa_tui.core.clock import ManualClock
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.engine.retention import WalkReads
from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import Changes, RunKey, RunStore
from tests.support.fakes import FakeDiscoveringSource, make_run


def _project(source: FakeDiscoveringSource, count: int = 30) -> None:
    """`count` finished runs, one a minute, done0 the newest."""
    for i in range(count):
        source.put(make_run(f"done{i}", RunStatus.PASSED, minutes_ago=i))


class _Table:
    """What the table is told: every key removed, in order."""

    def __init__(self) -> None:
        self.removed: list[RunKey] = []

    def __call__(self, changes: Changes) -> None:
        self.removed += changes.removed


def _engine(
    source: FakeDiscoveringSource, clock: ManualClock, table: _Table, **settings: int
) -> Engine:
    return Engine(
        [source],
        RunStore(),
        clock=clock,
        settings=EngineSettings(discover_window=5, initial_window=5, **settings),
        on_changes=table,
    )


async def _sweeps(engine: Engine, clock: ManualClock, count: int) -> None:
    """Run cycles (time moving as each one asks) until `count` more sweeps have finished."""
    poller = engine.pollers["web"]
    goal = poller.sweeps.sweeps_done + count
    cycles = 0
    while poller.sweeps.sweeps_done < goal:
        clock.advance(await poller.cycle())
        cycles += 1
        assert cycles < 200, "the sweeps never finished"


def _ids(engine: Engine) -> set[str]:
    return {run.id for run in engine.store.runs_of("web")}


async def test_runs_the_provider_deleted_leave_the_table_after_a_whole_walk_of_its_list() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, filters=(), page_size=10)
    _project(source)
    table = _Table()
    engine = _engine(source, clock, table)
    await _sweeps(engine, clock, 1)
    assert len(_ids(engine)) == 30
    for i in range(20, 30):  # the provider keeps its newest 20
        del source.runs[f"done{i}"]
    await _sweeps(engine, clock, 1)
    assert _ids(engine) == {f"done{i}" for i in range(20)}
    assert sorted(table.removed) == sorted(("web", f"done{i}") for i in range(20, 30))


async def test_a_run_deleted_from_the_middle_of_the_list_goes_when_two_whole_walks_miss_it() -> (
    None
):
    """Pages shift when a run above others goes, so one whole walk missing a run mid-list may
    only have skipped it: it stays; the next walk missing it too says it is gone."""
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, filters=(), page_size=10)
    _project(source)
    table = _Table()
    engine = _engine(source, clock, table)
    await _sweeps(engine, clock, 1)
    del source.runs["done15"]
    await _sweeps(engine, clock, 1)
    assert "done15" in _ids(engine) and table.removed == []
    await _sweeps(engine, clock, 1)
    assert "done15" not in _ids(engine) and table.removed == [("web", "done15")]


async def test_a_walk_stopped_at_the_history_depth_takes_nothing_for_gone() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, filters=(), page_size=10, walk_history_only=True)
    _project(source, 50)
    table = _Table()
    engine = _engine(source, clock, table, history_pages=3)
    await _sweeps(engine, clock, 1)
    kept = _ids(engine)
    for i in range(40, 50):
        del source.runs[f"done{i}"]
    await _sweeps(engine, clock, 2)
    assert _ids(engine) == kept and table.removed == []


async def test_the_run_open_in_the_detail_view_stays_while_it_is_open() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, filters=(), page_size=10)
    _project(source)
    table = _Table()
    engine = _engine(source, clock, table)
    await _sweeps(engine, clock, 1)
    engine.focus = ("web", "done29")
    for i in range(25, 30):
        del source.runs[f"done{i}"]
    await _sweeps(engine, clock, 1)
    ids = _ids(engine)
    assert "done29" in ids
    assert {f"done{i}" for i in range(25, 29)}.isdisjoint(ids)


def _reads() -> WalkReads:
    source = FakeDiscoveringSource(clock=ManualClock())
    return WalkReads(source.walked_by, source.list_position)


def test_an_active_run_missing_from_a_whole_walk_stays() -> None:
    """An active run is polled: its own reads say what became of it, not a list."""
    reads = _reads()
    shown = [make_run(f"r{i}", RunStatus.PASSED, minutes_ago=i) for i in range(3)]
    old_running = make_run("old", RunStatus.RUNNING, minutes_ago=60)
    old_passed = make_run("older", RunStatus.PASSED, minutes_ago=61)
    whole = reads.page_read("runs", "runs", 0, shown, more=False)
    assert whole is not None
    assert reads.gone("runs", whole, [*shown, old_running, old_passed]) == [("web", "older")]


def test_a_walk_that_missed_a_page_or_showed_nothing_proves_nothing() -> None:
    reads = _reads()
    stored = [make_run(f"r{i}", RunStatus.PASSED, minutes_ago=i) for i in range(3)]
    assert reads.page_read("runs", "runs", 0, stored[:1], more=True) is None
    assert reads.page_read("runs", "runs", 2, [], more=False) is None  # page 1 never read
    empty = reads.page_read("runs", "runs", 0, [], more=False)
    assert empty is not None and reads.gone("runs", empty, stored) == []
