"""One provider project's poller lease: `SET key token NX PX ttl`, renewed, released, fenced.

The holder knows how long it may still act: `held()` is true only until the time its last
successful renewal (or acquisition) was sent plus the TTL, less a margin, by its own clock. A
poller checks it before every cycle, so one that stalled (a suspended laptop, a long pause)
stops polling by itself before another instance can have taken over; and whatever it still
tries to publish is refused by the fenced `PUBLISH` script, which compares lease tokens in Redis.
"""

from __future__ import annotations

import secrets

from redis.commands.core import AsyncScript

from qa_tui.core.clock import Clock
from qa_tui.core.team.connection import TeamConnection
from qa_tui.core.team.scripts import LEASE_RELEASE, LEASE_RENEW

SAFETY_S = 1.0
"""How much sooner than Redis the holder gives its lease up, against clock drift and latency."""


class Lease:
    """The lease of one provider project (all calls may raise what Redis raises)."""

    def __init__(self, connection: TeamConnection, key: str, ttl_s: float, clock: Clock) -> None:
        self.connection = connection
        self.key = key
        self.ttl_ms = max(1000, round(ttl_s * 1000))
        self.clock = clock
        self.token = secrets.token_hex(16)
        """A random lease token (not a credential): the fence, and what Redis holds of us."""
        self.valid_until = 0.0
        """Monotonic time until which this instance may act as the holder."""
        self._renew: AsyncScript = connection.client.register_script(LEASE_RENEW)
        self._release: AsyncScript = connection.client.register_script(LEASE_RELEASE)

    def __repr__(self) -> str:
        return f"Lease(held={self.held()})"

    def held(self) -> bool:
        return self.clock.monotonic() < self.valid_until

    async def try_take(self) -> bool:
        """Take the lease if nobody holds it (or renew it if we do)."""
        if self.valid_until and await self.renew():
            return True
        sent = self.clock.monotonic()
        taken = await self.connection.bounded(
            self.connection.client.set(self.key, self.token, nx=True, px=self.ttl_ms)
        )
        if taken:
            self._valid_from(sent)
        return bool(taken)

    async def renew(self) -> bool:
        """Extend the lease if it is still ours; False (and no longer held) when it is not."""
        sent = self.clock.monotonic()
        renewed = await self.connection.bounded(
            self._renew(keys=[self.key], args=[self.token, self.ttl_ms])
        )
        if renewed == 1:
            self._valid_from(sent)
            return True
        self.valid_until = 0.0
        return False

    async def release(self) -> None:
        """Give the lease up if it is ours, so another instance takes over at once."""
        self.valid_until = 0.0
        await self.connection.bounded(self._release(keys=[self.key], args=[self.token]))

    def drop(self) -> None:
        """Stop acting as the holder now (Redis lost: the lease lapses by itself there)."""
        self.valid_until = 0.0

    def _valid_from(self, sent: float) -> None:
        self.valid_until = sent + self.ttl_ms / 1000.0 - SAFETY_S
