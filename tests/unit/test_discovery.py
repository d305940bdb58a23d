"""Discovery: active runs are found at any depth, within the budget, leaving the user's reserve.

The engine runs on a manual clock against a scripted source whose lists filter by raw status and
page by 100, newest first, as BugBug's and BugBrain's do.
"""

from __future__ import annotations

from qa_tui.core.clock import ManualClock
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.engine.discovery import PageTask, SweepPlanner, discovery_reserve
from qa_tui.core.errors import NetworkError
from qa_tui.core.model import RunKind, RunStatus
from qa_tui.core.providers.base import ListQuery, QueryPage
from qa_tui.core.runs.store import Changes, RunStore
from tests.support.fakes import FakeDiscoveringSource, make_run


def _busy_project(source: FakeDiscoveringSource, *, deep: int = 10) -> list[str]:
    """290 finished runs, newest first, with `deep` running ones sitting at positions 250 on."""
    for i in range(290):
        source.put(make_run(f"done{i}", RunStatus.PASSED, minutes_ago=i))
    ids = [f"deep{i}" for i in range(deep)]
    for i, run_id in enumerate(ids):
        source.put(make_run(run_id, minutes_ago=250.5 + i))
    return ids


def _engine(source: FakeDiscoveringSource, clock: ManualClock, **settings: float) -> Engine:
    return Engine([source], RunStore(), clock=clock, settings=EngineSettings(**settings))  # type: ignore[arg-type]


async def _cycle_until_swept(engine: Engine, clock: ManualClock, source_name: str = "web") -> int:
    """Run cycles (time moving as each one asks) until one sweep has finished; the cycle count."""
    poller = engine.pollers[source_name]
    cycles = 0
    while poller.sweeps.sweeps_done == 0:
        wait = await poller.cycle()
        cycles += 1
        clock.advance(wait)
        assert cycles < 50, "the sweep never finished"
    return cycles


async def test_active_runs_deep_in_the_list_are_found_within_one_sweep() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock)
    deep = _busy_project(source)
    engine = _engine(source, clock)
    await _cycle_until_swept(engine, clock)
    for run_id in deep:
        row = engine.store.get(("web", run_id))
        assert row is not None and row.run.status is RunStatus.RUNNING


async def test_the_first_paint_goes_out_before_the_sweep_asks_for_anything() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock)
    _busy_project(source)
    calls_at_batch: list[list[str]] = []

    def record(_: Changes) -> None:
        calls_at_batch.append(list(source.calls))

    engine = Engine([source], RunStore(), clock=clock, on_changes=record)
    await engine.pollers["web"].cycle()
    assert calls_at_batch[0] == ["list:100"]
    assert any(call.startswith("page:running") for call in calls_at_batch[-1])


async def test_the_sweep_never_spends_the_share_reserved_for_user_actions() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, per_minute=30, page_size=20)
    for i in range(290):
        source.put(make_run(f"done{i}", RunStatus.PASSED, minutes_ago=i))
    left_before_page: list[float] = []
    list_page = source.list_page

    async def watched(query: ListQuery, page: int) -> QueryPage:
        left_before_page.append(source.budget.available())
        return await list_page(query, page)

    source.list_page = watched  # type: ignore[method-assign]
    engine = _engine(source, clock)
    poller = engine.pollers["web"]
    reserve = discovery_reserve(source.budget, engine.settings)
    assert reserve > 0
    cycles = 0
    while poller.sweeps.sweeps_done == 0 and cycles < 20:
        clock.advance(await poller.cycle())
        cycles += 1
    assert len(left_before_page) == 12  # two status filters and ten pages of the walk
    assert min(left_before_page) >= 1 + reserve  # each page left the reserve untouched
    assert cycles > 1  # 12 pages at 30 a minute: the sweep was spread over several cycles


async def test_deep_runs_are_refreshed_by_one_page_of_the_time_range_around_them() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock)
    deep = _busy_project(source)
    engine = _engine(source, clock)
    await _cycle_until_swept(engine, clock)
    source.calls.clear()
    source.put(make_run(deep[0], RunStatus.FAILED, minutes_ago=250.5))  # it finished
    source.put(make_run(deep[5], RunStatus.RUNNING, raw="paused", minutes_ago=255.5))
    await engine.pollers["web"].cycle()
    assert source.calls == ["list:20", "page:range:0"]  # no filter, no read of its own
    finished, paused = engine.store.get(("web", deep[0])), engine.store.get(("web", deep[5]))
    assert finished is not None and finished.run.status is RunStatus.FAILED
    assert paused is not None and paused.run.provider_status == "paused"


async def test_deep_runs_sharing_a_status_are_refreshed_by_one_filtered_page() -> None:
    """Where the list has no time range (or the range overflows a page), a status filter."""
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, ranges=False)
    deep = _busy_project(source)
    engine = _engine(source, clock)
    await _cycle_until_swept(engine, clock)
    source.calls.clear()
    source.put(
        make_run(deep[3], RunStatus.RUNNING, minutes_ago=253.5, progress={"done": 2, "total": 5})
    )
    await engine.pollers["web"].cycle()
    assert source.calls == ["list:20", "page:running:0"]
    row = engine.store.get(("web", deep[3]))
    assert row is not None and row.run.progress is not None and row.run.progress.done == 2


