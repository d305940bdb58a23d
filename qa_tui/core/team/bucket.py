"""One token bucket per provider key, shared in Redis by every instance that sends with that key.

`SharedBudget` is a `RequestBudget` (so the HTTP layer and the engine use it unchanged) whose
tokens live in Redis: `acquire()` takes one through the `BUCKET` script, atomically for all
instances, and waits as long as the script says. A 429's `Retry-After`, and `X-RateLimit-
Remaining: 0` until its reset, pause the shared bucket, so no instance sends into a pause another
one was told of; a smaller `X-RateLimit-Remaining` caps its tokens. The sync questions the engine
asks (`available()`, `wait_time()`) are answered from the state the last script call returned.

While Redis is away the bucket is local, at a fair share of the configured rates (divided by the
last known number of instances) with a burst of one, starting at a random fraction of a token so
that instances which lost Redis together do not send together; with Redis back it is shared again.
"""

from __future__ import annotations

import asyncio
import math
import random

from redis.commands.core import AsyncScript
from redis.exceptions import ResponseError

from qa_tui.core.clock import Clock
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.team.connection import REDIS_DOWN, TeamConnection, cancelled_meanwhile
from qa_tui.core.team.keys import ScopeKeys
from qa_tui.core.team.scripts import BUCKET

BUCKET_TTL_S = 7200
"""A bucket nobody used for two hours is forgotten (its hourly allowance has refilled by then)."""
LONGEST_WAIT_S = 2.0
"""A wait for a token is cut into pieces this long, so a lost or returned Redis is noticed."""


class SharedBudget(RequestBudget):
    """A request budget shared through Redis, falling back to a fair local share without it."""

    def __init__(
        self,
        per_minute: float,
        *,
        per_hour: float | None,
        connection: TeamConnection,
        keys: ScopeKeys,
        watching: WatchCount,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(per_minute, per_hour=per_hour, clock=clock)
        self.connection = connection
        self.keys = keys
        self.key = keys.bucket
        self.watching = watching
        """How many instances share this key, as last known (for the fair share)."""
        self.configured = (per_minute, per_hour, self.burst)
        self.shared = True
        """False while the bucket is local (Redis away)."""
        self._rng = rng or random.Random()
        self._debt = 0
        self._script: AsyncScript = connection.client.register_script(BUCKET)
        self._writes: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"SharedBudget(per_minute={self.per_minute:g}, shared={self.shared})"

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                if not self.connection.online:
                    self._go_local()
                    wait = self.wait_time()
                    if wait <= 0:
                        self._take()
                        return
                    await self._clock.sleep(min(wait, LONGEST_WAIT_S))
                    continue
                self._go_shared()
                try:
                    granted, wait = await self._call("take", 1.0)
                except REDIS_DOWN as error:
                    cancelled_meanwhile()
                    self.connection.lost(error)
                    continue
                if granted:
                    self._count()
                    return
                await self._clock.sleep(min(max(wait, 0.005), LONGEST_WAIT_S))

    def try_acquire(self) -> bool:
        if not self.connection.online or not self.shared:
            return super().try_acquire()
        if self.wait_time() > 0:
            return False
        self._take()
        self._debt += 1  # paid into the shared bucket with the next script call
        return True

    def pause(self, seconds: float) -> None:
        super().pause(seconds)
        if self.connection.online and self.shared:
            self._write("pause", max(0.0, seconds))

    def observe(
        self, limit: int | None, remaining: int | None, reset_epoch: float | None, now_epoch: float
    ) -> None:
        capped = remaining is not None and 0 < remaining < self._tokens
        super().observe(limit, remaining, reset_epoch, now_epoch)  # caps the local view
        if capped and remaining is not None and self.connection.online and self.shared:
            self._write("cap", float(remaining))  # and the shared bucket

    def _go_local(self) -> None:
        if not self.shared:
            return
        self.shared = False
        share = self.watching.count(self.keys.scope)
        per_minute, per_hour, _ = self.configured
        self.retune(
            per_minute / share,
            per_hour=per_hour / share if per_hour else None,
            burst=1.0,
            tokens=self._rng.random(),
        )

    def _go_shared(self) -> None:
        if self.shared:
            return
        self.shared = True
        per_minute, per_hour, burst = self.configured
        self.retune(per_minute, per_hour=per_hour, burst=burst, tokens=0.0)

    async def _call(self, op: str, amount: float) -> tuple[bool, float]:
        """Run the bucket script; take in the state it returns; (granted, seconds to wait)."""
        args = (
            op,
            self.rate_per_second,
            self.burst,
            self._hour_rate,
            self._hour_capacity if self.per_hour else 0.0,
            amount,
            self._debt,
            BUCKET_TTL_S,
        )
        debt, self._debt = self._debt, 0
        try:
            reply = await self.connection.bounded(self._script(keys=[self.key], args=list(args)))
        except ResponseError:
            # the bucket holds something the script cannot read: Redis is not trusted, start over
            self.connection.rejected.add("unreadable bucket")
            await self.connection.bounded(self.connection.client.delete(self.key))
            return False, 0.05
        except BaseException:
            self._debt += debt
            raise
        return self._take_in(reply)

    def _take_in(self, reply: object) -> tuple[bool, float]:
        try:
            granted, wait, tokens, hour, paused = (float(x) for x in reply)  # type: ignore[attr-defined]
        except (TypeError, ValueError):
            self.connection.rejected.add("bad bucket reply")
            return False, 0.5
        if not all(math.isfinite(x) for x in (wait, tokens, hour, paused)):
            self.connection.rejected.add("bad bucket reply")
            return False, 0.5
        now = self._clock.monotonic()
        self._tokens = min(self.burst, tokens)
        if self.per_hour:
            self._hour_tokens = min(self._hour_capacity, hour)
        self._stamp = now
        self._paused_until = max(self._paused_until, now + min(paused, 3600.0))
        return granted >= 1, min(max(0.0, wait), 3600.0)

    def _write(self, op: str, amount: float) -> None:
        """Send a pause or a cap to the shared bucket without holding up the caller."""

        async def write() -> None:
            try:
                await self._call(op, amount)
            except REDIS_DOWN as error:
                self.connection.lost(error)

        task = asyncio.get_running_loop().create_task(write())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)


class WatchCount:
    """The number of instances sharing each scope, as the last heartbeat counted them."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def set(self, scope: str, count: int) -> None:
        self._counts[scope] = max(1, count)

    def count(self, scope: str) -> int:
        return self._counts.get(scope, 1)
