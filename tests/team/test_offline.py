"""Redis goes away and comes back: instances poll alone at a fair share, then rejoin."""

from __future__ import annotations

from pathlib import Path

from bench._redis import RedisServer
from qa_tui.core.team.bucket import SharedBudget
from qa_tui.core.team.status import TeamRole
from tests.support.conditions import until
from tests.team.harness import build_team


async def test_instances_fall_back_to_a_fair_share_and_rejoin(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    """GIVEN two instances sharing one poller
    WHEN Redis stops
    THEN both say offline and poll alone, each at half the configured rate; and when Redis is
    back, one polls for both again and the other stops sending, with no task failed."""
    team = build_team(tmp_path, own_redis.url, rpm=600)
    a, b = team.add("a"), team.add("b")
    a.start()
    b.start()
    await until(lambda: {a.role("plans"), b.role("plans")} == {TeamRole.POLLER, TeamRole.FOLLOWER})
    await until(lambda: a.link.status.watching["plans"] == 2, what="2 watching")
    await until(lambda: b.link.status.watching["plans"] == 2, what="2 watching")
    own_redis.stop()
    await until(lambda: a.link.status.offline and b.link.status.offline, what="both offline")
    follower = b if b.transport.count("bugbrain") == 0 else a
    await until(lambda: follower.transport.count("bugbrain") > 0, what="the follower polls alone")
    budget = follower.engine.source("plans").budget
    assert isinstance(budget.shared_budget, SharedBudget)  # the provider's handle on its key's
    assert budget.per_minute == 300
    own_redis.start()
    await until(
        lambda: {a.role("plans"), b.role("plans")} == {TeamRole.POLLER, TeamRole.FOLLOWER},
        timeout_s=15,
        what="rejoined",
    )
    quiet = next(i for i in (a, b) if i.role("plans") is TeamRole.FOLLOWER)
    sent = quiet.transport.count("bugbrain")
    team.scenario.advance(150)
    await until(lambda: quiet.statuses("plans") == team.truth("bugbrain"), what="the truth")
    assert quiet.transport.count("bugbrain") == sent
    assert all(i.task is not None and not i.task.done() for i in (a, b))
    await team.aclose()
