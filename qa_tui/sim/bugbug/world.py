"""BugBug's in-memory world: tests, suites, profiles, test runs and suite runs, and how they move.

Test runs pass through ``initialized`` → ``queued`` → ``running`` (some pause for a while:
``paused``) → one of ``passed``, ``failed``, ``error``, ``skipped``, ``stopped``; with
``status_words=extra`` (providers.md §1.7: several words are unexplained, so a server may well have
more) a ``preparing`` phase comes between ``queued`` and ``running``. The things themselves and
how a suite run's status follows its test runs are in :mod:`qa_tui.sim.bugbug.runs`.
"""

from __future__ import annotations

import random

from qa_tui.sim import triage
from qa_tui.sim.bugbug.runs import (
    RUN_STATUSES,
    Profile,
    Step,
    Suite,
    SuiteRun,
    Test,
    TestRun,
)
from qa_tui.sim.dialects import PREPARING
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
    uuid_from,
)

FAILED_CODES = (
    "ELEMENT_DOES_NOT_EXIST",
    "ASSERT_FAILED",
    "FAILED_WAITING_CONDITIONS",
    "ELEMENT_REMOVED",
    "INVALID_ELEMENT_SELECTOR",
    "FRAME_DOES_NOT_EXIST",
)
ERROR_CODES = ("CODE_EXECUTION_ERROR", "INTERACTION_POSITION_OUT_OF_VIEWPORT", "SCROLL_FAILED")
ARTIFACT_KINDS = ("logs", "cloud_logs", "chrome_debug_logs", "container_stats", "dom_snapshot")
TEST_NAMES = (
    "Login with email",
    "Add to cart",
    "Checkout with card",
    "Search products",
    "Password reset",
    "Sign up",
    "Update profile",
    "Apply discount code",
    "Wishlist",
    "Logout",
    "Newsletter signup",
    "Mobile menu",
)
STEP_TYPES = ("goto", "click", "type", "assert", "hover", "select", "scroll", "waitForElement")
LOCAL_ERROR = "Timed out after 30000 ms waiting for http://localhost:3000/checkout to load"
"""The one error of every failed local run (`ScenarioSpec.bugbug_local_runs`): counted by a
client, those failures would make an incident and a flaky test."""


