"""A run's log: fetched in a worker from its provider, shown read-only, searchable with `/`, `n`
and `N`."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea

from qa_tui.core.errors import ProviderError
from qa_tui.core.model import Run
from qa_tui.core.providers.base import RunSource
from qa_tui.ui import render
from qa_tui.ui.worker_failures import ForwardsWorkerFailures


class LogScreen(ForwardsWorkerFailures, Screen[None]):
    CSS_PATH = "logs.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="logs.back"),
        Binding("slash", "search", "Search", key_display="/", id="logs.search"),
        Binding("n", "next_match(1)", "Next", id="logs.next"),
        Binding("N", "next_match(-1)", "Previous", id="logs.previous"),
    ]

    def __init__(self, run: Run, source: RunSource) -> None:
        super().__init__()
        self.run = run
        self.source = source
        """The run's provider, which the log is fetched from."""
        self.needle = ""

    def compose(self) -> ComposeResult:
        yield Static(f"Log of {render.safe(self.run.name, 70)}", id="log-title", markup=False)
        yield TextArea("Loading…", read_only=True, id="log-text", soft_wrap=False)
        yield Input(placeholder="search the log", id="log-search")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._fetch()

    @work(group="logs", exclusive=True, exit_on_error=False)
    async def _fetch(self) -> None:
        area = self.query_one(TextArea)
        try:
            text = await self.source.fetch_log(self.run)
        except ProviderError as error:
            area.text = f"Could not load the log: {render.safe_lines(str(error))}"
            return
        area.text = "\n".join(render.safe(line) for line in text.splitlines())
        area.focus()

    def action_back(self) -> None:
        search = self.query_one("#log-search", Input)
        if search.has_class("visible"):
            search.remove_class("visible")
            self.query_one(TextArea).focus()
        else:
            self.app.pop_screen()

    def action_search(self) -> None:
        search = self.query_one("#log-search", Input)
        search.add_class("visible")
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.needle = event.value
        self.query_one(TextArea).focus()
        self.action_next_match(1)

    def action_next_match(self, direction: int) -> None:
        if not self.needle:
            return
        area = self.query_one(TextArea)
        lines = area.text.splitlines()
        row, col = area.cursor_location
        needle = self.needle.casefold()
        order = range(row, len(lines)) if direction > 0 else range(row, -1, -1)
        for index in list(order) + list(range(len(lines)) if direction > 0 else []):
            line = lines[index].casefold()
            start = (
                line.find(needle, col + 1 if index == row else 0)
                if direction > 0
                else line.rfind(needle, 0, col if index == row else len(line))
            )
            if start >= 0:
                area.select_line(index)
                area.move_cursor((index, start))
                area.move_cursor((index, start + len(needle)), select=True)
                return
        self.notify(f"Not found: {self.needle}", markup=False, timeout=2)
