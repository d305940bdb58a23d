"""Bugs that may already describe a failure: the list inside the bug form, and the question asked
before filing a new bug when one of them is a close match.

Candidates come from two places: bugs filed from this machine for the same test of the same
provider (the outbox remembers them; they come first), and Bugnet's similar-bug search. Every
string in them is Bugnet's or a provider's, so it is shown as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from qa_tui.core.bugs.db import BugLink
from qa_tui.core.providers.bugnet import SimilarBug
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.lists import NavTable

STRONG_MATCH = 0.8
"""From this score on, filing a new bug first asks whether this one is it."""


@dataclass(frozen=True)
class Candidate:
    """A bug that may be the same failure."""

    bug_id: str
    title: str
    score: float
    status: str | None = None
    url: str | None = None
    filed_here: bool = False
    """Filed from qa-tui on this machine for the same test (the outbox remembers it)."""

    @property
    def short_id(self) -> str:
        return self.bug_id[:8]


def candidates(local: Iterable[BugLink], found: Iterable[SimilarBug]) -> list[Candidate]:
    """Bugs filed here for the same test first (newest first), then Bugnet's, closest first."""
    merged: dict[str, Candidate] = {}
    for link in local:
        merged.setdefault(
            link.bug_id,
            Candidate(link.bug_id, link.bug_title, 1.0, url=link.bug_url, filed_here=True),
        )
    for similar in found:
        bug = similar.bug
        if bug.id in merged:  # Bugnet knows its current title and status better
            here = merged[bug.id]
            merged[bug.id] = Candidate(
                bug.id, bug.title, 1.0, bug.status, bug.url or here.url, True
            )
        else:
            merged[bug.id] = Candidate(bug.id, bug.title, similar.score, bug.status, bug.url)
    return list(merged.values())


def strong_match(found: Sequence[Candidate]) -> Candidate | None:
    return next((c for c in found if c.filed_here or c.score >= STRONG_MATCH), None)


class SimilarTable(NavTable[Text]):
    """The candidates, one per row; `c` and `o` act on the highlighted one through the screen."""

    BINDINGS = bindings_for(Scope.SIMILAR)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.found: list[Candidate] = []

    def on_mount(self) -> None:
        self.add_columns("MATCH", "STATUS", "BUG", "TITLE")

    def show(self, found: Sequence[Candidate]) -> None:
        self.found = list(found)
        self.clear()
        for candidate in self.found:
            match = "filed here" if candidate.filed_here else f"{candidate.score:.0%}"
            self.add_row(
                Text(match),
                render.plain(candidate.status or ""),
                Text(render.safe(candidate.short_id)),
                render.plain(candidate.title),
                key=candidate.bug_id,
            )

    @property
    def highlighted(self) -> Candidate | None:
        if not self.found or not 0 <= self.cursor_row < len(self.found):
            return None
        return self.found[self.cursor_row]

    async def action_comment_on_similar(self) -> None:
        await self.screen.run_action("comment_on_similar")  # the form acts

    async def action_open_similar(self) -> None:
        await self.screen.run_action("open_similar")


def describe(candidate: Candidate) -> Text:
    text = Text()
    text.append(render.safe(candidate.title, 70), style="bold")
    where = "filed from qa-tui for this test" if candidate.filed_here else "in Bugnet"
    status = f", {render.safe(candidate.status)}" if candidate.status else ""
    text.append(f"\nbug {render.safe(candidate.bug_id)} ({where}{status})")
    return text


class SimilarPrompt(ModalScreen[str | None]):
    """Asked once before filing a new bug while a close match exists: `comment`, `new` or None."""

    CSS_PATH = "similar_bugs.tcss"
    BINDINGS = [
        Binding("c", "answer('comment')", "Comment", id="similar_prompt.comment"),
        Binding("n", "answer('new')", "New bug", id="similar_prompt.new"),
        Binding("escape,q", "answer(None)", "Back", id="similar_prompt.back"),
    ]

    def __init__(self, candidate: Candidate) -> None:
        super().__init__()
        self.candidate = candidate

    def compose(self) -> ComposeResult:
        question = Text("Bugnet may already have this bug:\n\n")
        question.append_text(describe(self.candidate))
        question.append("\n\nAdd this failure to it as a comment, or file a new bug anyway?")
        with Vertical():
            yield Static(question, id="question")
            with Horizontal():
                yield Button("Back (esc)", id="back")
                yield Button("New bug (n)", id="new")
                yield Button("Comment (c)", id="comment", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#comment", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "back" else event.button.id)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
