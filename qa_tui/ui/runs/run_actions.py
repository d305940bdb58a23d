"""Actions on one run, shared by the dashboard (the row under the cursor) and the detail view.

The I/O happens in named workers through the engine; the outcome comes back through the store
(the row changes) and a notification. A refused or failed action says why, as plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.screen import Screen

from qa_tui.core.actions import marked, rerun_failed
from qa_tui.core.actions.writes import NotConfirmed, ReadOnly
from qa_tui.core.errors import ProviderError, QaTuiError
from qa_tui.core.model import Run, RunDetail, RunStatus
from qa_tui.core.runs.store import RunKey
from qa_tui.core.words import share
from qa_tui.core.words.errors import provider_failure
from qa_tui.ui import render
from qa_tui.ui.browser import open_or_copy
from qa_tui.ui.confirm import ConfirmScreen, TypedConfirmScreen
from qa_tui.ui.host import ScreenHost, host_of
from qa_tui.ui.worker_failures import ForwardsWorkerFailures


def write_failure(error: ProviderError) -> str:
    """A refused or failed write in words: a refusal by the action layer says itself ("read-only:
    …", "production: type …"), a provider's failure names the provider."""
    if isinstance(error, (ReadOnly, NotConfirmed)):
        return error.message
    return provider_failure(error)


def failure_words(error: Exception) -> str | None:
    """A run's failed request among many (marks, `F`), in words; None: a bug, left to the
    worker's handler."""
    if isinstance(error, ProviderError):
        return write_failure(error)
    if isinstance(error, QaTuiError):
        return str(error)
    if isinstance(error, KeyError):
        return "no longer in the table"
    return None


def cannot_watch(run: Run, *, target: bool) -> str:
    """Why `w` (or `W`) cannot watch a run whose status nothing tells (a Bug0 trigger without a
    commit, or with GitHub unread: its note says which): no end can be noticed, so nothing is
    promised."""
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
        self.ask_before_write(
            run.provider, question, "Stop", lambda typed: self._stop(run.key, typed)
        )

    def action_rerun(self) -> None:
        run = self.current_run()
        if run is None:
            return
        if not self.qa_app.engine.source(run.provider).capabilities.rerun:
            self.notify(f"{run.provider}: this provider cannot re-run", markup=False)
            return
        question = Text("Start this again?\n\n").append_text(self._describe(run))
        self.ask_before_write(
            run.provider, question, "Re-run", lambda typed: self._rerun(run.key, typed)
        )

    def ask_before_write(
        self, provider: str, question: Text, yes: str, act: Callable[[str | None], object]
    ) -> None:
        """Say "read-only" at once for a provider that refuses writes; else ask, by y/n or, for a
        production provider, by typing its name; then `act(typed)`. The refusal itself is the
        action layer's (core/actions/writes.py): this only spares the user a useless question."""
        writes = self.qa_app.engine.writes
        refused = writes.refusal(provider)
        if refused is not None:
            self.notify(refused, severity="warning", markup=False)
            return

        def typed_then(typed: str | None) -> None:
            if typed is not None:
                act(typed)

        def answered(ok: bool | None) -> None:
            if ok:
                act(None)

        if writes.needs_typed_name(provider):
            self.app.push_screen(TypedConfirmScreen(question, provider), typed_then)
        else:
            self.app.push_screen(ConfirmScreen(question, yes=yes), answered)

    def action_rerun_failed(self) -> None:
        """`F`: a BugBug suite run's failed and errored tests again, with its profile; a
        BugBrain execution's plan again (core/actions/rerun_failed.py)."""
        run = self.current_run()
        if run is None:
            return
        why = rerun_failed.why_not(run)
        if why is not None:
            self.notify(why, markup=False)
            return
        if rerun_failed.whole_again(run):
            self.action_rerun()
            return
        detail = self.current_detail()
        if detail is not None and detail.run.key == run.key and detail.children.items:
            self._ask_failed_tests(detail)
        else:
            self._fetch_failed_tests(run)

    @work(group="actions", exit_on_error=False)
    async def _fetch_failed_tests(self, run: Run) -> None:
        try:
            detail = await self.qa_app.engine.detail(run.key)
        except (ProviderError, KeyError) as error:
            words = provider_failure(error) if isinstance(error, ProviderError) else "gone"
            self.notify(f"Could not read the suite run's tests: {words}", markup=False)
            return
        self._ask_failed_tests(detail)

    def _ask_failed_tests(self, detail: RunDetail) -> None:
        plan = rerun_failed.failed_tests(detail)
        left_out = [marked.Outcome(child, False, why) for child, why in plan.left_out]
        if not plan.starts:
            words = "no failed or errored test run to start again"
            self.notify(
                render.safe_lines(marked.report("Re-run failed", left_out) if left_out else words),
                markup=False,
            )
            return
        tests = [child for child, _ in plan.starts]
        profile = f" with profile {plan.suite.target}" if plan.suite.target else ""
        question = marked.question("Re-run", tests, left_out, what="failed test", how=profile)

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_failed_tests(plan, left_out)

        self.app.push_screen(
            ConfirmScreen(Text(render.safe_lines(question)), yes=f"Re-run {len(tests)}"), answered
        )

    @work(group="actions", exit_on_error=False)
    async def _start_failed_tests(
        self, plan: rerun_failed.FailedTests, left_out: list[marked.Outcome]
    ) -> None:
        engine = self.qa_app.engine
        requests = dict((child.key, request) for child, request in plan.starts)

        async def start(child: Run) -> str:
            new = await engine.start(child.provider, requests[child.key])
            return f"started {render.safe(new.id, 30)}"

        tests = [child for child, _ in plan.starts]
        outcomes = await marked.act_on_each(tests, start, failure_words)
        failed = any(not outcome.done for outcome in [*outcomes, *left_out])
        self.notify(
            render.safe_lines(marked.report("Re-run failed", [*outcomes, *left_out])),
            severity="warning" if failed else "information",
            timeout=12 if failed else 6,
            markup=False,
        )

    @work(group="actions", exit_on_error=False)
    async def _stop(self, key: RunKey, typed: str | None) -> None:
        try:
            run = await self.qa_app.engine.stop_run(key, typed=typed)
        except ProviderError as error:
            self.notify(f"Stop failed: {write_failure(error)}", severity="error", markup=False)
            return
        self.notify(f"{render.safe(run.name, 50)}: {render.status_word(run)}", markup=False)

    @work(group="actions", exit_on_error=False)
    async def _rerun(self, key: RunKey, typed: str | None) -> None:
        try:
            run = await self.qa_app.engine.rerun(key, typed=typed)
        except ProviderError as error:
            self.notify(f"Re-run failed: {write_failure(error)}", severity="error", markup=False)
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

    def action_share_run(self) -> None:
        """`Y`: copy a Markdown summary of the run (OSC 52). A failed run's summary wants its
        failing step's error and screenshot: without the detail at hand they are fetched first
        (a read through the provider's budget), and a failed fetch still copies what is known."""
        run = self.current_run()
        if run is None:
            return
        detail = self.current_detail()
        if detail is None and run.status in (RunStatus.FAILED, RunStatus.ERROR):
            self._share_with_detail(run)
            return
        self._copy_summary(run, detail)

    @work(group="share", exclusive=True, exit_on_error=False)
    async def _share_with_detail(self, run: Run) -> None:
        detail: RunDetail | None = None
        try:
            detail = await self.qa_app.engine.detail(run.key)
        except (ProviderError, KeyError):
            detail = None
        self._copy_summary(run, detail)

    def _copy_summary(self, run: Run, detail: RunDetail | None) -> None:
        text = share.run_markdown(run, detail, self._bug_of(run))
        self.app.copy_to_clipboard(text)
        lines = text.count("\n") + 1
        missing = (
            " (its steps could not be read)"
            if run.status in (RunStatus.FAILED, RunStatus.ERROR) and detail is None
            else ""
        )
        self.notify(
            f"Copied a Markdown summary of {render.safe(run.name, 50)} ({lines} lines){missing}",
            markup=False,
        )

    def _bug_of(self, run: Run) -> share.Bug | None:
        """The bug filed for the run: the outbox's record (with its address), else the id the
        row shows."""
        outbox = self.qa_app.outbox
        if outbox is not None:
            for filed in outbox.filed_for(run.provider, run.name):
                if filed.run_key == run.key:
                    return share.Bug(filed.bug_id, filed.bug_url)
        row = self.qa_app.engine.store.get(run.key)
        return share.Bug(row.bug_id) if row is not None and row.bug_id else None

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
