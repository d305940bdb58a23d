"""Fair shares of a budget several providers draw on (one BugBrain key, several projects).

The engine plans to use `budget_share` of a budget's rate for polling (the rest is the user's:
stop, re-run, start). When several providers draw on one budget, that planned rate is split:

- a provider with no active run gets what an idle provider needs, `idle_requests_per_minute`
  at most and never more than a quarter of what an active one gets (`IDLE_WEIGHT`): it only has
  to notice a new run;
- the providers with active runs split the rest evenly: each cycle of theirs carries changes.

Alone on its budget, a provider gets the whole planned rate (active) or the idle rate (idle), as
before budgets were shared. Whether a provider has active runs is read from the store, at most
once a second per provider (`STATE_TTL_S`): in team mode the store also holds the runs of the
projects another instance polls, so every instance splits the budget the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa_tui.core.clock import Clock
from qa_tui.core.engine.settings import EngineSettings
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.runs.store import RunStore

IDLE_WEIGHT = 0.25
"""An idle provider's weight beside an active one's 1."""
STATE_TTL_S = 1.0
"""How long a provider's "has active runs" is taken as known before the store is read again."""


class BudgetShare:
    """The providers drawing on one budget, and the rate each one plans its cycles for."""

    def __init__(
        self,
        budget: RequestBudget,
        members: Sequence[str],
        store: RunStore,
        settings: EngineSettings,
        clock: Clock,
    ) -> None:
        self.budget = budget
        """The one budget (`RequestBudget.shared_budget` of each member's)."""
        self.members = tuple(members)
        self.store = store
        self.settings = settings
        self.clock = clock
        self._active: dict[str, tuple[float, bool]] = {}

    def __repr__(self) -> str:
        return f"BudgetShare({', '.join(self.members)})"

    def note(self, name: str, active: bool) -> None:
        """What a member's own cycle just found (fresher than the store read a second ago)."""
        self._active[name] = (self.clock.monotonic(), active)

    def active(self, name: str) -> bool:
        now = self.clock.monotonic()
        known = self._active.get(name)
        if known is not None and now - known[0] < STATE_TTL_S:
            return known[1]
        active = any(run.status.is_active and run.pollable for run in self.store.runs_of(name))
        self._active[name] = (now, active)
        return active

    def planned_rpm(self) -> float:
        """What all the members together plan to spend a minute, while they have work."""
        return self.budget.pace_per_minute() * self.settings.budget_share

    def _split(self, name: str, name_active: bool) -> tuple[int, int, float]:
        """(members active, members idle, what each idle one gets a minute), with `name` taken
        as active or idle as said."""
        active = sum(1 for m in self.members if (name_active if m == name else self.active(m)))
        idle = len(self.members) - active
        if not idle:
            return active, idle, 0.0
        weighted = self.planned_rpm() * IDLE_WEIGHT / (active + IDLE_WEIGHT * idle)
        return active, idle, min(self.settings.idle_requests_per_minute, weighted)

    def live_rpm(self, name: str) -> float:
        """What `name` plans its cycles for while it has active runs."""
        active, idle, idle_each = self._split(name, True)
        return (self.planned_rpm() - idle * idle_each) / active

    def idle_rpm(self, name: str) -> float:
        """What `name` plans its cycles for while nothing of its own is active."""
        if len(self.members) == 1:
            return self.settings.idle_requests_per_minute
        return self._split(name, False)[2]


def shares_of(
    budgets: dict[str, RequestBudget],
    store: RunStore,
    settings: EngineSettings,
    clock: Clock,
) -> dict[str, BudgetShare]:
    """Each provider's share, the providers grouped by the budget they really draw on."""
    groups: dict[int, list[str]] = {}
    shared: dict[int, RequestBudget] = {}
    for name, budget in budgets.items():
        groups.setdefault(id(budget.shared_budget), []).append(name)
        shared[id(budget.shared_budget)] = budget.shared_budget
    shares = {}
    for key, members in groups.items():
        share = BudgetShare(shared[key], members, store, settings, clock)
        for name in members:
            shares[name] = share
    return shares
