"""The header line: one chip per provider (state, age of the last good data, budget) and counts.

It changes with every batch (the counts), so it draws its one line itself: the Rich text turned
straight into segments, not through a Static's content pipeline (wrapping, alignment), which
took a millisecond a batch; a quarter of what showing 500 changed runs costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from qa_tui.core.model import HealthState, ProviderHealth, RunStatus
from qa_tui.core.team.status import TeamStatus
from qa_tui.ui import render

NEEDS_YOU = Style(color="red", bold=True)


class HealthBar(Widget):
    """Provider chips, status counts and a paused marker, on one line."""

    DEFAULT_CSS = """
    HealthBar { height: 1; background: $panel; padding: 0 1; }
    """

    health: reactive[dict[str, ProviderHealth]] = reactive(dict, always_update=True)
    """Each provider's latest health, by name."""
    counts: reactive[dict[RunStatus, int]] = reactive(dict, always_update=True)
    """How many runs (after the filter) are in each status."""
    paused: reactive[bool] = reactive(False)
    """True while live updates are paused."""
    outbox: reactive[tuple[int, int]] = reactive((0, 0))
    """Bug reports not filed yet: (being sent, waiting for the user)."""
    unseen: reactive[tuple[int, str]] = reactive((0, ""))
    """Notifications the user has not seen yet (since their last key or click), and the title
    of the latest."""
    team: reactive[TeamStatus | None] = reactive(None)
    """Team mode's state (None: team mode is off)."""

    def __init__(self, providers: Iterable[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = datetime.now(UTC)
        self.set_reactive(
            HealthBar.health, {name: ProviderHealth(provider=name) for name in providers}
        )

    def update_health(self, health: ProviderHealth) -> None:
        self.health = {**self.health, health.provider: health}

    def tick(self, now: datetime) -> None:
        self.now = now
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        style = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(width, style)
        line = self.render()
        line.truncate(width, overflow="ellipsis")
        segments = Segment.apply_style(line.render(self.app.console), style)
        return Strip(segments).extend_cell_length(width, style)

    def render(self) -> Text:
        """The line as Rich text (drawn by `render_line`)."""
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.paused:
            line.append("⏸ PAUSED ", style="bold reverse")
        for health in self.health.values():
            line.append_text(chip(health, self.now))
            line.append("  ")
        if self.team is not None:
            line.append_text(team_text(self.team))
            line.append("  ")
        line.append("│ ")
        room = self.content_size.width - line.cell_len
        alerts = unseen_text(*self.unseen)
        room -= alerts.cell_len
        if room < 30:  # the latest title gives way to the counts first
            alerts = unseen_text(*self.unseen, compact=True)
            room = self.content_size.width - line.cell_len - alerts.cell_len
        counts, reports = count_text(self.counts), outbox_text(*self.outbox)
        if counts.cell_len + reports.cell_len > room:  # the counts give way first: they are
            counts = count_text(self.counts, compact=True)  # also in the table itself
        if counts.cell_len + reports.cell_len > room:
            reports = outbox_text(*self.outbox, compact=True)
        line.append_text(counts)
        line.append_text(reports)
        line.append_text(alerts)
        return line


def chip(health: ProviderHealth, now: datetime) -> Text:
    """`web ✓ ok 3s` / `plans ✗ unreachable 2m` / `web ⧗ rate-limited`."""
    glyph = {
        HealthState.OK: "✓",
        HealthState.SLOW: "~",
        HealthState.RATE_LIMITED: "⧗",
        HealthState.UNKNOWN: "…",
    }.get(health.state, "✗")
    text = Text()
    text.append(render.safe(health.provider, 14))
    text.append(f" {glyph} {health.state.value}", style=render.HEALTH_STYLES[health.state])
    if health.last_success is not None and health.state is not HealthState.OK:
        age = render.relative_time(health.last_success, now).replace(" ago", "")
        text.append(f" (data {age} old)", style="dim")
    return text


def team_text(status: TeamStatus) -> Text:
    """`team: poller` / `team: 7 watching` / `team: offline` (polling alone: Redis is away)."""
    if status.offline:
        return Text("team: offline", style="yellow")
    if status.polling and status.following:
        return Text(f"team: poller · {status.most_watching} watching")
    if status.polling:
        return Text("team: poller")
    if status.following:
        return Text(f"team: {status.most_watching} watching")
    return Text("team: joining", style="dim")


def count_text(counts: Mapping[RunStatus, int], *, compact: bool = False) -> Text:
    """`running 3 · failed 2`, or on a narrow line `●3 ✗2` (the glyphs of the status column)."""
    text = Text()
    shown = [status for status in RunStatus if counts.get(status)]
    for status in shown:
        label = render.STATUS_GLYPHS[status] if compact else f"{status.value} "
        text.append(f"{label}{counts[status]}", style=render.STATUS_STYLES[status])
        if status is not shown[-1]:
            text.append(" " if compact else " · ")
    if not shown:
        text.append("no runs yet", style="dim")
    return text


def outbox_text(sending: int, need_the_user: int, *, compact: bool = False) -> Text:
    """`  │ ✉ 2 sending · ✉ 1 needs you (B)`, or `  ✉2 ✉!1` on a narrow line; empty with none."""
    text = Text()
    if not sending and not need_the_user:
        return text
    text.append("  " if compact else "  │ ")
    if sending:
        text.append(f"✉{sending}" if compact else f"✉ {sending} sending", style="dim")
    if need_the_user:
        if sending:
            text.append(" " if compact else " · ")
        verb = "needs" if need_the_user == 1 else "need"
        words = f"✉!{need_the_user}" if compact else f"✉ {need_the_user} {verb} you (B)"
        text.append(words, style=NEEDS_YOU)
    return text


def unseen_text(count: int, latest: str, *, compact: bool = False) -> Text:
    """`  │ ⚑ 2 new: Failed: Checkout` (the latest notification's title, cut), or `  ⚑2` on a
    narrow line; empty when the user has seen them all."""
    text = Text()
    if count <= 0:
        return text
    if compact:
        return text.append(f"  ⚑{count}", style=NEEDS_YOU)
    text.append("  │ ")
    text.append(f"⚑ {count} new", style=NEEDS_YOU)
    if latest:
        text.append(f": {render.safe(latest, 40)}")
    return text
