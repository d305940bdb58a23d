"""BugBrain's in-memory world: test cases, test plans and executions, and how executions move.

An execution goes ``queued`` → ``pending`` → ``running`` (tests finishing one by one: the
timeline's steps are test completions) → ``completed`` (possibly with failed tests), ``failed``
(the execution itself broke or hit ``timeout_seconds``: the remaining tests never ran) or
``cancelled`` (``DELETE``, or a few historical ones). With ``status_words=extra`` the
``pending`` phase is called ``provisioning`` (§3.1 explains ``pending`` only as "initializing").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from qa_tui.sim import triage
from qa_tui.sim.credentials import BUGBRAIN_PROJECT_ID
from qa_tui.sim.dialects import PROVISIONING
from qa_tui.sim.scenario import (
    HOSTILE_NAMES,
    ScenarioSpec,
    Schedule,
    Timeline,
    active_schedule,
    deep_schedule,
    finished_schedule,
    moment_below,
    periodic_schedule,
    plan_timeline,
    rng_for,
    token_from,
)

TERMINAL = frozenset({"completed", "failed", "cancelled"})
LIST_FILTERS = ("pending", "running", "completed", "failed")
TEST_NAMES = (
    "Login Flow",
    "Add to Cart",
    "Checkout",
    "Search",
    "Profile Update",
    "Password Reset",
    "Signup",
    "Wishlist",
    "Order History",
    "Logout",
    "Coupon Code",
    "Product Filters",
)
ACTIONS = ("navigate", "fill", "click", "select")
CATEGORIES = ("selector_changed", "selector_changed", "timing_issue", "assertion_mismatch")
ERRORS = (
    "Element not found: .add-to-cart-btn",
    "Timeout waiting for selector #checkout-submit",
    "Expected 'Order confirmed' but found 'Payment declined'",
    "Navigation to /account failed: net::ERR_CONNECTION_RESET",
)


@dataclass
class TestCase:
    id: str
    name: str
    description: str
    steps: list[tuple[str, str, str | None, str | None]]
    """(description, action, selector, value) per step."""
    created: float
    archived: bool = False


@dataclass
class TestPlan:
    id: str
    tests: list[TestCase]


@dataclass
class Execution:
    id: str
    plan: TestPlan
    timeline: Timeline
    failing: dict[int, str] = field(default_factory=dict)
    """Index of each failing test → its error text."""
    has_analysis: bool = False
    error: str | None = None
    """Why a ``failed`` execution broke."""
    project_id: str = BUGBRAIN_PROJECT_ID
    environment: str | None = None
    """What the start asked for (`staging`, `prod`), echoed in every answer when set."""

    def test_status(self, index: int, now: float) -> str | None:
        if index >= self.timeline.steps_done(now):
            return None
        return "failed" if index in self.failing else "passed"

    def counts(self, now: float) -> tuple[int, int]:
        """(passed, failed) tests so far."""
        done = self.timeline.steps_done(now)
        failed = sum(1 for i in self.failing if i < done)
        return done - failed, failed


class BugBrainWorld:
    """Everything BugBrain knows, generated from the seed, growing as the clock moves."""

    def __init__(
        self, seed: int, spec: ScenarioSpec, t0: float, project_id: str = BUGBRAIN_PROJECT_ID
    ) -> None:
        self.seed, self.spec, self.t0 = seed, spec, t0
        self.project_id = project_id
        """The project every execution here belongs to (several projects: sim/org.py)."""
        rng = rng_for(seed, "bugbrain", "catalogue")
        names = list(TEST_NAMES) + (list(HOSTILE_NAMES) if spec.hostile_names else [])
        self.test_cases = [
            self._make_case(rng, n, t0 - 86_400 * (40 - i)) for i, n in enumerate(names)
        ]
        self.test_cases[9].archived = True
        cases = self.test_cases
        plan_ids = ["tp_smoke_web", "tp_checkout_prod", "tp_nightly_full", "tp_mobile_signup"]
        picks = [cases[:4], cases[1:4] + cases[10:12], cases[:12], [cases[i] for i in (0, 6, 4, 9)]]
        if spec.hostile_names:
            plan_ids.append("tp_[red]x[/red]\x1b[2J")
            picks.append(cases[12:] + cases[:2])
        self.plans = {pid: TestPlan(pid, tests) for pid, tests in zip(plan_ids, picks, strict=True)}
        self.executions: dict[str, Execution] = {}
        self._periodic = 0
        self._api_rng = rng_for(seed, "bugbrain", "api")
        self.planted: list[tuple[triage.Planted, Execution]] = []
        """The triage world's planted executions (`ScenarioSpec.triage`: see `sim/planting.py`)."""
        initial: list[tuple[Schedule, random.Random]] = []
        for i in range(spec.bugbrain_finished):
            r = rng_for(seed, "bugbrain", "finished", i)
            initial.append((finished_schedule(r, i, t0, spec), r))
        for i in range(spec.bugbrain_active):
            r = rng_for(seed, "bugbrain", "active", i)
            initial.append((active_schedule(r, i, t0, spec), r))
        below = moment_below([p[0].created for p in initial], spec.deep_below, t0)
        for i in range(spec.bugbrain_deep):
            r = rng_for(seed, "bugbrain", "deep", i)
            initial.append((deep_schedule(r, i, t0, spec, below), r))
        plans = list(self.plans.values())
        for j, (sched, r) in enumerate(sorted(initial, key=lambda p: p[0].created)):
            plan = r.choice(plans[:4])
            if spec.hostile_names and j % 2 == 1:
                plan = plans[4]  # every other execution runs the hostile plan
            self.add(r, plan, sched)

    def _make_case(self, rng: random.Random, name: str, created: float) -> TestCase:
        steps: list[tuple[str, str, str | None, str | None]] = [
            ("Open the page", "navigate", None, "/")
        ]
        for _ in range(rng.randint(2, 5)):
            action = rng.choice(ACTIONS[1:])
            selector = rng.choice(("#email", ".add-to-cart-btn", "button[type=submit]", "#search"))
            steps.append(
                (
                    f"{action.title()} {selector}",
                    action,
                    selector,
                    "demo@example.com" if action == "fill" else None,
                )
            )
        return TestCase(
            "tc_" + token_from(rng, 10), name, f"Checks that '{name}' works.", steps, created
        )

    def add(
        self,
        rng: random.Random,
        plan: TestPlan,
        sched: Schedule,
        timeout_s: float | None = None,
        *,
        environment: str | None = None,
        planted: triage.Planted | None = None,
    ) -> Execution:
        n = len(plan.tests)
        roll = rng.random()
        outcome = sched.forced or (
            "pass"
            if roll < 0.55
            else "fail"
            if roll < 0.85
            else "error"
            if roll < 0.95
            else "cancel"
        )
        if planted is not None:
            outcome, environment = planted.outcome, planted.where
        elif self.spec.triage and outcome == "fail":
            outcome = "pass"  # the triage world's only test failures are the planted ones
        final = {"error": "failed", "cancel": "cancelled"}.get(outcome, "completed")
        with_failures = outcome == "fail"
        end, error = sched.end, None
        if timeout_s is not None and end - sched.created > timeout_s:
            final, with_failures = "failed", False
            end = max(sched.created + timeout_s, sched.start + 0.5)
            error = f"Execution timed out after {timeout_s:g}s"
        timeline = plan_timeline(
            rng,
            created=sched.created,
            start=sched.start,
            end=end,
            total_steps=n,
            final=final,
            fails_at_step=final == "failed",
            before=("queued", PROVISIONING if self.spec.dialect.extra_words else "pending"),
        )
        if final == "failed" and error is None:
            error = rng.choice(("Browser worker crashed", "Execution timed out after 300s"))
            error = planted.error if planted is not None and planted.error else error
            timeline.steps = timeline.steps[:-1]  # the test in flight never completed
        ex = Execution(
            "exec_" + token_from(rng, 12), plan, timeline, error=error, project_id=self.project_id
        )
        ex.environment = environment
        if with_failures:
            count = 1 if planted is not None else rng.randint(1, max(1, min(3, n - 1)))
            for i in rng.sample(range(n), count):
                name = plan.tests[i].name
                ex.failing[i] = name if name in HOSTILE_NAMES else rng.choice(ERRORS)
            ex.has_analysis = rng.random() < 0.7
        self.executions[ex.id] = ex
        return ex

    def materialize(self, now: float) -> None:
        """Create the periodic executions whose time has come (at most 200 per call)."""
        every = self.spec.new_run_every_s
        if not every:
            return
        every *= 1.5
        due = int((now - self.t0) // every)
        self._periodic = max(self._periodic, due - 200)
        while self._periodic < due:
            k = self._periodic
            self._periodic += 1
            rng = rng_for(self.seed, "bugbrain", "periodic", k)
            sched = periodic_schedule(rng, k, self.t0, self.spec, every)
            self.add(rng, rng.choice(list(self.plans.values())), sched)
            self._retire(now)

    def _retire(self, now: float) -> None:
        """Drop the oldest finished executions past `spec.retain_runs`."""
        keep = self.spec.retain_runs
        if keep is None or len(self.executions) <= keep:
            return
        excess = len(self.executions) - keep
        for execution in sorted(self.executions.values(), key=lambda ex: ex.timeline.created):
            if excess <= 0:
                return
            if execution.timeline.is_over(now):
                del self.executions[execution.id]
                excess -= 1

    def start(
        self, plan: TestPlan, now: float, timeout_s: float | None, environment: str | None = None
    ) -> Execution:
        rng = random.Random(self._api_rng.random())
        start = now + rng.uniform(3.0, 6.0)
        sched = Schedule(now, start, start + len(plan.tests) * rng.uniform(3.0, 8.0))
        return self.add(rng, plan, sched, timeout_s, environment=environment)
