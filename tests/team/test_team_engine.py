"""Team mode end to end: several instances' real engines on one simulator, joined by a real
redis-server. One polls, the others poll nothing and still show what the poller sees."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from qa_tui.core.team.status import TeamRole
from tests.support.conditions import until
from tests.team.harness import Instance, Team, build_team

SIM_OF = {"web": "bugbug", "plans": "bugbrain"}


@pytest.fixture
async def team(tmp_path: Path, redis_url: str) -> AsyncIterator[Team]:
    built = build_team(tmp_path, redis_url)
    yield built
    await built.aclose()


def pollers(team: Team, provider: str) -> list[str]:
    return [i.name for i in team.instances if i.role(provider) is TeamRole.POLLER]


def one_poller_of(team: Team, provider: str) -> Callable[[], bool]:
    return lambda: len(pollers(team, provider)) == 1


def all_equal(team: Team, provider: str, truth: dict[str, str]) -> Callable[[], bool]:
    return lambda: all(i.statuses(provider) == truth for i in team.instances)


async def test_one_instance_polls_and_the_others_show_what_it_sees(team: Team) -> None:
    """GIVEN three instances of the same two provider projects
    WHEN they run while the simulator's runs move on
    THEN one of them polls each provider, the others send no request at all, and every store
    ends equal to the simulator's truth."""
    a, b, c = team.add("a"), team.add("b"), team.add("c")
    for instance in (a, b, c):
        instance.start()
    for provider in SIM_OF:
        await until(one_poller_of(team, provider), what=f"one poller of {provider}")
    await until(
        lambda: all(i.role("plans") is not TeamRole.JOINING for i in (a, b, c)), what="roles"
    )
    team.scenario.advance(200)
    for provider, sim_name in SIM_OF.items():
        await until(
            all_equal(team, provider, team.truth(sim_name)),
            what=f"every store equal to the truth of {provider}",
        )
    for provider, sim_name in SIM_OF.items():
        polling = pollers(team, provider)
        assert len(polling) == 1
        others = [i for i in (a, b, c) if i.name not in polling]
        assert [i.transport.count(sim_name) for i in others] == [0, 0]
        assert all(i.role(provider) is TeamRole.FOLLOWER for i in others)
    await until(
        lambda: all(i.link.status.watching["plans"] == 3 for i in (a, b, c)), what="3 watching"
    )


async def test_a_newcomer_paints_from_the_snapshot_before_asking_anything(team: Team) -> None:
    """GIVEN a poller that has published what it saw
    WHEN a second instance starts
    THEN its store holds the same runs from the snapshot, and it sent no request for them."""
    a = team.add("a")
    a.start()
    await until(lambda: a.statuses("plans") == team.truth("bugbrain"), what="the poller's truth")
    await until(lambda: a.link.members["plans"].published > 0, what="a first publish")
    newcomer = team.add("newcomer")
    newcomer.start()
    await until(lambda: newcomer.statuses("plans") == a.statuses("plans"), what="the snapshot")
    await until(lambda: newcomer.statuses("web") == a.statuses("web"), what="the snapshot")
    assert newcomer.transport.requests == []
    # the provider's display name is the newcomer's own, from its config
    assert {r.provider for r in newcomer.engine.store.runs_of("plans")} == {"plans"}


async def test_the_run_open_in_a_followers_detail_view_is_refreshed_by_the_poller(
    team: Team,
) -> None:
    """GIVEN a poller and a follower
    WHEN the follower opens an active run (its detail view sets the engine's focus)
    THEN the request reaches the poller, which refreshes that run first every cycle."""
    a = team.add("a")
    a.start()
    await until(lambda: a.role("plans") is TeamRole.POLLER, what="a polls")
    b = team.add("b")
    b.start()
    await until(lambda: b.role("plans") is TeamRole.FOLLOWER, what="b follows")
    await until(lambda: bool(b.statuses("plans")), what="b has runs")
    active = next(r for r in b.engine.store.runs_of("plans") if r.status.is_active)
    b.engine.focus = active.key
    member = a.link.members["plans"]
    await until(lambda: active.key in member.wanted(), what="the request at the poller")
    targets = a.engine.pollers["plans"]._refresh_targets(set())
    assert targets[0].key == active.key
    assert b.transport.count("bugbrain") == 0


