"""The scenario: a clock, the shape of the simulated world, and how one run moves through time.

Everything the simulator reports about a run is *derived from the clock*: each run carries a
:class:`Timeline` (a list of ``(time, raw status)`` phases plus the finish time of every step), and
its status, progress, start and end are computed from ``clock.now()``. Advancing a manual clock is
therefore deterministic, and no background task is needed to make runs move. Stopping or cancelling
a run *freezes* its timeline at that moment with the provider's stop word.

Two clock modes:

* **manual** (tests, benchmarks that want control): time only moves on :meth:`ScenarioClock.advance`;
  it starts at a fixed epoch (:data:`DEFAULT_EPOCH`, 2025-06-02T12:00:00Z) so payloads are stable.
* **real time** (demo, ``qa-tui sim``): starts at the wall clock and runs ``speed`` times faster
  than it. ``advance()`` also works there (it adds an offset), which a soak test can use.

:class:`ScenarioSpec` chooses the sizes of the world (how many runs are active and finished per
provider, how often new runs appear, whether names are hostile). Randomness comes from
:func:`rng_for`, seeded from the scenario seed and a label, so the same seed gives the same world
whatever order requests arrive in.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qa_tui.sim.dialects import Dialect
from qa_tui.sim.org.spec import OrgSpec

DEFAULT_EPOCH = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC).timestamp()
"""Where a manual clock starts unless told otherwise (a fixed moment, so payloads are stable)."""

HOSTILE_NAMES: tuple[str, ...] = (
    "[red]x[/red]",
    "[link=https://evil.example/phish]y[/link] checkout",
    "\x1b]52;c;ZWNobyBwd25lZCB8IHNo\x07copy me",
    "\x1b[2J\x1b[Hscreen wiped",
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ hyperlink",
    "\u202egnp.exe\u202c bidi override",
    "zero\u200bwidth\u200d\ufeffjoiners",
    "[bold blink]loud[/] :warning: {name} %s",
    "<script>alert('sim')</script> html",
    "Long " + "name " * 60,
)
"""Names a ``hostile_names`` scenario gives to some tests, suites, plans, results and bugs.

Rich markup, a hyperlink tag, an OSC 52 clipboard write, a clear-screen, an OSC 8 hyperlink, a
right-to-left override, zero-width characters, format placeholders, an HTML script tag and a
very long name. A client must show every one of them as literal text.
"""


class ScenarioClock:
    """The simulator's notion of *now*, in unix seconds (UTC).

    Thread-safe: a test may advance it from its own thread while uvicorn serves in another.
    """

    def __init__(self, *, manual: bool, start: float | None = None, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.manual = manual
        self.speed = speed
        self.start = (DEFAULT_EPOCH if manual else time.time()) if start is None else start
        self._mono0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    @classmethod
    def manual_at(cls, start: float = DEFAULT_EPOCH) -> ScenarioClock:
        """A clock that moves only when :meth:`advance` is called."""
        return cls(manual=True, start=start)

    @classmethod
    def realtime(cls, speed: float = 1.0, start: float | None = None) -> ScenarioClock:
        """A clock that follows the wall clock, ``speed`` times faster, from ``start`` (now)."""
        return cls(manual=False, start=start, speed=speed)

    def now(self) -> float:
        with self._lock:
            if self.manual:
                return self.start + self._offset
            return self.start + (time.monotonic() - self._mono0) * self.speed + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backwards); returns the new now."""
        if seconds < 0:
            raise ValueError("the scenario clock never goes backwards")
        with self._lock:
            self._offset += seconds
        return self.now()

    def real_seconds(self, scenario_seconds: float) -> float:
        """How long a wait of ``scenario_seconds`` takes on the wall clock (inf when manual)."""
        return float("inf") if self.manual else scenario_seconds / self.speed


