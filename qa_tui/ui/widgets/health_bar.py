"""The header line: one chip per provider (state, age of the last good data, budget) and counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from qa_tui.core.model import HealthState, ProviderHealth, RunStatus
from qa_tui.ui import render


class HealthBar(Static):
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

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.paused:
            line.append("⏸ PAUSED ", style="bold reverse")
        for health in self.health.values():
            line.append_text(chip(health, self.now))
            line.append("  ")
        line.append("│ ")
        counts = count_text(self.counts)
        if line.cell_len + counts.cell_len > self.size.width - 2:
            counts = count_text(self.counts, compact=True)
        line.append_text(counts)
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
