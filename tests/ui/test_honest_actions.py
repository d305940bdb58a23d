"""Actions that promise only what they can keep (issue 22, point 7), on the real simulator.

- `w` (and `W`) on a Bug0 trigger says it cannot be watched: Bug0 gives no status, so no end
  can ever be noticed; nothing is added to the watch list.
- `o` where no browser can open (over SSH, no display) copies the address through the terminal
  (OSC 52) and says so, instead of "Opening ..." with nothing happening. The bytes in a real
  terminal are checked in tests/e2e/test_tmux_open.py.
- The Bug0 form takes git details only from a checkout on GitHub (a real `git` here).
- The BugBrain form offers the test plans and environments that ran here, and starts one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from qa_tui.core.model import RunStatus
from qa_tui.core.runs.store import RunKey
from qa_tui.sim import ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.runs.new_run import NewRunScreen
from qa_tui.ui.runs.run_forms import BugBrainForm
from tests.support.notify import FakeTerminal, center_for
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import SimMonitor, build_monitor, first_key

SIZE = (120, 35)


class Toasts:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.texts.append(message.notification.message)

    def last(self) -> str:
        return self.texts[-1] if self.texts else ""


async def on_row(pilot: Pilot[int], app: QaTuiApp, **where: str) -> RunKey:
    await wait_until(pilot, lambda: first_key(app, **where) is not None, what=f"a run {where}")
    key = first_key(app, **where)
    assert key is not None
    app.dashboard.table.move_cursor_to(key)
    return key


# --- w on a run that cannot end ----------------------------------------------------------------


async def test_w_on_a_bug0_trigger_says_it_cannot_be_watched_and_watches_nothing(
    tmp_path: Path,
) -> None:
    terminal = FakeTerminal()
    center = center_for(terminal, data_dir=tmp_path)
    monitor = build_monitor(tmp_path, notify=center, terminal=terminal.write)
    await monitor.trigger_previews(1)
    app, toasts = monitor.app, Toasts()
    try:
        async with app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
            key = await on_row(pilot, app, provider="previews")
            run = app.engine.store.get(key)
            assert run is not None
            for press in ("w", "W"):
                await pilot.press(press)
                await wait_until(pilot, lambda: "Not watched" in toasts.last(), what=press)
                assert "cannot tell when" in toasts.last()
                assert "Bug0" in toasts.last()
                assert not app.notices.watched(run.run)
                toasts.texts.clear()

            await on_row(pilot, app, provider="web", status="running")  # one that can end
            await pilot.press("w")
            await wait_until(pilot, lambda: "you will be told when it ends" in toasts.last())
    finally:
        await monitor.aclose()


# --- o with no browser ----------------------------------------------------------------------


def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """An SSH session to a build box: no display, no BROWSER."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.7 52144 10.0.0.2 22")


