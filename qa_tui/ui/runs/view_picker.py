"""The saved views' dialogs: `v` lists them to pick one, the palette's Save view asks a name."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qa_tui.core.config.views import KEYED, NAME_MAX, ViewConfig
from qa_tui.ui import render

EVERY_RUN = -1
"""The picker's answer for "every run" (the `0` key)."""


def describe(view: ViewConfig) -> str:
    """`status:failed provider:web · sorted by duration ▴ · 5 columns`."""
    parts = [view.filter or "every run"]
    if view.sort:
        parts.append(f"sorted by {view.sort}" + (" ▴" if view.reverse else ""))
    if view.columns:
        parts.append(f"columns: {' '.join(view.columns)}")
    return " · ".join(parts)


class ViewPicker(ModalScreen[int | None]):
    """Every saved view, by its key; enter shows it (the index), esc leaves things as they are."""

    CSS_PATH = "view_picker.tcss"
    BINDINGS = [Binding("escape,q,v", "dismiss(None)", "Close", id="views.close")]

    def __init__(self, views: Sequence[ViewConfig], current: ViewConfig | None) -> None:
        super().__init__()
        self.views = list(views)
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(Text("0  every run (no filter)"), id="view-all")]
        for index, view in enumerate(self.views):
            key = str(index + 1) if index < KEYED else " "
            line = Text(f"{key}  ")
            line.append(render.safe(view.name, NAME_MAX), style="bold")
            line.append(f"  {render.safe(describe(view), 70)}", style="dim")
            options.append(Option(line, id=f"view-{index}"))
        with Vertical():
            yield Static("Saved views (enter shows one; 1…9 and 0 work from the table too)")
            yield OptionList(*options, id="views")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = (
            self.views.index(self.current) + 1 if self.current in self.views else 0
        )
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        self.dismiss(EVERY_RUN if index == 0 else index - 1)


class ViewName(ModalScreen[str | None]):
    """Asks the name to save the current filter, sort and columns under."""

    CSS_PATH = "view_picker.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="views.cancel_save")]

    def __init__(self, what: str, suggested: str = "") -> None:
        super().__init__()
        self.what = what
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text(f"Save as a view: {self.what}\n\nIts name (enter saves, esc cancels):")
            )
            yield Input(self.suggested, max_length=NAME_MAX, id="view-name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name:
            self.dismiss(name)