async def test_a_deep_run_that_finished_leaves_its_filter_and_is_read_on_its_own() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, ranges=False)
    deep = _busy_project(source)
    engine = _engine(source, clock)
    await _cycle_until_swept(engine, clock)
    source.put(make_run(deep[0], RunStatus.FAILED, minutes_ago=250.5))
    source.calls.clear()
    await engine.pollers["web"].cycle()
    assert source.calls == ["list:20", "page:running:0", f"finished:{deep[0]}"]
    row = engine.store.get(("web", deep[0]))
    assert row is not None and row.run.status is RunStatus.FAILED


async def test_an_active_child_found_deep_brings_in_its_suite_run() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, filters=("running",))
    _busy_project(source, deep=0)
    source.put(
        make_run(
            "suite", kind=RunKind.SUITE, raw="queued", status=RunStatus.QUEUED, minutes_ago=260
        )
    )
    source.put(make_run("child", parent_id="suite", minutes_ago=260))
    engine = _engine(source, clock)
    await engine.pollers["web"].cycle()
    assert "parent:suite" in source.calls
    assert engine.store.get(("web", "suite")) is not None


async def test_a_walk_past_the_history_depth_adds_only_the_active_runs_it_finds() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, filters=(), page_size=50)
    _busy_project(source, deep=2)  # no status filter at all: only the walk finds them
    engine = _engine(source, clock, history_pages=2, initial_window=20)
    await _cycle_until_swept(engine, clock)
    ids = {run.id for run in engine.store.runs_of("web")}
    assert {"deep0", "deep1"} <= ids
    assert "done99" in ids and "done150" not in ids  # history down to 2 pages of 50, then actives


async def test_a_walk_that_can_only_add_history_stops_at_the_history_depth() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, page_size=50, walk_history_only=True)
    _busy_project(source)
    engine = _engine(source, clock, history_pages=2)
    await _cycle_until_swept(engine, clock)
    walked = [call for call in source.calls if call.startswith("page:all")]
    assert walked == ["page:all:0", "page:all:1"]


async def test_what_a_cycle_applied_before_a_request_failed_still_reaches_the_table() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock)
    source.put(make_run("a"), make_run("b", minutes_ago=500))
    batches: list[Changes] = []
    engine = Engine(
        [source],
        RunStore(),
        clock=clock,
        settings=EngineSettings(max_window=1, discover_window=1),
        on_changes=batches.append,
    )
    poller = engine.pollers["web"]
    await poller.cycle()
    source.put(make_run("a", RunStatus.PASSED))
    original = source.refresh_run

    async def failing_refresh(run):  # type: ignore[no-untyped-def]
        raise NetworkError("web", "connection reset")

    source.refresh_run = failing_refresh  # type: ignore[method-assign]
    await poller.cycle()
    source.refresh_run = original  # type: ignore[method-assign]
    updated = [row.run for batch in batches for row in batch.updated if row.run.id == "a"]
    assert updated and updated[-1].status is RunStatus.PASSED


def test_the_next_sweep_is_spaced_to_its_share_of_the_planned_rate() -> None:
    queries = [ListQuery("runs status=running", "runs", "running"), ListQuery("runs", "runs")]
    settings = EngineSettings(sweep_share=0.1, sweep_min_interval_s=60.0)
    planner = SweepPlanner(queries, settings)
    first = planner.next_page(now=0.0)
    assert first == PageTask(queries[0], 0)
    planner.read(first, more=False, now=1.0, planned_rpm=40.0)
    walk = planner.next_page(now=1.0)
    assert walk == PageTask(queries[1], 0)
    planner.read(walk, more=False, now=2.0, planned_rpm=40.0)
    assert planner.sweeps_done == 1
    assert planner.next_page(now=60.0) is None
    assert planner.due_at == 62.0  # 2 requests at a tenth of 40 a minute: 30 s, so the floor of 60
    planner.read(planner.next_page(now=62.0) or first, more=False, now=62.0, planned_rpm=4.0)
    planner.read(planner.next_page(now=62.0) or first, more=False, now=62.0, planned_rpm=4.0)
    assert planner.due_at == 62.0 + 300.0  # at idle (4 a minute) the same sweep waits 5 minutes


def test_a_long_walk_goes_on_where_it_stopped_in_the_next_sweep() -> None:
    walk = ListQuery("runs", "runs")
    planner = SweepPlanner([walk], EngineSettings(walk_pages_per_sweep=3))
    pages = []
    for i in range(5):
        task = planner.next_page(now=10_000.0 * i)  # far apart: every sweep is due
        assert task is not None
        pages.append(task.page)
        planner.read(task, more=True, now=10_000.0 * i, planned_rpm=60.0)
    assert pages == [0, 1, 2, 3, 4]
    assert planner.sweeps_done == 1


def test_a_status_list_the_live_cycle_read_to_its_end_is_not_read_again_by_the_sweep() -> None:
    running, queued = ListQuery("r", "runs", "running"), ListQuery("q", "runs", "queued")
    planner = SweepPlanner([running, queued], EngineSettings())
    assert planner.next_page(now=0.0) == PageTask(running, 0)
    planner.covered(running)
    assert planner.next_page(now=0.0) == PageTask(queued, 0)


async def test_history_pages_come_no_faster_than_their_share_of_the_rate() -> None:
    clock = ManualClock()
    source = FakeDiscoveringSource(clock=clock, page_size=20, walk_history_only=True, ranges=False)
    _busy_project(source)
    engine = _engine(source, clock, history_pages=10, sweep_share=0.05)
    poller = engine.pollers["web"]
    for _ in range(10):
        clock.advance(await poller.cycle())
    history = [call for call in source.calls if call.startswith("page:all")]
    assert (
        len(history) <= 2
    )  # 10 cycles of ~3.5 s: a history page every 20 s at most (5% of 51/min)
    assert history  # and yet history is crawled
