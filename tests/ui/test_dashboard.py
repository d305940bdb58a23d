"""The dashboard, driven through Textual's pilot against a scripted provider."""

from __future__ import annotations

from textual.message import Message

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import Changes, RunStore
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.health.health_bar import HealthBar
from qa_tui.ui.messages import RunsChanged
from tests.support.fakes import FakeSource, make_run
from tests.support.pilot import table_with_rows, wait_until, widget_text

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)


def _app(*sources: FakeSource) -> QaTuiApp:
    engine = Engine(list(sources), RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    return QaTuiApp(engine, tick_seconds=0)


def _source() -> FakeSource:
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(
        make_run("r1", name="checkout flow", minutes_ago=1),
        make_run("r2", RunStatus.FAILED, name="login page", minutes_ago=2),
        make_run("r3", RunStatus.PASSED, name="search", minutes_ago=3),
    )
    return source


async def test_runs_appear_in_the_table_with_status_words() -> None:
    app = _app(_source())
    async with app.run_test(size=(100, 30)) as pilot:
        table = await table_with_rows(pilot, 3)
        text = widget_text(table)
        assert "checkout flow" in text
        assert "✗ failed" in text
        assert "✓ passed" in text


async def test_a_status_change_updates_the_row_in_place_and_keeps_the_cursor() -> None:
    source = _source()
    app = _app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await table_with_rows(pilot, 3)
        await pilot.press("j")
        assert table.cursor_key == ("web", "r2")
        source.put(make_run("r1", RunStatus.PASSED, name="checkout flow", minutes_ago=1))
        await wait_until(
            pilot,
            lambda: table.rows[("web", "r1")].run.status is RunStatus.PASSED,
            what="r1 passed",
        )
        assert table.cursor_key == ("web", "r2")
        assert widget_text(table).splitlines()[1].startswith("✓ passed")


async def test_each_batch_the_engine_emits_reaches_the_table_in_a_message_carrying_it() -> None:
    """GIVEN the dashboard showing a provider's runs
    WHEN a poll sees one run pass and a new one start
    THEN the table shows both, and every batch the engine emitted reached the app in a
    `RunsChanged` of its own carrying that very batch (merged where it was made, never on its way)."""
    source = _source()
    app = _app(source)
    emitted: list[Changes] = []
    app.engine.changes.subscribe(emitted.append)
    carried: list[Changes] = []

    def hook(message: Message) -> None:
        if isinstance(message, RunsChanged):
            carried.append(message.changes)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        table = await table_with_rows(pilot, 3)
        source.put(
            make_run("r1", RunStatus.PASSED, name="checkout flow", minutes_ago=1),
            make_run("r4", name="new checkout", minutes_ago=0),
        )
        await wait_until(pilot, lambda: len(table.order) == 4, what="the new run")
        await wait_until(
            pilot,
            lambda: table.rows[("web", "r1")].run.status is RunStatus.PASSED,
            what="r1 passed",
        )
        assert "new checkout" in widget_text(table)
        await wait_until(pilot, lambda: len(carried) == len(emitted), what="every batch")
        assert all(a is b for a, b in zip(carried, emitted, strict=True))


async def test_stopping_a_running_run_asks_first_then_turns_its_row_stopped() -> None:
    source = _source()
    app = _app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await table_with_rows(pilot, 3)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert "checkout flow" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: table.rows[("web", "r1")].run.status is RunStatus.STOPPED,
            what="stopped row",
        )
        assert "■ stopped" in widget_text(table)


async def test_declining_the_confirmation_stops_nothing() -> None:
    source = _source()
    app = _app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await table_with_rows(pilot, 3)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        assert not any(call.startswith("stop:") for call in source.calls)


async def test_hostile_names_show_as_literal_text() -> None:
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    source.put(
        make_run("h1", name="[red]x[/red] [link=https://evil]y[/link]", minutes_ago=1),
        make_run("h2", name="clip\x1b]52;c;cHduZWQ=\x07 \x1b[2J bidi\u202etxt", minutes_ago=2),
    )
    app = _app(source)
    async with app.run_test(size=(200, 30)) as pilot:
        table = await table_with_rows(pilot, 2)
        text = widget_text(table)
        assert "[red]x[/red] [link=https://evil]y[/link]" in text
        assert "\\x1b]52;c;cHduZWQ=\\x07" in text
        assert "\\u202e" in text
        assert "\x1b" not in text


