"""A budget belongs to what the service limits: providers that share a limit share one budget.

What each service limits (shared/providers.md), and so which providers draw on one budget:

| service  | limits                                   | one budget per                      |
| -------- | ---------------------------------------- | ----------------------------------- |
| BugBrain | the API key: 30/min, 500/h, any project  | kind, base URL, key                 |
| Bug0     | the project: 10/min, 100/h               | kind, base URL, project id          |
| BugBug   | the token, which belongs to one project  | kind, base URL, token               |
| Bugnet   | the caller's IP: this machine            | kind, base URL, this host's name    |

BugBug documents no limit at all [gap]: its token is the natural unit (one project, one token),
and 60 a minute is our own polite pick. An identity (`LimitIdentity`) is a truncated SHA-256 of
those parts: no token is kept in it, shown by it or written anywhere with it (team mode names its
Redis keys with the digest). What a person reads of it is the service, what it limits and a short
tag of the digest (`BugBrain key #3f9a1c`); a project id is not a secret and is shown.

`BudgetPool` makes one `RequestBudget` per identity, at the lowest `requests_per_minute` (and
`requests_per_hour`) any of its providers asks for, so no provider's setting can push the others
past what the service allows; `sharing_notes` says so for `qa-tui doctor`. Each provider gets its
own `ProviderBudget`, a handle onto that one budget: a `Retry-After` or a spent
`X-RateLimit-Remaining` any of them meets pauses the one budget and so holds them all, while the
handle counts that provider's own requests (the engine paces each provider by what it spent,
and the health panel shows each one's rate).
"""

from __future__ import annotations

import hashlib
import socket
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import ProviderConfig, TrackerConfig
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.providers.endpoints import base_url_for

SERVICE_NAMES = {"bugbug": "BugBug", "bugbrain": "BugBrain", "bug0": "Bug0", "bugnet": "Bugnet"}


class Limited(StrEnum):
    """What a service counts its requests against."""

    KEY = "key"
    PROJECT = "project"
    TOKEN = "token"
    MACHINE = "machine"


LIMITED_BY = {
    "bugbrain": Limited.KEY,
    "bug0": Limited.PROJECT,
    "bugbug": Limited.TOKEN,
    "bugnet": Limited.MACHINE,
}


def digest_of(*parts: str) -> str:
    """A short, stable, one-way name for `parts` (SHA-256, 24 hex digits)."""
    digest = hashlib.sha256(b"qa-tui limit\0")
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


@dataclass(frozen=True)
class LimitIdentity:
    """The one thing a service limits, named without any secret."""

    kind: str
    limited: Limited
    digest: str
    """Equal for providers that share the limit; what team mode names its Redis keys with."""
    project: str | None = None
    """Bug0's project id (not a secret), shown as what is limited."""

    @property
    def service(self) -> str:
        return SERVICE_NAMES.get(self.kind, self.kind)

    @property
    def shown(self) -> str:
        """`BugBrain key #3f9a1c`, `Bug0 project 665f1c2e9b3a…`, `Bugnet on this machine`."""
        return f"{self.service} {self.short}"

    @property
    def short(self) -> str:
        """The same without the service: `key #3f9a1c`, `project 665f1c2e9b3a…`."""
        if self.limited is Limited.MACHINE:
            return "on this machine"
        if self.limited is Limited.PROJECT and self.project:
            project = self.project if len(self.project) <= 14 else self.project[:12] + "…"
            return f"project {project}"
        return f"{self.limited.value} #{self.digest[:6]}"


def identity_of(provider: ProviderConfig) -> LimitIdentity:
    """What `provider`'s service limits, as an identity shared with every provider it limits too."""
    kind, base = provider.kind, base_url_for(provider).rstrip("/")
    limited = LIMITED_BY[kind]
    if limited is Limited.PROJECT:
        project = provider.project_id or ""
        return LimitIdentity(kind, limited, digest_of(kind, base, project), project=project)
    return LimitIdentity(kind, limited, digest_of(kind, base, provider.token.get_secret_value()))


