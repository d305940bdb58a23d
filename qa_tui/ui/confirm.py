"""A yes/no question before anything destructive (stop, re-run)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks `question` (plain text: provider strings in it are never markup)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: Text, *, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="question")
            with Horizontal():
                yield Button("No (n)", id="no")
                yield Button(f"{self.yes_label} (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TypedConfirmScreen(ModalScreen[str | None]):
    """Before a write to a production provider (`production = true`): the question, and a box
    where the provider's name must be typed. Returns what was typed (enter), None on esc; the
    action layer (core/actions/writes.py) compares it with the name, so a wrong name is
    refused there, not trusted here."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, question: Text, provider: str) -> None:
        super().__init__()
        self.question = question
        self.provider = provider

    def compose(self) -> ComposeResult:
        with Vertical():
            prompt = Text.assemble(
                self.question,
                "\n\n",
                (f"{self.provider} is production.", "bold"),
                " Type its name and press enter to go on (esc: nothing is sent).",
            )
            yield Static(prompt, id="question")
            yield Input(placeholder=self.provider, id="typed")

    def on_mount(self) -> None:
        self.query_one("#typed", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
