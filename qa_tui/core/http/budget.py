"""A request budget: a token bucket that also obeys what the provider says.

Every request a client makes first takes a token here. The bucket refills at `per_minute / 60`
tokens a second up to `burst`. A 429's `Retry-After`, or `X-RateLimit-Remaining: 0` with an
`X-RateLimit-Reset` time, pauses the bucket until then, so no request is sent that the provider
has already said it will refuse.
"""

from __future__ import annotations

import asyncio
from collections import deque

from qa_tui.core.clock import SYSTEM_CLOCK, Clock

RECENT_S = 60.0
"""How far back `requests_last_minute` counts."""


class RequestBudget:
    """Token bucket with provider-imposed pauses. One per limit a service counts (a BugBrain key,
    a Bug0 project, a BugBug token): the providers on it hold handles onto it
    (`budget_sharing.ProviderBudget`)."""

    def __init__(
        self,
        per_minute: float,
        *,
        per_hour: float | None = None,
        burst: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ):
        if per_minute <= 0 or (per_hour is not None and per_hour <= 0):
            raise ValueError("per_minute and per_hour must be positive")
        self.per_minute = per_minute
        self.per_hour = per_hour
        """A second, hourly limit (BugBrain 500, Bug0 100): a bucket of a fifth of it that refills
        with the rest over the hour, so no rolling hour ever holds more than `per_hour`."""
        self._hour_capacity = max(1.0, per_hour / 5) if per_hour else 0.0
        self._hour_rate = per_hour * 0.8 / 3600 if per_hour else 0.0
        self._hour_tokens = self._hour_capacity
        self.burst = burst if burst is not None else max(2.0, min(10.0, per_minute / 6))
        self._clock = clock
        self._tokens = self.burst
        self._stamp = clock.monotonic()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.provider_remaining: int | None = None
        """The provider's own `X-RateLimit-Remaining`, when it sends one."""
        self.provider_limit: int | None = None
        self.spent = 0
        """Requests taken from this budget so far."""
        self._recent: deque[float] = deque()

    @property
    def shared_budget(self) -> RequestBudget:
        """The budget whose tokens this one spends: itself (a provider's handle on a budget it
        shares with others answers the shared one: `budget_sharing.ProviderBudget`)."""
        return self

    def _count(self) -> None:
        """One more request sent on this budget."""
        self.spent += 1
        now = self._clock.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] <= now - RECENT_S:
            self._recent.popleft()

    def requests_last_minute(self) -> int:
        """Requests sent on this budget in the last minute (the health panel's rate)."""
        now = self._clock.monotonic()
        while self._recent and self._recent[0] <= now - RECENT_S:
            self._recent.popleft()
        return len(self._recent)

    def retune(
        self, per_minute: float, *, per_hour: float | None, burst: float, tokens: float
    ) -> None:
        """Change the rates in place (team mode's fair share while Redis is away, and back):
        the bucket goes on from `tokens`; a pause the provider imposed is kept."""
        self.per_minute, self.per_hour, self.burst = per_minute, per_hour, burst
        self._hour_capacity = max(1.0, per_hour / 5) if per_hour else 0.0
        self._hour_rate = per_hour * 0.8 / 3600 if per_hour else 0.0
        self._hour_tokens = min(self._hour_tokens, self._hour_capacity)
        self._tokens = min(tokens, burst)
        self._stamp = self._clock.monotonic()

    @property
    def rate_per_second(self) -> float:
        return self.per_minute / 60.0

    def _refill(self) -> None:
        now = self._clock.monotonic()
        elapsed = now - self._stamp
        if elapsed > 0:
            self._tokens = min(self.burst, self._tokens + elapsed * self.rate_per_second)
            if self.per_hour:
                self._hour_tokens = min(
                    self._hour_capacity, self._hour_tokens + elapsed * self._hour_rate
                )
            self._stamp = now

    def pace_per_minute(self) -> float:
        """The rate a poller should plan for now: the minute's rate while the hourly allowance
        lasts, the hour's sustainable rate once less than a quarter of it is left."""
        self._refill()
        if self.per_hour and self._hour_tokens < self._hour_capacity / 4:
            return min(self.per_minute, self._hour_rate * 60)
        return self.per_minute

    def _take(self) -> None:
        self._tokens -= 1.0
        if self.per_hour:
            self._hour_tokens -= 1.0
        self._count()

    def available(self) -> float:
        """Tokens available right now (0 while paused by the provider)."""
        self._refill()
        if self.paused_for() > 0:
            return 0.0
        return min(self._tokens, self._hour_tokens) if self.per_hour else self._tokens

    def paused_for(self) -> float:
        """Seconds left of a pause the provider imposed (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock.monotonic())

    def wait_time(self) -> float:
        """Seconds until a request may be sent."""
        self._refill()
        deficit = max(0.0, 1.0 - self._tokens) / self.rate_per_second
        if self.per_hour:
            deficit = max(deficit, max(0.0, 1.0 - self._hour_tokens) / self._hour_rate)
        return max(deficit, self.paused_for())

    def try_acquire(self) -> bool:
        """Take a token if one is free now; never waits."""
        if self.wait_time() > 0:
            return False
        self._take()
        return True

    async def acquire(self) -> None:
        """Wait until a token is free, then take it. Callers are served in arrival order."""
        async with self._lock:
            while True:
                wait = self.wait_time()
                if wait <= 0:
                    self._take()
                    return
                await self._clock.sleep(wait)

    def give_back(self) -> None:
        """A request the service did not count after all (GitHub's 304 to a conditional
        request): its token is returned, up to the bucket's size. It still counts as sent."""
        self._refill()
        self._tokens = min(self.burst, self._tokens + 1.0)
        if self.per_hour:
            self._hour_tokens = min(self._hour_capacity, self._hour_tokens + 1.0)

    def pause(self, seconds: float) -> None:
        """The provider asked us to wait (429 `Retry-After`): no request goes out before then."""
        until = self._clock.monotonic() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)
        self._tokens = min(self._tokens, 0.0)

    def observe(
        self, limit: int | None, remaining: int | None, reset_epoch: float | None, now_epoch: float
    ) -> None:
        """Take in `X-RateLimit-*` headers: with nothing remaining, pause until the reset time;
        with less remaining than the bucket holds, hold no more than that."""
        if limit is not None:
            self.provider_limit = limit
        if remaining is not None:
            self.provider_remaining = remaining
            if remaining <= 0 and reset_epoch is not None:
                self.pause(min(3600.0, max(0.0, reset_epoch - now_epoch)))
            elif remaining < self._tokens:
                # never plan on more than the provider has left (others on the key spend too)
                self._refill()
                self._tokens = min(self._tokens, float(remaining))
