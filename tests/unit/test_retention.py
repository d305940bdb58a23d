"""Retention: a run its provider deleted leaves the table once a whole walk of its list shows it
gone; nothing is taken for gone on less than that.

The engine runs on a manual clock against a scripted source whose walk lists every run, newest
first, 10 to a page; deleting a run from the source is what a provider's retention does.
"""

from __future__ import annotations

from qa_tui.core.clock import ManualClock
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.engine.retention import WalkReads
from qa_tui.core.model import HealthState, RunStatus
from qa_tui.core.runs.store import Changes, RunKey, RunStore
from tests.support.fakes import FakeDiscoveringSource, make_run


class _Project:
    """A provider holding `count` finished runs, one a minute (done0 the newest), listed 10 to a
    page by its walk alone, and an engine on a manual clock, once swept."""

    def __init__(self, count: int = 30, *, history_only: bool = False, **settings: int) -> None:
        self.clock = ManualClock()
        self.source = FakeDiscoveringSource(
            clock=self.clock, filters=(), page_size=10, walk_history_only=history_only
        )
        for i in range(count):
            self.source.put(make_run(f"done{i}", RunStatus.PASSED, minutes_ago=i))
        self.removed: list[RunKey] = []
        """What the table is told: every key removed, in order."""
        self.engine = Engine(
            [self.source],
            RunStore(),
            clock=self.clock,
            settings=EngineSettings(discover_window=5, initial_window=5, **settings),
            on_changes=self._told,
        )

    def _told(self, changes: Changes) -> None:
        self.removed += changes.removed

    def delete(self, *numbers: int) -> None:
        """What the provider's retention does."""
        for i in numbers:
            del self.source.runs[f"done{i}"]

    async def sweeps(self, count: int = 1) -> None:
        """Run cycles (time moving as each one asks) until `count` more sweeps have finished."""
        poller = self.engine.pollers["web"]
        goal = poller.sweeps.sweeps_done + count
        cycles = 0
        while poller.sweeps.sweeps_done < goal:
            self.clock.advance(await poller.cycle())
            cycles += 1
            assert cycles < 200, "the sweeps never finished"

    def ids(self) -> set[str]:
        return {run.id for run in self.engine.store.runs_of("web")}


async def test_runs_the_provider_deleted_leave_the_table_after_a_whole_walk_of_its_list() -> None:
    project = _Project()
    await project.sweeps()
    assert len(project.ids()) == 30
    project.delete(*range(20, 30))  # the provider keeps its newest 20
    await project.sweeps()
    assert project.ids() == {f"done{i}" for i in range(20)}
    assert sorted(project.removed) == sorted(("web", f"done{i}") for i in range(20, 30))


async def test_a_run_deleted_from_the_middle_of_the_list_goes_when_two_whole_walks_miss_it() -> (
    None
):
    """Pages shift when a run above others goes, so one whole walk missing a run mid-list may
    only have skipped it: it stays; the next walk missing it too says it is gone."""
    project = _Project()
    await project.sweeps()
    project.delete(15)
    await project.sweeps()
    assert "done15" in project.ids() and project.removed == []
    await project.sweeps()
    assert "done15" not in project.ids() and project.removed == [("web", "done15")]


async def test_a_walk_stopped_at_the_history_depth_takes_nothing_for_gone() -> None:
    project = _Project(50, history_only=True, history_pages=3)
    await project.sweeps()
    kept = project.ids()
    project.delete(*range(40, 50))
    await project.sweeps(2)
    assert project.ids() == kept and project.removed == []


async def test_the_run_open_in_the_detail_view_stays_while_it_is_open() -> None:
    project = _Project()
    await project.sweeps()
    project.engine.focus = ("web", "done29")
    project.delete(*range(25, 30))
    await project.sweeps()
    assert "done29" in project.ids()
    assert {f"done{i}" for i in range(25, 29)}.isdisjoint(project.ids())


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


async def test_a_running_run_the_provider_deleted_leaves_the_table_and_polling_goes_on() -> None:
    """GIVEN a running run on the table WHEN its provider deletes it (its own read answers 404)
    THEN the next cycle takes it off the table and the provider stays healthy (it used to fail
    every cycle at that run)."""
    project = _Project(3)
    project.source.put(make_run("long", RunStatus.RUNNING, minutes_ago=1))
    await project.sweeps()
    assert "long" in project.ids()
    del project.source.runs["long"]
    poller = project.engine.pollers["web"]
    project.clock.advance(await poller.cycle())
    project.clock.advance(await poller.cycle())
    assert "long" not in project.ids() and ("web", "long") in project.removed
    assert poller.health.state is HealthState.OK and poller.backoff_s == 0.0
