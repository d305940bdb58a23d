"""Run → cells: the words, glyphs and styles the table and panes show. Pure functions, no widgets.

Provider strings go through `terminal_safe` (escape sequences and bidi controls shown escaped) and
into `rich.text.Text` as plain text, so Rich markup in a run's name is shown, never interpreted.
Every status has a word and a glyph, so the table reads the same without colour (`NO_COLOR`).
"""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text

from qa_tui.core.model import HealthState, Run, RunStatus
from qa_tui.core.runs.shown import COUNTED, TRIGGERED, counted_as, shown_word
from qa_tui.core.textsafe import cell_width, clip, terminal_safe
from qa_tui.core.words.times import run_duration as run_duration  # one rule for the app and the CLI

STATUS_GLYPHS: dict[RunStatus, str] = {
    RunStatus.QUEUED: "◌",
    RunStatus.RUNNING: "●",
    RunStatus.PASSED: "✓",
    RunStatus.FAILED: "✗",
    RunStatus.ERROR: "!",
    RunStatus.STOPPED: "■",
    RunStatus.SKIPPED: "↷",
    RunStatus.UNKNOWN: "?",
}

STATUS_STYLES: dict[RunStatus, Style] = {
    RunStatus.QUEUED: Style(color="bright_black"),
    RunStatus.RUNNING: Style(color="cyan", bold=True),
    RunStatus.PASSED: Style(color="green"),
    RunStatus.FAILED: Style(color="red", bold=True),
    RunStatus.ERROR: Style(color="magenta", bold=True),
    RunStatus.STOPPED: Style(color="yellow"),
    RunStatus.SKIPPED: Style(color="bright_black"),
    RunStatus.UNKNOWN: Style(color="yellow", italic=True),
}

TRIGGERED_GLYPH = "↗"
"""A Bug0 trigger with no result yet (Bug0 has no read API: its result, when the trigger carried a
commit, comes from the commit status Bug0 posts on GitHub)."""
TRIGGERED_STYLE = Style(color="blue")

COUNT_GLYPHS: dict[str, str] = {
    name: TRIGGERED_GLYPH if name == TRIGGERED else STATUS_GLYPHS[RunStatus(name)]
    for name in COUNTED
}
"""The glyph of each status a run is counted in (core/runs/shown.py), `triggered` included."""
COUNT_STYLES: dict[str, Style] = {
    name: TRIGGERED_STYLE if name == TRIGGERED else STATUS_STYLES[RunStatus(name)]
    for name in COUNTED
}

STATUS_MEANINGS: dict[str, str] = {
    "queued": "waiting to start",
    TRIGGERED: "a Bug0 run started from here, no result yet: Bug0 has no API to read; a run on "
    "a commit is followed through the status Bug0 posts on GitHub, any other never",
    "running": "in progress; a BugBug run may read paused, auto_retrying or recording (the "
    "provider's own, more precise word)",
    "passed": "every step or test passed",
    "failed": "a test failed (BugBrain: a plan run with failed tests)",
    "error": "the run itself broke before a verdict (BugBug error, BugBrain's failed execution)",
    "stopped": "stopped or cancelled",
    "skipped": "not run",
    "unknown": "a word qa-tui does not know: the provider's own word is shown",
}
"""What each status a run is counted in means (the help screen's legend)."""

NO_COLOR_STYLES: dict[RunStatus, Style] = {
    status: Style(bold=status in (RunStatus.FAILED, RunStatus.ERROR, RunStatus.RUNNING))
    for status in RunStatus
}
"""With `NO_COLOR`, no greys that fade into the background: the word and glyph carry the status,
and what needs attention is bold."""

HEALTH_STYLES: dict[HealthState, Style] = {
    HealthState.UNKNOWN: Style(color="bright_black"),
    HealthState.OK: Style(color="green"),
    HealthState.UNVERIFIED: Style(color="bright_black"),
    HealthState.SLOW: Style(color="yellow"),
    HealthState.RATE_LIMITED: Style(color="yellow", bold=True),
    HealthState.AUTH_FAILED: Style(color="red", bold=True),
    HealthState.UNREACHABLE: Style(color="red", bold=True),
    HealthState.ERROR: Style(color="red"),
}


def safe(text: str | None, width: int | None = None) -> str:
    """A provider string made safe for the terminal, optionally clipped to `width` columns.

    With a width, the raw text is cut first (generously: a character takes at least one column
    once escaped, two if wide), so a 200,000-character name costs no more than a short one."""
    raw = text or ""
    if width is None:
        return terminal_safe(raw)
    cut = len(raw) > 2 * width + 8
    shown = terminal_safe(raw[: 2 * width + 8] if cut else raw)
    if cut and cell_width(shown) <= width:
        shown += "…"
    return clip(shown, width)


def safe_lines(text: str | None) -> str:
    """Like `safe`, but line breaks stay line breaks (for multi-line messages and notes)."""
    return "\n".join(safe(line) for line in (text or "").split("\n"))


def plain(text: str | None, style: Style | str = "") -> Text:
    """A provider string as a `Text` that is never read as markup."""
    return Text(safe(text), style=style, no_wrap=False)


def plain_lines(text: str | None, style: Style | str = "") -> Text:
    """A multi-line provider text (an error, a stack trace) as `Text`: each line made safe, the
    line breaks kept (`plain` shows them as a visible `\\n`, which suits one-line names)."""
    lines = (text or "").replace("\r\n", "\n").split("\n")  # other separators stay escaped
    return Text("\n".join(safe(line) for line in lines), style=style)


def status_word(run: Run) -> str:
    """What the status cell says: the provider's own word when it is more precise (paused),
    `triggered` for a Bug0 trigger (one rule with the filter and the counts: core/runs/shown.py)."""
    return safe(shown_word(run))


def status_glyph(run: Run) -> str:
    """The status cell's glyph (`↗` for a Bug0 trigger, else the status's)."""
    return COUNT_GLYPHS[counted_as(run)]


PRODUCTION_STYLE = Style(color="bright_white", bgcolor="dark_red", bold=True)
"""A production provider's name (`production = true`): its chip and its rows' PROVIDER cell."""
PRODUCTION_NO_COLOR = Style(reverse=True, bold=True)


def status_style(run: Run, *, no_color: bool = False) -> Style:
    if no_color:
        return NO_COLOR_STYLES[run.status]
    return COUNT_STYLES[counted_as(run)]


def status_text(run: Run) -> Text:
    return Text(f"{status_glyph(run)} {status_word(run)}", style=status_style(run))


def progress_bar(run: Run, width: int = 8) -> str:
    """`████░░░░ 4/8`, or blank when the provider gives no progress."""
    if run.progress is None or run.progress.total <= 0:
        return ""
    filled = round(run.progress.fraction * width)
    return f"{'█' * filled}{'░' * (width - filled)} {run.progress.done}/{run.progress.total}"


def format_duration(seconds: float | None) -> str:
    """`45s`, `3m05s`, `2h04m`; blank when unknown."""
    if seconds is None or seconds < 0:
        return ""
    total = int(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


def relative_time(when: datetime | None, now: datetime) -> str:
    """`12s ago`, `5m ago`, `3h ago`, `2d ago`."""
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return "soon"
    if seconds < 60:
        return f"{int(seconds)}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 172800:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


def health_word(state: HealthState) -> str:
    return state.value
