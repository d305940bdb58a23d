"""A client clock running as fast as a simulator's real-time scenario clock (`speed` x the wall).

Over real loopback, a test can then hold qa-tui to a provider's limit per scenario minute (the
simulator counts its limits on its own clock when it runs faster than the wall clock) while a
minute passes in a fraction of one: every wait the engine and its budgets take is `speed` times
shorter, and what they measure is in the same seconds as what the simulator counts.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from qa_tui.sim import ScenarioClock


class ScaledClock:
    """`monotonic()` and `sleep()` at the scenario clock's speed; `now()` is scenario time."""

    def __init__(self, scenario: ScenarioClock) -> None:
        self.scenario = scenario
        self.speed = scenario.speed
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return 1000.0 + (time.monotonic() - self._origin) * self.speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.scenario.now(), UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)
