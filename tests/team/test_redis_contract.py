"""The Redis parts of team mode against a real redis-server: the lease and its fence, the shared
bucket, validation of what comes back, and that no secret is ever written there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.model import ProviderKind
from qa_tui.core.team.bucket import SharedBudget, WatchCount
from qa_tui.core.team.connection import TeamConnection, client_for
from qa_tui.core.team.keys import ScopeKeys
from qa_tui.core.team.lease import Lease
from qa_tui.core.team.member import ProviderMember
from qa_tui.core.team.status import TeamRole
from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBUG_TOKEN
from tests.support.conditions import until
from tests.team.harness import build_team, quick_client, team_config

KEYS = ScopeKeys("qa-tui", "testscope")


def connection(url: str) -> TeamConnection:
    return TeamConnection(client_for(team_config(url)))


async def test_the_lease_goes_to_one_and_a_former_holder_cannot_publish(redis_url: str) -> None:
    """GIVEN two instances racing for one project's lease
    WHEN one holds it, and later loses it to the other (its renewals stalled past the TTL)
    THEN only one ever holds it, and the former holder's publish is refused by the fence."""
    a, b = connection(redis_url), connection(redis_url)
    first = Lease(a, KEYS.lease, 3.0, SYSTEM_CLOCK)
    second = Lease(b, KEYS.lease, 3.0, SYSTEM_CLOCK)
    assert await first.try_take()
    assert not await second.try_take()
    await a.client.delete(KEYS.lease)  # as if its TTL ran out while it stalled
    assert await second.try_take()
    assert not await first.renew() and not first.held()
    member = ProviderMember(
        "plans", ProviderKind.BUGBRAIN, KEYS, a, lease_s=3, clock=SYSTEM_CLOCK, shares=True,
        on_change=lambda: None,
    )  # fmt: skip
    member.lease = first
    from qa_tui.core.runs.store import Changes, Row
    from tests.team.test_wire import a_run

    assert not await member._publish_batch(Changes(added=(Row(a_run()),)))
    assert await a.client.xlen(KEYS.changes) == 0
    await second.release()
    assert await a.client.get(KEYS.lease) is None
    await a.aclose()
    await b.aclose()


async def test_the_shared_bucket_holds_every_instance_to_one_budget(redis_url: str) -> None:
    """GIVEN three instances' budgets for one key, 600 a minute with a burst of 10
    WHEN each takes ten tokens as fast as it can
    THEN the thirty came no faster than the bucket allows: after its burst, ten a second by
    Redis's own clock (the one the bucket counts with); and a Retry-After one of them was told
    holds the others too."""
    conns = [connection(redis_url) for _ in range(3)]
    budgets = [
        SharedBudget(600, per_hour=None, connection=c, keys=KEYS, watching=WatchCount(),
                     clock=SYSTEM_CLOCK)
        for c in conns
    ]  # fmt: skip
    import asyncio

    async def redis_now() -> float:
        seconds, micros = await conns[0].client.time()
        return float(seconds) + float(micros) / 1e6

    started = await redis_now()
    await asyncio.gather(*(b.acquire() for b in budgets for _ in range(10)))
    elapsed = await redis_now() - started
    granted = sum(b.spent for b in budgets)
    assert granted == 30
    assert elapsed >= (granted - budgets[0].burst) / 10.0 - 0.05
    budgets[0].pause(5.0)
    await until(lambda: budgets[0]._writes == set(), what="the pause written")
    # the others learn it from Redis within moments, and from then on send nothing
    await until(lambda: not budgets[1].try_acquire(), timeout_s=3.0, what="the pause seen")
    await asyncio.sleep(0)
    held = asyncio.create_task(budgets[2].acquire())
    await asyncio.sleep(0.5)
    assert not held.done()  # nobody sends inside the Retry-After one instance met
    held.cancel()
    for c in conns:
        await c.aclose()


