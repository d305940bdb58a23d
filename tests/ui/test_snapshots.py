"""SVG snapshots of the main screens (pytest-textual-snapshot), in tests/ui/__snapshots__/.

Deterministic by construction: scripted sources with fixed runs (no simulator, no network), the
app's clock frozen at T0 so every relative time and ticking duration reads the same, no ticking
(`tick_seconds=0`), no animations, and each screenshot taken only once what it shows has loaded.
After a deliberate UI change: `make snapshots-update`, then look at the new SVGs before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent, TextArea

from qa_tui.core.actions.gitinfo import GitInfo
from qa_tui.core.actions.launch import Catalogue, Choice
from qa_tui.core.actions.writes import WritePolicy
from qa_tui.core.bugs.outbox import Outbox, OutboxTiming
from qa_tui.core.clock import SYSTEM_CLOCK, ManualClock
from qa_tui.core.config.tables import ProviderConfig, load_config
from qa_tui.core.config.views import ViewBook, ViewConfig
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import AuthFailed, NetworkError
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.service import History
from qa_tui.core.model import (
    Artifact,
    FailureAnalysis,
    PaneData,
    Progress,
    ProviderKind,
    Run,
    RunDetail,
    RunKind,
    RunStatus,
    Step,
)
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.bugbrain import BugBrainSource
from qa_tui.core.providers.bugbug import BugBugSource
from qa_tui.core.providers.bugnet import BugDraft, BugnetClient
from qa_tui.core.providers.registry import build_tracker
from qa_tui.core.providers.sharing import BudgetPool
from qa_tui.core.runs.store import RunStore
from qa_tui.sim import FaultPlan, ScenarioClock, build_app
from qa_tui.sim.config_text import render_config
from qa_tui.sim.screenshots import step_screenshot
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.bugs.file_bug import FileBugScreen
from qa_tui.ui.bugs.outbox import OutboxScreen
from qa_tui.ui.bugs.similar_bugs import SimilarPrompt
from qa_tui.ui.confirm import ConfirmScreen, TypedConfirmScreen
from qa_tui.ui.detail.logs import LogScreen
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.health.health_panel import HealthScreen
from qa_tui.ui.help import HelpScreen
from qa_tui.ui.history.incident_runs import IncidentRunsScreen
from qa_tui.ui.history.incidents import IncidentsScreen
from qa_tui.ui.runs import new_run
from qa_tui.ui.runs.new_run import NewRunScreen
from qa_tui.ui.runs.run_forms import Bug0Form, BugBrainForm, BugBugForm
from qa_tui.ui.runs.view_picker import ViewName, ViewPicker
from qa_tui.ui.shots.screenshot import ScreenshotPanel
from qa_tui.ui.shots.screenshot_view import ScreenshotScreen
from tests.support.fakes import T0, FakeSource, make_run
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_monitor import FAST, IN_PROCESS_URL
from tests.support.sim_wire import SocketLike

SnapCompare = Callable[..., bool]
URL = "https://app.bugbug.io/runs/{}"
MEDIA = "https://media.bugbug.io"


class ScriptedSource(FakeSource):
    """A FakeSource of one provider kind whose detail view is scripted run by run."""

    def __init__(self, name: str, kind: ProviderKind) -> None:
        super().__init__(name, clock=SYSTEM_CLOCK, per_minute=60000)
        self.kind = kind
        self.details: dict[str, RunDetail] = {}

    async def run_detail(self, run: Run) -> RunDetail:
        await self._spend(f"detail:{run.id}")
        return self.details.get(run.id) or RunDetail(run=self.runs[run.id])

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """A step's screenshot as the simulator paints it (`.../<step>.png`)."""
        number = url.rsplit("/", 1)[-1].removesuffix(".png")
        return step_screenshot(int(number), "failed" if number == "5" else "passed")


def step(index: int, name: str, status: RunStatus, seconds: float, error: str = "") -> Step:
    return Step(
        index=index,
        name=name,
        status=status,
        provider_status=status.value,
        duration_s=seconds,
        error=error or None,
        screenshot_url=f"{MEDIA}/screenshots/7f3a91c2/{index + 1}.png",
    )


