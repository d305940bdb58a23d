"""The triage world's plans (`sim/triage.py`) turned into runs of the BugBug and BugBrain worlds,
and what was planted, as `/_sim/truth` tells it under `triage`."""

from __future__ import annotations

from typing import Any

from qa_tui.sim import triage
from qa_tui.sim.bugbrain.world import BugBrainWorld
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.scenario import rng_for


def plant(bugbug: BugBugWorld, bugbrain: BugBrainWorld, t0: float) -> None:
    """Add the planted runs to both worlds (`ScenarioSpec.triage`)."""
    tests = {t.name: t for t in bugbug.tests}
    profiles = {p.name: p for p in bugbug.profiles}
    for i, planted in enumerate(triage.bugbug_plan(bugbug.seed, t0)):
        rng = rng_for(bugbug.seed, "bugbug", "planted", i)
        test, profile = tests[planted.what], profiles[planted.where]
        run = bugbug.add_test_run(
            rng, test, planted.schedule, "scheduler", profile=profile, planted=planted
        )
        bugbug.planted.append((planted, run))
    for i, planted in enumerate(triage.bugbrain_plan(bugbrain.seed, t0)):
        rng = rng_for(bugbrain.seed, "bugbrain", "planted", i)
        execution = bugbrain.add(
            rng, bugbrain.plans[planted.what], planted.schedule, planted=planted
        )
        bugbrain.planted.append((planted, execution))


def planted_truth(bugbug: BugBugWorld, bugbrain: BugBrainWorld) -> dict[str, Any]:
    """Every planted run: provider, id, what it ran, where, its role and outcome."""
    runs = [("bugbug", run.id, planted) for planted, run in bugbug.planted] + [
        ("bugbrain", execution.id, planted) for planted, execution in bugbrain.planted
    ]
    return {
        "flaky": [
            {"provider": "bugbug", "test": triage.FLAKY_TEST, "target": triage.FLAKY_PROFILE},
            {"provider": "bugbrain", "test": triage.FLAKY_PLAN, "target": triage.FLAKY_ENV},
        ],
        "outage_error_host": triage.OUTAGE_HOST,
        "runs": [
            {
                "provider": provider,
                "id": run_id,
                "test": planted.what,
                "target": planted.where,
                "role": planted.role,
                "outcome": planted.outcome,
            }
            for provider, run_id, planted in runs
        ],
    }
