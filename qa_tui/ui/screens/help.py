"""The help screen, generated from the one list of actions."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from qa_tui.ui.bindings import ACTIONS, key_label
from qa_tui.ui.widgets.lists import NavScroll

NAVIGATION = (
    ("pgup pgdn", "Page up / down"),
    ("tab  shift+tab", "Next / previous field (the detail's tab bar, its table)"),
    ("← →", "On the detail's tab bar: the previous / next pane"),
    ("enter (artifact)", "Save it to the current folder (a log opens in the log view)"),
    ("enter (step, screenshot)", "Show its screenshot full screen: s saves it, o opens it"),
    ("o (artifact)", "Open the highlighted artifact or screenshot in the browser"),
)


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, text in NAVIGATION:
        table.add_row(key, text)
    for action in ACTIONS:
        table.add_row(key_label(action), Text(action.help))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with NavScroll():
            yield Static(Text("qa-tui keys", style="bold"))
            yield Static(help_table())
