"""The fault soak (bench/soak.py) as tests: the app against the simulator over real loopback while
every provider fails in every way it can — 5xx bursts, timeouts, dropped connections, malformed
JSON, 429 storms and a revoked token — keeps running, loses no run and never sends a request a
`Retry-After` forbade.

The short soak runs in the normal suite (~20 s); the full one is `make soak` (marked slow).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.soak import SoakPlan, run_soak
from qa_tui.core.engine import EngineSettings

SHORT = SoakPlan(
    windows=3,
    window_s=2.0,
    gap_s=2.0,
    warmup_s=1.5,
    outage_s=1.5,
    catch_up_limit_s=20.0,
    timeout_s=1.0,
    retry_after_s=1,
    engine=EngineSettings(
        active_interval_s=0.3, idle_interval_s=0.5, idle_requests_per_minute=120, max_backoff_s=1.0
    ),
    user_every_s=0.4,
)
"""Three windows: each provider meets three fault kinds, and all six kinds are met."""


def assert_survived(figures: dict[str, Any]) -> None:
    assert figures["unhandled_exceptions"] == 0, figures["unhandled_examples"]
    assert figures["status_mismatches"] == 0, figures["mismatch_examples"]
    assert figures["catch_up_s"] is not None
    assert figures["retry_after_violations"] == 0, figures["violation_examples"]
    assert figures["app_alive_with_engine"]


async def test_a_short_soak_under_every_fault_loses_nothing_and_honours_retry_after() -> None:
    """GIVEN the app on all four providers, each failing in turn (three windows, six kinds)
    WHEN the faults stop and the scenario clock jumps ahead THEN nothing crashed, the store
    agrees with the simulator run for run, and no request broke a Retry-After."""
    figures = await run_soak(SHORT)
    assert_survived(figures)
    seen = figures["responses_by_status"]
    assert seen.get("429", 0) > 0, (
        seen
    )  # the storm happened, so the Retry-After check means something
    assert seen.get("401", 0) > 0, seen  # so did the revoked token
    assert sum(seen.get(code, 0) for code in ("500", "502", "503")) > 0, seen
    assert set(figures["recovery_s"]) == {"5xx", "timeout", "drop", "malformed", "429", "revoked"}


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_the_full_soak_recovers_from_every_fault_on_every_provider() -> None:
    """Six windows of 10 s faults and 20 s calm: every provider meets every kind of fault and
    is working again within the calm that follows."""
    figures = await run_soak(SoakPlan())
    assert_survived(figures)
    assert figures["never_recovered"] == 0, figures["recovery_s"]
    assert all(len(by) == 4 for by in figures["recovery_s"].values()), figures["recovery_s"]