@dataclass(frozen=True)
class ScenarioSpec:
    """The size and flavour of the simulated world. Defaults give the demo (~20-40 runs each)."""

    bugbug_test_runs_finished: int = 14
    bugbug_test_runs_active: int = 5
    bugbug_suite_runs_finished: int = 3
    bugbug_suite_runs_active: int = 1
    tests_per_suite: int = 3
    bugbrain_finished: int = 16
    bugbrain_active: int = 5
    bugnet_bugs: int = 12
    new_run_every_s: float | None = 25.0
    """Scenario seconds between new runs appearing (per run provider); None: no new runs."""
    retain_runs: int | None = None
    """Each provider keeps at most this many runs (a BugBug suite run with its test runs counts
    as one): once new runs pass it, the oldest finished ones go, from its lists and its
    endpoints alike, as a provider's retention window would; with `new_run_every_s` the world
    then holds a constant number of runs all day. None: every run is kept (as before)."""
    active_span_s: tuple[float, float] = (20.0, 120.0)
    """How long an active run takes from start to end (min, max), in scenario seconds."""
    history_span_s: float = 8 * 3600.0
    """Finished runs are spread over this much time before the scenario start."""
    hostile_names: bool = False
    bugbug_test_runs_deep: int = 0
    """Test runs still active that sit deep in the newest-first list: long runs started before
    `deep_below` newer ones (counted among all the provider's runs of that list)."""
    bugbug_suite_runs_deep: int = 0
    """Suite runs started as deep, whose test runs run one after another well into the scenario."""
    bugbrain_deep: int = 0
    """Executions still active created before `deep_below` newer ones."""
    deep_below: int = 250
    """How many runs a deep active run has above it in its list when the scenario starts."""
    deep_ends_within_s: tuple[float, float] = (15.0, 60.0)
    """When deep active runs end, in scenario seconds after the start (min, max)."""
    sync_wait_cap_s: float = 10.0
    """Longest a synchronous BugBrain ``POST /executions`` blocks, in real seconds."""
    triage: bool = False
    """Plant what a run history should find (:mod:`qa_tui.sim.triage`): tests flaky on one target
    and steady on another, a staging outage failing many tests with one error, strips' worth of
    history; the ordinary runs then never fail a test. The demo and ``qa-tui sim`` turn it on."""
    bugbug_local_runs: int = 0
    """Finished BugBug test runs made on a user's machine (``runMode`` ``local`` or ``recording``;
    every other one failed, all of one test on one profile with one error): a client must keep
    them out of flaky rates and incidents (providers.md §1.2, ``runMode``). 0 leaves the world as
    it was."""
    dialect: Dialect = field(default_factory=Dialect)
    """How the docs' loose facts are read (:mod:`qa_tui.sim.dialects`); the default is the
    simulator's reading before dialects existed."""
    org: OrgSpec | None = None
    """Several projects of each service (sim/org/projects.py: ``qa-tui sim --projects N``); None: one each.
    Every project beyond the first gets a world of its own from these same settings."""


def rng_for(seed: int, *labels: object) -> random.Random:
    """A random source that depends only on the seed and the labels (not on call order)."""
    return random.Random(":".join([str(seed), *map(str, labels)]))


