"""The header says which role this instance has in its team."""

from __future__ import annotations

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine
from qa_tui.core.runs.store import RunStore
from qa_tui.core.signals import Signal
from qa_tui.core.team.status import TeamRole, TeamStatus
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.health.health_bar import HealthBar
from tests.support.fakes import FakeSource
from tests.support.pilot import wait_until, widget_text


def _quiet(_: TeamStatus) -> None:
    return None


class FakeTeam:
    def __init__(self, status: TeamStatus) -> None:
        self.status = status
        self.status_changed: Signal[TeamStatus] = Signal("team.status_changed")

    def become(self, status: TeamStatus) -> None:
        self.status = status
        self.status_changed.emit(status)


async def test_the_header_names_the_role_and_how_many_watch() -> None:
    """GIVEN the app in team mode
    WHEN the team's state moves from joining to follower, poller and offline
    THEN the header reads `team: 7 watching`, `team: poller`, `team: offline` in turn."""
    team = FakeTeam(TeamStatus({"web": TeamRole.JOINING}, {"web": 1}))
    engine = Engine([FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)], RunStore())
    app = QaTuiApp(engine, tick_seconds=0, team=team)
    async with app.run_test(size=(120, 24)) as pilot:
        bar = app.query_one(HealthBar)
        await wait_until(pilot, lambda: "team: joining" in widget_text(bar), what="joining")
        team.become(TeamStatus({"web": TeamRole.FOLLOWER}, {"web": 7}))
        await wait_until(pilot, lambda: "team: 7 watching" in widget_text(bar), what="follower")
        team.become(TeamStatus({"web": TeamRole.POLLER}, {"web": 7}))
        await wait_until(pilot, lambda: "team: poller" in widget_text(bar), what="poller")
        team.become(TeamStatus({"web": TeamRole.OFFLINE}, {"web": 7}))
        await wait_until(pilot, lambda: "team: offline" in widget_text(bar), what="offline")


async def test_without_team_mode_the_header_says_nothing_of_it() -> None:
    engine = Engine([FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)], RunStore())
    app = QaTuiApp(engine, tick_seconds=0)
    async with app.run_test(size=(120, 24)) as pilot:
        bar = app.query_one(HealthBar)
        await wait_until(pilot, lambda: "web" in widget_text(bar), what="the chip")
        assert "team" not in widget_text(bar)
