"""The worlds bench/freshness.py polls, and what it counts at the server.

Worlds (`ScenarioSpec`s of the simulator):

- `deep`: the world users have on a busy afternoon. BugBug: 306 test runs, 62 of them active;
  10 long test runs sit past position 250 of the newest-first list, and 2 suite runs started as
  long ago have their running test run at positions ~250 too. BugBrain: 295 executions, 30
  active, 5 of them past offset 250. The deep runs end within the counted minute or so; a new
  run arrives every 4 s on each provider, so the number of active runs holds. What a window of
  the newest 100 can never see.
- `busy`: issue 6's world, 200 active runs, every one inside the newest 100 of its list.
- `idle`: 1,000 finished runs, none active.

`ServerObserver` is ASGI middleware in front of the simulator. For every response it records
when it was sent and every run (an object with `id` and `status`) its JSON body carried, so the
lag of a status change is counted at the server: from the moment the change happened to the
first response that carried the run in that status (or a later one). It also counts requests and
429s per provider and the requests that arrived while a 429's `Retry-After` was still running.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

BUGBUG_TERMINAL = frozenset({"passed", "failed", "error", "stopped", "skipped"})
BUGBRAIN_TERMINAL = frozenset({"completed", "failed", "cancelled"})
PROVIDERS = ("bugbug", "bugbrain")

Key = tuple[str, str]
"""(simulator provider, run id)."""
StatusAt = Callable[[float], str]


def spec_for(world: str) -> Any:
    from qa_tui.sim.scenario import ScenarioSpec

    if world == "deep":
        return ScenarioSpec(
            bugbug_test_runs_finished=180,
            bugbug_test_runs_active=50,
            bugbug_test_runs_deep=10,
            bugbug_suite_runs_finished=20,
            bugbug_suite_runs_active=0,
            bugbug_suite_runs_deep=2,
            tests_per_suite=3,
            bugbrain_finished=265,
            bugbrain_active=25,
            bugbrain_deep=5,
            bugnet_bugs=0,
            new_run_every_s=4.0,
            active_span_s=(40.0, 200.0),
            history_span_s=3 * 3600.0,
            deep_below=250,
            deep_ends_within_s=(10.0, 70.0),
        )
    if world == "busy":
        return ScenarioSpec(
            bugbug_test_runs_finished=150,
            bugbug_test_runs_active=60,
            bugbug_suite_runs_finished=10,
            bugbug_suite_runs_active=15,
            tests_per_suite=3,
            bugbrain_finished=100,
            bugbrain_active=80,
            bugnet_bugs=0,
            new_run_every_s=None,
            active_span_s=(40.0, 200.0),
        )
    # 450 test runs + 50 suite runs of 3 + 350 executions = 1,000 finished runs, none active
    return ScenarioSpec(
        bugbug_test_runs_finished=450,
        bugbug_test_runs_active=0,
        bugbug_suite_runs_finished=50,
        bugbug_suite_runs_active=0,
        tests_per_suite=3,
        bugbrain_finished=350,
        bugbrain_active=0,
        bugnet_bugs=0,
        new_run_every_s=None,
    )


def _runs_in(body: Any) -> Iterator[tuple[str, str]]:
    """Every (id, status) pair in a JSON body: list items, suite runs' test runs, status calls."""
    if isinstance(body, dict):
        run_id, status = body.get("id"), body.get("status")
        if isinstance(run_id, str) and isinstance(status, str):
            yield run_id, status
        for value in body.values():
            if isinstance(value, (dict, list)):
                yield from _runs_in(value)
    elif isinstance(body, list):
        for item in body:
            yield from _runs_in(item)


class ServerObserver:
    """ASGI middleware: requests, 429s, Retry-After breaches and the runs each response carried."""

    def __init__(self, app: Any, record: ServerRecord) -> None:
        self.app = app
        self.record = record

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        provider = str(scope.get("path", "")).strip("/").split("/", 1)[0]
        arrived = time.time()
        self.record.arrive(provider, arrived)
        status = 0
        retry_after: str | None = None
        chunks: list[bytes] = []

        async def observed(message: Any) -> None:
            nonlocal status, retry_after
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"retry-after":
                        retry_after = value.decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.record.answer(provider, status, retry_after, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, observed)


