"""The incremental order always equals the order computed from scratch."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from qa_tui.core.model import Run, RunKind, RunStatus
from qa_tui.core.runs.ordering import LiveOrder
from qa_tui.core.runs.query import SortKey, View, parse_query, visible_keys
from qa_tui.core.runs.shown import TRIGGERED, counted_as
from qa_tui.core.runs.store import RunStore
from tests.support.fakes import T0, make_run

STATUSES = list(RunStatus)


def _random_run(rng: random.Random, index: int) -> Run:
    parent = f"s{rng.randrange(5)}" if rng.random() < 0.3 else None
    return make_run(
        f"r{index}" if parent or rng.random() < 0.8 else f"s{index % 5}",
        rng.choice(STATUSES),
        provider=rng.choice(["web", "plans"]),
        minutes_ago=rng.randrange(600),
        parent_id=parent,
        kind=rng.choice([RunKind.SUITE, RunKind.TRIGGER])
        if parent is None and rng.random() < 0.2
        else RunKind.TEST,
        name=rng.choice(["login", "checkout", "search"]),
    )


@pytest.mark.parametrize("bulk_share", [0.0, LiveOrder.BULK_SHARE, float("inf")])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "view",
    [
        View(),
        View(sort=SortKey.STATUS),
        View(query=parse_query("status:failed,running,passed")),
        View(query=parse_query("login", failed_only=False), sort=SortKey.NAME),
        View(group_suites=False, sort=SortKey.PROVIDER),
        View(sort=SortKey.NAME, reverse=True),
        View(reverse=True, query=parse_query("-login")),
    ],
)
def test_batches_applied_incrementally_give_the_same_order_as_a_full_sort(
    seed: int, view: View, bulk_share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN random batches of adds and status changes WHEN applied one by one (each placed
    row by row, or in bulk, or as the batch's size decides)
    THEN the live order and the counts equal a from-scratch computation after each batch (a
    queued Bug0 trigger counted as triggered)."""
    monkeypatch.setattr(LiveOrder, "BULK_SHARE", bulk_share)
    rng = random.Random(seed)
    store = RunStore()
    order = LiveOrder(view, T0)
    order.rebuild(store)
    index = 0
    for _ in range(15):
        runs = []
        for _ in range(rng.randrange(1, 40)):
            if store and rng.random() < 0.5:
                old = rng.choice(list(store)).run
                runs.append(old.model_copy(update={"status": rng.choice(STATUSES)}))
            else:
                index += 1
                runs.append(_random_run(rng, index))
        changes = store.apply(runs)
        if rng.random() < 0.2 and len(store) > 3:
            removed = store.remove([rng.choice(list(store)).key])
            changes = changes.merged(removed)
        order.update(changes)
        expected = visible_keys(store, view, T0)
        assert order.keys == expected
        shown = [store.get(key) for key in expected]
        assert order.counts == Counter(counted_as(row.run) for row in shown if row is not None)


def test_a_batch_that_moves_no_row_keeps_the_order_as_it_was() -> None:
    """GIVEN a table sorted by start time WHEN runs only change status
    THEN the order is the very same list (the table has nothing to re-index) and the counts
    follow the new statuses."""
    store = RunStore()
    order = LiveOrder(View(), T0)
    order.update(store.apply([make_run(f"r{i}", minutes_ago=i) for i in range(50)]))
    before = order.keys
    order.update(store.apply([make_run("r3", RunStatus.PASSED, minutes_ago=3)]))
    assert order.keys is before
    assert order.counts == Counter({RunStatus.RUNNING: 49, RunStatus.PASSED: 1})


def test_a_new_filter_gives_the_order_computed_from_scratch() -> None:
    """GIVEN a live order WHEN the filter changes THEN the rebuilt order equals visible_keys."""
    rng = random.Random(3)
    store = RunStore()
    order = LiveOrder(View(), T0)
    order.update(store.apply([_random_run(rng, i) for i in range(300)]))
    for text in ("status:failed", "login", "-provider:web", ""):
        view = View(query=parse_query(text))
        order.rebuild(store, view)
        assert order.keys == visible_keys(store, view, T0)


def test_batches_after_a_new_sort_or_filter_still_give_the_order_from_scratch() -> None:
    """GIVEN a live order that has taken batches WHEN the sort or filter changes between
    batches THEN after every later batch the order and counts equal a full computation."""
    rng = random.Random(11)
    store = RunStore()
    order = LiveOrder(View(), T0)
    views = [
        View(sort=SortKey.NAME),
        View(query=parse_query("status:failed,passed")),
        View(sort=SortKey.STATUS, query=parse_query("checkout")),
        View(sort=SortKey.DURATION),
        View(sort=SortKey.DURATION, reverse=True),
        View(sort=SortKey.PROVIDER, reverse=True),
        View(),
    ]
    index = 0
    for view in views:
        order.set_view(view)
        assert order.keys == visible_keys(store, view, T0)
        for _ in range(5):
            runs = []
            for _ in range(rng.randrange(1, 30)):
                if store and rng.random() < 0.6:
                    old = rng.choice(list(store)).run
                    update = {
                        "status": rng.choice(STATUSES),
                        "name": rng.choice(["login", "checkout"]),
                    }
                    runs.append(old.model_copy(update=update))
                else:
                    index += 1
                    runs.append(_random_run(rng, index))
            order.update(store.apply(runs))
            assert order.keys == visible_keys(store, view, T0)
            expected = Counter(counted_as(store.get(key).run) for key in order.keys)  # type: ignore[union-attr]
            assert order.counts == expected


def test_a_bug0_trigger_is_counted_as_triggered_not_queued() -> None:
    """GIVEN a queued run and two Bug0 triggers (normalized queued: Bug0 has no read API)
    THEN the counts the header shows say 1 queued and 2 triggered."""
    store = RunStore()
    order = LiveOrder(View(), T0)
    trigger = {"kind": RunKind.TRIGGER, "raw": "triggered", "provider": "previews"}
    order.update(
        store.apply(
            [
                make_run("q", RunStatus.QUEUED),
                make_run("t1", RunStatus.QUEUED, **trigger),  # type: ignore[arg-type]
                make_run("t2", RunStatus.QUEUED, **trigger),  # type: ignore[arg-type]
            ]
        )
    )
    assert order.counts == Counter({RunStatus.QUEUED: 1, TRIGGERED: 2})
    assert order.total == 3
