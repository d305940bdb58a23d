"""The team state the header shows: this instance's role per provider, and how many watch.

Pure values, handed to the UI through the callback `TeamLink.on_status` (the app posts them as a
message); the UI decides how to draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from qa_tui.core.signals import Signal


class TeamRole(StrEnum):
    """What this instance does for one provider project."""

    JOINING = "joining"
    """Connecting, or deciding who polls."""
    POLLER = "poller"
    """Holds the lease: polls the provider and publishes what it sees."""
    FOLLOWER = "follower"
    """Reads the poller's batches; polls nothing."""
    OFFLINE = "offline"
    """Redis cannot be reached: polls alone with a fair share of the budget."""
    ALONE = "alone"
    """Nothing to share for this provider (Bug0 has no read API): only its budget is shared."""


@dataclass(frozen=True)
class TeamStatus:
    """Every team-mode provider's role, and the instances watching its project (self included)."""

    roles: dict[str, TeamRole] = field(default_factory=dict)
    watching: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    """Entries and runs read from Redis and skipped as invalid, so far."""

    @property
    def offline(self) -> bool:
        return TeamRole.OFFLINE in self.roles.values()

    @property
    def polling(self) -> bool:
        """Polls at least one provider for the team."""
        return TeamRole.POLLER in self.roles.values()

    @property
    def following(self) -> bool:
        """Follows at least one provider's poller."""
        return TeamRole.FOLLOWER in self.roles.values()

    @property
    def most_watching(self) -> int:
        """The largest number of instances watching one of the projects."""
        return max(self.watching.values(), default=1)


class TeamView(Protocol):
    """What the UI is handed of team mode (a `TeamLink`): the status and a way to hear of it."""

    status: TeamStatus
    status_changed: Signal[TeamStatus]
