"""Actions on one run, shared by the dashboard (the row under the cursor) and the detail view.

The I/O happens in named workers through the engine; the outcome comes back through the store
(the row changes) and a notification. A refused or failed action says why, as plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.screen import Screen

from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Run, RunDetail
from qa_tui.core.runs.store import RunKey
from qa_tui.core.words.errors import provider_failure
from qa_tui.ui import render
from qa_tui.ui.browser import open_or_copy
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.host import ScreenHost, host_of
from qa_tui.ui.worker_failures import ForwardsWorkerFailures


def cannot_watch(run: Run, *, target: bool) -> str:
    """Why `w` (or `W`) cannot watch a run whose status the provider never tells (a Bug0
    trigger): no end can ever be noticed, so nothing is promised."""
    what = "any run of it" if target else "this run"
    why = render.safe(run.note or f"{run.provider} gives no status for its runs")
    return f"Not watched: qa-tui cannot tell when {what} ends ({why})"


class RunActions(ForwardsWorkerFailures, Screen[None]):
    """Base for screens that act on one current run."""

    @property
    def qa_app(self) -> ScreenHost:
        """The app, as screens see it: its engine, clock, tracker and outbox (ui/host.py)."""
        return host_of(self.app)

    def current_key(self) -> RunKey | None:
        raise NotImplementedError

    def current_run(self) -> Run | None:
        key = self.current_key()
        row = self.qa_app.engine.store.get(key) if key else None
        return row.run if row else None

    def _describe(self, run: Run) -> Text:
        text = Text()
        text.append(render.safe(run.name, 60), style="bold")
        text.append(f"  ({render.safe(run.provider)} {run.kind.value} {render.safe(run.id, 40)})")
        return text

    def action_stop_run(self) -> None:
        run = self.current_run()
        if run is None:
            return
        source = self.qa_app.engine.source(run.provider)
        if not source.capabilities.stop:
            self.notify(f"{run.provider}: this provider cannot stop runs", markup=False)
            return
        if run.status.is_terminal:
            self.notify(f"Already {render.status_word(run)}: nothing to stop", markup=False)
            return
        question = Text("Stop this run?\n\n").append_text(self._describe(run))
        self.app.push_screen(
            ConfirmScreen(question, yes="Stop"),
            lambda yes: self._confirmed(yes, self._stop, run.key),
        )

    def action_rerun(self) -> None:
        run = self.current_run()
        if run is None:
            return
        if not self.qa_app.engine.source(run.provider).capabilities.rerun:
            self.notify(f"{run.provider}: this provider cannot re-run", markup=False)
            return
        question = Text("Start this again?\n\n").append_text(self._describe(run))
        self.app.push_screen(
            ConfirmScreen(question, yes="Re-run"),
            lambda yes: self._confirmed(yes, self._rerun, run.key),
        )

    @staticmethod
    def _confirmed(yes: bool | None, act: Callable[[RunKey], object], key: RunKey) -> None:
        if yes:
            act(key)

    @work(group="actions", exit_on_error=False)
    async def _stop(self, key: RunKey) -> None:
        try:
            run = await self.qa_app.engine.stop_run(key)
        except ProviderError as error:
            self.notify(f"Stop failed: {provider_failure(error)}", severity="error", markup=False)
            return
        self.notify(f"{render.safe(run.name, 50)}: {render.status_word(run)}", markup=False)

    @work(group="actions", exit_on_error=False)
    async def _rerun(self, key: RunKey) -> None:
        try:
            run = await self.qa_app.engine.rerun(key)
        except ProviderError as error:
            self.notify(f"Re-run failed: {provider_failure(error)}", severity="error", markup=False)
            return
        self.notify(
            f"Started {render.safe(run.name, 50)} ({render.safe(run.id, 30)})", markup=False
        )
        self.on_rerun_started(run)

    def on_rerun_started(self, run: Run) -> None:
        """Hook: the dashboard moves the cursor to the new run."""

    def current_detail(self) -> RunDetail | None:
        """The current run's detail when the screen has it (the detail view)."""
        return None

    def action_file_bug(self) -> None:
        from qa_tui.ui.bugs.bug_actions import start_filing

        start_filing(self, self.qa_app, self.current_key(), self.current_detail())

    def action_open_browser(self) -> None:
        run = self.current_run()
        if run is None or not run.url:
            self.notify("This run has no web page", markup=False)
            return
        self.open_address(run.url, "the run's page")

    def open_address(self, url: str, what: str) -> None:
        """`o`: in the browser, or copied where there is none (ui/browser.py)."""
        self.notify(open_or_copy(self.app, url, what), markup=False, timeout=6)

    def action_copy_url(self) -> None:
        run = self.current_run()
        if run is None or not run.url:
            self.notify("This run has no web URL", markup=False)
            return
        self.app.copy_to_clipboard(run.url)
        self.notify(f"Copied {render.safe(run.url, 70)}", markup=False)

    def action_watch_run(self) -> None:
        self._toggle_watch(target=False)

    def action_watch_target(self) -> None:
        self._toggle_watch(target=True)

    def _toggle_watch(self, *, target: bool) -> None:
        run = self.current_run()
        if run is None:
            return
        notices = self.qa_app.notices
        if not run.pollable and not notices.watched(run):
            self.notify(cannot_watch(run, target=target), markup=False, timeout=6)
            return
        self.notify(notices.toggle(run, target=target), markup=False, timeout=4)

    def action_show_logs(self) -> None:
        run = self.current_run()
        if run is None:
            return
        source = self.qa_app.engine.source(run.provider)
        if not source.capabilities.logs:
            self.notify(f"{run.provider}: logs are not available from this provider", markup=False)
            return
        from qa_tui.ui.detail.logs import LogScreen

        self.app.push_screen(LogScreen(run, source))