class ServerRecord:
    """What the server saw, shared between the middleware (uvicorn's thread) and the bench."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[str, int] = defaultdict(int)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.http_429: dict[str, int] = defaultdict(int)
        self.inside_retry_after: dict[str, int] = defaultdict(int)
        self.blocked_until: dict[str, float] = {}
        self.carried: dict[Key, list[tuple[float, str]]] = defaultdict(list)
        self.recording = True

    def arrive(self, provider: str, at: float) -> None:
        with self.lock:
            self.requests[provider] += 1
            self.arrivals[provider].append(at)
            if at < self.blocked_until.get(provider, 0.0):
                self.inside_retry_after[provider] += 1

    def answer(self, provider: str, status: int, retry_after: str | None, body: bytes) -> None:
        now = time.time()
        with self.lock:
            if status == 429:
                self.http_429[provider] += 1
                if retry_after is not None:
                    try:
                        until = now + float(retry_after)
                    except ValueError:
                        until = now
                    self.blocked_until[provider] = max(self.blocked_until.get(provider, 0), until)
        if status != 200 or provider not in PROVIDERS or not body.startswith((b"{", b"[")):
            return
        try:
            parsed = json.loads(body)
        except ValueError:
            return
        pairs = list(_runs_in(parsed))
        with self.lock:
            for run_id, run_status in pairs:
                self.carried[(provider, run_id)].append((now, run_status))


def status_functions(sim: Any) -> dict[Key, tuple[StatusAt, list[float]]]:
    """(provider, run id) → (raw status at time t, the times its status may change)."""
    out: dict[Key, tuple[StatusAt, list[float]]] = {}
    for run in sim.bugbug.test_runs.values():
        tl = run.timeline
        out[("bugbug", run.id)] = (tl.status, [at for at, _ in tl.phases])
    for suite in sim.bugbug.suite_runs.values():
        times = [suite.created, suite.created + 1.0]
        for child in suite.children:
            times += [at for at, _ in child.timeline.phases]
        out[("bugbug", suite.id)] = (suite.status, times)
    for execution in sim.bugbrain.executions.values():
        tl = execution.timeline
        out[("bugbrain", execution.id)] = (tl.status, [at for at, _ in tl.phases])
    return out


def status_changes(
    functions: dict[Key, tuple[StatusAt, list[float]]],
) -> dict[Key, list[tuple[float, str]]]:
    """Every run's status changes, in time order: [(time, new raw status)] (creation included)."""
    changes: dict[Key, list[tuple[float, str]]] = {}
    for key, (status_at, times) in functions.items():
        events: list[tuple[float, str]] = []
        previous = None
        for at in sorted(set(times)):
            if at == float("inf"):
                continue
            status = status_at(at)
            if status != previous:
                events.append((at, status))
                previous = status
        changes[key] = events
    return changes


def lags(
    changes: dict[Key, list[tuple[float, str]]],
    observed: dict[Key, list[tuple[float, str]]],
    start: float,
    until: float,
    end: float,
) -> tuple[dict[Key, list[float]], dict[Key, int]]:
    """Lag of every change made in [start, until], per run; and per run the changes never
    delivered by `end` (when the poller stopped), which count as `end - T` (a lower bound).

    A change e_i is delivered by the first observation (t, s) with t >= T_i such that some change
    e_j, j >= i, made by time t, has status s (what was seen is e_i's status or a later one)."""
    per_run: dict[Key, list[float]] = defaultdict(list)
    missed: dict[Key, int] = defaultdict(int)
    for key, events in changes.items():
        seen = observed.get(key, [])
        for i, (at, _) in enumerate(events):
            if not start <= at <= until:
                continue
            delivered = None
            for t, status in seen:
                if t < at:
                    continue
                if any(s == status and t_j <= t + 0.001 for t_j, s in events[i:]):
                    delivered = t
                    break
            if delivered is None:
                missed[key] += 1
            per_run[key].append(end - at if delivered is None else delivered - at)
    return per_run, missed


