"""One provider project's part in the team: poll and publish, follow, or poll alone.

`ProviderMember.run(engine)` loops over roles until cancelled:

- **poller** while it holds the lease: the engine's own cycles, each batch published (fenced) to
  the change stream and the snapshot; followers' refresh requests become runs refreshed every
  cycle; the lease renewed every third of its TTL. A lost lease ends the role at once, and a
  paused instance (the `p` key) hands its lease over rather than freeze everyone's table.
- **follower** otherwise: the snapshot first (the first paint), then the change stream from the
  entry the snapshot was read at (`XREAD BLOCK`), each entry validated and applied to the store
  as the engine's own batches are; the run open in the detail view asked for on the request
  stream; the lease tried twice a second, so a dead poller is replaced within its TTL.
- **offline** while Redis is away: the engine's own cycles again, at the budget's fair share,
  until Redis answers; then it rejoins as either role, going on from what it already has.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, TypeVar

from redis.commands.core import AsyncScript

from qa_tui.core.clock import Clock
from qa_tui.core.model import ProviderKind, Run
from qa_tui.core.runs.store import Changes, RunKey
from qa_tui.core.team import wire
from qa_tui.core.team.connection import REDIS_DOWN, TeamConnection, cancelled_meanwhile
from qa_tui.core.team.keys import ScopeKeys
from qa_tui.core.team.lease import Lease
from qa_tui.core.team.scripts import PUBLISH
from qa_tui.core.team.status import TeamRole

if TYPE_CHECKING:
    from qa_tui.core.engine import Engine

T = TypeVar("T")

STREAM_MAXLEN = 2000
"""Change entries kept (about): a follower further behind than this reads the snapshot again."""
REQUESTS_MAXLEN = 200
KEEP_MS = 24 * 3600 * 1000
"""The stream and snapshot of a project nobody polls any more are forgotten after a day."""
FOLLOW_BLOCK_MS = 500
"""How long one `XREAD BLOCK` waits: also how often a follower tries the lease."""
ASK_EVERY_S = 3.0
"""A follower repeats its refresh request this often while its detail view stays open."""
WANTED_FOR_S = 10.0
"""A refresh request counts this long after it was read."""


class ProviderMember:
    """What one instance does for one provider project."""

    def __init__(
        self,
        name: str,
        kind: ProviderKind,
        keys: ScopeKeys,
        connection: TeamConnection,
        *,
        lease_s: float,
        clock: Clock,
        shares: bool,
        on_change: Callable[[], None],
    ) -> None:
        self.name, self.kind, self.keys = name, kind, keys
        self.connection = connection
        self.clock = clock
        self.shares = shares
        """False for a provider with nothing to poll (Bug0): only its budget is shared."""
        self.on_change = on_change
        self.role = TeamRole.JOINING if shares else TeamRole.ALONE
        # the TTL in Redis leaves room for a follower's next try within `lease_s` of a death
        self.lease = Lease(connection, keys.lease, lease_s - FOLLOW_BLOCK_MS / 1000 - 0.3, clock)
        self.published = 0
        """Stream entries this instance published."""
        self._publish: AsyncScript = connection.client.register_script(PUBLISH)
        self._outgoing: list[Changes] = []
        self._has_outgoing = asyncio.Event()
        self._stream_id = "0-0"
        self._requests_id = "0-0"
        self._wanted: dict[str, float] = {}
        self._asked: tuple[RunKey | None, float] = (None, 0.0)
        self._joined = -1
        self._team_data = False

    def __repr__(self) -> str:
        return f"ProviderMember({self.name!r}, role={self.role.value})"

    # --- the engine's side ----------------------------------------------------------------

    def emitted(self, changes: Changes) -> None:
        """A batch the engine emitted: the poller publishes this provider's part of it."""
        if self.role is TeamRole.POLLER:
            self._outgoing.append(changes)
            self._has_outgoing.set()

    def wanted(self) -> Collection[RunKey]:
        """The runs followers asked to have refreshed, still within their time."""
        now = self.clock.monotonic()
        self._wanted = {run_id: until for run_id, until in self._wanted.items() if until > now}
        return [(self.name, run_id) for run_id in self._wanted]

    async def run(self, engine: Engine) -> None:
        if not self.shares:
            await engine.poll_forever(self.name)
            return
        while True:
            if not self.connection.online:
                await self._alone(engine)
                continue
            try:
                await self._join(engine)
                if not engine.paused and await self.lease.try_take():
                    await self._poll(engine)
                else:
                    await self._follow(engine)
            except REDIS_DOWN as error:
                cancelled_meanwhile()
                self.lease.drop()
                self.connection.lost(error)

    async def leave(self) -> None:
        """Hand the lease over at once (on exit); Redis errors are not ours to raise now."""
        if self.lease.held():
            with contextlib.suppress(*REDIS_DOWN):
                await self.lease.release()
        self.lease.drop()

    def _set_role(self, role: TeamRole) -> None:
        if role is not self.role:
            self.role = role
            self.on_change()

    # --- joining: the snapshot -----------------------------------------------------------

    async def _join(self, engine: Engine) -> None:
        """Once per connection: the snapshot, and the stream entry it was read at."""
        if self._joined == self.connection.outages:
            return
        async with self.connection.client.pipeline(transaction=True) as pipe:
            pipe.xrevrange(self.keys.changes, count=1)
            pipe.hgetall(self.keys.snapshot)
            last, snapshot = await self.connection.bounded(pipe.execute())
        self._stream_id = _entry_id(last[0][0]) if last else "0-0"
        runs: list[Run] = []
        rejected = self.connection.rejected
        for run_id, raw in list(snapshot.items())[: wire.MAX_SNAPSHOT_RUNS]:
            run = wire.decode_run(raw, self.name, self.kind, rejected)
            if run is not None and run.id.encode() == run_id:
                runs.append(run)
            elif run is not None:
                rejected.add("snapshot entry under another id")
        if runs:
            self._team_data = True
            engine.receive(self.name, runs, confirm=True)
        self._joined = self.connection.outages

    # --- poller --------------------------------------------------------------------------

    async def _poll(self, engine: Engine) -> None:
        self._set_role(TeamRole.POLLER)
        poller = engine.pollers[self.name]
        if self._team_data:
            poller.resume()
        ours = [row for row in engine.store if row.key[0] == self.name and not row.stale]
        self._outgoing = [Changes(updated=tuple(ours))] if ours else []  # re-seed the snapshot
        self._has_outgoing.set()
        last = await self.connection.bounded(
            self.connection.client.xrevrange(self.keys.requests, count=1)
        )
        self._requests_id = _entry_id(last[0][0]) if last else "0-0"
        poller.wanted = self.wanted
        tasks = [
            asyncio.create_task(self._cycles(engine)),
            asyncio.create_task(self._keep_lease()),
            asyncio.create_task(self._publisher()),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a Redis error goes up from here
        finally:
            for task in tasks:
                task.cancel()
            poller.wanted = _nothing
            await asyncio.gather(*tasks, return_exceptions=True)  # our own cancel goes on up
            self._outgoing = []
        self._team_data = True

    async def _cycles(self, engine: Engine) -> None:
        while self.lease.held():
            if engine.paused:
                await self.lease.release()  # another instance polls for the team meanwhile
                return
            await self._read_requests()
            await engine.rest(self.name, await engine.poll_once(self.name))

    async def _keep_lease(self) -> None:
        while True:
            await self.clock.sleep(self.lease.ttl_ms / 3000.0)
            if not await self.lease.renew():
                return

    async def _publisher(self) -> None:
        while True:
            await self._has_outgoing.wait()
            self._has_outgoing.clear()
            batch = Changes()
            for changes in self._outgoing:
                batch = batch.merged(changes)
            self._outgoing = []
            if batch and not await self._publish_batch(batch):
                return  # the lease is another's: stop polling at once

    async def _publish_batch(self, batch: Changes) -> bool:
        runs = [row.run for row in (*batch.added, *batch.updated) if row.key[0] == self.name]
        removed = [run_id for provider, run_id in batch.removed if provider == self.name]
        for index, part in enumerate(wire.chunks(runs) if runs else [[]]):
            texts = [wire.encode_run(run) for run in part]
            gone = removed if index == 0 else []
            pairs = [
                value for run, text in zip(part, texts, strict=True) for value in (run.id, text)
            ]
            args: list[str | int] = [
                self.lease.token,
                STREAM_MAXLEN,
                KEEP_MS,
                f"[{','.join(texts)}]",
            ]
            args += [json.dumps(gone), len(part), *pairs, *gone]
            keys = [self.keys.lease, self.keys.changes, self.keys.snapshot]
            if await self.connection.bounded(self._publish(keys=keys, args=args)) is None:
                return False
            self.published += 1
        return True

    async def _read_requests(self) -> None:
        reply = await self.connection.bounded(
            self.connection.client.xread({self.keys.requests: self._requests_id}, count=100)
        )
        until = self.clock.monotonic() + WANTED_FOR_S
        for entry_id, fields in wire.stream_entries(reply, self.connection.rejected):
            self._requests_id = entry_id
            run_id = wire.decode_request(fields, self.connection.rejected)
            if run_id is not None and len(self._wanted) < 100:
                self._wanted[run_id] = until

    # --- follower ------------------------------------------------------------------------

    async def _follow(self, engine: Engine) -> None:
        self._set_role(TeamRole.FOLLOWER)
        client = self.connection.client
        while True:
            if engine.paused:
                await self.clock.sleep(FOLLOW_BLOCK_MS / 1000)
                continue
            reply = await self.connection.bounded(
                client.xread({self.keys.changes: self._stream_id}, count=20, block=FOLLOW_BLOCK_MS)
            )
            rejected = self.connection.rejected
            entries = wire.stream_entries(reply, rejected)
            if entries and await self._fell_behind():
                self._joined = -1  # the snapshot again, then the stream from where it is now
                return
            for entry_id, fields in entries:
                self._stream_id = entry_id
                runs, removed = wire.decode_entry(fields, self.name, self.kind, rejected)
                self._team_data = self._team_data or bool(runs)
                engine.receive(self.name, runs, removed)
            await self._ask_for_focus(engine)
            if await self.lease.try_take():
                return

    async def _fell_behind(self) -> bool:
        """True when the stream was trimmed past the last entry this follower read (`MAXLEN ~`
        keeps about `STREAM_MAXLEN`): what the lost entries changed is only in the snapshot.
        A follower that joined an empty stream ("0-0") has read nothing to lose its place on."""
        if self._stream_id == "0-0":
            return False
        first = await self.connection.bounded(
            self.connection.client.xrange(self.keys.changes, count=1)
        )
        if not isinstance(first, list) or not first or not isinstance(first[0], list | tuple):
            return False
        return _id_order(_entry_id(first[0][0])) > _id_order(self._stream_id)

    async def _ask_for_focus(self, engine: Engine) -> None:
        focus, now = engine.focus, self.clock.monotonic()
        if focus is None or focus[0] != self.name:
            return
        row = engine.store.get(focus)
        if row is None or not row.run.status.is_active:
            return
        asked, at = self._asked
        if asked == focus and now - at < ASK_EVERY_S:
            return
        await self.connection.bounded(
            self.connection.client.xadd(
                self.keys.requests, {"run": focus[1]}, maxlen=REQUESTS_MAXLEN, approximate=True
            )
        )
        self._asked = (focus, now)

    # --- offline -------------------------------------------------------------------------

    async def _alone(self, engine: Engine) -> None:
        was = self.role
        self._set_role(TeamRole.OFFLINE)
        self.lease.drop()
        if was is not TeamRole.POLLER and self._team_data:
            engine.pollers[self.name].resume()
        while not self.connection.online:
            wait = await self._unless_online(engine.poll_once(self.name))
            if wait is None:
                break
            await self._unless_online(engine.rest(self.name, wait))

    async def _unless_online(self, work: Awaitable[T]) -> T | None:
        """`work`'s result, or None (and `work` cancelled) if Redis answers again first."""
        task = asyncio.ensure_future(work)
        back = asyncio.ensure_future(self.connection.wait_online())
        try:
            await asyncio.wait({task, back}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, back):
                pending.cancel()
            await asyncio.gather(task, back, return_exceptions=True)  # our own cancel goes on up
        return task.result() if not task.cancelled() else None


def _nothing() -> Collection[RunKey]:
    return ()


def _id_order(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("1700000000000-3") as the pair Redis orders it by."""
    millis, _, sequence = entry_id.partition("-")
    try:
        return int(millis), int(sequence or 0)
    except ValueError:  # not an id Redis would give: ordered first, so it never forces a re-join
        return (0, 0)


def _entry_id(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
