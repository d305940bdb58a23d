"""The run store turns what the engine saw into change batches the table applies in place."""

from __future__ import annotations

from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import Changes, RunStore
from tests.support.fakes import make_run


def test_a_new_run_is_added_and_seeing_it_again_unchanged_is_no_change() -> None:
    """GIVEN an empty store WHEN a run arrives twice THEN it is added once and then nothing."""
    store = RunStore()
    run = make_run("r1")
    assert [row.run for row in store.apply([run]).added] == [run]
    assert not store.apply([run])


def test_a_status_change_is_one_update_carrying_the_new_run() -> None:
    store = RunStore()
    store.apply([make_run("r1")])
    changes = store.apply([make_run("r1", RunStatus.PASSED)])
    assert changes.added == ()
    assert [row.run.status for row in changes.updated] == [RunStatus.PASSED]


def test_cached_runs_are_stale_until_the_provider_confirms_them() -> None:
    store = RunStore()
    store.apply([make_run("r1")], stale=True)
    assert store.get(("web", "r1")).stale  # type: ignore[union-attr]
    changes = store.apply([make_run("r1")])
    assert [row.stale for row in changes.updated] == [False]


def test_the_cache_never_overwrites_what_a_provider_already_said() -> None:
    store = RunStore()
    store.apply([make_run("r1", RunStatus.PASSED)])
    assert not store.apply([make_run("r1", RunStatus.RUNNING)], stale=True)
    assert store.get(("web", "r1")).run.status is RunStatus.PASSED  # type: ignore[union-attr]


def test_linking_a_bug_updates_the_row() -> None:
    store = RunStore()
    store.apply([make_run("r1", RunStatus.FAILED)])
    changes = store.link_bug(("web", "r1"), "bug-9")
    assert [row.bug_id for row in changes.updated] == ["bug-9"]


def test_merged_batches_keep_the_latest_row_and_cancel_an_add_then_remove() -> None:
    store = RunStore()
    first = store.apply([make_run("a"), make_run("b")])
    second = store.apply([make_run("a", RunStatus.FAILED)])
    third = store.remove([("web", "b")])
    merged = first.merged(second).merged(third)
    assert [(row.run.id, row.run.status) for row in merged.added] == [("a", RunStatus.FAILED)]
    assert merged.updated == ()
    assert merged.removed == ()


def test_an_update_then_remove_merges_to_a_removal() -> None:
    merged = Changes(updated=(RunStore().apply([make_run("a")]).added[0],)).merged(
        Changes(removed=(("web", "a"),))
    )
    assert merged.removed == (("web", "a"),)
    assert merged.updated == ()


def test_merging_into_an_empty_batch_hands_the_batch_on_as_it_is() -> None:
    """GIVEN nothing pending WHEN a batch arrives THEN it is passed on untouched (a first batch
    of ten thousand cached runs is not copied), and merging an empty batch changes nothing."""
    store = RunStore()
    batch = store.apply([make_run("a"), make_run("b")])
    assert Changes().merged(batch) is batch
    assert batch.merged(Changes()) is batch


def test_an_update_keeps_every_local_field_of_the_row() -> None:
    """GIVEN a row with a filed bug WHEN the provider reports its run again, changed
    THEN the row keeps the bug, and it is no longer stale. (The store builds the new row field
    by field for speed: a new Row field must be carried over there too.)"""
    import dataclasses

    from qa_tui.core.runs.store import Row

    given = [f.name for f in dataclasses.fields(Row) if f.init]  # `key` is worked out from `run`
    assert given == ["run", "stale", "bug_id"]
    store = RunStore()
    store.apply([make_run("a")], stale=True)
    store.link_bug(("web", "a"), "BUG-1")
    changes = store.apply([make_run("a", RunStatus.PASSED)])
    (row,) = changes.updated
    assert (row.bug_id, row.stale, row.run.status) == ("BUG-1", False, RunStatus.PASSED)
