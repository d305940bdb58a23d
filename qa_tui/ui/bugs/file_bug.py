"""The bug form: a prefilled report, every field editable, usable with the keyboard alone.

`tab` moves between fields, `ctrl+s` files, `esc` closes and keeps the draft for next time. On
opening, a worker asks Bugnet for similar bugs (plus the ones filed here for the same test) and
lists them above the form: `c` adds this failure to the highlighted one as a comment, `o` opens
it. Filing a new bug while a close match exists asks first.

Validation lives in core (`BugDraft.checked`); its problems, and Bugnet's own 400 text, show on
the form and nothing is lost. A report goes through the outbox: it is on disk before anything is
sent, and the send runs in an app worker, so closing the form never cancels it. When Bugnet
cannot take it now, the form closes and says the report waits in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Select, Static, TextArea

from qa_tui.core.bugs.db import Report, ReportState, RunKey
from qa_tui.core.bugs.outbox import Outbox, OutboxError
from qa_tui.core.bugs.triage import comment_text
from qa_tui.core.errors import ProviderError
from qa_tui.core.providers.bugnet import (
    CATEGORIES,
    PRIORITIES,
    BugDraft,
    BugnetClient,
    DraftInvalid,
)
from qa_tui.ui import render
from qa_tui.ui.bindings import Scope, bindings_for
from qa_tui.ui.browser import open_or_copy
from qa_tui.ui.bugs.similar_bugs import (
    Candidate,
    SimilarPrompt,
    SimilarTable,
    candidates,
    strong_match,
)
from qa_tui.ui.worker_failures import ForwardsWorkerFailures

_TEXT_FIELDS = {
    "description": "Description",
    "steps_to_reproduce": "Steps to reproduce",
    "expected": "Expected",
    "actual": "Actual",
}
_FIELD_NAMES = {
    "title": "Title",
    "category": "Category",
    "priority": "Priority",
    "labels": "Labels",
}
_FIELD_NAMES |= {"platform": "Platform", **_TEXT_FIELDS}


@dataclass
class BugRequest:
    """What the form files, and where: one run's report through the app's tracker and outbox."""

    run_key: RunKey
    run_name: str
    draft: BugDraft
    tracker: BugnetClient
    outbox: Outbox
    drafts: dict[RunKey, BugDraft]
    """The app's kept drafts: `esc` leaves the form's values here, filing removes them."""
    ref: str | None = None
    """The outbox report this form edits (a refused or stuck one), if any."""


class FileBugScreen(ForwardsWorkerFailures, ModalScreen[None]):
    SCOPE = Scope.FILE_BUG
    CSS_PATH = "file_bug.tcss"
    BINDINGS = bindings_for(Scope.FILE_BUG)

    def __init__(self, request: BugRequest) -> None:
        super().__init__()
        self.request = request
        self.ref = request.ref
        self.found: list[Candidate] = []
        self.sending = False
        self._asked = False
        self._search_timer: Timer | None = None
        self._searched_title = request.draft.title.strip()

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        draft, tracker = self.request.draft, self.request.tracker
        heading = Text("File a bug in Bugnet", style="bold")
        heading.append(f"  project {render.safe(tracker.project)} · {tracker.describe_auth()}")
        heading.append(f"\nfor {render.safe(self.request.run_key[0])}: ")
        heading.append(render.safe(self.request.run_name, 80))
        with Vertical(id="dialog"):
            yield Static(heading, id="heading")
            yield Static("Looking for similar bugs…", id="similar-title")
            yield SimilarTable(id="similar")
            yield Static("", id="form-error")
            with VerticalScroll(id="fields"):
                with Horizontal(classes="line"):
                    yield Label("Title")
                    yield Input(
                        render.safe(draft.title), id="title", compact=True, select_on_focus=False
                    )
                with Horizontal(classes="line"):
                    yield Label("Category")
                    yield self._select("category", CATEGORIES, draft.category)
                    yield Label("Priority")
                    yield self._select("priority", PRIORITIES, draft.priority)
                with Horizontal(classes="line"):
                    yield Label("Labels")
                    labels = render.safe(", ".join(draft.labels))
                    yield Input(
                        labels,
                        id="labels",
                        placeholder="comma-separated",
                        compact=True,
                        select_on_focus=False,
                    )
                with Horizontal(classes="line"):
                    yield Label("Platform")
                    yield Input(
                        render.safe(draft.platform),
                        id="platform",
                        compact=True,
                        select_on_focus=False,
                    )
                for name, title in _TEXT_FIELDS.items():
                    yield Label(title, classes="above")
                    text = render.safe_lines(getattr(draft, name))  # Textual draws it raw
                    yield TextArea(text, id=name.replace("_", "-"), compact=True)
            yield Static(
                "ctrl+s file it · esc close (the draft is kept) · tab next field", id="status"
            )
            yield Footer(show_command_palette=False)

    @staticmethod
    def _select(name: str, options: tuple[str, ...], value: str) -> Select[str]:
        shown = value if value in options else options[0]
        return Select(
            [(o, o) for o in options], value=shown, allow_blank=False, id=name, compact=True
        )

    def on_mount(self) -> None:
        self.query_one("#similar", SimilarTable).add_class("-empty")
        title = self.query_one("#title", Input)
        title.cursor_position = 0  # a long title reads from its start
        title.focus()
        self._search_similar()

    # --- the values -------------------------------------------------------------------------

    def _widget(self, name: str) -> Widget:
        return self.query_one(f"#{name.replace('_', '-')}")

    def values(self) -> dict[str, Any]:
        """The form as draft fields (labels split on commas)."""
        out: dict[str, Any] = {}
        for name in ("title", "platform"):
            out[name] = self.query_one(f"#{name}", Input).value
        labels = self.query_one("#labels", Input).value.split(",")
        out["labels"] = [label.strip() for label in labels if label.strip()]
        for name in ("category", "priority"):
            out[name] = str(self.query_one(f"#{name}", Select).value)
        for name in _TEXT_FIELDS:
            out[name] = self.query_one(f"#{name.replace('_', '-')}", TextArea).text
        return out

    def kept_draft(self) -> BugDraft:
        """The form's values as a draft, even when they would not validate (kept for later)."""
        return BugDraft.model_construct(**self.values())

    def show_error(self, text: Text | str) -> None:
        box = self.query_one("#form-error", Static)
        box.update(text if isinstance(text, Text) else Text(text))
        box.set_class(bool(str(text)), "-shown")

    def show_problems(self, problems: dict[str, str]) -> None:
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        lines = Text("The report needs fixing before it can be filed:")
        first: Widget | None = None
        for field, problem in problems.items():
            lines.append(f"\n  {_FIELD_NAMES.get(field, field)}: {problem}")
            if field in _FIELD_NAMES:
                widget = self._widget(field)
                widget.add_class("-invalid")
                first = first or widget
        self.show_error(lines)
        if first is not None:
            first.focus()

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    # --- similar bugs -----------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        """A new title may match other bugs: search again once the typing pauses."""
        title = event.value.strip()
        if event.input.id == "title" and title and title != self._searched_title:
            if self._search_timer is not None:
                self._search_timer.stop()
            self._search_timer = self.set_timer(1.0, self._search_similar)

    @work(group="similar", exclusive=True, exit_on_error=False)
    async def _search_similar(self) -> None:
        request = self.request
        local = request.outbox.filed_for(request.run_key[0], request.run_name)
        title = self.query_one("#title", Input).value.strip() or request.draft.title
        self._searched_title = title
        description = self.query_one("#description", TextArea).text[:2000]
        note = ""
        found = []
        held = request.tracker.budget.wait_time()
        if held > request.outbox.timing.hold_s:
            note = f"Bugnet asked to wait {held:.0f} s (rate limit): similar bugs not searched."
        elif request.tracker.can_read:
            try:
                found = await request.tracker.similar_bugs(title, description)
            except ProviderError as error:
                note = f"Could not search Bugnet for similar bugs: {render.safe(error.message)}"
        else:
            note = "Searching needs a session (token or email + password): a public API key can only submit."
        self.show_similar(candidates(local, found), note)

    def show_similar(self, found: list[Candidate], note: str = "") -> None:
        self.found = found
        table = self.query_one("#similar", SimilarTable)
        table.show(found)
        table.set_class(not found, "-empty")
        if found:
            title = f"Similar bugs ({len(found)}): c adds this failure to the highlighted one, o opens it"
        else:
            title = "" if note else "No similar bugs in Bugnet."
        self.query_one("#similar-title", Static).update(Text(f"{note}\n{title}".strip()))

    def action_comment_on_similar(self) -> None:
        candidate = self.query_one("#similar", SimilarTable).highlighted
        if candidate is not None:
            self._comment_on(candidate)

    def action_open_similar(self) -> None:
        candidate = self.query_one("#similar", SimilarTable).highlighted
        if candidate is None:
            return
        if candidate.url:
            self.notify(open_or_copy(self.app, candidate.url, "this bug"), markup=False)
            return
        self.app.copy_to_clipboard(candidate.bug_id)
        self.notify(
            f"Bugnet gave no web address for bug {render.safe(candidate.bug_id)}: its id is copied",
            markup=False,
        )

    # --- filing -----------------------------------------------------------------------------

    def _checked(self) -> BugDraft | None:
        try:
            return BugDraft.checked(**self.values())
        except DraftInvalid as invalid:
            self.show_problems(invalid.problems)
            return None

    def action_submit(self) -> None:
        if self.sending:
            return
        draft = self._checked()
        if draft is None:
            return
        match = strong_match(self.found)
        if match is not None and not self._asked:
            self.app.push_screen(SimilarPrompt(match), lambda answer: self._answered(answer, match))
            return
        self._file(draft)

    def _answered(self, answer: str | None, match: Candidate) -> None:
        if answer == "comment":
            self._comment_on(match)
        elif answer == "new":
            self._asked = True
            self.action_submit()

    def _comment_on(self, candidate: Candidate) -> None:
        if self.sending:
            return
        if not self.request.tracker.can_read:
            self.notify("Commenting needs a session (token or email + password)", markup=False)
            return
        draft = self._checked()
        if draft is not None:
            self._file(draft, comment_on=candidate.bug_id)

    def _file(self, draft: BugDraft, *, comment_on: str | None = None) -> None:
        self.sending = True
        self.show_error("")
        self._status("Sending to Bugnet…  (esc closes; the report stays in the outbox)")
        comment = comment_text(draft) if comment_on else ""
        self.app.run_worker(
            self._send(draft, comment_on, comment), group="bug-send", exit_on_error=False
        )

    async def _send(self, draft: BugDraft, comment_on: str | None, comment: str) -> None:
        request, outbox = self.request, self.request.outbox
        try:
            if self.ref is not None and outbox.get(self.ref) is not None:
                report = outbox.edit(self.ref, draft, comment_on=comment_on, comment=comment)
            else:
                report = outbox.enqueue(
                    draft,
                    run_key=request.run_key,
                    run_name=request.run_name,
                    comment_on=comment_on,
                    comment=comment,
                )
            self.ref = report.ref
            after = await outbox.send(report.ref)  # no await before this: nothing else claims it
        except OutboxError as error:
            self._settle(None, str(error))
            return
        self._settle(after)

    def _settle(self, after: Report | None, problem: str = "") -> None:
        """Show the outcome of a send on the form (or close it), if the form is still open."""
        self.sending = False
        if self not in self.app.screen_stack:
            return  # closed meanwhile: the app reports the outcome
        self._status("ctrl+s file it · esc close (the draft is kept) · tab next field")
        if problem:
            self.show_error(problem)
        elif after is None or after.state in (ReportState.PENDING, ReportState.SENDING):
            why = f": {after.last_error}" if after is not None and after.last_error else ""
            self.request.drafts.pop(self.request.run_key, None)
            self.notify(
                f"Not filed yet{why}. The report waits in the outbox and is retried in the "
                "background (B shows it).",
                severity="warning",
                markup=False,
                timeout=8,
            )
            self.dismiss(None)
        elif after.state is ReportState.FILED:
            self.request.drafts.pop(self.request.run_key, None)
            self.dismiss(None)
        elif after.state is ReportState.FAILED:
            self.show_error(f"Bugnet refused the report: {after.last_error}")
        else:
            self.show_error(f"{after.last_error} (the report stays in the outbox: B)")

    def action_close_form(self) -> None:
        self.request.drafts[self.request.run_key] = self.kept_draft()
        if not self.sending:
            self.notify("Draft kept: b on the run opens it again", timeout=3)
        self.dismiss(None)
