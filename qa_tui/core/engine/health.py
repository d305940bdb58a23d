"""A provider's health after one cycle: what the header chip shows (ok, unverified, slow,
rate-limited, auth failed, unreachable, error), the age of its last good answer and the budget it
has left. A provider whose API has nothing to read (Bug0: no list, no status) is `unverified`,
never `ok`: nothing it answered proved its key, exactly as `qa-tui doctor` says. A provider whose
results are read elsewhere (Bug0's on GitHub) that answers while that service fails shows that
failure, named, with the key that fixes it (`with_trouble`)."""

from __future__ import annotations

from qa_tui.core.clock import Clock
from qa_tui.core.errors import AuthFailed, NetworkError, ProviderError, RateLimited
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.model import HealthState, ProviderHealth
from qa_tui.core.providers.base import Trouble


def after_success(
    name: str,
    budget: RequestBudget,
    clock: Clock,
    latency_s: float,
    slow_after_s: float,
    verifiable: bool = True,
) -> ProviderHealth:
    """Answering: rate-limited while the provider's own pause lasts, slow past `slow_after_s`;
    `verifiable` False: nothing can be read from it to prove its credentials (unverified)."""
    if budget.paused_for() > 0:
        state = HealthState.RATE_LIMITED
    elif not verifiable:
        state = HealthState.UNVERIFIED
    elif latency_s > slow_after_s:
        state = HealthState.SLOW
    else:
        state = HealthState.OK
    return ProviderHealth(
        provider=name,
        state=state,
        last_success=clock.now(),
        message=None,
        budget_remaining=round(budget.available(), 1),
    )


def with_trouble(answering: ProviderHealth, trouble: Trouble) -> ProviderHealth:
    """A provider that answered (`answering`, its last success now) while the service its
    results are read from failed: that failure's state and words, and the key to fix."""
    failed = after_failure(answering, trouble.error, None)
    return failed.model_copy(update={"message": trouble.message, "fix_key": trouble.fix_key})


def after_failure(
    previous: ProviderHealth, error: ProviderError, budget: RequestBudget | None
) -> ProviderHealth:
    """Failing: the kind of failure, its message, and the last success kept from before."""
    if isinstance(error, AuthFailed):
        state = HealthState.AUTH_FAILED
    elif isinstance(error, RateLimited):
        state = HealthState.RATE_LIMITED
    elif isinstance(error, NetworkError):
        state = HealthState.UNREACHABLE
    else:
        state = HealthState.ERROR
    remaining = previous.budget_remaining if budget is None else round(budget.available(), 1)
    return previous.model_copy(
        update={"state": state, "message": error.message, "budget_remaining": remaining}
    )
