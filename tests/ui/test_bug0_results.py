"""Bug0 rows that end (issue 24), on the real simulator: a trigger carrying a commit is followed
through the commit status Bug0 posts on (the simulator's) GitHub, in the table, the detail view,
the watch list and the header.

Time is the simulator's manual clock: a story moves it on and waits for what the user sees.
"""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Region
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from qa_tui.core.history.index import HistoryCell
from qa_tui.core.model import Run, RunStatus
from qa_tui.core.runs.shown import shown_word
from qa_tui.core.runs.store import RunKey
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.health.health_bar import HealthBar
from tests.support.notify import FakeTerminal, center_for, notifications
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import build_monitor, first_key

SIZE = (120, 35)
SHA = "c0ffee1234"
HOSTILE = "\x1b]52;c;ZWNobyBwd25lZA==\x07[red]boom[/red] \x1b[2Jwiped <b>bold</b>"


class Toasts:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.texts.append(message.notification.message)


def whole_text(widget: Widget) -> str:
    """Every line the widget draws, its padding's too (`widget_text` reads its content size,
    which cuts a padded widget's last lines)."""
    width, height = widget.outer_size
    return "\n".join(
        strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))
    )


def row(app: QaTuiApp, key: RunKey) -> Run | None:
    found = app.engine.store.get(key)
    return found.run if found is not None else None


def says(app: QaTuiApp, key: RunKey, word: str) -> bool:
    """The table's STATUS column reads `word` for the run (core/runs/shown.py: its one rule)."""
    table = app.dashboard.table
    return key in table.rows and shown_word(table.rows[key].run) == word


async def open_detail(pilot: Pilot[int], app: QaTuiApp, key: RunKey) -> RunDetailScreen:
    app.dashboard.table.move_cursor_to(key)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail view")
    screen = app.screen
    assert isinstance(screen, RunDetailScreen)
    return screen


async def test_a_bug0_row_goes_triggered_running_then_failed_and_enter_shows_the_status(
    tmp_path: Path,
) -> None:
    """GIVEN a Bug0 run triggered on a commit, watched with `w`, on which Bug0 will fail while
    another CI passes WHEN the simulator's time moves on THEN its row reads triggered, then
    running, then failed; the terminal is told it ended, failed; and enter shows Bug0's status:
    its context, the commit, its description and the link to Bug0's report."""
    terminal = FakeTerminal()
    monitor = build_monitor(
        tmp_path, notify=center_for(terminal, data_dir=tmp_path), terminal=terminal.write
    )
    monitor.sim.github.plan(SHA, bug0="failure", decoy="success")
    run = await monitor.trigger_on_commit(SHA)
    app, toasts = monitor.app, Toasts()
    try:
        async with app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
            await wait_until(pilot, lambda: says(app, run.key, "triggered"), what="triggered")
            app.dashboard.table.move_cursor_to(run.key)
            await pilot.press("w")
            await wait_until(
                pilot, lambda: any("you will be told" in t for t in toasts.texts), what="w"
            )
            monitor.advance(10)
            await wait_until(pilot, lambda: says(app, run.key, "running"), what="running")
            monitor.advance(60)
            await wait_until(pilot, lambda: says(app, run.key, "failed"), what="failed")
            await wait_until(pilot, lambda: terminal.writes != [], what="the notification")
            told, _ = notifications(terminal.output, tmux=False)
            assert any("failed" in text and "PR #7" in text for _, text in told), told

            screen = await open_detail(pilot, app, run.key)
            summary = widget_text(screen.query_one("#summary", Static))
            assert "Bug0 / E2E (commit status on acme/shop@c0ffee1234): failure:" in summary
            assert " tests failed: " in summary
            assert f"/bug0/app/runs/{run.id}" in summary
            error = screen.query_one("#error-text", Static)  # a failed run opens on its error
            await wait_until(pilot, lambda: "tests failed" in widget_text(error), what="error")
    finally:
        await monitor.aclose()


async def test_a_refused_github_token_is_one_clear_line_and_the_triggers_stay_listed(
    tmp_path: Path,
) -> None:
    """GIVEN GitHub refusing the token WHEN a Bug0 run on a commit is listed THEN its row is
    there, triggered, and the header says GitHub refused the token and which key to check
    ([github] token), not the Bug0 key; once GitHub takes it again, the line goes and the run
    is followed."""
    monitor = build_monitor(tmp_path)
    monitor.sim.revoke("github")
    monitor.sim.github.plan(SHA, bug0="success")
    run = await monitor.trigger_on_commit(SHA)
    app = monitor.app

    def header() -> str:
        return widget_text(app.query_one(HealthBar))

    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: says(app, run.key, "triggered"), what="the row")
            await wait_until(
                pilot, lambda: "GitHub: Bad credentials" in header(), what="the problem line"
            )
            assert "previews·Bug0 ✗ auth failed" in header()
            assert "check [github] token" in header()
            assert "check token or project_id" not in header()
            monitor.sim.restore("github")
            monitor.advance(10)
            await wait_until(
                pilot, lambda: says(app, run.key, "running"), timeout=20, what="running"
            )
            await wait_until(pilot, lambda: "GitHub" not in header(), what="the line gone")
    finally:
        await monitor.aclose()