async def test_a_killed_poller_is_replaced_within_the_lease_time(team: Team) -> None:
    """GIVEN three instances and lease_s = 3
    WHEN the poller dies without a word (as under SIGKILL)
    THEN another holds the lease within 3 s, nobody polled meanwhile, and every surviving
    store equals the simulator's truth after the world moves on."""
    instances = [team.add(n) for n in ("a", "b", "c")]
    for instance in instances:
        instance.start()
    await until(lambda: len(pollers(team, "plans")) == 1, what="one poller")
    await until(lambda: all(i.statuses("plans") for i in instances), what="everyone has runs")
    dead = next(i for i in instances if i.name == pollers(team, "plans")[0])
    survivors = [i for i in instances if i is not dead]
    sent_before = [i.transport.count("bugbrain") for i in survivors]
    await dead.kill()

    def taken_over() -> bool:
        return any(i.role("plans") is TeamRole.POLLER for i in survivors)

    took = await until(taken_over, timeout_s=10, what="a new poller")
    assert took <= 3.0
    new = next(i for i in survivors if i.role("plans") is TeamRole.POLLER)
    other = next(i for i in survivors if i is not new)
    assert other.transport.count("bugbrain") == sent_before[survivors.index(other)]
    team.scenario.advance(200)
    truth = team.truth("bugbrain")
    await until(
        lambda: all(i.statuses("plans") == truth for i in survivors), what="the truth again"
    )
    assert other.transport.count("bugbrain") == sent_before[survivors.index(other)]


async def test_a_follower_the_stream_was_trimmed_past_reads_the_snapshot_again(
    team: Team, redis_url: str
) -> None:
    """GIVEN a poller and a follower that stopped reading the change stream for a while
    WHEN the entries after the follower's place are trimmed away meanwhile (as `MAXLEN ~` does
    once thousands more were published) and the follower reads on, the lease still held
    THEN it sees it fell behind the stream's start, reads the snapshot again and ends equal to
    the simulator's truth, rather than keep for good what the lost entries would have changed."""
    import redis.asyncio as aioredis

    a, b = team.add("a"), team.add("b")
    a.start()
    await until(lambda: a.role("plans") is TeamRole.POLLER, what="a polls")
    b.start()
    await until(lambda: b.role("plans") is TeamRole.FOLLOWER, what="b follows")
    await until(lambda: b.statuses("plans") == a.statuses("plans"), what="b caught up")
    await cancel(b)  # b stops reading; its place in the stream is kept
    before = b.statuses("plans")
    team.scenario.advance(200)
    truth = team.truth("bugbrain")
    assert truth != before
    keys = a.link.scopes["plans"]
    client = aioredis.Redis.from_url(redis_url)
    try:

        async def published() -> bool:
            raw = await client.hgetall(keys.snapshot)
            seen = {_text(k): json.loads(v)["provider_status"] for k, v in raw.items()}
            return seen == truth

        await until(published, what="the poller published the truth")
        await cancel(a)  # a poller that publishes nothing more (nothing repeats the lost entries)
        await client.set(keys.lease, "another poller", px=60_000)
        later = await client.xadd(keys.changes, {"v": "1", "runs": "[]", "removed": "[]"})
        # every entry b had not read is gone
        await client.xtrim(keys.changes, minid=later, approximate=False)
    finally:
        await client.aclose()
    b.start()
    await until(lambda: b.statuses("plans") == truth, what="b equal to the truth again")
    assert b.transport.count("bugbrain") == 0
    assert b.role("plans") is TeamRole.FOLLOWER


async def cancel(instance: Instance) -> None:
    """Stop an instance's engine (no lease handed over, its connection and state kept)."""
    assert instance.task is not None
    instance.task.cancel()
    await asyncio.gather(instance.task, return_exceptions=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