def tracker_identity(tracker: TrackerConfig, machine: str | None = None) -> LimitIdentity:
    """Bugnet limits per IP: every instance on this machine (`machine`: its host name) shares."""
    host = machine if machine is not None else socket.gethostname()
    base = tracker.base_url.rstrip("/")
    return LimitIdentity("bugnet", Limited.MACHINE, digest_of("bugnet", base, host))


@dataclass(frozen=True)
class SharedLimit:
    """One limit, the providers drawing on it (in config order) and the rates they get."""

    identity: LimitIdentity
    members: tuple[str, ...]
    per_minute: float
    """The lowest `requests_per_minute` its providers ask for."""
    per_hour: float | None
    """The lowest `requests_per_hour` they ask for (None when none asks for one)."""
    asked: tuple[tuple[str, float], ...] = ()
    """Each provider's own `requests_per_minute`."""

    @property
    def shared(self) -> bool:
        return len(self.members) > 1

    def others(self, name: str) -> tuple[str, ...]:
        """The providers `name` shares this limit with."""
        return tuple(member for member in self.members if member != name)

    @property
    def lowered(self) -> tuple[tuple[str, float], ...]:
        """The providers that asked for more than the shared budget gives, with what they asked."""
        return tuple((name, rpm) for name, rpm in self.asked if rpm > self.per_minute)


def shared_limits(providers: Sequence[ProviderConfig]) -> list[SharedLimit]:
    """The limits `providers` draw on, each with its members, in the order first met."""
    groups: dict[str, list[ProviderConfig]] = {}
    identities: dict[str, LimitIdentity] = {}
    for provider in providers:
        identity = identity_of(provider)
        identities.setdefault(identity.digest, identity)
        groups.setdefault(identity.digest, []).append(provider)
    limits = []
    for digest, members in groups.items():
        hourly = [p.requests_per_hour for p in members if p.requests_per_hour is not None]
        limits.append(
            SharedLimit(
                identities[digest],
                tuple(p.name for p in members),
                min(p.requests_per_minute for p in members),
                min(hourly) if hourly else None,
                tuple((p.name, p.requests_per_minute) for p in members),
            )
        )
    return limits


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def rate_text(per_minute: float, per_hour: float | None) -> str:
    """`30 a minute, 500 an hour`."""
    text = f"{per_minute:g} a minute"
    return f"{text}, {per_hour:g} an hour" if per_hour is not None else text


def sharing_notes(providers: Sequence[ProviderConfig]) -> list[str]:
    """One sentence per limit several providers share (for `qa-tui doctor`): who shares what,
    at which rate, and whose higher `requests_per_minute` gave way to the lowest."""
    notes = []
    for limit in shared_limits(providers):
        if not limit.shared:
            continue
        identity = limit.identity
        what = f"one {identity.service} {identity.limited.value}"
        note = (
            f"{_names(limit.members)} share {what} ({identity.shown}): "
            f"{rate_text(limit.per_minute, limit.per_hour)} for all of them together"
        )
        if limit.lowered:
            asked = ", ".join(f"{name} asks {rpm:g}" for name, rpm in limit.lowered)
            note += f"; the lowest requests_per_minute is used ({asked})"
        notes.append(note)
    return notes


