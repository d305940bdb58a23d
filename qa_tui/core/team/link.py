"""`TeamLink`: everything team mode adds to one instance, built from the config.

It makes the `SharedBudget` of each limit its providers (and the tracker) draw on, keyed the way
the service counts (core/providers/sharing.py: a BugBrain key whatever the project, a Bug0 project,
a BugBug token, Bugnet per machine), and hands each provider its handle on it for the registry
(`budget_for`, `tracker_budget`); ten people watching three projects on one key then draw on
one bucket in Redis. It is the engine's `Team` (`run_provider`, `emitted`): leases stay per
project, since a lease decides who polls a project. It keeps this instance's presence in each
project's member set and each limit's (a heartbeat every `HEARTBEAT_S`: the projects' counts
give the header's "7 watching", the limits' the fair share of a bucket when Redis goes away),
and tells the UI its `TeamStatus` through its `status_changed` signal. `aclose()` hands every lease over and
leaves the member sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import ProviderConfig, TeamConfig, TrackerConfig
from qa_tui.core.model import ProviderKind
from qa_tui.core.providers.endpoints import base_url_for
from qa_tui.core.providers.sharing import (
    BudgetPool,
    ProviderBudget,
    SharedLimit,
    tracker_identity,
)
from qa_tui.core.runs.store import Changes
from qa_tui.core.signals import Signal
from qa_tui.core.team.bucket import SharedBudget, WatchCount
from qa_tui.core.team.connection import (
    REDIS_DOWN,
    TeamConnection,
    cancelled_meanwhile,
    client_for,
)
from qa_tui.core.team.keys import ScopeKeys, scope_of
from qa_tui.core.team.member import ProviderMember
from qa_tui.core.team.scripts import HEARTBEAT
from qa_tui.core.team.status import TeamRole, TeamStatus

if TYPE_CHECKING:
    from qa_tui.core.engine import Engine

HEARTBEAT_S = 2.0
PRESENCE_MS = 8000
"""An instance that stopped heart-beating (killed) stops counting after this long."""


def _ignore(_: TeamStatus) -> None:
    return None


class TeamLink:
    """One instance's membership of its providers' teams."""

    def __init__(
        self,
        config: TeamConfig,
        providers: Sequence[ProviderConfig],
        tracker: TrackerConfig | None = None,
        *,
        client: aioredis.Redis | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.config = config
        self.clock = clock
        self.connection = TeamConnection(client or client_for(config), clock=clock)
        self.connection.listeners.append(self._update)
        self.instance = secrets.token_hex(8)
        """A random id for the member sets (nothing about the user or the machine)."""
        self.watching = WatchCount()
        self.status = TeamStatus()
        """What this instance does for each provider now, and who else watches."""
        self.status_changed: Signal[TeamStatus] = Signal("team.status_changed")
        """Every new `status` (the app posts it to the header)."""
        self.scopes: dict[str, ScopeKeys] = {}
        """Each provider project's keys (lease, change stream, snapshot, members), by name."""
        self.limits: dict[str, ScopeKeys] = {}
        """Each limit's keys (its token bucket, its members), by the limit's digest."""
        self.members: dict[str, ProviderMember] = {}
        self._rng = random.Random()
        self.pool = BudgetPool(providers, clock=clock, make=self._shared_budget)
        """One shared bucket per limit, a handle on it per provider."""
        for provider in providers:
            token = provider.token.get_secret_value()
            scope = scope_of(
                provider.kind, base_url_for(provider), provider.project_id or "", token
            )
            keys = ScopeKeys(config.key_prefix, scope)
            self.scopes[provider.name] = keys
            self.members[provider.name] = ProviderMember(
                provider.name,
                ProviderKind(provider.kind),
                keys,
                self.connection,
                lease_s=config.lease_s,
                clock=clock,
                shares=provider.kind != "bug0",  # Bug0 has nothing to poll: only its budget
                on_change=self._update,
            )
        for limit in {limit.identity.digest: limit for limit in self.pool.limits.values()}.values():
            self.limits[limit.identity.digest] = ScopeKeys(config.key_prefix, limit.identity.digest)
        self.tracker_keys: ScopeKeys | None = None
        """Bugnet's bucket: its limit is per IP, so every instance on this machine shares it."""
        if tracker is not None:
            self.tracker_keys = ScopeKeys(config.key_prefix, tracker_identity(tracker).digest)
        self._heartbeat_script: AsyncScript = self.connection.client.register_script(HEARTBEAT)
        self._heartbeat: asyncio.Task[None] | None = None
        self._update()

    def __repr__(self) -> str:
        return f"TeamLink(instance={self.instance!r}, status={self.status!r})"

    # --- budgets, for the registry ----------------------------------------------------------

    def budget_for(self, provider: ProviderConfig) -> ProviderBudget:
        """The provider's handle on the shared bucket of its limit (at the lowest rate any
        provider on that limit asks for)."""
        return self.pool.budget_for(provider)

    def _shared_budget(self, limit: SharedLimit) -> SharedBudget:
        keys = self.limits.get(limit.identity.digest)
        if keys is None:  # a provider the link was not built with
            keys = self.limits[limit.identity.digest] = ScopeKeys(
                self.config.key_prefix, limit.identity.digest
            )
        return SharedBudget(
            limit.per_minute,
            per_hour=limit.per_hour,
            connection=self.connection,
            keys=keys,
            watching=self.watching,
            clock=self.clock,
            rng=self._rng,
        )

    def tracker_budget(self, tracker: TrackerConfig) -> SharedBudget:
        """Bugnet's shared bucket: its limit is per IP, so the instances on this machine share
        it (`tracker_identity`), whatever project or credentials each one files with."""
        if self.tracker_keys is None:
            self.tracker_keys = ScopeKeys(self.config.key_prefix, tracker_identity(tracker).digest)
        return SharedBudget(
            tracker.requests_per_minute,
            per_hour=None,
            connection=self.connection,
            keys=self.tracker_keys,
            watching=self.watching,
            clock=self.clock,
            rng=self._rng,
        )

    def _presence_keys(self) -> list[ScopeKeys]:
        """Every member set this instance heart-beats into: its projects', its limits' and the
        tracker's."""
        found = {keys.scope: keys for keys in self.scopes.values()}
        found.update((keys.scope, keys) for keys in self.limits.values())
        if self.tracker_keys is not None:
            found[self.tracker_keys.scope] = self.tracker_keys
        return list(found.values())

    # --- the engine's Team ----------------------------------------------------------------

    async def run_provider(self, engine: Engine, provider: str) -> None:
        if self._heartbeat is None:
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())
        await self.members[provider].run(engine)

    def emitted(self, changes: Changes) -> None:
        for member in self.members.values():
            member.emitted(changes)

    # --- presence and status ----------------------------------------------------------------

    async def _beat(self) -> None:
        while True:
            if self.connection.online:
                try:
                    for keys in self._presence_keys():
                        count = await self.connection.bounded(
                            self._heartbeat_script(
                                keys=[keys.members], args=[self.instance, PRESENCE_MS]
                            )
                        )
                        self.watching.set(keys.scope, int(count))
                except REDIS_DOWN as error:
                    cancelled_meanwhile()
                    self.connection.lost(error)
                except (TypeError, ValueError):
                    self.connection.rejected.add("bad member count")
                self._update()
            await self.clock.sleep(HEARTBEAT_S)

    def _update(self) -> None:
        offline = not self.connection.online
        roles = {
            name: TeamRole.OFFLINE if offline and m.shares else m.role
            for name, m in self.members.items()
        }
        watching = {name: self.watching.count(k.scope) for name, k in self.scopes.items()}
        status = TeamStatus(roles, watching, self.connection.rejected.total)
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)

    async def aclose(self) -> None:
        """Hand the leases over, leave the member sets, close the connection."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for member in self.members.values():
            await member.leave()
        if self.connection.online:
            with contextlib.suppress(*REDIS_DOWN):
                for keys in self._presence_keys():
                    await self.connection.bounded(
                        self.connection.client.zrem(keys.members, self.instance)
                    )
        await self.connection.aclose()