def uuid_from(rng: random.Random) -> str:
    """A version-4 shaped UUID string drawn from ``rng`` (deterministic)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def token_from(rng: random.Random, n: int, alphabet: str = "0123456789abcdef") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


@dataclass
class Timeline:
    """When a run changes status, and when each of its steps finishes.

    ``phases`` are ``(time, raw status)`` in time order; the first one is the run's creation. The
    run starts running at ``start`` and reaches its last (terminal) phase at ``end``. ``steps``
    holds the finish time of each step that will execute (a failing run stops at its failing step,
    so it may hold fewer entries than ``total_steps``).
    """

    phases: list[tuple[float, str]]
    start: float
    end: float
    total_steps: int
    steps: list[float] = field(default_factory=list)
    frozen: tuple[float, str] | None = None

    @property
    def created(self) -> float:
        return self.phases[0][0]

    def _cut(self, now: float) -> float:
        return min(now, self.frozen[0]) if self.frozen else now

    def exists(self, now: float) -> bool:
        return now >= self.created

    def status(self, now: float) -> str:
        if self.frozen and now >= self.frozen[0]:
            return self.frozen[1]
        current = self.phases[0][1]
        for at, status in self.phases:
            if at <= now:
                current = status
        return current

    def changed_at(self, now: float) -> float:
        """The time of the last status change at or before ``now``."""
        if self.frozen and now >= self.frozen[0]:
            return self.frozen[0]
        return max(at for at, _ in self.phases if at <= now) if self.exists(now) else self.created

    def steps_done(self, now: float) -> int:
        cut = self._cut(now)
        return sum(1 for t in self.steps if t <= cut)

    def modified(self, now: float) -> float:
        """Last change of any kind (status or a finished step)."""
        cut = self._cut(now)
        done = [t for t in self.steps if t <= cut]
        return max([self.changed_at(now), *done])

    def started(self, now: float) -> float | None:
        return self.start if self._cut(now) >= self.start else None

    def ended(self, now: float) -> float | None:
        if self.frozen and now >= self.frozen[0]:
            return self.frozen[0]
        return self.end if now >= self.end else None

    def is_over(self, now: float) -> bool:
        return self.ended(now) is not None

    def freeze(self, now: float, status: str) -> None:
        """Stop the run here: it keeps ``status`` forever; steps after ``now`` never finish."""
        if self.frozen is None:
            self.frozen = (now, status)


def plan_timeline(
    rng: random.Random,
    *,
    created: float,
    start: float,
    end: float,
    total_steps: int,
    final: str,
    fails_at_step: bool,
    before: tuple[str, ...],
    running: str = "running",
    pause: str | None = None,
) -> Timeline:
    """Lay out a run: ``before`` statuses between creation and ``start``, then ``running`` with
    steps finishing one by one, optionally a ``pause`` in the middle, then ``final`` at ``end``.

    With ``fails_at_step`` the run stops at a random step (the failing one finishes at ``end``).
    """
    phases: list[tuple[float, str]] = []
    gap = max(start - created, 0.0)
    for i, status in enumerate(before):
        phases.append((created + gap * i / max(len(before), 1), status))
    phases.append((start, running))
    executed = total_steps
    if fails_at_step and total_steps > 1:
        executed = rng.randint(max(1, total_steps // 3), total_steps)
    span = max(end - start, 0.001)
    cuts = sorted(rng.uniform(0.05, 0.95) for _ in range(max(executed - 1, 0)))
    steps = [start + span * c for c in cuts] + [end]
    if pause is not None and executed >= 3:
        p0 = steps[executed // 2 - 1]
        phases += [(p0, pause), (p0 + (steps[executed // 2] - p0) / 2, running)]
    phases.append((end, final))
    if final in ("stopped", "cancelled", "skipped"):
        steps = [t for t in steps[:-1] if t < end]
    return Timeline(phases=phases, start=start, end=end, total_steps=total_steps, steps=steps)


@dataclass(frozen=True)
class Schedule:
    """When one generated run is created, starts and ends, and a forced outcome if any."""

    created: float
    start: float
    end: float
    forced: str | None = None
    """The outcome to give: ``pass``, ``fail``, ``error``, ``skip`` or ``cancel`` (see
    :data:`OUTCOME_DECK`); None lets the generator roll its dice."""


OUTCOME_DECK = ("pass", "fail", "pass", "error", "pass", "fail", "pass", "skip", "fail", "cancel")
"""Outcomes dealt in turn to generated runs, so every world of a few runs has each kind."""


def finished_schedule(rng: random.Random, index: int, t0: float, spec: ScenarioSpec) -> Schedule:
    """The ``index``-th run that ended before the scenario started."""
    created = t0 - rng.uniform(300.0, max(spec.history_span_s, 600.0))
    start = created + rng.uniform(2.0, 30.0)
    end = min(start + rng.uniform(20.0, 300.0), t0 - 1.0)
    return Schedule(created, start, end, forced=OUTCOME_DECK[index % len(OUTCOME_DECK)])


def active_schedule(rng: random.Random, index: int, t0: float, spec: ScenarioSpec) -> Schedule:
    """A run that is queued or running when the scenario starts.

    The first two always finish in the first minute (one failing, one passing) so a demo shows
    movement at once; the rest start within ~15 s and take ``spec.active_span_s``.
    """
    low, high = spec.active_span_s
    if index == 0:
        return Schedule(t0 - 14.0, t0 - 12.0, t0 + 20.0 + rng.uniform(0, 8), forced="fail")
    if index == 1:
        return Schedule(t0 - 25.0, t0 - 22.0, t0 + 38.0 + rng.uniform(0, 10), forced="pass")
    created = t0 - rng.uniform(0.0, 30.0)
    start = max(created + rng.uniform(1.0, 6.0), t0 - rng.uniform(0.0, 20.0))
    start = max(start, created + 1.0)
    if index % 3 == 2:
        start = t0 + rng.uniform(2.0, 15.0)  # still queued when the scenario starts
    end = max(start + rng.uniform(low, high), t0 + 5.0)
    return Schedule(created, start, end, forced=OUTCOME_DECK[(index + 3) % len(OUTCOME_DECK)])


def deep_schedule(
    rng: random.Random, index: int, t0: float, spec: ScenarioSpec, below: float
) -> Schedule:
    """A long run started just before the moment `below` (so the runs newer than that moment sit
    above it in a newest-first list) that is still active and ends within
    `spec.deep_ends_within_s` of the scenario's start."""
    start = below - 1.0 - index * 2.0
    low, high = spec.deep_ends_within_s
    end = t0 + rng.uniform(low, high)
    forced = ("pass", "fail", "pass", "error")[index % 4]  # runs that ran: none skipped unstarted
    return Schedule(start - rng.uniform(1.0, 5.0), start, end, forced=forced)


def moment_below(moments: list[float], count: int, default: float) -> float:
    """The `count`-th latest of `moments` (the time below which `count` runs are newer)."""
    ordered = sorted(moments, reverse=True)
    return ordered[count - 1] if 0 < count <= len(ordered) else default


def periodic_schedule(
    rng: random.Random, index: int, t0: float, spec: ScenarioSpec, every: float
) -> Schedule:
    """The ``index``-th run appearing after the scenario started, one every ``every`` seconds."""
    created = t0 + every * (index + 1)
    start = created + rng.uniform(2.0, 8.0)
    low, high = spec.active_span_s
    return Schedule(created, start, start + rng.uniform(low, high))
