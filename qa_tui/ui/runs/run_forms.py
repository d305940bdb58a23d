"""The forms of the new-run dialog, one per provider kind. No I/O here: the dialog fetches the
BugBug catalogue and reads the git checkout in its workers and hands the results in.

Each form's `request()` returns the core `StartRequest` it describes, or raises `FormError` with a
line to show on the form. Provider strings (test, suite and profile names) are shown as plain text.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from qa_tui.core.actions.gitinfo import GitInfo
from qa_tui.core.actions.launch import (
    AssignmentError,
    Bug0Start,
    BugBrainStart,
    BugBugStart,
    Catalogue,
    StartRequest,
    looks_like_id,
    parse_assignments,
    split_assignments,
)
from qa_tui.core.actions.suggestions import StartSuggestions
from qa_tui.ui import render
from qa_tui.ui.lists import NavOptionList


class FormError(ValueError):
    """What is missing or wrong in a form, in one line."""


def variables_from(box: Input) -> dict[str, str]:
    try:
        return parse_assignments(split_assignments(box.value))
    except AssignmentError as error:
        raise FormError(f"Variables: {error}") from None


def row(label: str, field: Widget) -> Horizontal:
    """One line: a short label, then the field."""
    return Horizontal(Label(label), field, classes="row")


class RunForm(Vertical):
    """Base: a form that can say what run it describes."""

    DEFAULT_CSS = """
    RunForm { height: auto; }
    RunForm Label { color: $text-muted; }
    RunForm .row { height: 1; margin-bottom: 1; }
    RunForm .row > Label { width: 16; }
    RunForm .row > Input, RunForm .row > Select { width: 1fr; }
    RunForm .note { color: $text-muted; }
    """

    def request(self) -> StartRequest:
        raise NotImplementedError

    def first_field(self) -> Input:
        return self.query(Input).first()


class BugBugForm(RunForm):
    """A test or suite from BugBug's lists (filtered as you type), a run profile, variables."""

    DEFAULT_CSS = """
    BugBugForm #targets { height: 8; border: round $panel; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="bugbug-form")
        self.catalogue = Catalogue()
        self._targets: dict[str, tuple[bool, str, str]] = {}
        """Option id → (is a suite, id, name)."""

    def compose(self) -> ComposeResult:
        yield Label("Test or suite (type to filter; ↓ to the list)")
        yield Input(placeholder="name, or a test id", id="target-filter", compact=True)
        yield NavOptionList(Option("Loading tests and suites…", disabled=True), id="targets")
        yield row(
            "Run profile", Select[str]([], prompt="BugBug's default", id="profile", compact=True)
        )
        yield row(
            "Variables", Input(placeholder="KEY=value, OTHER=value", id="variables", compact=True)
        )

    def show_catalogue(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.query_one("#profile", Select).set_options(
            (render.plain(p.name or p.id), p.id) for p in catalogue.profiles
        )
        self._fill(self.query_one("#target-filter", Input).value)

    def show_failure(self, message: str) -> None:
        targets = self.query_one("#targets", OptionList)
        targets.clear_options()
        targets.add_option(Option(render.plain(f"Could not list: {message}"), disabled=True))

    def _fill(self, text: str) -> None:
        wanted = text.strip().casefold()
        self._targets.clear()
        options: list[Option] = []
        for suite, items in ((False, self.catalogue.tests), (True, self.catalogue.suites)):
            for item in items:
                if wanted and wanted not in item.name.casefold() and wanted != item.id:
                    continue
                key = f"{'s' if suite else 't'}{len(self._targets)}"
                self._targets[key] = (suite, item.id, item.name)
                prompt = Text("suite  " if suite else "test   ", style="dim")
                prompt.append_text(render.plain(item.name or item.id))
                options.append(Option(prompt, id=key))
        targets = self.query_one("#targets", OptionList)
        targets.clear_options()
        targets.add_options(options or [Option("Nothing matches", disabled=True)])
        if options:
            targets.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "target-filter":
            self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "target-filter":
            event.stop()
            self.query_one("#targets", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#profile", Select).focus()

    def request(self) -> BugBugStart:
        targets = self.query_one("#targets", OptionList)
        chosen = targets.highlighted_option
        typed = self.query_one("#target-filter", Input).value.strip()
        if chosen is not None and chosen.id in self._targets:
            suite, target_id, _ = self._targets[chosen.id]
        elif looks_like_id(typed):
            suite, target_id = False, typed
        else:
            raise FormError("Pick a test or suite from the list (or type a test id)")
        profile = self.query_one("#profile", Select).value
        return BugBugStart(
            target_id,
            suite=suite,
            profile_id=profile if isinstance(profile, str) else None,
            variables=variables_from(self.query_one("#variables", Input)),
        )


class BugBrainForm(RunForm):
    """A test plan id (BugBrain cannot list plans: those run here are offered, from the run
    history and the table), async or sync, environment (those seen are offered too), variables."""

    DEFAULT_CSS = """
    BugBrainForm #seen-plans { height: auto; max-height: 7; border: round $panel; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen = StartSuggestions()

    def compose(self) -> ComposeResult:
        yield Label("BugBrain lists no test plans: type an id, or tab to the plans run here.")
        yield row("Test plan id", Input(placeholder="tp_...", id="plan", compact=True))
        yield NavOptionList(Option("Looking for plans run here…", disabled=True), id="seen-plans")
        modes = [("async: returns at once", "async"), ("sync: waits until done", "sync")]
        mode = Select[str](modes, value="async", allow_blank=False, id="mode", compact=True)
        yield row("Mode", mode)
        yield row(
            "Environment", Input(placeholder="staging or prod", id="environment", compact=True)
        )
        yield row(
            "Variables", Input(placeholder="KEY=value, OTHER=value", id="variables", compact=True)
        )
        timeout = Input(
            placeholder="BugBrain's default: 300", type="integer", id="timeout", compact=True
        )
        yield row("Timeout (s)", timeout)

    def show_suggestions(self, seen: StartSuggestions, now: datetime) -> None:
        """The plans and environments run here, the latest first (typing completes them too:
        `→` takes the suggestion)."""
        self.seen = seen
        plans = self.query_one("#seen-plans", OptionList)
        plans.clear_options()
        options = []
        for index, start in enumerate(seen.starts):
            prompt = Text(render.safe(start.test_id, 40))
            where = f" on {render.safe(start.target, 24)}" if start.target else ""
            prompt.append(f"  last run{where} {render.relative_time(start.last, now)}", "dim")
            options.append(Option(prompt, id=f"plan-{index}"))
        plans.add_options(options or [Option("No test plan has run here yet", disabled=True)])
        ids = [start.test_id for start in seen.starts]
        self.query_one("#plan", Input).suggester = SuggestFromList(ids) if ids else None
        environment = self.query_one("#environment", Input)
        targets = list(seen.targets)
        environment.suggester = SuggestFromList(targets, case_sensitive=False) if targets else None
        if targets:  # the field says which it has seen (→ completes one as you type)
            environment.placeholder = "seen here: " + ", ".join(
                render.safe(t, 20) for t in targets[:5]
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A plan run here: its id in the field, its last environment too if none is typed;
        then the environment field, where `enter` starts."""
        if event.option_list.id != "seen-plans" or not event.option_id:
            return
        event.stop()
        start = self.seen.starts[int(event.option_id.removeprefix("plan-"))]
        self.query_one("#plan", Input).value = start.test_id
        environment = self.query_one("#environment", Input)
        if start.target and not environment.value.strip():
            environment.value = start.target
        environment.focus()

    def request(self) -> BugBrainStart:
        plan = self.query_one("#plan", Input).value.strip()
        if not plan:
            raise FormError("Enter a test plan id (tp_...)")
        timeout_text = self.query_one("#timeout", Input).value.strip()
        timeout = int(timeout_text) if timeout_text else None
        if timeout is not None and timeout <= 0:
            raise FormError("The timeout must be a positive number of seconds")
        return BugBrainStart(
            plan,
            sync=self.query_one("#mode", Select).value == "sync",
            environment=self.query_one("#environment", Input).value.strip() or None,
            variables=variables_from(self.query_one("#variables", Input)),
            timeout_s=timeout,
        )


BUG0_FIELDS = (
    ("url", "URL (optional)", "https://preview-pr-42.example (default: the project's)"),
    ("commit", "Git commit", "sha"),
    ("branch", "Git branch", "branch name"),
    ("pr", "PR number", "e.g. 42"),
    ("owner", "GitHub owner", "e.g. your-org"),
    ("repo", "GitHub repo", "e.g. your-repo"),
)


class Bug0Form(RunForm):
    """Bug0's trigger fields, prefilled from the git checkout the app runs in."""

    def compose(self) -> ComposeResult:
        for field_id, label, placeholder in BUG0_FIELDS:
            yield row(label, Input(placeholder=placeholder, id=field_id, compact=True))
        yield Static("", id="git-note", classes="note")
        note = (
            "Bug0 has no status API: a run on a commit (commit, owner and repo) is followed "
            "through the commit status Bug0 posts on GitHub; without them it stays triggered."
        )
        yield Static(Text(note), classes="note")

    def prefill(self, git: GitInfo) -> None:
        """Fill the empty fields from the checkout (never overwrites what was typed): only a
        checkout on GitHub has any (core/actions/gitinfo.py), and the form says where they came from."""
        if git.remote is None:
            said = "Nothing prefilled from git: this folder is no checkout of a GitHub repository."
        else:
            where = f"{render.safe(git.owner)}/{render.safe(git.repo)}"
            said = f"Prefilled from this checkout of {where} on GitHub ({render.safe(git.remote)})."
        self.query_one("#git-note", Static).update(Text(said))
        values = {
            "commit": git.commit,
            "branch": git.branch,
            "pr": git.pr_number,
            "owner": git.owner,
            "repo": git.repo,
        }
        for field_id, value in values.items():
            box = self.query_one(f"#{field_id}", Input)
            if value and not box.value:
                box.value = value

    def request(self) -> Bug0Start:
        def value(field_id: str) -> str | None:
            return self.query_one(f"#{field_id}", Input).value.strip() or None

        return Bug0Start(
            url=value("url"),
            git_commit_sha=value("commit"),
            git_branch=value("branch"),
            pr_number=value("pr"),
            owner=value("owner"),
            repo=value("repo"),
        )
