"""The header: quiet when nothing in it changed, one form of the counts per width, every failing
provider in full, and Bug0 unverified as doctor says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.model import HealthState, ProviderHealth, RunStatus
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.runs.shown import COUNTED
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.health.health_line import HeaderState, header_lines
from tests.support.fakes import FakeSource, make_run
from tests.support.pilot import wait_until, widget_text

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def test_an_idle_header_is_not_redrawn_when_nothing_in_it_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN an idle dashboard (one provider, nothing running)
    WHEN the clock ticks and the engine polls with nothing new
    THEN the header is not drawn again (an idle dashboard used to rewrite it every second);
    and when a count changes, it is."""
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(make_run("r1", RunStatus.PASSED, minutes_ago=3))
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app = QaTuiApp(engine, tick_seconds=0)
    drawn: list[int] = []
    original = HealthBar.render_line

    def counted(self: HealthBar, y: int) -> Any:
        drawn.append(y)
        return original(self, y)

    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.query_one(HealthBar)
        await wait_until(pilot, lambda: "web·BugBug ✓" in widget_text(bar), what="the chip")
        monkeypatch.setattr(HealthBar, "render_line", counted)
        calls = len(source.calls)
        for second in range(5):
            app.dashboard.tick(datetime.now(UTC) + timedelta(seconds=second))
            await pilot.pause(0.05)
        await wait_until(pilot, lambda: len(source.calls) > calls + 5, what="polls, no change")
        assert drawn == []
        source.put(make_run("r2", RunStatus.RUNNING, minutes_ago=1))
        await wait_until(pilot, lambda: "running 1" in widget_text(bar), what="a new count")
        await pilot.pause(0.05)
        assert drawn


def healths(states: dict[str, HealthState]) -> tuple[ProviderHealth, ...]:
    return tuple(
        ProviderHealth(
            provider=name, state=state, message="Invalid token." if "fail" in state else None
        )
        for name, state in states.items()
    )


TWELVE = {
    **{f"web-{i}": "bugbug" for i in range(1, 7)},
    **{f"plans-{i}": "bugbrain" for i in range(1, 5)},
    "previews-1": "bug0",
    "previews-2": "bug0",
}


@pytest.mark.parametrize("width", [80, 120, 200])
def test_the_counts_keep_one_form_at_a_width_whatever_the_numbers(width: int) -> None:
    states = {name: HealthState.OK for name in TWELVE}
    few: dict[str, int] = {RunStatus.RUNNING: 1, RunStatus.PASSED: 2}
    many: dict[str, int] = {status: 10_000 + i for i, status in enumerate(COUNTED)}
    forms = set()
    for counts in (few, many):
        first = header_lines(HeaderState(healths(states), TWELVE, counts, now=NOW), width)[0].plain
        forms.add("running " in first)
    assert len(forms) == 1, f"the counts flipped form at {width} columns"


@pytest.mark.parametrize("width", [80, 120, 200])
def test_every_failing_provider_is_in_full_with_its_reason_at_any_width(width: int) -> None:
    """Five of twelve providers failing: each one's name, service and state are in the header
    at 80, 120 and 200 columns, no line is wider than the screen, and the worst one's reason
    and the key to fix are on the line under them."""
    states = {name: HealthState.OK for name in TWELVE}
    failing = {
        "web-2": HealthState.AUTH_FAILED,
        "web-5": HealthState.UNREACHABLE,
        "plans-3": HealthState.RATE_LIMITED,
        "plans-4": HealthState.RATE_LIMITED,
        "web-6": HealthState.ERROR,
    }
    states.update(failing)
    counts: dict[str, int] = {status: 100 + i for i, status in enumerate(COUNTED)}
    lines = [
        line.plain
        for line in header_lines(HeaderState(healths(states), TWELVE, counts, now=NOW), width)
    ]
    assert all(len(line) <= width for line in lines)
    header = "\n".join(lines)
    for name, state in failing.items():
        service = {"bugbug": "BugBug", "bugbrain": "BugBrain"}[TWELVE[name]]
        assert f"{name}·{service} " in header and state.value in header, (name, header)
    assert lines[-1].startswith("✗ web-2·BugBug auth failed: Invalid token. · check token")
    healthy = [name for name in TWELVE if name not in failing]
    assert "✓ 7 ok" in header or all(f"✓{name}" in header for name in healthy if "web" in name)


async def test_bug0s_chip_says_unverified_as_doctor_does() -> None:
    """Bug0 has no read API: nothing it answers proves its key, so its chip says unverified."""
    previews = FakeSource("previews", clock=SYSTEM_CLOCK, per_minute=60000)
    previews.capabilities = Bug0Source.capabilities
    engine = Engine([previews], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app = QaTuiApp(engine, tick_seconds=0)
    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.query_one(HealthBar)
        await wait_until(
            pilot, lambda: "previews·BugBug ○ unverified" in widget_text(bar), what="unverified"
        )
        assert engine.pollers["previews"].health.state is HealthState.UNVERIFIED
