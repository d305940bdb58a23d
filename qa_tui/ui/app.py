"""The Textual app. It is handed a ready engine (and through it the store and the providers);
it never builds a client, so tests hand it the simulator or a fake.

The engine runs in one named worker. Its callbacks merge change batches into `_pending` and post
one `RunsChanged`; however many batches arrive while the UI is busy, the table applies them once.
"""

from __future__ import annotations

from datetime import datetime

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.engine import Engine
from qa_tui.core.model import ProviderHealth
from qa_tui.core.store import Changes
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.commands import ActionCommands
from qa_tui.ui.messages import ProviderHealthChanged, RunsChanged
from qa_tui.ui.screens.dashboard import DashboardScreen
from qa_tui.ui.screens.help import HelpScreen


class QaTuiApp(App[int]):
    """qa-tui: every run of every provider, live."""

    TITLE = "qa-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = {ActionCommands}
    BINDINGS = [
        *bindings_for(Scope.APP),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.interrupt"),
    ]
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = SYSTEM_CLOCK,
        tick_seconds: float = 1.0,
        subtitle: str | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.sub_title = subtitle or ""
        self._pending = Changes()
        self._dashboard = DashboardScreen([source.name for source in engine.sources])
        engine.on_changes = self._engine_changes
        engine.on_health = self._engine_health

    @property
    def dashboard(self) -> DashboardScreen:
        return self._dashboard

    def get_default_screen(self) -> DashboardScreen:
        return self._dashboard

    def on_mount(self) -> None:
        self._engine_changes(self.engine.load_cache())
        if self.tick_seconds > 0:
            self.set_interval(self.tick_seconds, self._tick)
        self.run_engine()

    @work(group="engine", exclusive=True, exit_on_error=False, name="engine")
    async def run_engine(self) -> None:
        await self.engine.run()

    # --- engine → UI ----------------------------------------------------------------------

    def _engine_changes(self, changes: Changes) -> None:
        if not changes:
            return
        first = not self._pending
        self._pending = self._pending.merged(changes)
        if first:
            self.post_message(RunsChanged())

    def _engine_health(self, health: ProviderHealth) -> None:
        self.post_message(ProviderHealthChanged(health))

    def on_runs_changed(self, _: RunsChanged) -> None:
        changes, self._pending = self._pending, Changes()
        if not changes:
            return
        now = self.clock.now()
        self._dashboard.apply(changes, now)
        if isinstance(self.screen, ChangeListener):
            self.screen.runs_changed(changes)

    def on_provider_health_changed(self, message: ProviderHealthChanged) -> None:
        bar = self._dashboard.health_bar
        bar.now = self.clock.now()  # a chip's "data 2m old" reads the app's clock, ticking or not
        bar.update_health(message.health)

    def _tick(self) -> None:
        now: datetime = self.clock.now()
        self._dashboard.tick(now)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: shown as plain text, never a traceback, never an exit."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(
                f"{event.worker.name or 'task'} failed: {type(error).__name__}: {error}",
                severity="error",
                markup=False,
            )
            if event.worker.group == "engine":
                self.run_engine()  # the engine is restarted; providers keep their own backoff

    # --- app-wide actions -------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        self.engine.refresh_now()
        self.notify("Refreshing", timeout=1)

    def action_toggle_pause(self) -> None:
        if self.engine.paused:
            self.engine.resume()
        else:
            self.engine.pause()
        self._dashboard.health_bar.paused = self.engine.paused
        self.notify("Live updates paused" if self.engine.paused else "Live updates on", timeout=2)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quit_or_close(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.exit(0)


class ChangeListener:
    """A screen that wants change batches too (the detail view follows its run)."""

    def runs_changed(self, changes: Changes) -> None:
        raise NotImplementedError
