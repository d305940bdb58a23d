"""The header: provider chips and counts that scale to twenty providers, and why one fails.

What it shows is laid out by `health_line.header_lines` (chips in full, shrunk or folded into
counts; failing providers always in full; a problem line with the reason and the fix). The bar
is as tall as those lines (one, or more while a provider fails), draws its lines itself (Rich
text straight into segments, not a Static's content pipeline: a millisecond a batch), and is
redrawn only when a line changed: the one-second tick and a batch that changes no count leave
the terminal alone (an idle dashboard used to rewrite the header every second, byte for byte
the same, over every SSH link).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from qa_tui.core.model import ProviderHealth
from qa_tui.core.team.status import TeamStatus
from qa_tui.ui.health.health_line import HeaderState, header_lines, tooltip


class HealthBar(Widget):
    """Provider chips, status counts, a paused marker, and the reason a provider fails."""

    DEFAULT_CSS = """
    HealthBar { height: 1; background: $panel; padding: 0 1; }
    """

    health: reactive[dict[str, ProviderHealth]] = reactive(dict, always_update=True, repaint=False)
    """Each provider's latest health, by name."""
    counts: reactive[dict[str, int]] = reactive(dict, always_update=True, repaint=False)
    """How many runs (after the filter) are counted in each status (core/runs/shown.py);
    set `total` first."""
    paused: reactive[bool] = reactive(False, repaint=False)
    """True while live updates are paused."""
    outbox: reactive[tuple[int, int]] = reactive((0, 0), repaint=False)
    """Bug reports not filed yet: (being sent, waiting for the user)."""
    unseen: reactive[tuple[int, str]] = reactive((0, ""), repaint=False)
    """Notifications the user has not seen yet (since their last key or click), and the title
    of the latest."""
    team: reactive[TeamStatus | None] = reactive(None, repaint=False)
    """Team mode's state (None: team mode is off)."""
    marked: reactive[int] = reactive(0, repaint=False)
    """How many runs are marked (`space`, `*`)."""

    def __init__(
        self,
        services: Mapping[str, str],
        *,
        production: frozenset[str] = frozenset(),
        id: str | None = None,
    ) -> None:
        """`services`: each provider's kind (`bugbug`), by name, in config order; `production`:
        the providers whose chip is tinted (`production = true`)."""
        super().__init__(id=id)
        self.services = dict(services)
        self.production = production
        self.now = datetime.now(UTC)
        self.total = 0
        """How many runs there are, shown or not (read with `counts`)."""
        self._lines: list[Text] = []
        self.set_reactive(
            HealthBar.health, {name: ProviderHealth(provider=name) for name in self.services}
        )

    def update_health(self, health: ProviderHealth) -> None:
        self.health = {**self.health, health.provider: health}

    def tick(self, now: datetime) -> None:
        """The clock moved: only an age on the problem line can change."""
        self.now = now
        self._relayout()

    def state(self) -> HeaderState:
        return HeaderState(
            healths=tuple(self.health.values()),
            services=self.services,
            production=self.production,
            counts=self.counts,
            total=self.total,
            paused=self.paused,
            outbox=self.outbox,
            unseen=self.unseen,
            team=self.team,
            now=self.now,
            marked=self.marked,
        )

    # any change: lay the lines out again, and redraw only if one of them changed
    def watch_health(self) -> None:
        self._relayout()

    def watch_counts(self) -> None:
        self._relayout()

    def watch_paused(self) -> None:
        self._relayout()

    def watch_outbox(self) -> None:
        self._relayout()

    def watch_unseen(self) -> None:
        self._relayout()

    def watch_team(self) -> None:
        self._relayout()

    def watch_marked(self) -> None:
        self._relayout()

    def on_mount(self) -> None:
        self._relayout()

    def on_resize(self, _: events.Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        if not self.is_mounted:
            return
        state = self.state()
        lines = header_lines(state, self.content_size.width)
        if lines == self._lines:
            return
        self._lines = lines
        self.tooltip = tooltip(state)
        height = max(1, len(lines))
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        style = self.rich_style
        if width <= 0 or y >= len(self._lines):
            return Strip.blank(width, style)
        segments = Segment.apply_style(self._lines[y].render(self.app.console), style)
        return Strip(segments).extend_cell_length(width, style).crop(0, width)

    def render(self) -> Text:
        """The lines as one Rich text (what the header says, for tests and notices)."""
        lines = self._lines or header_lines(self.state(), max(1, self.content_size.width))
        return Text("\n").join(lines)
