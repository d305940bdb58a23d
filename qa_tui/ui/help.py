"""The help screen: every key (generated from the one list of actions), then a legend of
everything the screen shows: the status glyphs, the HISTORY strip, the marks in the table, the
header's chips, counts and markers, the filter line, and every column.

The legend is built from the same constants that draw those things (render.py, run_line.py,
history_cell.py, health_line.py, filter_bar.py), so a glyph cannot be drawn and left unexplained:
tests/ui/test_help_legend.py checks each one is here.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from qa_tui.core.model import HealthState, RunStatus
from qa_tui.core.runs.shown import COUNTED, RUNNING_WORDS
from qa_tui.ui import render
from qa_tui.ui.bindings import ACTIONS
from qa_tui.ui.health.health_line import FOLDED_WORDS, GLYPHS
from qa_tui.ui.history import history_cell
from qa_tui.ui.keymap import UserKeys
from qa_tui.ui.lists import NavScroll
from qa_tui.ui.runs import filter_bar
from qa_tui.ui.runs.marks import MARK
from qa_tui.ui.runs.run_line import COLUMNS, SORT_ARROWS, TEST_WATCH_MARK, WATCH_MARK

NAVIGATION = (
    ("pgup pgdn", "Page up / down"),
    ("tab  shift+tab", "Next / previous field (the detail's tab bar, its table)"),
    ("← →", "On the detail's tab bar: the previous / next pane"),
    ("enter (artifact)", "Save it to your downloads folder (a log opens in the log view)"),
    ("enter (step, screenshot)", "Show its screenshot full screen: s saves it, o opens it"),
    ("o (artifact)", "Open the highlighted artifact or screenshot in the browser"),
    ("click a column title", "Sort by it; again, the other way round"),
)

HEALTH_MEANINGS: dict[HealthState, str] = {
    HealthState.OK: "answering",
    HealthState.UNVERIFIED: "nothing to read proves its key (Bug0 has no read API), as "
    "qa-tui doctor says",
    HealthState.UNKNOWN: "starting: not heard from yet",
    HealthState.SLOW: "answers take seconds",
    HealthState.RATE_LIMITED: "the service asked to wait: qa-tui waits, then goes on",
    HealthState.AUTH_FAILED: "the token or key was refused: check the key the line under the "
    "header names, then qa-tui doctor",
    HealthState.UNREACHABLE: "no answer: check base_url and the network",
    HealthState.ERROR: "the service answered with an error (often a wrong base_url)",
}


def _grid() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


def help_table(keys: UserKeys | None = None) -> Table:
    """Every key: moving around, then every action, with the user's keys (`[keys]`)."""
    keys = keys or UserKeys()
    table = _grid()
    for key, text in NAVIGATION:
        table.add_row(key, text)
    for action in ACTIONS:
        if action.help:  # views.show_2 … 9 are said on views.show_1's line
            table.add_row(keys.label(action), Text(action.help))
    return table


def status_legend() -> Table:
    """The STATUS column's glyphs and words (and the header's counts, which use them)."""
    table = _grid()
    for name in COUNTED:
        glyph = Text(f"{render.COUNT_GLYPHS[name]} {name}", style=render.COUNT_STYLES[name])
        table.add_row(glyph, render.STATUS_MEANINGS[name])
    first, *others = RUNNING_WORDS
    glyph = Text(f"{render.STATUS_GLYPHS[RunStatus.RUNNING]} {first}",
                 style=render.STATUS_STYLES[RunStatus.RUNNING])  # fmt: skip
    table.add_row(glyph, f"running, as BugBug words it (also {', '.join(others)}): "
                  "status:running lists them too, raw:paused only those")  # fmt: skip
    return table


def history_legend() -> Table:
    """The HISTORY strip."""
    table = _grid()
    final = [s for s in render.STATUS_GLYPHS if s.is_terminal]
    strip = Text()
    for status in final:
        strip.append(render.STATUS_GLYPHS[status], style=render.STATUS_STYLES[status])
    table.add_row(strip, "the test's last ten final results on this row's target, oldest "
                  "first, in the STATUS glyphs (✓ passed, ✗ failed, ! error, ■ stopped, "
                  "↷ skipped)")  # fmt: skip
    own = Text("✓✗✓").append("✓", style=history_cell.OWN_STYLE)
    table.add_row(own, "underlined: this row's own result (a run still going is not in the "
                  "strip yet)")  # fmt: skip
    table.add_row("flaky 30%", "it both passed and failed there within the flaky window: the "
                  "share that failed (is:flaky lists them)")  # fmt: skip
    return table


