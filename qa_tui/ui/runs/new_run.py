"""The new-run dialog (`n`): pick a provider, then what to run; `ctrl+s` starts, `esc` cancels.

It returns a `NewRun` (provider name + core `StartRequest`) and starts nothing itself: the
dashboard hands it to `Engine.start` in a worker, and the new run joins the table at once. The
dialog's own I/O (BugBug's tests, suites and profiles; the plans and environments BugBrain ran
here, from the run history; the git checkout for Bug0) happens in named workers; the forms
(ui/runs/run_forms.py) only show what they are given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qa_tui.core.actions.gitinfo import GitInfo, read_git
from qa_tui.core.actions.launch import StartRequest, bugbug_catalogue
from qa_tui.core.actions.suggestions import start_suggestions
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import ProviderKind
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bugbug import BugBugSource
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.host import host_of
from qa_tui.ui.lists import NavOptionList
from qa_tui.ui.runs.run_forms import Bug0Form, BugBrainForm, BugBugForm, FormError, RunForm
from qa_tui.ui.worker_failures import ForwardsWorkerFailures

KIND_LABELS = {
    ProviderKind.BUGBUG: "BugBug: a test or suite",
    ProviderKind.BUGBRAIN: "BugBrain: a test plan",
    ProviderKind.BUG0: "Bug0: trigger the project",
}


@dataclass(frozen=True)
class NewRun:
    """What the dialog asks to start, and where."""

    provider: str
    request: StartRequest


class NewRunScreen(ForwardsWorkerFailures, ModalScreen[NewRun | None]):
    """Step one: which provider (skipped when there is one). Step two: that provider's form."""

    SCOPE = Scope.NEW_RUN
    CSS_PATH = "new_run.tcss"
    BINDINGS = bindings_for(Scope.NEW_RUN)

    def __init__(
        self, sources: list[RunSource], *, git: Callable[[], GitInfo] | None = None
    ) -> None:
        super().__init__()
        self.sources = [s for s in sources if s.capabilities.start]
        self.read_git = git or read_git
        """Reads the git checkout (in a thread) to prefill Bug0's fields."""
        self.source: RunSource | None = None
        self.form: RunForm | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("New run", id="title")
            yield Label("Provider (enter to choose)", id="providers-label")
            yield NavOptionList(
                *(
                    Option(render.plain(f"{s.name}  ·  {KIND_LABELS[s.kind]}"), id=s.name)
                    for s in self.sources
                ),
                id="providers",
            )
            yield VerticalScroll(id="form-area")
            yield Static("", id="form-error")
            yield Button(
                "Start (ctrl+s)", id="start", variant="primary", classes="hidden", compact=True
            )
        yield Footer(show_command_palette=False)

    async def on_mount(self) -> None:
        if len(self.sources) == 1:
            await self.choose(self.sources[0])
        else:
            self.query_one("#providers", OptionList).focus()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "providers":
            event.stop()
            await self.choose(next(s for s in self.sources if s.name == event.option_id))

    async def choose(self, source: RunSource) -> None:
        """Show the form of `source`'s kind (and start what it needs fetching)."""
        self.source = source
        self.query_one("#title", Static).update(Text(f"New run on {source.name}"))
        for hidden in ("#providers", "#providers-label"):
            self.query_one(hidden).add_class("hidden")
        form: RunForm
        if source.kind is ProviderKind.BUGBUG:
            form = BugBugForm()
        elif source.kind is ProviderKind.BUGBRAIN:
            form = BugBrainForm()
        else:
            form = Bug0Form()
        self.form = form
        await self.query_one("#form-area", VerticalScroll).mount(form)
        self.query_one("#start", Button).remove_class("hidden")
        form.first_field().focus()
        if isinstance(form, BugBugForm) and isinstance(source, BugBugSource):
            self.load_catalogue(form, source)
        if isinstance(form, Bug0Form):
            self.load_git(form)
        if isinstance(form, BugBrainForm):
            self.load_suggestions(form, source)

    @work(group="new-run", exit_on_error=False)
    async def load_suggestions(self, form: BugBrainForm, source: RunSource) -> None:
        """The plans and environments run here: the runs in view, then the history (on disk,
        read in a thread)."""
        host = host_of(self.app)
        runs = [row.run for row in host.engine.store if row.run.provider == source.name]
        seen = await asyncio.to_thread(start_suggestions, source.name, runs, host.engine.history)
        form.show_suggestions(seen, host.clock.now())

    @work(group="new-run", exit_on_error=False)
    async def load_catalogue(self, form: BugBugForm, source: BugBugSource) -> None:
        try:
            catalogue = await bugbug_catalogue(source)
        except ProviderError as error:
            form.show_failure(error.message)
            return
        form.show_catalogue(catalogue)

    @work(group="new-run", thread=True, exit_on_error=False)
    def load_git(self, form: Bug0Form) -> None:
        git = self.read_git()
        self.app.call_from_thread(form.prefill, git)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field (other than the BugBug filter) starts the run."""
        self.action_start()

    def action_start(self) -> None:
        if self.source is None or self.form is None:
            return
        try:
            request = self.form.request()
        except FormError as error:
            self.query_one("#form-error", Static).update(Text(str(error)))
            return
        self.dismiss(NewRun(self.source.name, request))

    def action_cancel(self) -> None:
        self.dismiss(None)
