"""Team mode end to end: several instances' real engines on one simulator, joined by a real
redis-server. One polls, the others poll nothing and still show what the poller sees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from qa_tui.core.team.status import TeamRole
from tests.team.harness import Team, build_team, until

SIM_OF = {"web": "bugbug", "plans": "bugbrain"}


@pytest.fixture
async def team(tmp_path: Path, redis_url: str) -> AsyncIterator[Team]:
    built = build_team(tmp_path, redis_url)
    yield built
    await built.aclose()


def pollers(team: Team, provider: str) -> list[str]:
    return [i.name for i in team.instances if i.role(provider) is TeamRole.POLLER]


async def test_one_instance_polls_and_the_others_show_what_it_sees(team: Team) -> None:
    """GIVEN three instances of the same two provider projects
    WHEN they run while the simulator's runs move on
    THEN one of them polls each provider, the others send no request at all, and every store
    ends equal to the simulator's truth."""
    a, b, c = team.add("a"), team.add("b"), team.add("c")
    for instance in (a, b, c):
        instance.start()
    for provider in SIM_OF:
        await until(lambda p=provider: len(pollers(team, p)) == 1, what=f"one poller of {provider}")
    await until(
        lambda: all(i.role("plans") is not TeamRole.JOINING for i in (a, b, c)), what="roles"
    )
    team.scenario.advance(200)
    for provider, sim_name in SIM_OF.items():
        truth = team.truth(sim_name)
        await until(
            lambda p=provider, t=truth: all(i.statuses(p) == t for i in (a, b, c)),
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