async def test_without_a_github_token_the_header_says_how_to_give_one_and_the_row_stays(
    tmp_path: Path,
) -> None:
    """GIVEN no GitHub token at all ([github] has none, gh is not logged in) WHEN a Bug0 run on
    a commit is listed THEN its row is there, triggered, the header says there is no GitHub
    token and to check [github] token, and its detail view says how to give one; GitHub is
    never asked anything."""
    monitor = build_monitor(tmp_path, github_token=False)
    run = await monitor.trigger_on_commit(SHA)
    app = monitor.app

    def header() -> str:
        return widget_text(app.query_one(HealthBar))

    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: says(app, run.key, "triggered"), what="the row")
            await wait_until(
                pilot, lambda: "GitHub: no GitHub token" in header(), what="the problem line"
            )
            assert "check [github] token" in header()
            monitor.advance(70)  # Bug0 has posted its result: unread without a token
            screen = await open_detail(pilot, app, run.key)
            summary = widget_text(screen.query_one("#summary", Static))
            assert "commit status on acme/shop@c0ffee1234; no GitHub token" in summary
            note = screen.query_one("#steps-note", Static)  # the whole of it, wrapped
            await wait_until(
                pilot,
                lambda: "or log in with `gh auth login`" in " ".join(whole_text(note).split()),
                what="how to give a token",
            )
            assert says(app, run.key, "triggered")
            assert [p for p, _ in monitor.sim.github.served] == []
    finally:
        await monitor.aclose()


async def test_a_hostile_status_description_is_shown_as_plain_text(tmp_path: Path) -> None:
    monitor = build_monitor(tmp_path)
    monitor.sim.github.plan(SHA, bug0="failure", description=HOSTILE)
    run = await monitor.trigger_on_commit(SHA)
    app = monitor.app
    try:
        async with app.run_test(size=SIZE) as pilot:
            monitor.advance(70)
            await wait_until(pilot, lambda: says(app, run.key, "failed"), what="failed")
            screen = await open_detail(pilot, app, run.key)
            summary = widget_text(screen.query_one("#summary", Static))
            error = screen.query_one("#error-text", Static)
            await wait_until(pilot, lambda: "<b>bold</b>" in widget_text(error), what="error")
            note = widget_text(error)
            assert "[red]boom[/red]" in summary and "[red]boom[/red]" in note  # shown, not applied
            for shown in (summary, note):  # escapes shown as text, never sent
                assert "\x1b" not in shown and "\x07" not in shown
            await pilot.press("escape")
            assert first_key(app, provider="previews") == run.key
    finally:
        await monitor.aclose()


OUTAGE = "3 of 12 tests failed: login > magic link: 503 from https://staging.example/login"


async def test_bug0_results_count_in_history_flaky_and_incidents_by_the_url_they_tested(
    tmp_path: Path,
) -> None:
    """GIVEN Bug0 runs on commits: on PR 7's preview one passes and the next fails; on three
    other previews each fails alike (an outage) WHEN their statuses end THEN the history counts
    them as any provider's results, by the URL each tested as its target: PR 7's series shows
    passed then failed and is flaky, and the three alike failures are one incident naming
    their URLs."""
    monitor = build_monitor(tmp_path, history=True)
    github = monitor.sim.github
    github.plan("aaaa000001", bug0="success")
    github.plan("aaaa000002", bug0="failure", description="1 of 12 tests failed: cart > coupon")
    commits = ("bbbb000008", "bbbb000009", "bbbb000010")
    for sha in commits:
        github.plan(sha, bug0="failure", description=OUTAGE)
    passed = await monitor.trigger_on_commit("aaaa000001", pr=7)
    app = monitor.app
    history = app.engine.history
    assert history is not None
    try:
        async with app.run_test(size=SIZE) as pilot:
            monitor.advance(70)
            await wait_until(pilot, lambda: says(app, passed.key, "passed"), what="passed")
            failed = await monitor.trigger_on_commit("aaaa000002", pr=7)  # after it, same URL
            outage = [await monitor.trigger_on_commit(sha, pr=int(sha[-2:])) for sha in commits]
            monitor.advance(70)
            ends = [(failed, "failed")] + [(o, "failed") for o in outage]
            await wait_until(
                pilot, lambda: all(says(app, r.key, word) for r, word in ends), what="all ended"
            )

            def pr7_cell() -> HistoryCell | None:
                shown = row(app, failed.key)
                return history.cell(shown) if shown is not None else None

            await wait_until(
                pilot,
                lambda: (cell := pr7_cell()) is not None and len(cell.strip) == 2,
                what="PR 7's strip",
            )
            cell = pr7_cell()
            assert cell is not None
            assert cell.strip == (RunStatus.PASSED, RunStatus.FAILED)
            assert cell.run_ids == (passed.id, failed.id)
            assert cell.flake_rate is not None  # passed and failed on one URL: flaky

            await wait_until(pilot, lambda: len(history.incidents()) == 1, what="the incident")
            (incident,) = history.incidents()
            assert {r.run_id for r in incident.results} == {o.id for o in outage}
            assert {r.target for r in incident.results} == {
                f"https://pr-{int(sha[-2:])}.preview.shop.example" for sha in commits
            }
            assert incident.error == OUTAGE
    finally:
        await monitor.aclose()
