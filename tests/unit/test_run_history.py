"""The run history on disk and as the engine writes it: bounded, outliving the cache, fed by
every run reaching a final status, and backfilled from walked pages deeper than the store."""

from __future__ import annotations

from pathlib import Path

from qa_tui.core.clock import ManualClock
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.history import RunCache
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.results import result_of, series_of
from qa_tui.core.history.service import History, HistorySettings
from qa_tui.core.model import PaneData, RunDetail, RunStatus, Step
from qa_tui.core.runs.store import RunStore
from tests.support.conditions import until
from tests.support.fakes import T0, FakeDiscoveringSource, make_run


def test_the_history_is_bounded_by_age_and_by_count(tmp_path: Path) -> None:
    now = T0.timestamp()
    history = RunHistory(tmp_path / "h.sqlite", keep_days=1, keep_runs=5, now=now)
    old = make_run("old", RunStatus.PASSED, minutes_ago=2 * 24 * 60)
    runs = [make_run(f"r{i}", RunStatus.PASSED, minutes_ago=i) for i in range(8)]
    history.add(r for run in (old, *runs) if (r := result_of(run, T0)) is not None)
    history.prune(now)
    kept = {r.run_id for r in history.since(0)}
    assert kept == {"r0", "r1", "r2", "r3", "r4"}
    history.close()


def test_the_history_outlives_a_wiped_cache(tmp_path: Path) -> None:
    """GIVEN a run recorded in both THEN deleting the cache file leaves the history whole."""
    cache = RunCache(tmp_path / "cache" / "runs.sqlite")
    history = RunHistory(tmp_path / "data" / "history.sqlite")
    run = make_run("a", RunStatus.FAILED, error="boom", target="Mobile")
    cache.save([run])
    history.add([r for r in [result_of(run, T0)] if r])
    cache.close()
    (tmp_path / "cache" / "runs.sqlite").unlink()
    history.close()
    again = RunHistory(tmp_path / "data" / "history.sqlite")
    found = again.get("web", "a")
    assert found is not None and found.error == "boom" and found.target == "Mobile"
    again.close()


