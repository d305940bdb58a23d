"""The local run cache: what it stores is what it gives back, and a bad row is skipped."""

from __future__ import annotations

from pathlib import Path

from qa_tui.core.history import RunCache
from qa_tui.core.model import Progress, RunStatus
from tests.support.fakes import make_run


def test_runs_come_back_as_they_were_saved_with_or_without_their_empty_fields(
    tmp_path: Path,
) -> None:
    """GIVEN runs with and without optional fields, and a row written the old way (every
    field, nulls included) WHEN the cache is read THEN each run is exactly as it was."""
    cache = RunCache(tmp_path / "runs.sqlite")
    sparse = make_run("a")
    full = make_run(
        "b",
        RunStatus.FAILED,
        progress=Progress(done=3, total=5),
        error="boom",
        parent_id="s1",
        pollable=False,
    )
    old_style = make_run("c", RunStatus.PASSED)
    cache.save([sparse, full])
    cache._db.execute(
        "INSERT INTO runs (provider, id, body, seen) VALUES (?, ?, ?, ?)",
        (old_style.provider, old_style.id, old_style.model_dump_json(), 99),
    )
    loaded = {run.id: run for run in cache.load({"web"})}
    assert loaded == {"a": sparse, "b": full, "c": old_style}
    (body,) = cache._db.execute("SELECT body FROM runs WHERE id = 'a'").fetchone()
    assert "null" not in body
    cache.close()


def test_an_unreadable_row_is_skipped_and_the_others_load(tmp_path: Path) -> None:
    cache = RunCache(tmp_path / "runs.sqlite")
    cache.save([make_run("a")])
    cache._db.execute(
        "INSERT INTO runs (provider, id, body, seen) VALUES ('web', 'x', '{\"id\": 1}', 5)"
    )
    assert [run.id for run in cache.load({"web"})] == ["a"]
    cache.close()


def test_runs_handed_over_for_later_are_on_disk_once_the_cache_closes(tmp_path: Path) -> None:
    """GIVEN runs handed to the cache by two batches, one run in both WHEN the cache closes
    THEN a new start reads every run, the twice-changed one as the later batch had it."""
    cache = RunCache(tmp_path / "runs.sqlite")
    cache.save_later([make_run("a"), make_run("b")])
    cache.save_later([make_run("b", RunStatus.FAILED, error="boom")])
    cache.close()
    reopened = RunCache(tmp_path / "runs.sqlite")
    loaded = {run.id: run.status for run in reopened.load({"web"})}
    reopened.close()
    assert loaded == {"a": RunStatus.RUNNING, "b": RunStatus.FAILED}


def test_a_flush_writes_what_was_handed_over_without_waiting_for_a_pause(tmp_path: Path) -> None:
    cache = RunCache(tmp_path / "runs.sqlite")
    cache.save_later([make_run("a")])
    cache.flush()
    other = RunCache(tmp_path / "runs.sqlite")  # another connection: what is on disk
    assert [run.id for run in other.load({"web"})] == ["a"]
    other.close()
    cache.close()


def test_a_run_that_left_the_table_is_not_shown_again_after_a_restart(tmp_path: Path) -> None:
    """GIVEN runs on disk WHEN a later batch says one left the table (its provider deleted it)
    THEN a new start reads the others only, also when the run was changed in the same breath."""
    cache = RunCache(tmp_path / "runs.sqlite")
    cache.save([make_run("a"), make_run("b")])
    cache.save_later([make_run("b", RunStatus.PASSED)])
    cache.save_later([], [("web", "b")])
    cache.close()
    reopened = RunCache(tmp_path / "runs.sqlite")
    assert [run.id for run in reopened.load({"web"})] == ["a"]
    reopened.close()
