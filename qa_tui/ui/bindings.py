"""Every user action, once: its id, keys, description and help line.

Key bindings, the footer, the command palette and the help screen are all generated from
`ACTIONS`, so an action cannot exist in one place and be missing from another. Ids follow
posting's style (`runs.stop`) so a user keymap can rebind them (`App.set_keymap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from textual.binding import Binding, BindingType


class Scope(StrEnum):
    """Where an action is bound."""

    APP = "app"
    DASHBOARD = "dashboard"
    DETAIL = "detail"
    NEW_RUN = "new-run"
    """The new-run dialog."""
    FILE_BUG = "file-bug"
    SIMILAR = "similar"
    """The similar-bugs list inside the bug form (letters act only while it has the focus)."""
    OUTBOX = "outbox"
    SHOT_PANEL = "shot-panel"
    """A screenshot inside the detail view's Steps or Artifacts pane (while it has the focus)."""
    SHOT_VIEW = "shot-view"
    """A screenshot full screen."""
    INCIDENTS = "incidents"
    """The incidents view and an incident's runs."""
    LIST = "list"
    """Every table, list and scrolling text in the app (ui/lists.py): the same keys
    move in each, as in the runs table."""


@dataclass(frozen=True)
class Action:
    id: str
    keys: str
    """Comma-separated Textual key names; the first is the one shown."""
    action: str
    """The `action_*` method (without the prefix) on the screen or app of `scope`."""
    description: str
    """Short, for the footer and palette."""
    help: str
    """One line for the help screen."""
    scopes: tuple[Scope, ...]
    show: bool = True
    key_display: str | None = None
    priority: bool = False
    """Checked before the focused widget's keys (Textual's quit keys are)."""


_BOTH = (Scope.DASHBOARD, Scope.DETAIL)