def web_source() -> ScriptedSource:
    web = ScriptedSource("web", ProviderKind.BUGBUG)
    web.capabilities = BugBugSource.capabilities

    def run(run_id: str, status: RunStatus, name: str, ago: float, **fields: Any) -> Run:
        fields.setdefault("target", "Staging" if run_id in ("7f3a91c2", "44e1a0b9") else "Default")
        return make_run(
            run_id, status, name=name, minutes_ago=ago, url=URL.format(run_id), **fields
        )

    login = run(
        "7f3a91c2", RunStatus.FAILED, "Login with email", 35, duration_s=237.0,
        ended=T0 - timedelta(minutes=31), progress=Progress(done=5, total=7),
        error="ASSERT_FAILED: expected 'Welcome back' on the page", triggered_by="github",
    )  # fmt: skip
    web.put(
        run("a1c4e2f0", RunStatus.RUNNING, "Checkout with card", 1.5,
            progress=Progress(done=3, total=7), triggered_by="api"),
        run("5d2b8e17", RunStatus.RUNNING, "Nightly regression", 6, kind=RunKind.SUITE,
            progress=Progress(done=1, total=3), triggered_by="scheduler"),
        run("c-0001", RunStatus.PASSED, "Login with email", 6, parent_id="5d2b8e17",
            duration_s=71.0, progress=Progress(done=7, total=7), triggered_by="scheduler"),
        run("c-0002", RunStatus.RUNNING, "Search products", 4.8, parent_id="5d2b8e17",
            progress=Progress(done=2, total=5), triggered_by="scheduler"),
        run("c-0003", RunStatus.QUEUED, "Add to cart", 4.5, parent_id="5d2b8e17",
            started=None, queued=T0 - timedelta(minutes=4.5), progress=Progress(done=0, total=5),
            triggered_by="scheduler"),
        run("9e0d7c3b", RunStatus.RUNNING, "Password reset", 9, raw="paused",
            progress=Progress(done=2, total=5), triggered_by="user"),
        login,
        run("2b7c9d40", RunStatus.PASSED, "Search products", 52, duration_s=65.0,
            progress=Progress(done=9, total=9), triggered_by="webhook"),
        run("44e1a0b9", RunStatus.STOPPED, "Sign up", 130, duration_s=48.0,
            progress=Progress(done=2, total=4), triggered_by="user"),
    )  # fmt: skip
    expires = T0 + timedelta(days=30)
    web.details[login.id] = RunDetail(
        run=login,
        steps=PaneData[Step](
            items=(
                step(0, "goto https://shop.example/login", RunStatus.PASSED, 1.4),
                step(1, "click #email", RunStatus.PASSED, 0.3),
                step(2, "type demo@example.com", RunStatus.PASSED, 0.8),
                step(3, "click button[type=submit]", RunStatus.PASSED, 0.4),
                step(4, "assert text 'Welcome back'", RunStatus.FAILED, 30.0, "ASSERT_FAILED"),
            )
        ),
        artifacts=PaneData[Artifact](
            items=(
                Artifact(
                    id="a1",
                    kind="logs",
                    label="Run log",
                    expires=expires,
                    url=f"{MEDIA}/logs/7f3a91c2.log",
                ),
                Artifact(
                    id="a2",
                    kind="screenshot",
                    label="step 5",
                    expires=expires,
                    url=f"{MEDIA}/screenshots/7f3a91c2/5.png",
                ),
                Artifact(id="a3", kind="junit", label="JUnit report"),
                Artifact(
                    id="a4",
                    kind="dom_snapshot",
                    label="DOM snapshot",
                    url=f"{MEDIA}/artifacts/7f3a91c2/dom_snapshot.html",
                ),
            )
        ),
        children=PaneData[Run](unavailable="A test run has no child runs"),
        analysis=PaneData[FailureAnalysis](unavailable="BugBug has no failure analysis"),
    )
    return web


def plans_source() -> ScriptedSource:
    plans = ScriptedSource("plans", ProviderKind.BUGBRAIN)
    plans.capabilities = BugBrainSource.capabilities

    def execution(run_id: str, status: RunStatus, plan: str, ago: float, **fields: Any) -> Run:
        return make_run(
            run_id, status, provider="plans", provider_kind=ProviderKind.BUGBRAIN,
            kind=RunKind.EXECUTION, name=f"plan {plan}", test_id=plan, minutes_ago=ago,
            target="production" if "prod" in plan else "staging", **fields,
        )  # fmt: skip

    plans.put(
        execution("exec_5c1d", RunStatus.RUNNING, "tp_checkout_prod", 2.5,
                  progress=Progress(done=2, total=5)),
        execution("exec_88a0", RunStatus.FAILED, "tp_nightly_full", 70, raw="completed",
                  duration_s=93.0, progress=Progress(done=12, total=12)),
        execution("exec_1f9e", RunStatus.ERROR, "tp_smoke_web", 180, raw="failed",
                  duration_s=12.0, progress=Progress(done=1, total=4),
                  error="Browser worker crashed"),
    )  # fmt: skip
    crashed = plans.runs["exec_1f9e"]
    plans.details[crashed.id] = RunDetail(
        run=crashed,
        steps=PaneData[Step](
            items=(
                Step(
                    index=0,
                    name="Login Flow",
                    status=RunStatus.PASSED,
                    provider_status="passed",
                    duration_s=8.4,
                ),
            )
        ),
        analysis=PaneData[FailureAnalysis](
            unavailable="BugBrain has no failure analysis for this execution (it is optional)"
        ),
    )
    return plans