def marks_legend() -> Table:
    """Marks in the table's lines and titles."""
    table = _grid()
    table.add_row(WATCH_MARK, "before a name: you watch this run (w): told when it ends")
    table.add_row(TEST_WATCH_MARK, "before a name: you watch every run of its test, suite or "
                  "plan (W)")  # fmt: skip
    table.add_row(MARK, "before a name: marked (space, *): x, r, w and b act on every marked "
                  "run; esc clears the marks (the header counts them: +3 marked)")  # fmt: skip
    table.add_row("└", "a test run, under the suite run it belongs to")
    table.add_row("· bug ID", "the bug filed for it, when the BUG column does not fit")
    table.add_row(f"STARTED{SORT_ARROWS[0]}", "sorted by this column, its usual order (newest "
                  "first, longest first, A to Z)")  # fmt: skip
    table.add_row(f"NAME{SORT_ARROWS[1]}", "sorted by this column, reversed (S, or a click on "
                  "the title)")  # fmt: skip
    table.add_row(Text("dim line", style="dim"), "from the cache: not confirmed by its provider "
                  "yet")  # fmt: skip
    return table


def header_legend() -> Table:
    """The header: chips, counts and markers."""
    table = _grid()
    table.add_row("web·BugBug ✓", "a provider chip: its name in your config, its service, "
                  "its state; not ok, with the state in words")  # fmt: skip
    for state, meaning in HEALTH_MEANINGS.items():
        glyph = GLYPHS.get(state, "✗")
        table.add_row(Text(f"{glyph} {state.value}", style=render.HEALTH_STYLES[state]), meaning)
    folded = " ".join(f"{GLYPHS[s]} 2 {word}" for s, word in FOLDED_WORDS.items())
    table.add_row("✓web", "a chip shrunk to its glyph and name, when the full ones do not fit")
    table.add_row(folded, "healthy chips folded into counts (many providers); one that is not "
                  "ok is always in full")  # fmt: skip
    table.add_row("running 3 · failed 2", "runs shown, by status (words or the STATUS glyphs, "
                  "●3 ✗2, by the width: one form at a width)")  # fmt: skip
    table.add_row("none of 40 shown", "the filter hides every run")
    table.add_row("⏸ PAUSED", "live updates are paused (p): nothing is polled")
    table.add_row("✉ 2 sending", "bug reports on their way to Bugnet (B lists them)")
    table.add_row("✉ 1 needs you (B)", "a bug report Bugnet refused or that cannot be checked")
    table.add_row("⚑ 1 new", "notifications you have not seen (a key or click clears it)")
    table.add_row("team: poller", "team mode: this instance polls for the team (or: N "
                  "watching, offline)")  # fmt: skip
    table.add_row("✗ web·BugBug …", "the line under the chips: why the worst provider fails, "
                  "the config key to check, h and qa-tui doctor")  # fmt: skip
    return table


def filter_legend() -> Table:
    """The filter line over the table."""
    table = _grid()
    mark = Text(filter_bar.MARK, style=filter_bar.MARK_STYLE).append(" status:failed", "bold")
    table.add_row(mark, "what filters the table, while anything "
                  "does: the filter (/), f, and how many runs of all match")  # fmt: skip
    table.add_row(Text("✗ no field statu:", style=filter_bar.BAD), "the text in the box is not "
                  "a filter: why (the table keeps the last one that worked)")  # fmt: skip
    table.add_row("status:failed", "the status shown: queued, triggered, running, passed, "
                  "failed, error, stopped, skipped, unknown, paused...")  # fmt: skip
    table.add_row("raw:completed", "the provider's own status word")
    table.add_row("-word  -status:passed", "a leading - keeps what does not match")
    return table


def column_legend() -> Table:
    """Every column (a narrow terminal drops some: BUG, TRIGGER, KIND, TARGET, HISTORY first)."""
    table = _grid()
    for column in COLUMNS:
        table.add_row(column.title, column.help)
    return table


def sections(keys: UserKeys | None = None) -> Iterator[tuple[str, Table]]:
    yield "Keys", help_table(keys)
    yield "Status (the STATUS column, the header's counts)", status_legend()
    yield "HISTORY", history_legend()
    yield "Marks in the table", marks_legend()
    yield "Header", header_legend()
    yield "Filter", filter_legend()
    yield (
        "Columns (a narrow terminal drops BUG, TRIGGER, KIND, TARGET, HISTORY first)",
        (column_legend()),
    )


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, keys: UserKeys | None = None) -> None:
        """`keys`: the user's keys (`[keys]`), shown in place of the defaults they replace."""
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with NavScroll():
            yield Static(Text("qa-tui: keys, then what the screen shows", style="bold"))
            for title, table in sections(self.keys):
                yield Static(Text(title, style="bold underline"), classes="help-title")
                yield Static(table)
