"""BugBug's things: tests, suites, profiles, and the test and suite runs made of them, with the
status words they go through (shared/providers.md §1.2, §1.3, §1.9).

A suite run owns test runs (``suiteRunId`` set on each, run one after another); its status is
derived from its children at every instant: queued until the first child starts, running while any
child runs, then ``error`` if a child errored, else ``failed`` if one failed, else ``passed``
(``stopped`` when all children were stopped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_tui.sim.dialects import PREPARING
from qa_tui.sim.scenario import Timeline

TERMINAL = frozenset({"passed", "failed", "error", "stopped", "skipped"})
STATUSES = frozenset(TERMINAL | {"running", "auto_retrying", "queued", "paused", "recording"})
RUN_STATUSES = STATUSES | {"initialized"}


@dataclass
class Step:
    id: str
    type: str


@dataclass
class Test:
    id: str
    name: str
    steps: list[Step]
    created: float


@dataclass
class Suite:
    id: str
    name: str
    tests: list[Test]
    created: float
    auto_retry: int = 0
    run_in_parallel: bool = False


@dataclass
class Profile:
    id: str
    name: str


@dataclass
class TestRun:
    id: str
    test: Test
    profile: Profile
    timeline: Timeline
    sequence: int
    triggered_by: str
    user_id: str | None
    suite_run_id: str | None = None
    error_code: str | None = None
    error_text: str | None = None  # a planted run's failing step's own message (sim/triage.py)
    has_logs: bool = True
    artifacts: dict[str, str] = field(default_factory=dict)
    """Artifact kind → artifact id."""
    step_run_ids: list[str] = field(default_factory=list)
    run_mode: str = "server"
    """``server`` (the cloud), or ``local``/``recording`` for a run made in a user's browser
    (``ScenarioSpec.bugbug_local_runs``)."""

    @property
    def name(self) -> str:
        return self.test.name

    def step_status(self, index: int, now: float) -> str | None:
        """The status of the ``index``-th step run at ``now`` (None: not reached yet)."""
        done = self.timeline.steps_done(now)
        status = self.timeline.status(now)
        if index < done:
            last = index == len(self.timeline.steps) - 1
            if last and status in ("failed", "error") and self.timeline.is_over(now):
                return status
            return "passed"
        if index == done and status in ("running", "paused"):
            return "running"
        return None


@dataclass
class SuiteRun:
    id: str
    suite: Suite
    profile: Profile
    children: list[TestRun]
    created: float
    sequence: int
    triggered_by: str
    user_id: str | None
    frozen: tuple[float, str] | None = None

    @property
    def name(self) -> str:
        return self.suite.name

    def _cut(self, now: float) -> float:
        return min(now, self.frozen[0]) if self.frozen else now

    def started(self, now: float) -> float | None:
        starts = [s for c in self.children if (s := c.timeline.started(now)) is not None]
        return min(starts) if starts else None

    def ended(self, now: float) -> float | None:
        if self.frozen and now >= self.frozen[0]:
            return self.frozen[0]
        ends = [c.timeline.ended(now) for c in self.children]
        return max(e for e in ends if e is not None) if all(e is not None for e in ends) else None

    def status(self, now: float) -> str:
        if self.frozen and now >= self.frozen[0]:
            return self.frozen[1]
        if self.started(now) is None:
            if self.children and self.children[0].timeline.status(now) == PREPARING:
                return PREPARING  # status_words=extra: the first test run is preparing
            return "queued" if now >= self.created + 1.0 else "initialized"
        if self.ended(now) is None:
            return "running"
        finals = {c.timeline.status(now) for c in self.children}
        for word in ("error", "failed"):
            if word in finals:
                return word
        if finals == {"stopped"}:
            return "stopped"
        return "passed" if "passed" in finals else "skipped"

    def changed_at(self, now: float) -> float:
        ended, started = self.ended(now), self.started(now)
        if ended is not None:
            return ended
        if started is not None:
            return started
        return self.created + 1.0 if now >= self.created + 1.0 else self.created

    def modified(self, now: float) -> float:
        return max([self.changed_at(now), *(c.timeline.modified(now) for c in self.children)])