def previews_source() -> ScriptedSource:
    previews = ScriptedSource("previews", ProviderKind.BUG0)
    previews.capabilities = Bug0Source.capabilities
    previews.put(
        make_run(
            "bug0-exec-41", RunStatus.QUEUED, provider="previews",
            provider_kind=ProviderKind.BUG0, kind=RunKind.TRIGGER, raw="triggered",
            name="project shop-web · feat/one-click · PR 41", started=None,
            target="https://pr-41.preview.shop.example",
            queued=T0 - timedelta(seconds=40), triggered_by="qa-tui", pollable=False,
        )
    )  # fmt: skip
    return previews


def snapshot_app() -> QaTuiApp:
    """The app on the three scripted providers, its clock frozen at T0."""
    sources = [web_source(), plans_source(), previews_source()]
    engine = Engine(sources, RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    return QaTuiApp(engine, clock=ManualClock(start=T0), tick_seconds=0)


async def dashboard_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.animation_level = "none"
    await wait_until(pilot, lambda: len(app.dashboard.table.order) == 13, what="every run")
    await wait_until(
        pilot,
        lambda: all(
            h.state.value in ("ok", "unverified") for h in app.dashboard.health_bar.health.values()
        ),
        what="three healthy chips (Bug0's unverified)",
    )


def then(
    *steps: Callable[[Pilot[Any]], Awaitable[None]],
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await dashboard_ready(pilot)
        for each in steps:
            await each(pilot)

    return run_before


def open_login_detail(pane: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def go(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, QaTuiApp)
        app.dashboard.table.move_cursor_to(("web", "7f3a91c2"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        screen = app.screen
        assert isinstance(screen, RunDetailScreen)
        steps = screen.query_one("#steps-table", DataTable)
        await wait_until(pilot, lambda: steps.row_count == 7, what="seven steps, two not run")
        screen.query_one(TabbedContent).active = pane
        await wait_until(
            pilot, lambda: screen.query_one(f"#{pane}").size.height > 0, what=f"{pane} pane"
        )
        if pane in ("steps", "artifacts"):
            panel = screen.query_one(f"#{pane}-shot", ScreenshotPanel)
            await wait_until(pilot, lambda: panel.shot is not None, what="the screenshot")

    return go


async def ask_to_stop(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.dashboard.table.move_cursor_to(("web", "a1c4e2f0"))
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="confirm")


async def open_help(pilot: Pilot[Any]) -> None:
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="help")


def test_dashboard(snap_compare: SnapCompare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=then())


def test_dashboard_at_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=then())


def test_run_detail_steps(snap_compare: SnapCompare) -> None:
    run_before = then(open_login_detail("steps"))
    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=run_before)


def test_run_detail_artifacts(snap_compare: SnapCompare) -> None:
    run_before = then(open_login_detail("artifacts"))
    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=run_before)


async def open_crashed_execution(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.dashboard.table.move_cursor_to(("plans", "exec_1f9e"))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
    screen = app.screen
    assert isinstance(screen, RunDetailScreen)
    await wait_until(pilot, lambda: screen.detail is not None, what="its detail")
    tabs = screen.query_one(TabbedContent)
    await wait_until(pilot, lambda: tabs.active == "error", what="the Error pane")
    await wait_until(pilot, lambda: screen.query_one("#error").size.height > 0, what="drawn")


def test_failed_bugbug_run_steps_at_80x24(snap_compare: SnapCompare) -> None:
    run_before = then(open_login_detail("steps"))
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)


def test_failed_bugbug_run_steps_at_120x35(snap_compare: SnapCompare) -> None:
    run_before = then(open_login_detail("steps"))
    assert snap_compare(snapshot_app(), terminal_size=(120, 35), run_before=run_before)


def test_errored_bugbrain_execution_at_80x24(snap_compare: SnapCompare) -> None:
    run_before = then(open_crashed_execution)
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)


def test_errored_bugbrain_execution_at_120x35(snap_compare: SnapCompare) -> None:
    run_before = then(open_crashed_execution)
    assert snap_compare(snapshot_app(), terminal_size=(120, 35), run_before=run_before)


def test_stop_confirmation(snap_compare: SnapCompare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=then(ask_to_stop))


def test_help_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=then(open_help))


# --- the screen explains itself: help, a filter, an empty table (issue 22) ----------------------


SIZES = [(80, 24), (120, 35)]


async def scroll_help_to_the_legend(pilot: Pilot[Any]) -> None:
    """The help scrolled to its legend: what each status glyph means."""
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    title = next(s for s in screen.query(".help-title") if "Status" in str(s.render()))
    screen.query_one(VerticalScroll).scroll_to_widget(title, animate=False, top=True)
    await pilot.pause()


async def filter_failed_runs(pilot: Pilot[Any]) -> None:
    """`f`, then a filter that leaves the failed BugBug runs not about checkout."""
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    await pilot.press("f", "slash", *"provider:web -checkout", "enter")
    await wait_until(pilot, lambda: len(app.dashboard.table.order) == 1, what="one run")
    app.clear_notifications()
    await pilot.pause()


