"""The triage world (`ScenarioSpec.triage`): what a run history should find, planted.

Over the twelve hours before the scenario starts:

* **flaky on one target only**: BugBug's "Checkout with card" fails now and then on the Mobile
  profile (waiting for the pay button) and always passes on Default; BugBrain's plan
  `tp_mobile_signup` fails now and then on staging and always passes on prod. No two failures of
  a flaky series are closer than two and a half hours, so they never look like an outage;
* **an outage**: the staging environment answers 503 for twenty minutes, three hours ago: eight
  BugBug tests on the Staging profile fail at their first step and four BugBrain executions on
  staging break, every one with the same message whose ids, numbers and query string differ;
  before and after it those tests pass on the same target;
* **enough history to draw strips**: every planted series runs at least eight times.

Everything else in the world passes or ends without a test failure (error, skipped, stopped):
`ScenarioSpec.triage` turns the ordinary failures into passes, so what the history finds is
exactly what is planted here (`/_sim/truth` lists it under `triage`).

Pure: plans from the seed and the scenario start; the worlds turn them into runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from qa_tui.sim.scenario import Schedule, token_from, uuid_from

HOUR = 3600.0
OUTAGE = (-3 * HOUR, -3 * HOUR + 20 * 60)
"""When staging is down, relative to the scenario start."""
OUTAGE_HOST = "https://staging.shop.example"
FLAKY_TEST, FLAKY_PROFILE, STEADY_PROFILE = "Checkout with card", "Mobile", "Default"
FLAKY_PLAN, FLAKY_ENV, STEADY_ENV = "tp_mobile_signup", "staging", "prod"
OUTAGE_PROFILE, OUTAGE_ENV = "Staging", "staging"
OUTAGE_TESTS = (
    "Login with email",
    "Add to cart",
    "Search products",
    "Password reset",
    "Sign up",
    "Update profile",
    "Apply discount code",
    "Wishlist",
)
OUTAGE_PLANS = ("tp_smoke_web", "tp_nightly_full")
FLAKY_STEP = 4
"""The step (0-based) where the flaky BugBug test fails."""


@dataclass(frozen=True)
class Planted:
    """One planted run: what it runs, where, when, and how it ends."""

    what: str
    """A BugBug test name or a BugBrain plan id."""
    where: str
    """A BugBug profile name or a BugBrain environment."""
    schedule: Schedule
    outcome: str
    """`pass` or `fail` (BugBug `failed`; BugBrain: failed tests) or `error` (BugBrain's
    execution breaks)."""
    fail_step: int | None = None
    error: str | None = None
    role: str = ""
    """`flaky`, `steady`, `outage` or `before-after`, for `/_sim/truth`."""


def outage_error(rng: random.Random, t0: float) -> str:
    """The outage's one message, with its own ids, numbers and query string each time."""
    session, stamp = token_from(rng, 8), int(t0 + rng.uniform(*OUTAGE))
    waited = 30_000 + rng.randint(0, 900)
    return (
        f"503 Service Unavailable from GET {OUTAGE_HOST}/api/session?sid={session}&ts={stamp} "
        f"(request {uuid_from(rng)}, after {waited} ms)"
    )


def _finished(t0: float, at: float, rng: random.Random, span: tuple[float, float]) -> Schedule:
    start = t0 + at
    return Schedule(start - rng.uniform(3.0, 20.0), start, start + rng.uniform(*span))


def bugbug_plan(seed: int, t0: float) -> list[Planted]:
    """BugBug's planted test runs, oldest first."""
    rng = random.Random(f"{seed}:triage:bugbug")
    plan: list[Planted] = []
    for k in range(14):  # every 50 minutes, the last 10 minutes ago
        at: float = -10 * 60 - 50 * 60 * (13 - k)
        fails = k in (1, 4, 8, 11)
        error = None
        if fails:
            wait = 30_000 + rng.randint(0, 400)
            error = f"Timed out after {wait} ms waiting for #pay-button to be visible"
        plan.append(
            Planted(
                FLAKY_TEST,
                FLAKY_PROFILE,
                _finished(t0, at, rng, (60.0, 140.0)),
                "fail" if fails else "pass",
                FLAKY_STEP if fails else None,
                error,
                "flaky",
            )
        )
        sched = _finished(t0, at + 25 * 60, rng, (60.0, 140.0))
        plan.append(Planted(FLAKY_TEST, STEADY_PROFILE, sched, "pass", role="steady"))
    for n, test in enumerate(OUTAGE_TESTS):
        for k in range(8):  # every 90 minutes, skipping the outage
            at = -12 * HOUR + 90 * 60 * k + 7 * 60 * n
            if OUTAGE[0] - 5 * 60 <= at <= OUTAGE[1] + 5 * 60:
                at += 30 * 60
            sched = _finished(t0, at, rng, (30.0, 120.0))
            plan.append(Planted(test, OUTAGE_PROFILE, sched, "pass", role="before-after"))
        at = OUTAGE[0] + 120.0 + n * 130.0
        sched = _finished(t0, at, rng, (31.0, 33.0))
        plan.append(
            Planted(test, OUTAGE_PROFILE, sched, "fail", 0, outage_error(rng, t0), "outage")
        )
    plan.sort(key=lambda p: p.schedule.created)
    return plan


def bugbrain_plan(seed: int, t0: float) -> list[Planted]:
    """BugBrain's planted executions, oldest first."""
    rng = random.Random(f"{seed}:triage:bugbrain")
    plan: list[Planted] = []
    for k in range(10):  # every 70 minutes
        at: float = -15 * 60 - 70 * 60 * (9 - k)
        fails = k in (1, 4, 7)
        sched = _finished(t0, at, rng, (40.0, 90.0))
        plan.append(
            Planted(FLAKY_PLAN, FLAKY_ENV, sched, "fail" if fails else "pass", role="flaky")
        )
        sched = _finished(t0, at + 35 * 60, rng, (40.0, 90.0))
        plan.append(Planted(FLAKY_PLAN, STEADY_ENV, sched, "pass", role="steady"))
    for n, plan_id in enumerate(OUTAGE_PLANS):
        for k in range(8):
            at = -12 * HOUR + 90 * 60 * k + 11 * 60 * n + 40 * 60
            if OUTAGE[0] - 5 * 60 <= at <= OUTAGE[1] + 5 * 60:
                at += 30 * 60
            sched = _finished(t0, at, rng, (40.0, 90.0))
            plan.append(Planted(plan_id, OUTAGE_ENV, sched, "pass", role="before-after"))
        for j in range(2):
            at = OUTAGE[0] + 200.0 + 400.0 * j + 90.0 * n
            sched = _finished(t0, at, rng, (30.0, 40.0))
            error = outage_error(rng, t0)
            plan.append(Planted(plan_id, OUTAGE_ENV, sched, "error", error=error, role="outage"))
    plan.sort(key=lambda p: p.schedule.created)
    return plan
