"""Each team instance's store against the simulator's truth, as of the moment that store was read.

An instance writes its store with the time it read it (`at`); the truth compared with it is the
simulator's status of every run *at that same time* (the timelines are functions of time), not
at whatever later moment the bench gets round to comparing. A run whose truth changed within the
last poll interval before `at` may rightly not have reached the store yet: it counts as raw but
not as settled. The poll interval is measured, not assumed: the longest gap between two requests
the server saw in the `LOOKBACK_S` before `at` (one poller's last few cycles; the last gap ends
at `at`), plus `DELIVERY_S` for the answer to be applied, published and read by a follower.

- `raw`: runs whose stored status differs from the truth at `at` (a run missing counts too);
- `in_flight`: those of them whose truth changed within the poll interval before `at`;
- `settled`: `raw` less `in_flight`: a store that is really wrong;
- `not_in_store`: runs that existed at `at` and the store never held (part of `raw`);
- `examples`: the settled mismatches themselves (a few), to look at when there are any.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise
from typing import Any

from bench.freshness_world import Key, ServerRecord, status_changes, status_functions

LOOKBACK_S = 10.0
DELIVERY_S = 0.5
MAX_EXAMPLES = 5


def poll_interval(record: ServerRecord, at: float, provider: str = "bugbrain") -> float:
    """The longest gap between two of `provider`'s requests in the `LOOKBACK_S` before `at` (the
    last one to `at` itself), plus `DELIVERY_S`; `LOOKBACK_S` when there was no request."""
    with record.lock:
        times = sorted(t for t in record.arrivals.get(provider, []) if at - LOOKBACK_S <= t <= at)
    if not times:
        return LOOKBACK_S
    return max(b - a for a, b in pairwise([*times, at])) + DELIVERY_S


def compare(
    sim: Any, states: list[dict[str, Any]], record: ServerRecord, provider: str = "bugbrain"
) -> dict[str, Any]:
    """Every instance's store against the truth at the moment it was read (see the module)."""
    changes: dict[Key, list[tuple[float, str]]] = {
        key: events
        for key, events in status_changes(status_functions(sim.sim)).items()
        if key[0] == provider and events
    }
    raw = in_flight = missing = 0
    examples: list[dict[str, Any]] = []
    intervals: list[float] = []
    for index, state in enumerate(states):
        at = float(state["at"])
        interval = poll_interval(record, at, provider)
        intervals.append(interval)
        store: dict[str, str] = state["store"]
        for (_, run_id), events in changes.items():
            last = bisect_right([t for t, _ in events], at) - 1
            if last < 0:
                continue  # not created yet at `at`
            changed, truth = events[last]
            held = store.get(run_id)
            if held == truth:
                continue
            raw += 1
            missing += held is None
            if at - changed <= interval:
                in_flight += 1
            elif len(examples) < MAX_EXAMPLES:
                examples.append(
                    {
                        "instance": index,
                        "run": run_id,
                        "truth": truth,
                        "store": held,
                        "changed_s_before": round(at - changed, 2),
                        "history": [(round(t - at, 2), s) for t, s in events],
                    }
                )
    return {
        "raw": raw,
        "in_flight": in_flight,
        "settled": raw - in_flight,
        "not_in_store": missing,
        "poll_interval_s_max": round(max(intervals), 2) if intervals else None,
        "instances": len(states),
        "examples": examples,
    }