def test_the_last_green_run_is_the_same_test_on_the_same_target(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite")
    runs = [
        make_run("green-old", RunStatus.PASSED, minutes_ago=90, test_id="t1", target="Mobile"),
        make_run("green", RunStatus.PASSED, minutes_ago=60, test_id="t1", target="Mobile"),
        make_run("other-target", RunStatus.PASSED, minutes_ago=30, test_id="t1", target="Default"),
        make_run("red", RunStatus.FAILED, minutes_ago=10, test_id="t1", target="Mobile"),
    ]
    history.add(r for run in runs if (r := result_of(run, T0)) is not None)
    red = runs[-1]
    found = history.last_passing(series_of(red), red.started.timestamp())  # type: ignore[union-attr]
    assert found is not None and found.run_id == "green"
    history.close()


def _engine(
    tmp_path: Path, source: FakeDiscoveringSource, clock: ManualClock, **kw: float
) -> Engine:
    settings = HistorySettings(backfill_days=kw.pop("backfill_days", 7.0))
    history = History(RunHistory(tmp_path / "h.sqlite"), settings, clock=clock)
    return Engine(
        [source],
        RunStore(),
        clock=clock,
        settings=EngineSettings(**kw),  # type: ignore[arg-type]
        history=history,
    )


async def test_the_table_gets_a_batch_before_the_history_takes_it_and_the_history_soon_after(
    tmp_path: Path,
) -> None:
    """GIVEN a run that just failed WHEN the engine emits its batch THEN the UI has the batch
    while the history has not taken it yet (the frame that shows a batch does not wait for the
    history's bookkeeping) AND the history takes it by itself moments later."""
    clock = ManualClock(start=T0)
    source = FakeDiscoveringSource(clock=clock, filters=())
    source.put(make_run("done", RunStatus.FAILED, error="E1", minutes_ago=3))
    engine = _engine(tmp_path, source, clock)
    history = engine.history
    assert history is not None
    history.loaded = True  # an empty history, already read
    strips_when_the_ui_got_it: list[object] = []
    engine.changes.subscribe(
        lambda changes: strips_when_the_ui_got_it.extend(
            history.cell(row.run) for row in changes.added
        )
    )
    await engine.pollers["web"].cycle()
    assert strips_when_the_ui_got_it == [None]
    await until(lambda: not engine.unsettled, what="the history took the batch")
    cell = history.cell(engine.store.get(("web", "done")).run)  # type: ignore[union-attr]
    assert cell is not None and list(cell.strip) == [RunStatus.FAILED]
    history.close()


async def test_every_run_reaching_a_final_status_is_recorded(tmp_path: Path) -> None:
    clock = ManualClock(start=T0)
    source = FakeDiscoveringSource(clock=clock, filters=())
    source.put(make_run("live"), make_run("done", RunStatus.FAILED, error="E1", minutes_ago=3))
    engine = _engine(tmp_path, source, clock)
    assert engine.history is not None
    await engine.pollers["web"].cycle()
    engine.settle()  # the batch reaches the history after the frame that shows it
    engine.history.flush()
    assert {r.run_id for r in engine.history.db.since(0)} == {"done"}
    source.put(make_run("live", RunStatus.PASSED))
    await engine.pollers["web"].cycle()
    engine.settle()  # the batch reaches the history after the frame that shows it
    engine.history.flush()
    assert {r.run_id for r in engine.history.db.since(0)} == {"done", "live"}
    detail = RunDetail(
        run=source.runs["done"],
        steps=PaneData[Step](
            items=(
                Step(index=2, name="click #pay", status=RunStatus.FAILED, provider_status="failed"),
            )
        ),
    )
    engine.history.record_detail(detail)
    engine.settle()  # the batch reaches the history after the frame that shows it
    engine.history.flush()
    done = engine.history.db.get("web", "done")
    assert done is not None and done.failed_step == "3. click #pay"


async def test_the_backfill_walks_past_the_store_until_backfill_days(tmp_path: Path) -> None:
    """GIVEN 400 finished runs an hour apart (16 days), pages of 50, the store keeping 2 pages
    of a history-only walk, and `backfill_days = 7` WHEN sweeps run THEN the walk goes on past
    page 2 until a page reaches back 7 days (page 4: runs 150-199 reach 8 days), the deeper runs
    reach the history and not the store, and later sweeps stop at the store's depth again."""
    clock = ManualClock(start=T0)
    source = FakeDiscoveringSource(clock=clock, page_size=50, walk_history_only=True)
    for i in range(400):
        source.put(make_run(f"done{i}", RunStatus.PASSED, minutes_ago=60 * i))
    engine = _engine(tmp_path, source, clock, history_pages=2, sweep_min_interval_s=1.0)
    assert engine.history is not None
    poller = engine.pollers["web"]
    while poller.sweeps.sweeps_done < 2:
        clock.advance(await poller.cycle())
    walked = [c for c in source.calls if c.startswith("page:all")]
    engine.settle()  # the batch reaches the history after the frame that shows it
    engine.history.flush()
    assert walked[:4] == ["page:all:0", "page:all:1", "page:all:2", "page:all:3"]
    assert walked[4:] == ["page:all:0", "page:all:1"]  # the next sweep: the store's depth only
    recorded = {r.run_id for r in engine.history.db.since(0)}
    assert {"done150", "done199"} <= recorded and "done200" not in recorded
    assert engine.store.get(("web", "done150")) is None
    assert engine.history.db.backfilled("web", "runs")


async def test_no_backfill_reads_only_what_the_store_keeps(tmp_path: Path) -> None:
    clock = ManualClock(start=T0)
    source = FakeDiscoveringSource(clock=clock, page_size=50, walk_history_only=True)
    for i in range(400):
        source.put(make_run(f"done{i}", RunStatus.PASSED, minutes_ago=60 * i))
    engine = _engine(tmp_path, source, clock, history_pages=2, backfill_days=0)
    poller = engine.pollers["web"]
    while poller.sweeps.sweeps_done < 1:
        clock.advance(await poller.cycle())
    assert [c for c in source.calls if c.startswith("page:all")] == ["page:all:0", "page:all:1"]


async def test_strips_load_beside_the_first_cycle_and_keep_what_came_meanwhile(
    tmp_path: Path,
) -> None:
    clock = ManualClock(start=T0)
    path = tmp_path / "h.sqlite"
    earlier = RunHistory(path)
    earlier.add(
        [r for r in [result_of(make_run("old", RunStatus.PASSED, minutes_ago=50), T0)] if r]
    )
    earlier.close()
    history = History(RunHistory(path), clock=clock)
    history.record_runs([make_run("new", RunStatus.FAILED, minutes_ago=1)])
    assert not history.loaded and history.cell(make_run("x")) is None
    await history.load()
    cell = history.cell(make_run("x", name="test new"))
    assert cell is not None and cell.strip == (RunStatus.FAILED,)
    assert history.cell(make_run("y", name="test old")) is not None


def test_the_history_table_is_read_and_checked_like_the_rest_of_the_config(tmp_path: Path) -> None:
    """GIVEN `[history]` with a typo and then a bad bound THEN one line naming the key each."""
    import pytest

    from qa_tui.core.config.tables import ConfigError, load_config

    base = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "t"\n'
    path = tmp_path / "c.toml"
    path.write_text(base + "[history]\nbackfill_days = 3\nincident_window_min = 10\n")
    config = load_config(path)
    assert (config.history.backfill_days, config.history.incident_window_min) == (3.0, 10.0)
    assert config.history.keep_runs == 200_000 and config.history.enabled
    path.write_text(base + "[history]\nflaky_dayz = 3\n")
    with pytest.raises(
        ConfigError, match=r"history\.flaky_dayz: unknown key \(did you mean 'flaky_days'\?\)"
    ):
        load_config(path)
    path.write_text(base + "[history]\nkeep_days = 0\n")
    with pytest.raises(ConfigError, match=r"history\.keep_days: expected a number greater than 0"):
        load_config(path)
