"""A client clock tied to the simulator's scenario clock, so waits cost no real time."""

from __future__ import annotations

from datetime import UTC, datetime

from qa_tui.core.clock import ManualClock
from qa_tui.sim import ScenarioClock


class LinkedClock(ManualClock):
    """A ManualClock that moves the simulator's scenario clock along with it: when the client
    waits (its budget, a Retry-After), simulated time moves by the same amount."""

    def __init__(self, scenario: ScenarioClock) -> None:
        super().__init__(start=datetime.fromtimestamp(scenario.now(), UTC))
        self.scenario = scenario

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self.scenario.advance(max(0.0, seconds))