def failing_snapshot_app() -> QaTuiApp:
    """BugBug's token refused, BugBrain unreachable, no Bug0 run triggered: no run at all."""
    web = ScriptedSource("web", ProviderKind.BUGBUG)
    web.fail_with = AuthFailed("web", "Invalid token.", status_code=401)
    plans = ScriptedSource("plans", ProviderKind.BUGBRAIN)
    plans.fail_with = NetworkError("plans", "connection refused")
    previews = ScriptedSource("previews", ProviderKind.BUG0)
    previews.capabilities = Bug0Source.capabilities
    clock = FrozenWall()
    once = EngineSettings(active_interval_s=3600, idle_interval_s=3600)
    engine = Engine([web, plans, previews], RunStore(), clock=clock, settings=once)
    return QaTuiApp(engine, clock=ManualClock(start=T0), tick_seconds=0)


async def failing_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.animation_level = "none"
    await wait_until(
        pilot,
        lambda: all(h.state.value != "unknown" for h in app.provider_health.values()),
        what="every provider heard from",
    )
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_help_screen_at(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=then(open_help))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_help_legend_at(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    run_before = then(open_help, scroll_help_to_the_legend)
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_dashboard_with_a_filter_at(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    run_before = then(filter_failed_runs)
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_dashboard_empty_because_providers_fail_at(
    snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    assert snap_compare(failing_snapshot_app(), terminal_size=size, run_before=failing_ready)


# --- a whole org: twelve providers, three failing ----------------------------------------------

ORG = (
    *[(f"web{suffix}", "bugbug") for suffix in ("", "-2", "-3", "-4", "-5", "-6")],
    *[(f"plans{suffix}", "bugbrain") for suffix in ("", "-2", "-3", "-4")],
    ("previews", "bug0"),
    ("previews-2", "bug0"),
)
"""`qa-tui sim --projects 12`: six BugBug projects, four BugBrain projects on two keys, two Bug0."""
ORG_FAILING = ("web-3", "plans-3", "plans-4")


class FrozenWall:
    """Real intervals and sleeps, the wall clock held at T0: every "ago" reads the same."""

    def monotonic(self) -> float:
        return SYSTEM_CLOCK.monotonic()

    def now(self) -> datetime:
        return T0

    async def sleep(self, seconds: float) -> None:
        await SYSTEM_CLOCK.sleep(seconds)


def org_config(name: str, kind: str, index: int) -> ProviderConfig:
    values: dict[str, Any] = {"name": name, "kind": kind, "token": f"{kind}-token-{index}"}
    if kind == "bugbrain":
        values |= {"token": f"bugbrain-key-{index // 2}", "project_id": f"proj_{index}"}
    if kind == "bug0":
        values["project_id"] = f"{index:024x}"
    return ProviderConfig.model_validate(values)


def org_snapshot_app() -> QaTuiApp:
    """Twelve scripted providers (their budgets shared as their services share them), each
    polled once: three refused, the rest answering."""
    clock = FrozenWall()
    configs = [org_config(name, kind, i) for i, (name, kind) in enumerate(ORG)]
    pool = BudgetPool(configs, clock=clock)
    sources = []
    for i, config in enumerate(configs):
        kind = ProviderKind(config.kind)
        source = ScriptedSource(config.name, kind)
        source.budget = pool.budget_for(config)
        if kind is ProviderKind.BUG0:
            source.capabilities = Bug0Source.capabilities
        run_kind = {"bugbug": RunKind.TEST, "bugbrain": RunKind.EXECUTION, "bug0": RunKind.TRIGGER}
        for j, status in enumerate((RunStatus.RUNNING, RunStatus.PASSED, RunStatus.FAILED)):
            trigger = kind is ProviderKind.BUG0  # no read API: triggered, never polled
            source.put(
                make_run(
                    f"{config.name}-{j}", RunStatus.QUEUED if trigger else status,
                    raw="triggered" if trigger else None, pollable=not trigger,
                    provider=config.name, provider_kind=kind, kind=run_kind[config.kind],
                    name=f"Checkout {j + 1}", minutes_ago=i + 10 * j,
                )
            )  # fmt: skip
        if config.name in ORG_FAILING:
            message = "Invalid token." if kind is ProviderKind.BUGBUG else "Invalid API key"
            source.fail_with = AuthFailed(config.name, message, status_code=401)
        sources.append(source)
    once = EngineSettings(active_interval_s=3600, idle_interval_s=3600)
    engine = Engine(sources, RunStore(), clock=clock, settings=once)
    return QaTuiApp(engine, clock=ManualClock(start=T0), tick_seconds=0)


async def org_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.animation_level = "none"
    await wait_until(pilot, lambda: len(app.dashboard.table.order) == 27, what="every run")
    await wait_until(
        pilot,
        lambda: all(h.state.value != "unknown" for h in app.provider_health.values()),
        what="every provider heard from",
    )


async def open_health(pilot: Pilot[Any]) -> None:
    await org_ready(pilot)
    await pilot.press("h")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HealthScreen), what="panel")
    table = pilot.app.screen.query_one(DataTable)
    await wait_until(pilot, lambda: table.row_count == 12, what="twelve providers")


def test_twelve_providers_at_120x35(snap_compare: SnapCompare) -> None:
    assert snap_compare(org_snapshot_app(), terminal_size=(120, 35), run_before=org_ready)


def test_twelve_providers_at_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(org_snapshot_app(), terminal_size=(80, 24), run_before=org_ready)


def test_health_panel_at_120x35(snap_compare: SnapCompare) -> None:
    assert snap_compare(org_snapshot_app(), terminal_size=(120, 35), run_before=open_health)


def test_health_panel_at_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(org_snapshot_app(), terminal_size=(80, 24), run_before=open_health)


def test_health_panel_at_200x50(snap_compare: SnapCompare) -> None:
    assert snap_compare(org_snapshot_app(), terminal_size=(200, 50), run_before=open_health)


# --- every screen and dialog at 80x24 and 120x35 (issue 21) -------------------------------------
#
# One parametrized test per screen: the same scripted app as above, each size a run of its own.
# The screens the tests above already show at both sizes (help, its legend, the health panel, the
# Steps and Error panes, the filtered and empty dashboards) are not repeated here.

SIZE_IDS = ["80x24", "120x35"]

LOGIN_LOG = """\
[12:00:01.120] Starting run 7f3a91c2 · test "Login with email" · profile Staging
[12:00:01.480] step 1  goto https://shop.example/login  passed 1.4s
[12:00:02.910] step 2  click #email  passed 0.3s
[12:00:03.220] step 3  type demo@example.com  passed 0.8s
[12:00:04.010] step 4  click button[type=submit]  passed 0.4s
[12:00:04.430] step 5  assert text 'Welcome back'  waiting up to 30s
[12:00:34.430] step 5  ASSERT_FAILED: expected 'Welcome back' on the page
[12:00:34.431] screenshot saved: screenshots/7f3a91c2/5.png
[12:00:34.600] steps 6-7 not run: the run stops at its first failure
[12:00:34.610] Run finished: failed after 5 of 7 steps (3m 57s)
"""


class LoggedSource(ScriptedSource):
    """The scripted BugBug provider, with the failed login run's log."""

    async def fetch_log(self, run: Run) -> str:
        await self._spend(f"log:{run.id}")
        return LOGIN_LOG


def screens_app() -> QaTuiApp:
    """`snapshot_app` with a log for the failed login run, a suite's steps and an analysis for
    BugBrain's failed nightly execution: what the detail panes and the log view show."""
    web = web_source()
    logged = LoggedSource("web", ProviderKind.BUGBUG)
    logged.capabilities, logged.runs, logged.details = web.capabilities, web.runs, web.details
    suite = web.runs["5d2b8e17"]
    logged.details[suite.id] = RunDetail(
        run=suite,
        steps=PaneData[Step](unavailable="A suite's steps are its child runs' steps"),
        artifacts=PaneData[Artifact](unavailable="A suite has no artifacts of its own"),
        analysis=PaneData[FailureAnalysis](unavailable="BugBug has no failure analysis"),
    )
    plans = plans_source()
    nightly = plans.runs["exec_88a0"]
    plans.details[nightly.id] = RunDetail(
        run=nightly,
        analysis=PaneData[FailureAnalysis](
            items=(
                FailureAnalysis(
                    test_id="t_checkout_total",
                    test_name="Checkout shows the order total",
                    category="application_bug",
                    confidence=0.86,
                    description="The total stays at 0.00 after the second item is added: the "
                    "cart's recalculation request returns 500.",
                    fix_suggestions=(
                        "Check POST /api/cart/recalculate on staging",
                        "Re-run once the cart service is green",
                    ),
                    evidence={"network": "POST /api/cart/recalculate → 500"},
                ),
                FailureAnalysis(
                    test_id="t_coupon",
                    test_name="A coupon lowers the total",
                    category="test_flakiness",
                    confidence=0.41,
                    description="The coupon field was filled before it was enabled.",
                ),
            )
        ),
    )
    engine = Engine(
        [logged, plans, previews_source()], RunStore(), clock=SYSTEM_CLOCK, settings=FAST
    )
    return QaTuiApp(engine, clock=ManualClock(start=T0), tick_seconds=0)


async def without_toasts(pilot: Pilot[Any]) -> None:
    """The notifications cleared, and their toasts gone from every screen in the stack (a
    modal's background keeps the toasts it had until it is back on top): a toast is not the
    screen's look, and it comes and goes by the clock."""
    app = pilot.app
    app.clear_notifications()
    for screen in app.screen_stack:
        await screen.query("Toast").remove()
    await pilot.pause()


def no_blink(screen: Screen[Any]) -> None:
    """Carets held on (a blinking caret would make a snapshot depend on when it was taken)."""
    for field in screen.query(Input):
        field.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False


def open_detail(key: tuple[str, str], pane: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """`enter` on the run, then its `pane` tab, once the detail has arrived."""

    async def go(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, QaTuiApp)
        app.dashboard.table.move_cursor_to(key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        screen = app.screen
        assert isinstance(screen, RunDetailScreen)
        await wait_until(pilot, lambda: screen.detail is not None, what="its detail")
        screen.query_one(TabbedContent).active = pane
        await wait_until(
            pilot, lambda: screen.query_one(f"#{pane}").size.height > 0, what=f"{pane} pane"
        )
        if pane == "children":
            table = screen.query_one("#children-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 3, what="three child runs")
        if pane == "artifacts":
            panel = screen.query_one("#artifacts-shot", ScreenshotPanel)
            await wait_until(pilot, lambda: panel.shot is not None, what="the screenshot")

    return go


DETAIL_PANES = {
    "artifacts": (("web", "7f3a91c2"), "artifacts"),
    "children": (("web", "5d2b8e17"), "children"),
    "analysis": (("plans", "exec_88a0"), "analysis"),
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("pane", DETAIL_PANES)
def test_detail_pane_at(snap_compare: SnapCompare, pane: str, size: tuple[int, int]) -> None:
    key, tab = DETAIL_PANES[pane]
    run_before = then(open_detail(key, tab))
    assert snap_compare(screens_app(), terminal_size=size, run_before=run_before)


def test_dashboard_at_120x35(snap_compare: SnapCompare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(120, 35), run_before=then())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_stop_confirmation_at(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=then(ask_to_stop))


async def search_the_log(pilot: Pilot[Any]) -> None:
    """`l` on the failed login run, then `/` and a search for the failed assertion."""
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.dashboard.table.move_cursor_to(("web", "7f3a91c2"))
    await pilot.press("l")
    await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), what="the log view")
    screen = app.screen
    area = screen.query_one(TextArea)
    await wait_until(pilot, lambda: "Run finished" in area.text, what="the log")
    no_blink(screen)
    await pilot.press("slash", *"welcome")
    await wait_until(
        pilot, lambda: screen.query_one("#log-search", Input).value == "welcome", what="typed"
    )


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_log_view_at(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(screens_app(), terminal_size=size, run_before=then(search_the_log))


async def open_the_failing_screenshot(pilot: Pilot[Any]) -> None:
    """From the Steps pane of the failed login run, the failing step's screenshot full screen."""
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    panel = app.screen.query_one("#steps-shot", ScreenshotPanel)
    panel.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ScreenshotScreen), what="the shot")
    screen = app.screen
    assert isinstance(screen, ScreenshotScreen)
    await wait_until(pilot, lambda: screen.shot is not None, what="the picture")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_screenshot_view_at(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    run_before = then(open_login_detail("steps"), open_the_failing_screenshot)
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


CHECKOUT = GitInfo(
    commit="0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    branch="feature/one-click",
    owner="shop",
    repo="shop-web",
    pr_number="41",
    remote="origin",
)
"""The git checkout the Bug0 form is prefilled from (never this repository's own)."""

CATALOGUE = Catalogue(
    tests=(
        Choice("t-101", "Add to cart"),
        Choice("t-102", "Checkout with card"),
        Choice("t-103", "Login with email"),
        Choice("t-104", "Password reset"),
        Choice("t-105", "Search products"),
        Choice("t-106", "Sign up"),
    ),
    suites=(Choice("s-1", "Nightly regression"), Choice("s-2", "Smoke")),
    profiles=(Choice("p-1", "Default"), Choice("p-2", "Staging")),
)
"""What the scripted BugBug project offers to start."""


def new_run_on(position: int) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """`n`, then the provider at `position` in the list, its form filled in as it loads."""

    async def go(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, QaTuiApp)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewRunScreen), what="the dialog")
        await pilot.press(*["down"] * position, "enter")
        screen = app.screen
        assert isinstance(screen, NewRunScreen)
        await wait_until(pilot, lambda: screen.form is not None, what="its form")
        form = screen.form
        if isinstance(form, BugBugForm):
            form.show_catalogue(CATALOGUE)  # a scripted source: no BugBug catalogue to read
        if isinstance(form, Bug0Form):
            field = form.query_one("#branch", Input)
            await wait_until(pilot, lambda: field.value == CHECKOUT.branch, what="git prefill")
        if isinstance(form, BugBrainForm):
            plans = form.query_one("#seen-plans", OptionList)
            await wait_until(pilot, lambda: plans.option_count == 3, what="the plans run here")
        no_blink(screen)
        await pilot.pause()

    return go


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("provider", ["bugbug", "bugbrain", "bug0"])
def test_new_run_form_at(
    snap_compare: SnapCompare,
    monkeypatch: pytest.MonkeyPatch,
    provider: str,
    size: tuple[int, int],
) -> None:
    monkeypatch.setattr(new_run, "read_git", lambda: CHECKOUT)
    position = ["bugbug", "bugbrain", "bug0"].index(provider)
    run_before = then(new_run_on(position))
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


# --- triage: incidents, Compare, the bug form and the outbox ----------------------------------
#
# The scripted BugBug project with a history (on disk in the test's folder) and Bugnet: the
# simulator's, in-process. Staging's API refused three tests within twenty minutes (one incident),
# and "Login with email" passed on Staging yesterday (the Compare pane's last green run).

OUTAGE = "net::ERR_CONNECTION_REFUSED at https://staging.shop.example/api/cart?session={}"


def triage_source() -> ScriptedSource:
    web = web_source()
    for run_id, name, ago in (
        ("d41c0a93", "Add to cart", 20),
        ("e5a7b210", "Checkout with card", 17),
        ("f08e6c55", "Apply a coupon", 14),
    ):
        web.put(
            make_run(
                run_id, RunStatus.FAILED, name=name, minutes_ago=ago, target="Staging",
                url=URL.format(run_id), duration_s=12.0, ended=T0 - timedelta(minutes=ago - 0.2),
                progress=Progress(done=1, total=6), error=OUTAGE.format(run_id),
                triggered_by="scheduler",
            )
        )  # fmt: skip
    green = make_run(
        "3c9e1d07", RunStatus.PASSED, name="Login with email", minutes_ago=26 * 60,
        target="Staging", url=URL.format("3c9e1d07"), duration_s=41.0,
        ended=T0 - timedelta(hours=26) + timedelta(seconds=41), progress=Progress(done=7, total=7),
        triggered_by="github",
    )  # fmt: skip
    web.put(green)
    names = [
        "goto https://shop.example/login",
        "click #email",
        "type demo@example.com",
        "click button[type=submit]",
        "assert text 'Welcome back'",
        "click #account",
        "assert text 'Orders'",
    ]
    seconds = [1.2, 0.3, 0.7, 0.4, 1.1, 0.3, 0.6]
    web.details[green.id] = RunDetail(
        run=green,
        steps=PaneData[Step](
            items=tuple(
                Step(
                    index=i,
                    name=name,
                    status=RunStatus.PASSED,
                    provider_status="passed",
                    duration_s=seconds[i],
                )
                for i, name in enumerate(names)
            )
        ),
    )
    return web


def tracker_on_the_simulator(workdir: Path) -> tuple[BugnetClient, FaultPlan]:
    """The Bugnet client `qa-tui demo` builds, on the in-process simulator's Bugnet."""
    faults = FaultPlan()
    sim_app = build_app(
        seed=7, clock=ScenarioClock.manual_at(), faults=faults, enforce_documented_limits=False
    )
    path = workdir / "sim.toml"
    path.write_text(render_config(IN_PROCESS_URL))
    wire = SocketLike(sim_app)
    client = build_tracker(load_config(path), clock=FrozenWall(), transport_for=lambda _: wire)
    assert client is not None
    return client, faults


def triage_app(workdir: Path) -> tuple[QaTuiApp, FaultPlan]:
    """The app on the triage project, its history and Bugnet; the faults Bugnet answers with."""
    clock = FrozenWall()
    history = History(RunHistory(workdir / "history.sqlite"), clock=clock)
    sources = [triage_source(), plans_source(), previews_source()]
    engine = Engine(sources, RunStore(), clock=SYSTEM_CLOCK, settings=FAST, history=history)
    tracker, faults = tracker_on_the_simulator(workdir)
    patient = OutboxTiming(first_retry_s=3600)  # no second try while the snapshot is taken
    outbox = Outbox(tracker, workdir / "outbox.sqlite", clock=clock, timing=patient)
    app = QaTuiApp(
        engine, clock=ManualClock(start=T0), tick_seconds=0, tracker=tracker, outbox=outbox
    )
    return app, faults


async def triage_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.animation_level = "none"
    history = app.engine.history
    assert history is not None
    await wait_until(pilot, lambda: len(app.dashboard.table.order) == 17, what="every run")
    await wait_until(pilot, lambda: len(history.incidents()) == 1, what="the outage, recorded")
    await wait_until(
        pilot,
        lambda: all(h.state.value in ("ok", "unverified") for h in app.provider_health.values()),
        what="three healthy chips",
    )


async def open_incidents(pilot: Pilot[Any]) -> None:
    await triage_ready(pilot)
    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, IncidentsScreen), what="list")
    table = pilot.app.screen.query_one("#incidents", DataTable)
    await wait_until(pilot, lambda: table.row_count == 1, what="the outage's row")


