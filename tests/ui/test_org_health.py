"""A whole org on one screen: twelve providers in the header at 120x35, and the health panel.

The real app and engine on the simulator serving an org of twelve projects (six BugBug, four
BugBrain on two keys, two Bug0), with one BugBug token and one BugBrain key revoked: the key's
two projects fail together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from qa_tui.sim import ScenarioSpec
from qa_tui.sim.org.spec import OrgSpec
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.health.health_panel import HealthScreen
from tests.support.pilot import chip_says, wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, build_monitor

ORG = OrgSpec.of_size(12)
WORLD = ScenarioSpec(
    bugbug_test_runs_finished=3,
    bugbug_test_runs_active=1,
    bugbug_suite_runs_finished=0,
    bugbug_suite_runs_active=0,
    bugbrain_finished=3,
    bugbrain_active=1,
    bugnet_bugs=0,
    new_run_every_s=None,
    org=ORG,
)
FAILING = ("web-3", "plans-3", "plans-4")


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, spec=replace(WORLD))
    built.sim.revoke("bugbug", "web-3")
    built.sim.revoke("bugbrain", "plans-3")  # its key: plans-3 and plans-4 fail together
    yield built
    await built.aclose()


async def test_twelve_providers_show_every_failing_one_with_its_reason_and_the_panel_lists_all(
    monitor: SimMonitor,
) -> None:
    """GIVEN twelve providers, a BugBug token and a BugBrain key revoked, at 120x35
    WHEN the app has polled them all
    THEN the header shows each failing provider by name and service with its reason, folds the
    healthy ones into counts (Bug0 unverified, as doctor says), and says under the chips why the
    worst fails and what to check; `h` opens the health panel listing all twelve, the failing
    first, with each one's budget, who shares it, and the fix."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        bar = app.query_one(HealthBar)
        await wait_until(
            pilot,
            lambda: all(chip_says(widget_text(bar), name, "auth failed") for name in FAILING),
            what="three failing chips",
        )
        await wait_until(
            pilot, lambda: "✓ 7 ok ○ 2 unverified" in widget_text(bar), what="the rest folded"
        )
        header = widget_text(bar).splitlines()
        assert all(len(line) <= 120 for line in header)
        problem = header[-1]
        assert problem.lstrip().startswith("✗ ") and "auth failed: Invalid" in problem
        assert "check token" in problem and "2 more" in problem and "h: health" in problem

        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HealthScreen), what="the panel")
        screen = app.screen
        table = screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 12, what="twelve rows")
        keys = [row.key.value for row in table.ordered_rows]
        assert set(keys[:3]) == set(FAILING)
        assert set(keys) == {p.name for p in ORG.projects()}
        details = screen.query_one("#details", Static)
        table.move_cursor(row=keys.index("plans-3"))
        await wait_until(pilot, lambda: "plans-3" in str(details.render()), what="plans-3")
        said = str(details.render())
        assert (
            "auth failed" in said and "Fix: check token or project_id of provider plans-3" in said
        )
        assert "BugBrain key #" in said and "shared with plans-4" in said
        assert (
            "60000 a minute, 500 an hour" in said
        )  # the test's wide budget, its hour as documented
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="back")