ACTIONS: tuple[Action, ...] = (
    Action("list.down", "j", "cursor_down", "Down", "Down one row, in every table and list", (Scope.LIST,), show=False, key_display="↓ j"),
    Action("list.up", "k", "cursor_up", "Up", "Up one row, in every table and list", (Scope.LIST,), show=False, key_display="↑ k"),
    Action("list.first", "g,home", "first", "First", "The first row of every table and list", (Scope.LIST,), show=False, key_display="g home"),
    Action("list.last", "G,end", "last", "Last", "The last row of every table and list", (Scope.LIST,), show=False, key_display="G end"),
    Action("runs.open", "enter", "open_run", "Open", "Open the run: steps, child runs, artifacts, analysis, error", (Scope.DASHBOARD,), show=False),
    Action("runs.filter", "slash", "filter", "Filter", "Filter runs: words, status:failed raw:completed provider:web kind:suite since:2h test:NAME mode:local is:flaky; -word or -term negates", (Scope.DASHBOARD,), key_display="/"),
    Action("runs.failed_only", "f", "toggle_failed", "Failed", "Show only failed and errored runs (toggle; the filter line says so while on)", (Scope.DASHBOARD,)),
    Action("runs.sort", "s", "cycle_sort", "Sort", "Sort by the next column: started, status, provider, name, duration (a click on a title sorts by it)", (Scope.DASHBOARD,), show=False),
    Action("runs.reverse_sort", "S", "reverse_sort", "Reverse sort", "Reverse the sort: ▾ the column's usual order (newest, longest first; A to Z), ▴ reversed (a click on the sorted title too)", (Scope.DASHBOARD,), show=False),
    Action("runs.mark", "space", "mark_run", "Mark", "Mark or unmark the run (+ before its name): x, r, w and b then act on every marked run, asking once and telling each run's outcome; esc clears the marks (a second esc, the filter)", (Scope.DASHBOARD,), show=False, key_display="space"),
    Action("runs.mark_all", "asterisk", "mark_all", "Mark all", "Mark every run shown (after the filter)", (Scope.DASHBOARD,), show=False, key_display="*"),
    Action("views.show_1", "1", "show_view(1)", "View 1", "Saved views ([[views]] in the config, then views.toml): 1 the first … 9 the ninth; the last one shown comes back at the next start", (Scope.DASHBOARD,), show=False, key_display="1…9"),
    Action("views.show_2", "2", "show_view(2)", "View 2", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_3", "3", "show_view(3)", "View 3", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_4", "4", "show_view(4)", "View 4", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_5", "5", "show_view(5)", "View 5", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_6", "6", "show_view(6)", "View 6", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_7", "7", "show_view(7)", "View 7", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_8", "8", "show_view(8)", "View 8", "", (Scope.DASHBOARD,), show=False),
    Action("views.show_9", "9", "show_view(9)", "View 9", "", (Scope.DASHBOARD,), show=False),
    Action("views.every_run", "0", "show_view(0)", "Every run", "Every run: no filter, no saved view", (Scope.DASHBOARD,), show=False),
    Action("views.pick", "v", "pick_view", "Views", "The saved views, to pick one (enter shows it)", (Scope.DASHBOARD,), show=False),
    Action("views.save", "", "save_view", "Save view", "Save the filter, sort and columns shown now as a view (in views.toml beside the config; the palette only)", (Scope.DASHBOARD,), show=False, key_display="palette"),
    Action("runs.stop", "x", "stop_run", "Stop", "Stop or cancel the run (asks first)", _BOTH),
    Action("runs.rerun", "r", "rerun", "Re-run", "Start the same test, suite or plan again (asks first)", _BOTH),
    Action("runs.rerun_failed", "F", "rerun_failed", "Re-run failed", "Re-run what failed: a BugBug suite run's failed and errored tests, each with the suite run's profile; a BugBrain execution's plan again (asks first)", _BOTH, show=False),
    Action("runs.browser", "o", "open_browser", "Browser", "Open the run's page in the web browser (where there is none, over SSH: copy its URL, OSC 52)", _BOTH, show=False),
    Action("runs.copy_url", "y", "copy_url", "Copy URL", "Copy the run's web URL (OSC 52: works over SSH and in tmux)", _BOTH, show=False),
    Action("runs.share", "Y", "share_run", "Share", "Copy a Markdown summary of the run (OSC 52): test, provider, status, link, target, failing step and error, screenshot and bug links; paste it into a chat or a PR", _BOTH, show=False),
    Action("runs.logs", "l", "show_logs", "Logs", "Show the run's log in a searchable view", _BOTH, show=False),
    Action("runs.watch", "w", "watch_run", "Watch", "Watch the run: be told when it ends, in tmux and over SSH too (◉ marks it; w again stops; a Bug0 trigger tells its end only through its commit status on GitHub)", _BOTH, show=False),
    Action("runs.watch_target", "W", "watch_target", "Watch test", "Watch every run of its test, suite or plan, from now on (◎ marks them; W again stops)", _BOTH, show=False),
    Action("runs.incidents", "i", "show_incidents", "Incidents", "Failures grouped across runs by their error: one row per incident (toggle)", (Scope.DASHBOARD,), show=False),
    Action("incidents.open", "enter", "open_incident", "Runs", "In the incidents: list the incident's runs (enter on a run opens it)", (Scope.INCIDENTS,)),
    Action("incidents.file", "b", "file_incident_bug", "File bug", "In the incidents: file one bug listing every run of the incident", (Scope.INCIDENTS,)),
    Action("incidents.close", "escape,i", "close_incidents", "Back", "Close the incidents (back to every run)", (Scope.INCIDENTS,), key_display="esc"),
    Action("runs.new", "n", "new_run", "New run", "Start a new run: a BugBug test or suite, a BugBrain test plan, a Bug0 trigger", (Scope.DASHBOARD,)),
    Action("new_run.start", "ctrl+s", "start", "Start", "In the new-run dialog: start the run (enter in a field does too)", (Scope.NEW_RUN,), key_display="^s"),
    Action("new_run.cancel", "escape", "cancel", "Cancel", "In the new-run dialog: close it, starting nothing", (Scope.NEW_RUN,), key_display="esc"),
    Action("bugs.file", "b", "file_bug", "File bug", "File a bug in Bugnet for a failed or errored run (prefilled; similar bugs first)", _BOTH),
    Action("bugs.outbox", "B", "show_outbox", "Outbox", "Bug reports not filed yet: why, and retry, edit or discard", (Scope.APP,), show=False),
    Action("bugs.submit", "ctrl+s", "submit", "File it", "In the bug form: file the bug (Bugnet's objections show on the form)", (Scope.FILE_BUG,), key_display="^s"),
    Action("bugs.close_form", "escape,q", "close_form", "Close", "In the bug form: close it, keeping the draft for next time", (Scope.FILE_BUG,), key_display="esc"),
    Action("bugs.comment", "c", "comment_on_similar", "Comment", "On a similar bug: add this failure to it as a comment instead of filing a new one", (Scope.SIMILAR,)),
    Action("bugs.open_similar", "o", "open_similar", "Open", "On a similar bug: open it in the browser (when Bugnet gives its address)", (Scope.SIMILAR,)),
    Action("outbox.retry", "r", "retry_report", "Retry", "In the outbox: send the report again now", (Scope.OUTBOX,)),
    Action("outbox.edit", "e,enter", "edit_report", "Edit", "In the outbox: edit the report in the bug form", (Scope.OUTBOX,)),
    Action("outbox.discard", "d", "discard_report", "Discard", "In the outbox: drop the report (asks first)", (Scope.OUTBOX,)),
    Action("outbox.close", "escape,q", "close_outbox", "Close", "Close the outbox", (Scope.OUTBOX,), key_display="esc"),
    Action("shots.open", "enter", "open_screenshot", "Screenshot", "In the Steps or Artifacts pane: show the screenshot drawn there full screen", (Scope.DETAIL,), show=False),
    Action("shots.full", "enter", "open_full", "Full screen", "On a screenshot (or a step, or a screenshot artifact): show it full screen", (Scope.SHOT_PANEL,)),
    Action("shots.save", "s", "save_shot", "Save", "On a full-screen screenshot: save the file to your downloads folder (the path is shown)", (Scope.SHOT_VIEW,)),
    Action("shots.browser", "o", "open_shot", "Browser", "On a full-screen screenshot: open it in the web browser", (Scope.SHOT_VIEW,)),
    Action("shots.close", "escape", "back", "Back", "Close the full-screen screenshot", (Scope.SHOT_VIEW,), key_display="esc"),
    Action("app.refresh", "R", "refresh_now", "Refresh", "Poll every provider now (while paused, says so)", (Scope.APP,), show=False),
    Action("app.pause", "p", "toggle_pause", "Pause", "Pause or resume live updates (no requests while paused; ⏸ PAUSED in the header)", (Scope.APP,), show=False),
    Action("app.health", "h", "show_health", "Health", "Every provider's health: its service, the budget it draws on and who shares it, requests a minute, last success, and the reason and fix of a failure", (Scope.APP,), show=False),
    Action("app.help", "question_mark", "help", "Help", "Show every key", (Scope.APP,), key_display="?"),
    Action("app.palette", "ctrl+p,colon", "command_palette", "Commands", "Open the command palette: every action by name", (Scope.APP,), show=False, key_display="^p"),
    Action("app.back", "escape", "back", "Back", "Close the view or dialog; clear the filter", (Scope.DETAIL,), key_display="esc"),
    Action("app.quit", "q", "quit_or_close", "Quit", "Quit (closes an open view or dialog first)", (Scope.APP,)),
    Action("app.theme", "T", "change_theme", "Theme", "Pick a colour theme, any of Textual's (kept for next time in ui-state.toml beside the config; NO_COLOR wins)", (Scope.APP,), show=False),
    Action("app.quit_now", "ctrl+q", "quit", "Quit now", "Quit at once, whatever is open (Textual's own key, here with an id to rebind)", (Scope.APP,), show=False, key_display="^q", priority=True),
    Action("app.interrupt", "ctrl+c", "quit", "Interrupt", "Quit at once, as ctrl+c does in a terminal", (Scope.APP,), show=False, key_display="^c", priority=True),
)  # fmt: skip


def bindings_for(scope: Scope) -> list[BindingType]:
    """Textual bindings for the actions bound in `scope`."""
    return [
        Binding(
            action.keys,
            action.action,
            action.description,
            show=action.show,
            key_display=action.key_display,
            id=action.id,
            tooltip=action.help,
            priority=action.priority,
        )
        for action in ACTIONS
        if scope in action.scopes and action.keys  # a palette-only action has no key
    ]