async def open_incident_runs(pilot: Pilot[Any]) -> None:
    await open_incidents(pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, IncidentRunsScreen), what="runs")
    table = pilot.app.screen.query_one("#incident-runs", DataTable)
    await wait_until(pilot, lambda: table.row_count == 3, what="its three runs")


async def open_compare(pilot: Pilot[Any]) -> None:
    await triage_ready(pilot)
    await open_detail(("web", "7f3a91c2"), "compare")(pilot)
    text = pilot.app.screen.query_one("#compare-text", Static)
    await wait_until(pilot, lambda: "First divergence" in widget_text(text), what="the compare")


async def open_bug_form(pilot: Pilot[Any]) -> None:
    """`b` on the failed login run, a bug of the same title already in Bugnet."""
    app = pilot.app
    assert isinstance(app, QaTuiApp) and app.tracker is not None
    await triage_ready(pilot)
    title = "[web] Login with email: ASSERT_FAILED: expected 'Welcome back' on the page"
    await app.tracker.submit(BugDraft(title=title, description="Seen on Staging."))
    app.dashboard.table.move_cursor_to(("web", "7f3a91c2"))
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="the bug form")
    form = app.screen
    similar = form.query_one("#similar-title", Static)
    await wait_until(pilot, lambda: "Looking" not in widget_text(similar), what="similar search")
    no_blink(form)
    await without_toasts(pilot)


