"""The filter (issue 22, part 4): `-word` negates words too; an unknown field, provider or status
says so in the filter bar instead of an empty table; `status:` means the status shown and `raw:`
the provider's own word; `qa-tui runs --status` and the app's `status:` list the same runs.

The real app, engine and clients on the simulator; the CLI against the same simulator over
loopback, its world held still (a manual scenario clock), so both read the same runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from qa_tui.ui.app import QaTuiApp
from tests.support.binary import qa_tui
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, rows_of


def filter_line(app: QaTuiApp) -> str:
    """The filter bar's line (what filters the table, or why a term is left out)."""
    return "\n".join(widget_text(w).strip() for w in app.dashboard.query("#filter-status"))


def shown(app: QaTuiApp) -> list[str]:
    """The table's lines, as the terminal shows them."""
    return widget_text(app.dashboard.table).splitlines()[1:]


async def every_run(pilot: Pilot[int], monitor: SimMonitor) -> None:
    """Wait until the table holds every BugBug and BugBrain run the simulator has."""
    app = monitor.app
    truth = monitor.sim.truth()["runs"]
    for sim_name, name in (("bugbug", "web"), ("bugbrain", "plans")):
        ids = {run["id"] for run in truth if run["provider"] == sim_name}
        await wait_until(
            pilot,
            lambda n=name, i=ids: {r.id for r in rows_of(app, n)} == i,  # type: ignore[misc]
            what=f"every {name} run",
        )


def filtering_by(app: QaTuiApp, field: str, value: str) -> bool:
    """True once the table is filtered by `field:value` (the order follows at once)."""
    terms = app.dashboard.view.query.terms
    return any(term.field == field and term.values == (value,) for term in terms)


async def type_filter(pilot: Pilot[int], text: str) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    await pilot.press("escape", "slash", *text)
    box = app.query_one("#filter", Input)
    await wait_until(pilot, lambda: box.value == text, what=text)


async def test_a_negated_word_hides_the_runs_that_contain_it(monitor: SimMonitor) -> None:
    """GIVEN runs of "Checkout with card" and others WHEN the filter is `-checkout`
    THEN every run but those whose text has "checkout" is listed (it used to match nothing)."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await every_run(pilot, monitor)
        rows = app.dashboard.table.rows
        expected = {
            key
            for key, row in rows.items()
            if "checkout" not in f"{row.run.name} {row.run.error or ''} {row.run.id}".lower()
        }
        assert expected and len(expected) < len(rows)
        await type_filter(pilot, "-checkout")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: set(app.dashboard.table.order) == expected, what="all but checkout"
        )
        assert not any("checkout" in line.lower() for line in shown(app))
        assert f"{len(expected)} of {len(rows)} runs" in filter_line(app)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("statu:failed", "no field statu: (did you mean status:?)"),
        ("provider:nowhere", "no provider nowhere; provider: is one of web, plans, previews"),
        ("status:broken", "no status broken; status: is one of queued, triggered, running"),
    ],
)
async def test_an_unknown_field_provider_or_status_says_so_in_the_filter_bar(
    monitor: SimMonitor, text: str, says: str
) -> None:
    """GIVEN the monitor WHEN the filter names a field, provider or status that does not exist
    THEN the filter bar says which and what would be, and the table keeps every run (it used
    to turn empty and read "no runs yet")."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await every_run(pilot, monitor)
        total = len(app.dashboard.table.rows)
        await type_filter(pilot, text)
        await wait_until(pilot, lambda: says in filter_line(app), what=says)
        assert filter_line(app).startswith("✗ ")
        assert len(app.dashboard.table.order) == total
        await pilot.press("enter")  # the box stays open to mend the text
        assert app.query_one("#filter", Input).has_focus


async def test_status_failed_lists_what_the_status_column_calls_failed_and_raw_the_providers_word(
    monitor: SimMonitor,
) -> None:
    """GIVEN BugBrain executions that broke (their own word `failed`, shown `! error`) and
    failed BugBug and BugBrain runs
    WHEN the filter is `status:failed`, then `raw:failed`
    THEN `status:failed` lists only rows the STATUS column calls `✗ failed`, none of the
    `! error` ones; `raw:failed` lists the provider's `failed`, the broken executions too."""
    app = monitor.app
    async with app.run_test(size=(120, 35)) as pilot:
        await every_run(pilot, monitor)
        broke = [r.key for r in rows_of(app, "plans") if r.provider_status == "failed"]
        assert broke, "the seed-7 world has BugBrain executions that broke"
        await type_filter(pilot, "status:failed")
        await pilot.press("enter")
        await wait_until(pilot, lambda: filtering_by(app, "status", "failed"), what="filtered")
        lines = shown(app)
        assert lines and all(line.startswith("✗ failed") for line in lines if line.strip())
        assert not set(broke) & set(app.dashboard.table.order)
        await type_filter(pilot, "raw:failed")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: set(broke) <= set(app.dashboard.table.order), what="raw:failed"
        )
        rows = app.dashboard.table.rows
        assert all(rows[k].run.provider_status == "failed" for k in app.dashboard.table.order)


async def test_the_cli_and_the_app_list_the_same_runs_for_a_status(
    served: SimMonitor, tmp_path: Path
) -> None:
    """GIVEN one simulator, held still, read by the app and by the `qa-tui runs` command
    WHEN `status:X` is typed in the app and `qa-tui runs --status X --json` is run, for failed,
    error, passed, queued and running
    THEN both list exactly the same runs."""
    app = served.app
    config = str(tmp_path / "sim.toml")  # the config the app's sources were built from
    async with app.run_test(size=(120, 35)) as pilot:
        await every_run(pilot, served)
        for word in ("failed", "error", "passed", "queued", "running"):
            await type_filter(pilot, f"status:{word}")
            await pilot.press("enter")
            await wait_until(pilot, lambda w=word: filtering_by(app, "status", w), what=word)  # type: ignore[misc]
            in_app = {k for k in app.dashboard.table.order if k[0] in ("web", "plans")}
            argv = ("runs", "--json", "--status", word, "--limit", "500", "--config", config)
            done = await asyncio.to_thread(qa_tui, *argv)
            assert done.returncode == 0, done.stderr
            listed = json.loads(done.stdout)
            in_cli = {(run["provider"], run["id"]) for run in listed}
            assert in_cli == in_app, word
            assert in_app or word in ("queued", "running"), f"the world has {word} runs"