def average_active(
    functions: dict[Key, tuple[StatusAt, list[float]]], start: float, end: float
) -> dict[str, float]:
    """Mean number of active runs per provider over [start, end], sampled every second."""
    samples: dict[str, list[int]] = defaultdict(list)
    t = start
    while t <= end:
        counts: dict[str, int] = defaultdict(int)
        for (provider, _), (status_at, times) in functions.items():
            if min(times) > t:
                continue
            terminal = BUGBUG_TERMINAL if provider == "bugbug" else BUGBRAIN_TERMINAL
            if status_at(t) not in terminal:
                counts[provider] += 1
        for provider in PROVIDERS:
            samples[provider].append(counts[provider])
        t += 1.0
    return {p: sum(v) / len(v) for p, v in samples.items() if v}


def deep_runs(sim: Any, at: float, depth: int = 100) -> dict[str, list[tuple[int, Key]]]:
    """Active runs past `depth` in their newest-first list at time `at`, with their positions:
    BugBug test runs (those of suite runs apart) and suite runs by `-started` (no start yet:
    first), BugBrain executions by creation."""
    world = sim.bugbug

    def by_start(runs: list[Any], started: Callable[[Any], float | None]) -> list[Any]:
        return sorted(runs, key=lambda r: (started(r) is not None, -(started(r) or 0.0)))

    lists = {
        "bugbug test runs": by_start(
            [r for r in world.test_runs.values() if r.timeline.exists(at)],
            lambda r: r.timeline.started(at),
        ),
        "bugbug suite runs": by_start(
            [r for r in world.suite_runs.values() if at >= r.created], lambda r: r.started(at)
        ),
        "bugbrain executions": sorted(
            [e for e in sim.bugbrain.executions.values() if e.timeline.exists(at)],
            key=lambda e: (e.timeline.created, e.id),
            reverse=True,
        ),
    }
    children = {r.id for r in world.test_runs.values() if r.suite_run_id is not None}
    out: dict[str, list[tuple[int, Key]]] = {}
    for label, runs in lists.items():
        provider = "bugbrain" if label.startswith("bugbrain") else "bugbug"
        terminal = BUGBRAIN_TERMINAL if provider == "bugbrain" else BUGBUG_TERMINAL
        out[label] = [
            (i, (provider, run.id))
            for i, run in enumerate(runs)
            if i >= depth
            and (run.status(at) if label == "bugbug suite runs" else run.timeline.status(at))
            not in terminal
        ]
    tests = out.pop("bugbug test runs")
    out["bugbug test runs"] = [(i, key) for i, key in tests if key[1] not in children]
    out["bugbug suite runs' test runs"] = [(i, key) for i, key in tests if key[1] in children]
    return out


def paging_floor(
    sim: Any, start: float, end: float, *, page: int, rpm: float, share: float
) -> dict[str, Any]:
    """The least lag BugBug's budget allows when its server pages by `page`: every cycle must
    look at every active test run once, so it reads the newest test runs down to the deepest
    shallow active one (pages of `page`), the suite runs' page, and one page for the deep runs
    while there are any. Sampled every 5 s of the run; a change waits on average half a cycle,
    so p95 of the lag cannot be under ~0.95 of a cycle at `rpm` x `share` requests a minute."""
    world, samples = sim.bugbug, []
    moment = start
    while moment <= end:
        runs = sorted(
            [r for r in world.test_runs.values() if r.timeline.exists(moment)],
            key=lambda r: (
                r.timeline.started(moment) is not None,
                -(r.timeline.started(moment) or 0.0),
            ),
        )
        active = [i for i, r in enumerate(runs) if r.timeline.status(moment) not in BUGBUG_TERMINAL]
        shallow = [i for i in active if i < 100]
        deep = len(active) > len(shallow)
        samples.append(math.ceil((max(shallow) + 1 if shallow else 1) / page) + 1 + int(deep))
        moment += 5.0
    requests = sum(samples) / max(1, len(samples))
    cycle = requests * 60.0 / (rpm * share)
    return {
        "page_size": page,
        "requests_per_cycle": round(requests, 2),
        "cycle_s": round(cycle, 2),
        "lag_p95_floor_s": round(0.95 * cycle, 2),
    }