async def ask_about_the_similar_bug(pilot: Pilot[Any]) -> None:
    await open_bug_form(pilot)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SimilarPrompt), what="asked")


def open_outbox(faults: FaultPlan) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """The login run's bug filed while Bugnet is down, then `B`: it waits in the outbox."""

    async def go(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, QaTuiApp)
        await triage_ready(pilot)
        app.dashboard.table.move_cursor_to(("web", "7f3a91c2"))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="bug form")
        similar = app.screen.query_one("#similar-title", Static)
        await wait_until(pilot, lambda: "Looking" not in widget_text(similar), what="searched")
        faults.set("bugnet", down=True)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="the form closes")
        await without_toasts(pilot)
        await pilot.press("B")
        await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")
        screen = app.screen
        assert isinstance(screen, OutboxScreen)
        reason = screen.query_one("#reason", Static)
        await wait_until(pilot, lambda: "broke" in widget_text(reason), what="why it waits")

    return go


TRIAGE_SCREENS: dict[str, Callable[[Pilot[Any]], Awaitable[None]]] = {
    "incidents": open_incidents,
    "incident_runs": open_incident_runs,
    "compare": open_compare,
    "bug_form": open_bug_form,
    "similar_bug_prompt": ask_about_the_similar_bug,
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", [*TRIAGE_SCREENS, "outbox"])
def test_triage_screen_at(
    snap_compare: SnapCompare, tmp_path: Path, screen: str, size: tuple[int, int]
) -> None:
    app, faults = triage_app(tmp_path)
    run_before = TRIAGE_SCREENS[screen] if screen != "outbox" else open_outbox(faults)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


# --- the write rails and saved views (issue 23) ------------------------------------------------

VIEWS = (
    ViewConfig(name="Failing on web", filter="provider:web status:failed"),
    ViewConfig(name="Running now", filter="status:running", reverse=True),
    ViewConfig(name="BugBrain plans", filter="provider:plans"),
)


def rails_app(workdir: Path) -> QaTuiApp:
    """The scripted app with BugBug's project marked production and three saved views."""
    sources = [web_source(), plans_source(), previews_source()]
    policy = WritePolicy(production=frozenset({"web"}))
    engine = Engine(sources, RunStore(), clock=SYSTEM_CLOCK, settings=FAST, writes=policy)
    views = ViewBook(VIEWS, file=workdir / "views.toml", state_dir=workdir)
    return QaTuiApp(engine, clock=ManualClock(start=T0), tick_seconds=0, views=views)


async def stop_on_production(pilot: Pilot[Any]) -> None:
    """`x` on a running run of the production provider: its name must be typed."""
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    app.dashboard.table.move_cursor_to(("web", "a1c4e2f0"))
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen), what="asked")
    no_blink(app.screen)
    await pilot.press(*"we")


async def pick_a_view(pilot: Pilot[Any]) -> None:
    await pilot.press("v")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ViewPicker), what="the views")


async def save_a_view(pilot: Pilot[Any]) -> None:
    """The palette's Save view, on the first saved view's filter (key `1`)."""
    app = pilot.app
    assert isinstance(app, QaTuiApp)
    await pilot.press("1")
    await wait_until(pilot, lambda: len(app.dashboard.table.order) == 1, what="web's failed run")
    await without_toasts(pilot)
    await pilot.app.run_action("screen.save_view")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ViewName), what="the name")
    no_blink(pilot.app.screen)


RAILS_SCREENS: dict[str, Callable[[Pilot[Any]], Awaitable[None]]] = {
    "typed_confirmation": stop_on_production,
    "view_picker": pick_a_view,
    "view_name": save_a_view,
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", RAILS_SCREENS)
def test_rails_and_views_dialog_at(
    snap_compare: SnapCompare, tmp_path: Path, screen: str, size: tuple[int, int]
) -> None:
    run_before = then(RAILS_SCREENS[screen])
    assert snap_compare(rails_app(tmp_path), terminal_size=size, run_before=run_before)