class ProviderBudget(RequestBudget):
    """One provider's handle on the budget of the limit it shares.

    Every token, pause and `X-RateLimit-*` reading goes to the one shared budget (so what one
    provider is told holds them all); `spent` and `requests_last_minute()` count this provider's
    own requests. The handle keeps no bucket of its own: `RequestBudget.__init__` is not called.
    """

    def __init__(
        self, provider: str, limit: SharedLimit, shared: RequestBudget, clock: Clock
    ) -> None:
        self.provider = provider
        self.limit = limit
        """The limit, and who else draws on it."""
        self._shared_budget = shared
        self._clock = clock
        self.spent = 0
        self._recent: deque[float] = deque()

    def __repr__(self) -> str:
        return f"ProviderBudget({self.provider!r} on {self.limit.identity.shown})"

    @property
    def shared_budget(self) -> RequestBudget:
        return self._shared_budget

    # the shared budget's settings, read and written through
    @property
    def per_minute(self) -> float:
        return self._shared_budget.per_minute

    @per_minute.setter
    def per_minute(self, value: float) -> None:
        self._shared_budget.per_minute = value

    @property
    def per_hour(self) -> float | None:
        return self._shared_budget.per_hour

    @per_hour.setter
    def per_hour(self, value: float | None) -> None:
        self._shared_budget.per_hour = value

    @property
    def burst(self) -> float:
        return self._shared_budget.burst

    @burst.setter
    def burst(self, value: float) -> None:
        self._shared_budget.burst = value

    @property
    def provider_remaining(self) -> int | None:
        return self._shared_budget.provider_remaining

    @provider_remaining.setter
    def provider_remaining(self, value: int | None) -> None:
        self._shared_budget.provider_remaining = value

    @property
    def provider_limit(self) -> int | None:
        return self._shared_budget.provider_limit

    @provider_limit.setter
    def provider_limit(self, value: int | None) -> None:
        self._shared_budget.provider_limit = value

    def retune(
        self, per_minute: float, *, per_hour: float | None, burst: float, tokens: float
    ) -> None:
        self._shared_budget.retune(per_minute, per_hour=per_hour, burst=burst, tokens=tokens)

    def pace_per_minute(self) -> float:
        return self._shared_budget.pace_per_minute()

    def available(self) -> float:
        return self._shared_budget.available()

    def paused_for(self) -> float:
        return self._shared_budget.paused_for()

    def wait_time(self) -> float:
        return self._shared_budget.wait_time()

    def try_acquire(self) -> bool:
        if not self._shared_budget.try_acquire():
            return False
        self._count()
        return True

    async def acquire(self) -> None:
        await self._shared_budget.acquire()
        self._count()

    def pause(self, seconds: float) -> None:
        self._shared_budget.pause(seconds)

    def observe(
        self, limit: int | None, remaining: int | None, reset_epoch: float | None, now_epoch: float
    ) -> None:
        self._shared_budget.observe(limit, remaining, reset_epoch, now_epoch)


MakeBudget = Callable[[SharedLimit], RequestBudget]
"""Makes the one budget of a limit (team mode: a `SharedBudget` in Redis)."""


class BudgetPool:
    """One budget per limit, and a handle on it for each provider (the registry's `budget_for`)."""

    def __init__(
        self,
        providers: Sequence[ProviderConfig],
        *,
        clock: Clock = SYSTEM_CLOCK,
        make: MakeBudget | None = None,
    ) -> None:
        self.clock = clock
        self.limits = {name: limit for limit in shared_limits(providers) for name in limit.members}
        """Each provider's limit, by provider name."""
        self._make = make or self._local
        self._budgets: dict[str, RequestBudget] = {}

    def _local(self, limit: SharedLimit) -> RequestBudget:
        return RequestBudget(limit.per_minute, per_hour=limit.per_hour, clock=self.clock)

    def budget_of(self, limit: SharedLimit) -> RequestBudget:
        """The one budget of `limit`, made on first use."""
        digest = limit.identity.digest
        if digest not in self._budgets:
            self._budgets[digest] = self._make(limit)
        return self._budgets[digest]

    def budget_for(self, provider: ProviderConfig) -> ProviderBudget:
        """`provider`'s handle on the budget of its limit."""
        limit = self.limits.get(provider.name)
        if limit is None or provider.name not in limit.members:  # not one of the pool's
            (limit,) = shared_limits([provider])
            self.limits[provider.name] = limit
        return ProviderBudget(provider.name, limit, self.budget_of(limit), self.clock)
