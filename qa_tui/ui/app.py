"""The Textual app. It is handed a ready engine (and through it the store and the providers);
it never builds a client, so tests hand it the simulator or a fake.

The engine runs in one named worker. Each change batch it emits comes to the UI as one
`RunsChanged(changes)` carrying that batch, and is applied as it came: a batch is merged once,
where it is made (a provider's poll cycle, core/engine/poller.py), and nowhere on its way. The
app talks to the dashboard through the dashboard's methods, never through its widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from qa_tui.core.bugs.db import Report, ReportState
from qa_tui.core.bugs.outbox import Outbox
from qa_tui.core.bugs.tally import DISCARDED, OpenReports
from qa_tui.core.bugs.triage import TriageDefaults
from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.views import ViewBook
from qa_tui.core.engine import Engine
from qa_tui.core.images.fetch import ScreenshotFetcher
from qa_tui.core.model import ProviderHealth
from qa_tui.core.notify.center import NotifyCenter
from qa_tui.core.notify.delivery import Writer
from qa_tui.core.notify.notice import Notice
from qa_tui.core.providers.bugnet import BugDraft, BugnetClient
from qa_tui.core.runs.store import Changes, RunKey
from qa_tui.core.team.status import TeamStatus, TeamView
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.collector import RunsOutOfTheCollector, no_collection
from qa_tui.ui.commands import ActionCommands
from qa_tui.ui.help import HelpScreen
from qa_tui.ui.host import ChangeListener
from qa_tui.ui.keymap import UserKeys
from qa_tui.ui.messages import OutboxChanged, ProviderHealthChanged, RunsChanged, TeamChanged
from qa_tui.ui.notices import Notices
from qa_tui.ui.region_caches import RegionCaches
from qa_tui.ui.runs.dashboard import DashboardScreen
from qa_tui.ui.terminal_writer import ScreenMirror, display

UI_FOLDER = Path(__file__).parent


class QaTuiApp(App[int]):
    """qa-tui: every run of every provider, live."""

    TITLE = "qa-tui"
    CSS_PATH = [UI_FOLDER / "app.tcss", UI_FOLDER / "runs" / "dashboard.tcss"]
    """The app-wide layout, and the dashboard's: the default screen's own CSS_PATH is never read
    (Textual loads a screen's stylesheets when it is pushed; the default screen never is). Every
    other screen names its .tcss beside it. Absolute, so an app subclassed elsewhere (the soak's)
    finds them too."""
    COMMANDS = {ActionCommands}
    BINDINGS = bindings_for(Scope.APP)
    """Textual's own ctrl+q and ctrl+c are re-declared there with ids, so a keymap reaches them."""
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = SYSTEM_CLOCK,
        tick_seconds: float = 1.0,
        subtitle: str | None = None,
        tracker: BugnetClient | None = None,
        outbox: Outbox | None = None,
        bug_defaults: TriageDefaults | None = None,
        collector: RunsOutOfTheCollector | None = None,
        notify: NotifyCenter | None = None,
        terminal: Writer | None = None,
        screenshots: ScreenshotFetcher | None = None,
        team: TeamView | None = None,
        keys: UserKeys | None = None,
        theme: str | None = None,
        remember_theme: Callable[[str], None] | None = None,
        views: ViewBook | None = None,
    ) -> None:
        """`notify`: the rules and the watch list (None: no notifications); `terminal`: where
        their bytes go (None: this app's terminal, through its driver); `keys`: the user's keys
        (`[keys]`, checked by ui/keymap.py); `theme`: a Textual theme to open with (`[ui] theme`
        or the one last picked); `remember_theme`: told each theme the user picks (the palette's
        theme switch), to keep it for next time. NO_COLOR wins over any theme: Textual filters
        every colour out of what it draws. `views`: the saved views (1…9, v)."""
        super().__init__()
        self.user_keys = keys or UserKeys()
        self._opening_theme = theme
        self._remember_theme = remember_theme
        self.engine = engine
        self.team = team
        """Team mode (`[team]`): its state is shown in the header."""
        self.tracker = tracker
        """The Bugnet client (None: no `[tracker]` configured, `b` says how to add one)."""
        self.outbox = outbox
        """Bug reports on their way to Bugnet; its loop runs in the "outbox" worker."""
        self.bug_defaults = bug_defaults or TriageDefaults()
        self.drafts: dict[RunKey, BugDraft] = {}
        """Bug forms closed with esc, by run: `b` reopens them."""
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.sub_title = subtitle or ""
        self.open_reports = OpenReports()
        """Bug reports not filed yet, as the outbox's change reports tell (for the header)."""
        self.collector = collector or RunsOutOfTheCollector()
        """Keeps runs out of the garbage collector's passes (see ui/collector.py)."""
        self.region_caches = RegionCaches()
        """Keeps Textual's geometry caches small all day (see ui/region_caches.py)."""
        self.screenshots = screenshots or default_screenshots()
        """Screenshots for the detail view: fetched bounded, checked, cached (core/images)."""
        self._mirror = ScreenMirror()
        """What the terminal shows: each frame writes only the cells that changed."""
        self._dashboard = DashboardScreen(
            {source.name: source.kind.value for source in engine.sources},
            views,
            production=engine.writes.policy.production,
            team=team.status if team is not None else None,
        )
        self.notices = Notices(
            notify,
            write=terminal or self._write_to_terminal,
            toast=self._toast,
            unseen=self._dashboard.show_unseen,
            marks=self._dashboard.refresh_marks,
        )
        """Notifications: the rules' verdicts sent, toasted and counted (ui/notices.py)."""
        self._dashboard.show_watch_marks(self.notices.watch_mark)
        self._unsubscribe = [
            engine.changes.subscribe(self._engine_changes),
            engine.health.subscribe(self._engine_health),
            *([team.status_changed.subscribe(self._team_status)] if team is not None else []),
        ]
        """How this app stops hearing the engine, team mode and the outbox (on unmount)."""

    def _theme_picked(self, theme: Theme) -> None:
        if self._remember_theme is not None and theme.name != self._opening_theme:
            self._opening_theme = theme.name
            self._remember_theme(theme.name)

    @property
    def dashboard(self) -> DashboardScreen:
        return self._dashboard

    @property
    def provider_health(self) -> Mapping[str, ProviderHealth]:
        """Each provider's latest health, by name, as the header shows it."""
        return self._dashboard.provider_health

    def get_default_screen(self) -> DashboardScreen:
        return self._dashboard

    def on_mount(self) -> None:
        self.app_resume_signal.subscribe(self, lambda _: self._mirror.forget())
        self.collector.start()
        if self._opening_theme:
            self.theme = self._opening_theme
        if self._remember_theme is not None:
            self.theme_changed_signal.subscribe(self, self._theme_picked)
        if self.user_keys.chosen:
            self.set_keymap(self.user_keys.keymap())  # Textual rebinds by binding id
        with no_collection():  # the cached runs are long-lived and hold no cycles
            self._engine_changes(self.engine.load_cache())
        if self.tick_seconds > 0:
            self.set_interval(self.tick_seconds, self._tick)
        self.run_engine()
        if self.outbox is not None:
            self._unsubscribe.append(self.outbox.changed.subscribe(self._outbox_report_changed))
            self.open_reports = OpenReports(self.outbox.open_reports())
            self._show_open_reports()
            self._engine_changes(self.engine.store.link_bugs(self.outbox.links()))
            self.run_outbox()

    @work(group="engine", exclusive=True, exit_on_error=False, name="engine")
    async def run_engine(self) -> None:
        await self.engine.run()

    @work(group="outbox", exclusive=True, exit_on_error=False, name="outbox")
    async def run_outbox(self) -> None:
        """Reports left from earlier and reports Bugnet could not take yet, retried in the back."""
        if self.outbox is not None:
            await self.outbox.run()

    def _display(self, screen: Screen[object], renderable: object) -> None:
        """Textual's frame, written as the cells that changed (ui/terminal_writer.py)."""
        if not display(self, self._mirror, renderable):
            super()._display(screen, renderable)  # type: ignore[arg-type]

    # --- engine → UI ----------------------------------------------------------------------

    def _engine_changes(self, changes: Changes) -> None:
        """A batch from the engine (or the cache, or a bug linked): to the notifications at once,
        to the screens in a `RunsChanged` that carries it."""
        if not changes:
            return
        self.notices.changes(changes)
        self.post_message(RunsChanged(changes))

    def _engine_health(self, health: ProviderHealth) -> None:
        self.notices.health(health, self.clock.now())
        self.post_message(ProviderHealthChanged(health))

    def on_runs_changed(self, message: RunsChanged) -> None:
        changes = message.changes
        now = self.clock.now()
        self.collector.place(
            lambda: self._dashboard.apply(changes, now),
            added=len(changes.added),
            rows=len(changes.added) + len(changes.updated),
        )
        if self.screen_stack and isinstance(self.screen, ChangeListener):  # none while quitting
            self.screen.runs_changed(changes)

    def on_provider_health_changed(self, message: ProviderHealthChanged) -> None:
        self._dashboard.show_health(message.health, self.clock.now())

    def _team_status(self, status: TeamStatus) -> None:
        self.post_message(TeamChanged(status))

    def on_team_changed(self, message: TeamChanged) -> None:
        self._dashboard.show_team(message.status)

    def on_unmount(self) -> None:
        self.collector.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _tick(self) -> None:
        now: datetime = self.clock.now()
        self._dashboard.tick(now)
        self.notices.tick(now)
        self.collector.tick()
        self.region_caches.tick()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: shown as plain text, never a traceback, never an exit.

        Textual tells only the node that started a worker, so screens forward theirs here too
        (`RunActions`, `LogScreen`): a worker that dies of a bug is never silent."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(
                f"{event.worker.name or 'task'} failed: {type(error).__name__}: {error}",
                severity="error",
                markup=False,
            )
            if event.worker.group == "engine":
                self.run_engine()  # the engine is restarted; providers keep their own backoff
            elif event.worker.group == "outbox":
                self.run_outbox()  # the reports are on disk: nothing is lost by a restart

    # --- notifications ------------------------------------------------------------------------

    def _write_to_terminal(self, text: str) -> None:
        """Bytes for the terminal itself, through the driver's output queue (between frames)."""
        if self._driver is not None and not self.is_headless:
            self._driver.write(text)

    def _toast(self, notice: Notice) -> None:
        severity: SeverityLevel = "warning" if notice.bad_news else "information"
        self.notify(notice.body, title=notice.title, severity=severity, timeout=10)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.notices.seen()  # the user is looking: the header's count goes
        await super().on_event(event)

    # --- bugs -------------------------------------------------------------------------------

    def _outbox_report_changed(self, report: Report) -> None:
        self.post_message(OutboxChanged(report))

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        """A report moved: link its run when filed, say so, and refresh the outbox view."""
        from qa_tui.ui.bugs.file_bug import FileBugScreen
        from qa_tui.ui.bugs.outbox import OutboxScreen

        report = message.report
        self.open_reports.changed(report)
        self._show_open_reports()
        if report.state is ReportState.FILED and report.bug_id and report.run_key:
            self.drafts.pop(report.run_key, None)
            self._engine_changes(self.engine.store.link_bug(report.run_key, report.bug_id))
            self.notify(_filed_text(report), markup=False, timeout=6)
        elif report.state in (ReportState.FAILED, ReportState.NEEDS_ATTENTION):
            on_form = isinstance(self.screen, FileBugScreen) and self.screen.ref == report.ref
            if not on_form and report.last_error != DISCARDED:
                self.notify(
                    f"Bug report not filed: {report.last_error} (B shows the outbox)",
                    severity="error",
                    markup=False,
                    timeout=8,
                )
        for screen in self.screen_stack:
            if isinstance(screen, OutboxScreen):
                screen.refresh_reports()

    def _show_open_reports(self) -> None:
        tally = self.open_reports
        self._dashboard.show_outbox(tally.sending, tally.need_the_user)

    def action_show_outbox(self) -> None:
        from qa_tui.ui.bugs.bug_actions import NO_TRACKER
        from qa_tui.ui.bugs.outbox import OutboxScreen

        if self.outbox is None:
            self.notify(NO_TRACKER, severity="warning", timeout=10, markup=False)
        elif not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen(self.outbox, self.clock, self._edit_report))

    def _edit_report(self, report: Report) -> None:
        from qa_tui.ui.bugs.bug_actions import form_for

        if report.run_key is not None:
            draft = self.drafts.get(report.run_key, report.draft)
            self.push_screen(form_for(self, report.run_key, report.run_name, draft, report))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast goes through here, and many carry provider text (an error, a run name):
        each line is made terminal-safe and markup is never read, whatever the caller passed."""
        super().notify(
            render.safe_lines(message),
            title=render.safe_lines(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # --- app-wide actions -------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        if self.engine.paused:  # a paused engine asks nothing: say so rather than nothing
            self.notify("Paused: nothing is polled while paused (p resumes)", severity="warning")
            return
        self.engine.refresh_now()
        self.notify("Refreshing", timeout=1)

    def action_toggle_pause(self) -> None:
        if self.engine.paused:
            self.engine.resume()
        else:
            self.engine.pause()
        self._dashboard.show_paused(self.engine.paused)
        self.notify("Live updates paused" if self.engine.paused else "Live updates on", timeout=2)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.user_keys))

    def action_show_health(self) -> None:
        from qa_tui.ui.health.health_panel import HealthScreen

        if not isinstance(self.screen, HealthScreen):
            self.push_screen(HealthScreen())

    def action_quit_or_close(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.exit(0)


def _filed_text(report: Report) -> str:
    bug = render.safe(report.bug_id)
    if report.is_comment:
        text = f"Added this failure to bug {bug}"
    else:
        text = f"Filed bug {bug}: {render.safe(report.draft.title, 60)}"
    return f"{text} ({report.last_error})" if report.last_error else text


def default_screenshots(cache_bytes: int = 64_000_000) -> ScreenshotFetcher:
    """Screenshots cached in the cache dir (at most `cache_bytes`), each kept no bigger than
    this terminal can show (half-blocks need far fewer pixels than Kitty)."""
    from qa_tui.core import paths
    from qa_tui.core.images.cache import ImageCache
    from qa_tui.core.images.decode import ImageLimits
    from qa_tui.ui.shots.graphics import display_box

    limits = ImageLimits(display_box=display_box())
    return ScreenshotFetcher(ImageCache(paths.screenshot_cache_dir(), cache_bytes), limits=limits)
