"""What the health panel says of each provider: its service, state, budget and who shares it,
requests a minute, last success, and the reason and the fix of a failure.

Pure: built from the sources (their budgets: core/providers/sharing.py) and the latest health of
each, so the UI renders it and a test reads it without a screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from qa_tui.core.engine.advice import Advice, advice_for
from qa_tui.core.model import HealthState, ProviderHealth
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.sharing import (
    LIMITED_BY,
    SERVICE_NAMES,
    Limited,
    ProviderBudget,
    rate_text,
)

WHAT_IS_LIMITED = {
    Limited.KEY: "limits the API key, whatever the project",
    Limited.PROJECT: "limits the project",
    Limited.TOKEN: "limits the token (one project); it documents no number",
    Limited.MACHINE: "limits the caller's IP: this machine",
}


@dataclass(frozen=True)
class ProviderReport:
    """One provider's line of the health panel."""

    name: str
    kind: str
    state: HealthState
    budget: str
    """What its budget belongs to: `BugBrain key #3f9a1c`, `Bug0 project 665f1c2e…`."""
    budget_short: str
    """The same without the service: `key #3f9a1c`."""
    limited: str
    """What the service limits, in words."""
    rate: str
    """`30 a minute, 500 an hour`: the budget's rate (the lowest any provider on it asks for)."""
    shares_with: tuple[str, ...]
    """The other providers drawing on the same budget."""
    requests_last_minute: int
    """This provider's own requests in the last minute."""
    paused_for: float
    """Seconds left of a wait the service asked for (0: none)."""
    last_success: datetime | None
    message: str | None
    advice: Advice | None

    @property
    def service(self) -> str:
        return SERVICE_NAMES.get(self.kind, self.kind)


def provider_reports(
    sources: Sequence[RunSource], healths: Mapping[str, ProviderHealth]
) -> list[ProviderReport]:
    """One report per source, in config order."""
    reports = []
    for source in sources:
        kind = source.kind.value
        health = healths.get(source.name) or ProviderHealth(provider=source.name)
        budget = source.budget
        limited = LIMITED_BY.get(kind, Limited.TOKEN)
        if isinstance(budget, ProviderBudget):
            limit = budget.limit
            shown, short = limit.identity.shown, limit.identity.short
            others, limited = limit.others(source.name), limit.identity.limited
        else:
            short, others = f"{limited.value} (its own)", ()
            shown = f"{SERVICE_NAMES.get(kind, kind)} {short}"
        reports.append(
            ProviderReport(
                name=source.name,
                kind=kind,
                state=health.state,
                budget=shown,
                budget_short=short,
                limited=f"{SERVICE_NAMES.get(kind, kind)} {WHAT_IS_LIMITED[limited]}",
                rate=rate_text(budget.per_minute, budget.per_hour),
                shares_with=others,
                requests_last_minute=budget.requests_last_minute(),
                paused_for=budget.paused_for(),
                last_success=health.last_success,
                message=health.message,
                advice=advice_for(kind, health.state, health.fix_key),
            )
        )
    return reports