async def test_o_over_ssh_copies_the_address_and_says_so_instead_of_opening_nothing(
    monitor: SimMonitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_display(monkeypatch)
    app, toasts = monitor.app, Toasts()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
        key = await on_row(pilot, app, provider="web", kind="test", status="failed")
        run = app.engine.store.get(key)
        assert run is not None and run.run.url
        await pilot.press("o")
        await wait_until(pilot, lambda: "copied" in toasts.last(), what="the toast")
        assert toasts.last().startswith("No web browser here (over SSH): copied the address")
        assert "Opening" not in " ".join(toasts.texts)
        assert app.clipboard == run.run.url
        assert opened == []

        await pilot.press("enter")  # the same in the detail view, on the failing screenshot
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        shot = app.screen.query_one("#steps-shot")
        await wait_until(pilot, lambda: shot.has_class("-shown"), what="the screenshot")
        shot.focus()
        await pilot.press("o")
        await wait_until(pilot, lambda: "this screenshot" in toasts.last(), what="its toast")
        assert app.clipboard.endswith(".png") and opened == []


async def test_o_with_a_browser_opens_the_page(
    monitor: SimMonitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER", "firefox")  # the user's own choice is trusted
    app, toasts = monitor.app, Toasts()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
        key = await on_row(pilot, app, provider="web", kind="test", status="failed")
        await pilot.press("o")
        await wait_until(pilot, lambda: toasts.last().startswith("Opening"), what="the toast")
        row = app.engine.store.get(key)
        assert row is not None and opened == [row.run.url]


# --- git details only from GitHub ------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    done = subprocess.run(
        ["git", "-c", "user.name=qa", "-c", "user.email=qa@example.com", *args],
        cwd=repo, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


async def bug0_form(pilot: Pilot[int], app: QaTuiApp) -> NewRunScreen:
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="the dialog")
    await pilot.press("down", "down", "enter")  # previews (Bug0)
    dialog = app.screen
    assert isinstance(dialog, NewRunScreen)

    def read() -> bool:  # the form says what it did with the checkout, or filled a field
        notes = dialog.query("#git-note")
        said = widget_text(notes.first()).lower() if notes else ""
        return "prefilled" in said or any(fields(dialog).values())

    await wait_until(pilot, read, what="the checkout read")
    return dialog


def fields(dialog: NewRunScreen) -> dict[str, str]:
    names = ("commit", "branch", "owner", "repo")
    return {name: dialog.query_one(f"#{name}", Input).value for name in names}


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                    reason="git is not installed")  # fmt: skip
async def test_the_bug0_form_takes_git_details_only_from_a_checkout_on_github(
    monitor: SimMonitor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """GIVEN the app started in a clone of a local path (origin `/…/work/main`, as our build box
    has) WHEN the Bug0 form opens THEN nothing is prefilled, and it says why (it once gave owner
    `work`, repo `main`); GIVEN origin on GitHub THEN commit, branch, owner and repo are."""
    upstream = tmp_path / "work" / "main"
    upstream.mkdir(parents=True)
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "commit", "-q", "--allow-empty", "-m", "first")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "switch", "-q", "-c", "feature/one-click")
    monkeypatch.chdir(clone)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    app = monitor.app
    async with app.run_test(size=SIZE) as pilot:
        dialog = await bug0_form(pilot, app)
        assert fields(dialog) == {"commit": "", "branch": "", "owner": "", "repo": ""}
        said = " ".join(widget_text(dialog.query_one("#git-note")).split())
        assert "no checkout of a GitHub repository" in said
        await pilot.press("escape")

        git(clone, "remote", "set-url", "origin", "git@github.com:acme/shop.git")
        dialog = await bug0_form(pilot, app)
        sha = git(clone, "rev-parse", "HEAD")
        await wait_until(pilot, lambda: fields(dialog)["owner"] == "acme", what="prefilled")
        assert fields(dialog) == {
            "commit": sha, "branch": "feature/one-click", "owner": "acme", "repo": "shop"
        }  # fmt: skip
        said = " ".join(widget_text(dialog.query_one("#git-note")).split())
        assert "acme/shop on GitHub (origin)" in said


# --- BugBrain: the plans and environments run here ----------------------------------------------


async def test_the_bugbrain_form_offers_the_plans_and_environments_run_here(
    tmp_path: Path,
) -> None:
    """GIVEN a history of BugBrain executions on staging and prod WHEN the new-run dialog's
    BugBrain form opens THEN it lists the plans run here (latest first, with where they last
    ran) and the environment field suggests those seen; picking one with j and enter fills the
    plan and its environment, and enter starts exactly that in BugBrain."""
    monitor = build_monitor(tmp_path, spec=ScenarioSpec(triage=True), history=True)
    app = monitor.app
    try:
        async with app.run_test(size=SIZE) as pilot:
            history = app.engine.history
            assert history is not None

            def staged() -> bool:
                history.flush()
                return any(r.target == "staging" for r in history.db.since(0.0, ["plans"]))

            await wait_until(pilot, staged, timeout=20, what="executions on staging in history")
            monitor.engine.pause()  # BugBrain's budget (500 an hour) is left for the start
            before = set(monitor.sim.bugbrain.executions)
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="dialog")
            await pilot.press("down", "enter")  # plans (BugBrain)
            dialog = app.screen
            assert isinstance(dialog, NewRunScreen)
            seen = dialog.query_one("#seen-plans", OptionList)
            await wait_until(
                pilot, lambda: "tp_" in str(seen.get_option_at_index(0).prompt), what="plans"
            )
            assert seen.option_count >= 2
            environment = dialog.query_one("#environment", Input)
            assert "staging" in environment.placeholder and "prod" in environment.placeholder

            await pilot.press("tab")  # from the plan id to the plans run here
            await wait_until(pilot, lambda: app.focused is seen, what="the list")
            await pilot.press("g", "j")  # the second plan
            await wait_until(pilot, lambda: seen.highlighted == 1, what="the second plan")
            await pilot.press("enter")
            form = dialog.form
            assert isinstance(form, BugBrainForm)
            chosen = form.seen.starts[1]
            plan = dialog.query_one("#plan", Input)
            await wait_until(pilot, lambda: plan.value == chosen.test_id, what="the plan")
            assert environment.value == (chosen.target or "")
            assert app.focused is environment
            await pilot.press("enter")  # starts it

            def started() -> list[str]:
                return [i for i in monitor.sim.bugbrain.executions if i not in before]

            await wait_until(pilot, lambda: len(started()) == 1, what="one new execution")
            execution = monitor.sim.bugbrain.executions[started()[0]]
            assert execution.plan.id == chosen.test_id
            assert execution.environment == chosen.target
            top = app.dashboard.table.rows[app.dashboard.table.order[0]].run
            assert top.status is RunStatus.QUEUED and top.test_id == chosen.test_id
    finally:
        await monitor.aclose()
