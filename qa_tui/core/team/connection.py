"""The one Redis connection of an instance, whether it is up, and what waits for it to come back.

Every team part talks to Redis through `TeamConnection.client`. A part that meets a Redis error
calls `lost()`: the connection is then offline for everyone (budgets fall back to a fair share,
members stop following), and a probe pings Redis every `probe_s` until it answers; then
`online` is set again and the parts rejoin. No secret is ever written through it: the URL and
password live only inside the redis client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import TeamConfig
from qa_tui.core.team.wire import Rejected

REDIS_DOWN: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
"""What a Redis call raises when Redis cannot be reached (or answers nonsense)."""

log = logging.getLogger(__name__)
T = TypeVar("T")


def cancelled_meanwhile() -> None:
    """Raise CancelledError if this task was asked to stop: on Python 3.11 a cancellation that
    meets a socket timeout in the redis client can come out as a timeout error instead, and a
    loop that rides out Redis errors must not ride out its own end with it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def client_for(config: TeamConfig, *, connect_timeout_s: float = 2.0) -> aioredis.Redis:
    """The asyncio client for `[team]`: TLS verified for rediss:// unless told otherwise."""
    url = config.redis_url.get_secret_value()
    options: dict[str, object] = {
        # no socket_timeout: the client then wraps each send in asyncio.wait_for, whose task a
        # cancellation can leave hanging on Python 3.11; calls are bounded by `bounded()`
        "socket_timeout": None,
        "socket_connect_timeout": connect_timeout_s,
        "health_check_interval": 0,
        "retry_on_timeout": False,
        # one retry at once (a pooled connection left over from before a Redis restart), not
        # the client's default ten with backoff: a Redis that is gone must be noticed in time
        "retry": Retry(NoBackoff(), 1),
        "client_name": "qa-tui",
    }
    if config.password is not None:
        options["password"] = config.password.get_secret_value()
    if url.startswith("rediss://") and not config.verify_tls:
        options["ssl_cert_reqs"] = ssl.CERT_NONE
        options["ssl_check_hostname"] = False
    return aioredis.Redis.from_url(url, **options)  # type: ignore[arg-type]


class TeamConnection:
    """Redis, and whether it answers. `online` flips on `lost()` and back when a ping answers."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        clock: Clock = SYSTEM_CLOCK,
        probe_s: float = 1.0,
        timeout_s: float = 3.0,
    ) -> None:
        self.client = client
        self.timeout_s = timeout_s
        """The longest one Redis call may take before Redis counts as gone (TimeoutError)."""
        self.clock = clock
        self.probe_s = probe_s
        self.online = True
        """False from a failed Redis call until a ping answers again."""
        self.rejected = Rejected()
        """Everything read from Redis and skipped as invalid."""
        self.outages = 0
        """Times Redis was lost."""
        self.listeners: list[Callable[[], None]] = []
        """Called whenever `online` changes."""
        self._back = asyncio.Event()
        self._probe: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"TeamConnection(online={self.online})"

    async def bounded(self, work: Awaitable[T]) -> T:
        """`await work`, or TimeoutError after `timeout_s` (a Redis that hangs is a gone one)."""
        async with asyncio.timeout(self.timeout_s):
            return await work

    def lost(self, error: BaseException) -> None:
        """A Redis call failed: go offline and start probing for its return."""
        if not self.online:
            return
        log.warning("team: Redis unreachable (%s); polling alone", type(error).__name__)
        self.online = False
        self.outages += 1
        self._back.clear()
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._wait_for_redis())
        self._changed()

    async def wait_online(self) -> None:
        """Return once Redis answers (at once when it does)."""
        if not self.online:
            await self._back.wait()

    async def _wait_for_redis(self) -> None:
        while True:
            await self.clock.sleep(self.probe_s)
            try:
                await self.bounded(self.client.ping())
            except REDIS_DOWN:
                cancelled_meanwhile()
                continue
            self.online = True
            self._back.set()
            self._changed()
            return

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    async def aclose(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        with contextlib.suppress(*REDIS_DOWN):
            await self.client.aclose()
