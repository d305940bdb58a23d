"""Bug0's in-memory world: what its one endpoint was sent. Bug0 has no read API, so nothing here is
ever served back to a client; tests (and ``GET /_sim/bug0/triggers``, ``/_sim/truth``) read it to
check what a client sent, and each accepted trigger gets an execution id from the seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa_tui.sim.common import iso_millis
from qa_tui.sim.scenario import rng_for, token_from


@dataclass(frozen=True)
class Trigger:
    """One accepted ``POST /api/run-tests``."""

    execution_id: str
    at: float
    """Scenario time it was received."""
    body: dict[str, Any]
    """The JSON body exactly as received."""
    auth: str
    """Which header authenticated it: ``x-api-key`` or ``x-bug0-service-token``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "executionId": self.execution_id,
            "received_at": iso_millis(self.at),
            "received_ts": self.at,
            "auth": self.auth,
            "body": self.body,
        }


@dataclass
class Bug0World:
    """Every trigger accepted and every request refused, in arrival order."""

    seed: int
    triggers: list[Trigger] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    """(HTTP status, error) of every refused request."""

    def __post_init__(self) -> None:
        self._rng = rng_for(self.seed, "bug0")

    def new_id(self) -> str:
        return "exec_" + token_from(self._rng, 12)
