"""The incremental order always equals the order computed from scratch."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from qa_tui.core.model import Run, RunKind, RunStatus
from qa_tui.core.ordering import LiveOrder
from qa_tui.core.query import SortKey, View, parse_query, visible_keys
from qa_tui.core.store import RunStore
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
        kind=RunKind.SUITE if parent is None and rng.random() < 0.2 else RunKind.TEST,
        name=rng.choice(["login", "checkout", "search"]),
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "view",
    [
        View(),
        View(sort=SortKey.STATUS),
        View(query=parse_query("status:failed,running,passed")),
        View(query=parse_query("login", failed_only=False), sort=SortKey.NAME),
        View(group_suites=False, sort=SortKey.PROVIDER),
    ],
)
def test_batches_applied_incrementally_give_the_same_order_as_a_full_sort(
    seed: int, view: View
) -> None:
    """GIVEN random batches of adds and status changes WHEN applied one by one
    THEN the live order and the counts equal a from-scratch computation after each batch."""
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
        assert order.counts == Counter(row.run.status for row in shown if row is not None)