async def test_filter_narrows_the_table_and_escape_clears_it() -> None:
    app = _app(_source())
    async with app.run_test(size=(100, 30)) as pilot:
        table = await table_with_rows(pilot, 3)
        await pilot.press("slash", *"status:failed", "enter")
        assert [key[1] for key in table.order] == ["r2"]
        await pilot.press("escape")
        assert len(table.order) == 3


async def test_failed_only_toggle() -> None:
    app = _app(_source())
    async with app.run_test(size=(100, 30)) as pilot:
        table = await table_with_rows(pilot, 3)
        await pilot.press("f")
        assert [key[1] for key in table.order] == ["r2"]
        await pilot.press("f")
        assert len(table.order) == 3


async def test_the_header_counts_runs_by_status_and_shows_provider_health() -> None:
    app = _app(_source())
    async with app.run_test(size=(120, 30)) as pilot:  # counts in words from ~106 columns
        bar = app.query_one(HealthBar)
        await wait_until(pilot, lambda: "web·BugBug ✓" in widget_text(bar), what="ok chip")
        text = widget_text(bar)
        assert "running 1" in text and "failed 1" in text and "passed 1" in text


async def test_q_quits_with_code_zero() -> None:
    app = _app(_source())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
    assert app.return_value == 0


async def test_without_colour_the_cursor_row_is_reversed_and_failures_are_bold() -> None:
    """With NO_COLOR set, the cursor and the statuses stay readable with no colour at all."""
    import os

    os.environ["NO_COLOR"] = "1"
    try:
        app = _app(_source())
    finally:
        del os.environ["NO_COLOR"]
    async with app.run_test(size=(100, 30)) as pilot:
        table = await table_with_rows(pilot, 3)
        cursor_line = table.render_line(1)
        assert all(seg.style and seg.style.reverse for seg in cursor_line if seg.text.strip())
        status, *rest = list(table.render_line(2))
        assert status.text.startswith("✗ failed")
        assert status.style is not None and status.style.bold
        assert all(seg.style is not None for seg in rest)
        assert {seg.style.color for seg in rest if seg.style} == {status.style.color}  # no red


async def test_runs_json_and_the_table_order_the_same_runs_alike_ties_and_unstarted_included() -> (
    None
):
    """GIVEN two providers whose runs tie on their start, some queued and not started, and one
    with no time at all WHEN `runs --json` gathers them and the dashboard shows them THEN both
    order them identically (core/runs/newest.py): no time first, then the latest moment, ties
    by provider and id."""
    from datetime import timedelta

    from qa_tui.cli.headless import gather_runs
    from tests.support.fakes import T0

    web, plans = (
        FakeSource(name, clock=SYSTEM_CLOCK, per_minute=60000) for name in ("web", "plans")
    )
    tied = T0 - timedelta(minutes=5)
    web.put(
        make_run("w-b", minutes_ago=5),
        make_run("w-a", RunStatus.PASSED, minutes_ago=5),
        make_run("w-q", RunStatus.QUEUED, started=None, queued=T0 - timedelta(minutes=2)),
        make_run("w-new", RunStatus.QUEUED, started=None),
        make_run("w-old", RunStatus.FAILED, minutes_ago=30),
    )
    plans.put(
        make_run("p-a", provider="plans", started=tied),
        make_run("p-q", RunStatus.QUEUED, provider="plans", started=None, queued=tied),
        make_run("p-new", RunStatus.QUEUED, provider="plans", started=None),
    )
    listed = [
        (run.provider, run.id)
        for run in (await gather_runs([web, plans], limit=100, status=None)).runs
    ]
    app = _app(web, plans)
    async with app.run_test(size=(140, 30)) as pilot:
        table = await table_with_rows(pilot, 8)
        assert list(table.order) == listed
    assert listed[:2] == [("plans", "p-new"), ("web", "w-new")]  # no time at all: the newest
    assert listed[3:6] == [("plans", "p-a"), ("plans", "p-q"), ("web", "w-a")]  # a tie of three