class BugBugWorld:
    """Everything BugBug knows, generated from the seed, growing as the clock moves."""

    def __init__(self, seed: int, spec: ScenarioSpec, t0: float) -> None:
        self.seed, self.spec, self.t0 = seed, spec, t0
        rng = rng_for(seed, "bugbug", "catalogue")
        names = list(TEST_NAMES) + (list(HOSTILE_NAMES) if spec.hostile_names else [])
        self.tests = [
            self._make_test(rng, name, t0 - 86_400 * (30 - i)) for i, name in enumerate(names)
        ]
        self.profiles = [Profile(uuid_from(rng), n) for n in ("Default", "Staging", "Mobile")]
        self.user_id = uuid_from(rng)
        suite_names = ["Smoke", "Checkout flow", "Nightly regression"]
        if spec.hostile_names:
            suite_names.append(HOSTILE_NAMES[0])
        k = max(spec.tests_per_suite, 1)
        self.suites = [
            Suite(
                uuid_from(rng),
                n,
                [self.tests[(i * k + j) % len(TEST_NAMES)] for j in range(k)],
                t0 - 86_400 * (20 - i),
                auto_retry=i % 2,
            )
            for i, n in enumerate(suite_names)
        ]
        self.test_runs: dict[str, TestRun] = {}
        self.suite_runs: dict[str, SuiteRun] = {}
        self.step_runs: dict[str, tuple[TestRun, int]] = {}
        self.artifacts: dict[str, tuple[TestRun, str]] = {}
        self._sequence = 0
        self._periodic = 0
        self._api_rng = rng_for(seed, "bugbug", "api")
        self.planted: list[tuple[triage.Planted, TestRun]] = []
        """The triage world's planted runs (`ScenarioSpec.triage`: see `sim/planting.py`)."""
        self.before_running: tuple[str, ...] = ("initialized", "queued")
        """The phases of a test run before ``running`` (status_words=extra adds ``preparing``)."""
        if spec.dialect.extra_words:
            self.before_running += (PREPARING,)
        self.statuses = RUN_STATUSES | set(self.before_running)
        """The words this BugBug knows (its ``?status=`` filter accepts them)."""
        self._generate_initial()

    # -- generation -------------------------------------------------------------------------
    def _make_test(self, rng: random.Random, name: str, created: float) -> Test:
        steps = [Step(uuid_from(rng), rng.choice(STEP_TYPES)) for _ in range(rng.randint(4, 10))]
        steps[0].type = "goto"
        return Test(uuid_from(rng), name, steps, created)

    def _generate_initial(self) -> None:
        spec, t0, plans = self.spec, self.t0, []
        for i in range(spec.bugbug_test_runs_finished):
            rng = rng_for(self.seed, "bugbug", "finished", i)
            plans.append((finished_schedule(rng, i, t0, spec), rng, "test", i))
        for i in range(spec.bugbug_suite_runs_finished):
            rng = rng_for(self.seed, "bugbug", "suite-finished", i)
            plans.append((finished_schedule(rng, i + 1, t0, spec), rng, "suite", i))
        for i in range(spec.bugbug_test_runs_active):
            rng = rng_for(self.seed, "bugbug", "active", i)
            plans.append((active_schedule(rng, i, t0, spec), rng, "test", i))
        for i in range(spec.bugbug_suite_runs_active):
            rng = rng_for(self.seed, "bugbug", "suite-active", i)
            plans.append((active_schedule(rng, i + 2, t0, spec), rng, "suite", i))
        k = max(spec.tests_per_suite, 1)
        starts = [p[0].start for p in plans for _ in range(k if p[2] == "suite" else 1)]
        below = moment_below(starts, spec.deep_below, t0 - spec.history_span_s)
        for i in range(spec.bugbug_test_runs_deep):
            rng = rng_for(self.seed, "bugbug", "deep", i)
            plans.append((deep_schedule(rng, i, t0, spec, below), rng, "test", i))
        suite_starts = [p[0].start for p in plans if p[2] == "suite"]
        suite_below = moment_below(suite_starts, spec.deep_below, below)
        for i in range(spec.bugbug_suite_runs_deep):
            rng = rng_for(self.seed, "bugbug", "suite-deep", i)
            plans.append((deep_schedule(rng, i, t0, spec, suite_below), rng, "deep-suite", i))
        for i in range(spec.bugbug_local_runs):
            rng = rng_for(self.seed, "bugbug", "local", i)
            plans.append((finished_schedule(rng, i, t0, spec), rng, "local", i))
        hostile = 0
        for sched, rng, kind, i in sorted(plans, key=lambda p: p[0].created):
            trigger = rng.choice(("user", "api", "scheduler", "github", "cli", "webhook"))
            if kind == "test":
                test = self.tests[i % len(TEST_NAMES)]
                if self.spec.hostile_names and i % 2 == 1:
                    test = self.tests[len(TEST_NAMES) + hostile % len(HOSTILE_NAMES)]
                    hostile += 1
                self.add_test_run(rng, test, sched, trigger)
            elif kind == "local":
                self.add_local_run(rng, sched, i)
            else:
                suite = self.suites[i % len(self.suites)]
                self.add_suite_run(rng, suite, sched, trigger, long_last=kind == "deep-suite")

    def materialize(self, now: float) -> None:
        """Create the periodic runs whose creation time has come (at most 200 per call)."""
        every = self.spec.new_run_every_s
        if not every:
            return
        due = int((now - self.t0) // every)
        self._periodic = max(self._periodic, due - 200)
        while self._periodic < due:
            k = self._periodic
            self._periodic += 1
            rng = rng_for(self.seed, "bugbug", "periodic", k)
            sched = periodic_schedule(rng, k, self.t0, self.spec, every)
            trigger = rng.choice(("scheduler", "github", "api", "webhook"))
            if k % 4 == 3:
                self.add_suite_run(rng, self.suites[k % len(self.suites)], sched, trigger)
            else:
                self.add_test_run(rng, rng.choice(self.tests), sched, trigger)
            self._retire(now)

    def _retire(self, now: float) -> None:
        """Drop the oldest finished runs past `spec.retain_runs` (a suite run with its test
        runs counts as one, and goes with them)."""
        keep = self.spec.retain_runs
        if keep is None:
            return
        tops: list[TestRun | SuiteRun] = [
            run for run in self.test_runs.values() if run.suite_run_id is None
        ]
        tops += self.suite_runs.values()
        excess = len(tops) - keep
        for run in sorted(tops, key=lambda top: top.sequence):
            if excess <= 0:
                return
            if isinstance(run, SuiteRun):
                if all(child.timeline.is_over(now) for child in run.children):
                    for child in run.children:
                        self._forget_test_run(child)
                    del self.suite_runs[run.id]
                    excess -= 1
            elif run.timeline.is_over(now):
                self._forget_test_run(run)
                excess -= 1

    def _forget_test_run(self, run: TestRun) -> None:
        self.test_runs.pop(run.id, None)
        for step_run_id in run.step_run_ids:
            self.step_runs.pop(step_run_id, None)
        for artifact_id in run.artifacts.values():
            self.artifacts.pop(artifact_id, None)

    def _next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def add_test_run(
        self,
        rng: random.Random,
        test: Test,
        sched: Schedule,
        triggered_by: str,
        *,
        profile: Profile | None = None,
        suite_run_id: str | None = None,
        planted: triage.Planted | None = None,
        run_mode: str = "server",
    ) -> TestRun:
        roll = rng.random()
        final = (
            "passed" if roll < 0.6 else "failed" if roll < 0.85
            else "error" if roll < 0.93 else "skipped" if roll < 0.97 else "stopped"
        )  # fmt: skip
        if sched.forced is not None:
            final = {"pass": "passed", "fail": "failed", "error": "error", "skip": "skipped",
                     "cancel": "stopped"}[sched.forced]  # fmt: skip
        if planted is not None:
            final = "failed" if planted.outcome == "fail" else "passed"
        elif self.spec.triage and final == "failed":
            final = "passed"  # the triage world's only test failures are the planted ones
        if final == "skipped":  # never ran: queued, then skipped
            phases = [(sched.created, "initialized"), (sched.created + 1.0, "queued")]
            phases.append((max(sched.end, sched.created + 2.0), "skipped"))
            timeline = Timeline(phases, float("inf"), phases[-1][0], len(test.steps))
        else:
            timeline = plan_timeline(
                rng,
                created=sched.created,
                start=sched.start,
                end=sched.end,
                total_steps=len(test.steps),
                final=final,
                fails_at_step=final in ("failed", "error") and planted is None,
                before=self.before_running,
                pause="paused" if rng.random() < 0.1 and planted is None else None,
            )
            if planted is not None and planted.fail_step is not None:
                timeline.steps = [*timeline.steps[: planted.fail_step], timeline.end]
        code = rng.choice(FAILED_CODES) if final == "failed" else None
        if planted is not None and planted.fail_step is not None:  # an outage fails at the goto
            code = ("FAILED_WAITING_CONDITIONS", "ELEMENT_DOES_NOT_EXIST")[planted.fail_step == 0]
        code = rng.choice(ERROR_CODES) if final == "error" else code
        run = TestRun(
            id=uuid_from(rng),
            test=test,
            profile=profile or rng.choice(self.profiles),
            timeline=timeline,
            sequence=self._next_sequence(),
            triggered_by=triggered_by,
            user_id=self.user_id if triggered_by == "user" else None,
            suite_run_id=suite_run_id,
            error_code=code,
            error_text=planted.error if planted is not None else None,
            has_logs=rng.random() < 0.85,
            run_mode=run_mode,
        )
        run.step_run_ids = [uuid_from(rng) for _ in range(len(test.steps))]
        for i, sid in enumerate(run.step_run_ids):
            self.step_runs[sid] = (run, i)
        if final != "passed" or rng.random() < 0.3:
            for kind in rng.sample(ARTIFACT_KINDS, rng.randint(2, len(ARTIFACT_KINDS))):
                run.artifacts[kind] = uuid_from(rng)
                self.artifacts[run.artifacts[kind]] = (run, kind)
        self.test_runs[run.id] = run
        return run

    def add_local_run(self, rng: random.Random, sched: Schedule, i: int) -> TestRun:
        """The `i`-th run made in a user's browser: two of three fail, all with `LOCAL_ERROR`, all
        of the triage world's steady test and target ("Checkout with card" on Default)."""
        fails = i % 3 != 2
        tests = {t.name: t for t in self.tests}
        profile = next(p for p in self.profiles if p.name == triage.STEADY_PROFILE)
        plan = triage.Planted(
            triage.FLAKY_TEST,
            profile.name,
            sched,
            "fail" if fails else "pass",
            fail_step=1 if fails else None,
            error=LOCAL_ERROR if fails else None,
            role="local",
        )
        mode = ("local", "recording")[i % 2]
        test = tests[triage.FLAKY_TEST]
        return self.add_test_run(
            rng, test, sched, "user", profile=profile, planted=plan, run_mode=mode
        )

    def add_suite_run(
        self,
        rng: random.Random,
        suite: Suite,
        sched: Schedule,
        triggered_by: str,
        *,
        profile: Profile | None = None,
        long_last: bool = False,
    ) -> SuiteRun:
        """With `long_last`, the test runs before the last take a minute each and the last runs
        until the suite's end (a long test started long ago: deep in the test-run list)."""
        sid, seq, profile = uuid_from(rng), self._next_sequence(), profile or self.profiles[0]
        children, start = [], sched.start
        span = max(sched.end - sched.start, 3.0) / max(len(suite.tests), 1)
        for n, test in enumerate(suite.tests):
            end = start + span * rng.uniform(0.6, 1.0)
            if long_last:
                end = sched.end if n == len(suite.tests) - 1 else start + 60.0
            child = Schedule(sched.created, start, end)
            children.append(
                self.add_test_run(rng, test, child, triggered_by, profile=profile, suite_run_id=sid)
            )
            start = child.end + rng.uniform(0.5, 2.0)
        run = SuiteRun(
            sid,
            suite,
            profile,
            children,
            sched.created,
            seq,
            triggered_by,
            self.user_id if triggered_by == "user" else None,
        )
        self.suite_runs[sid] = run
        return run

    def start_test(self, test: Test, profile: Profile | None, now: float) -> TestRun:
        rng = self._api_rng
        sched = Schedule(now, now + rng.uniform(2.0, 5.0), now + rng.uniform(25.0, 70.0))
        return self.add_test_run(random.Random(rng.random()), test, sched, "api", profile=profile)

    def start_suite(self, suite: Suite, profile: Profile | None, now: float) -> SuiteRun:
        rng = self._api_rng
        sched = Schedule(now, now + rng.uniform(2.0, 5.0), now + rng.uniform(40.0, 120.0))
        return self.add_suite_run(random.Random(rng.random()), suite, sched, "api", profile=profile)