async def test_without_redis_a_budget_falls_back_to_its_fair_share(redis_url: str) -> None:
    """GIVEN a shared budget that last saw 4 instances
    WHEN Redis cannot be reached
    THEN it goes on locally at a quarter of the configured rate, with a burst of one."""
    conn = TeamConnection(client_for(team_config("redis://127.0.0.1:1/0")))
    watching = WatchCount()
    watching.set(KEYS.scope, 4)
    budget = SharedBudget(
        30, per_hour=500, connection=conn, keys=KEYS, watching=watching, clock=SYSTEM_CLOCK
    )
    import asyncio

    task = asyncio.create_task(budget.acquire())
    await until(lambda: not conn.online, what="offline")
    assert (budget.per_minute, budget.per_hour, budget.burst) == (7.5, 125, 1.0)
    task.cancel()
    await conn.aclose()


def scan_for(secrets: list[str], dump: list[bytes]) -> list[str]:
    return [s for s in secrets if any(s.encode() in blob for blob in dump)]


async def test_no_secret_ever_reaches_redis(tmp_path: Path, redis_url: str) -> None:
    """GIVEN two instances polling and following, with a run opened in a detail view
    WHEN every key, hash field, stream entry and value in Redis is read
    THEN none holds a configured token, the Redis URL, or a hostile string's secret."""
    team = build_team(tmp_path, redis_url)
    a, b = team.add("a"), team.add("b")
    a.start()
    b.start()
    await until(lambda: bool(a.statuses("plans")) and a.statuses("plans") == b.statuses("plans"))
    follower = b if b.role("plans") is TeamRole.FOLLOWER else a
    active = next(r for r in follower.engine.store.runs_of("plans") if r.status.is_active)
    follower.engine.focus = active.key
    team.scenario.advance(100)
    await until(lambda: a.statuses("plans") == team.truth("bugbrain"))
    client = quick_client(redis_url)
    dump: list[bytes] = []
    keys = [k async for k in client.scan_iter()]
    assert len(keys) >= 6
    for key in keys:
        dump.append(key)
        kind = (await client.type(key)).decode()
        if kind == "string":
            dump.append(await client.get(key) or b"")
        elif kind == "hash":
            dump.extend(b for pair in (await client.hgetall(key)).items() for b in pair)
        elif kind == "zset":
            dump.extend(await client.zrange(key, 0, -1))
        elif kind == "stream":
            for _, fields in await client.xrange(key):
                dump.extend(b for pair in fields.items() for b in pair)
    await client.aclose()
    secrets = [BUGBUG_TOKEN, BUGBRAIN_API_KEY, redis_url, "Bearer", "Authorization"]
    assert scan_for(secrets, dump) == []
    assert any(b'"provider_kind":"bugbrain"' in blob for blob in dump)  # the scan saw runs
    await team.aclose()


async def test_garbage_in_redis_is_skipped_and_counted(tmp_path: Path, redis_url: str) -> None:
    """GIVEN a poller's stream into which something else wrote junk entries
    WHEN a follower reads them
    THEN the junk is skipped and counted, and the good runs after it still apply."""
    team = build_team(tmp_path, redis_url)
    a = team.add("a")
    a.start()
    await until(lambda: a.role("plans") is TeamRole.POLLER)
    b = team.add("b")
    b.start()
    await until(lambda: b.role("plans") is TeamRole.FOLLOWER)
    client = quick_client(redis_url)
    keys = a.link.scopes["plans"]
    await client.xadd(keys.changes, {"v": "1", "runs": "not json", "removed": "[]"})
    await client.xadd(keys.changes, {"v": "9", "runs": "[]"})
    junk = {"id": "x", "provider_kind": "bugbug", "kind": "test", "name": "n", "status": "passed",
            "provider_status": "passed"}  # fmt: skip
    await client.xadd(keys.changes, {"v": "1", "runs": json.dumps([junk, {"id": 5}])})
    await client.aclose()
    await until(lambda: b.link.connection.rejected.total >= 4, what="the junk counted")
    team.scenario.advance(150)
    await until(lambda: b.statuses("plans") == team.truth("bugbrain"), what="good runs still apply")
    assert "x" not in b.statuses("plans")
    await team.aclose()


@pytest.mark.parametrize("tls", [False, True])
def test_the_client_is_built_from_the_config_without_connecting(tls: bool) -> None:
    scheme = "rediss" if tls else "redis"
    config = team_config(f"{scheme}://127.0.0.1:6380/0", password="pw-secret-9", verify_tls=False)
    client = client_for(config)
    assert "pw-secret-9" not in repr(client)
    assert client.connection_pool.connection_kwargs["password"] == "pw-secret-9"
