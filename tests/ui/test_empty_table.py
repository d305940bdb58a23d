"""Failures explained where the user looks (issue 22, part 3): a table empty because providers
fail says which, why, the key to fix and `qa-tui doctor`, never "no runs yet"; a table a filter
empties says `0 of N runs match` and what filters it.

The real app, engine and clients on the simulator, which refuses a revoked token with a 401 and
drops the connection of a provider that is down.
"""

from __future__ import annotations

from qa_tui.core.model import HealthState
from qa_tui.ui.app import QaTuiApp
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, rows_of


def screen_text(app: QaTuiApp) -> str:
    """Everything under the header: the table's lines and what stands in for them."""
    table = widget_text(app.dashboard.table)
    standing_in = [widget_text(w) for w in app.dashboard.query("#empty") if w.display]
    return "\n".join([table, *standing_in])


def states(app: QaTuiApp) -> dict[str, HealthState]:
    return {name: health.state for name, health in app.dashboard.health_bar.health.items()}


async def test_refused_tokens_leave_a_table_that_says_which_provider_why_and_what_to_fix(
    monitor: SimMonitor,
) -> None:
    """GIVEN BugBug's token and BugBrain's key refused (and no Bug0 run triggered here)
    WHEN the monitor has polled them THEN in place of the table's rows it says that no
    provider could be read, each failing one by name and service with the service's reason,
    the config key to check, the hint, and `qa-tui doctor`; never "no runs yet"."""
    monitor.sim.revoke("bugbug")
    monitor.sim.revoke("bugbrain")
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(
            pilot,
            lambda: (
                states(app)["web"] is HealthState.AUTH_FAILED
                and states(app)["plans"] is HealthState.AUTH_FAILED
            ),
            what="both refused",
        )
        await wait_until(pilot, lambda: "plans·BugBrain" in screen_text(app), what="the reason")
        text = screen_text(app)
        assert "no runs yet" not in text.lower()
        assert "web·BugBug auth failed" in text
        assert "plans·BugBrain auth failed" in text
        assert "check token" in text
        assert "the key: token in the [[providers]] table named web (BugBug)" in text
        assert "the service refused the credentials" in text
        assert "qa-tui doctor" in text
        health = app.dashboard.health_bar.health["web"]
        assert health.message and health.message.split("(")[0].strip()[:20] in text


async def test_an_unreachable_provider_says_so_with_base_url_as_the_key(
    served: SimMonitor,
) -> None:
    """GIVEN the simulator over real loopback, BugBug down and BugBrain's key refused
    WHEN the monitor has polled them THEN the empty table names BugBug unreachable with
    `base_url` to check, and BugBrain refused with its key."""
    served.faults.set("bugbug", down=True)
    served.sim.revoke("bugbrain")
    app = served.app
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(
            pilot,
            lambda: (
                states(app)["web"] is HealthState.UNREACHABLE
                and states(app)["plans"] is HealthState.AUTH_FAILED
            ),
            timeout=20,
            what="web unreachable, plans refused",
        )
        await wait_until(pilot, lambda: "unreachable" in screen_text(app), what="the reason")
        text = screen_text(app)
        assert "web·BugBug unreachable" in text
        assert "the key: base_url in the [[providers]] table named web" in text
        assert "plans·BugBrain auth failed" in text
        assert "qa-tui doctor" in text


async def test_a_filter_that_hides_every_run_says_0_of_n_and_what_filters_them(
    monitor: SimMonitor,
) -> None:
    """GIVEN the monitor with runs WHEN `f` is on and the filter asks for passed runs only
    THEN the table says `0 of N runs match status:passed and f (failed and errored only)` and
    how to undo each, and the header says none are shown, not "no runs yet"."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(rows_of(app, "plans")), what="runs")
        await pilot.press("f", "slash", *"status:passed", "enter")
        await wait_until(pilot, lambda: not app.dashboard.table.order, what="an empty table")
        total = len(app.dashboard.table.rows)
        text = screen_text(app)
        assert f"0 of {total} runs match status:passed and f (failed and errored only)" in text
        assert "esc clears the filter" in text and "f shows every status again" in text
        header = widget_text(app.dashboard.health_bar)
        assert "no runs yet" not in header
        assert f"none of {total} shown" in header
