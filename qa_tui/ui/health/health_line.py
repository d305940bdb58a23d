"""The header's lines, laid out for a width: chips that scale from three providers to twenty.

Line 1: the paused marker, the provider chips, the team's state, `│`, the status counts, the bug
outbox and the unseen notifications. The chips take the first form that fits:

1. every chip in full, naming the service: `web·BugBug ✓  plans·BugBrain ✓`;
2. healthy ones shrunk to a glyph and a short name: `✓web ✓web-2 ○previews`;
3. healthy ones folded into counts: `✓ 9 ok ○ 2 unverified`.

A provider that is not ok is always in full, with its reason: `web-3·BugBug ✗ auth failed`; when
such chips do not fit beside the rest, they go on to a line of their own. Under them, while a
provider fails, one problem line says why and what to fix, the worst first:
`✗ web-3·BugBug auth failed: Invalid token. · check token · h: health · qa-tui doctor · data 2m
old`. Healthy means ok, unverified (Bug0 cannot be checked: `doctor` says the same) or not
heard from yet.

The counts take words (`running 3 · failed 2`) or glyphs (`●3 ✗2`) by the width and the providers'
names alone, never by the numbers: the header does not flip between the two as runs move.

Pure: a `HeaderState` and a width in, Rich `Text` lines out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rich.style import Style
from rich.text import Text

from qa_tui.core.engine.advice import DOCTOR, advice_for
from qa_tui.core.model import HealthState, ProviderHealth
from qa_tui.core.providers.sharing import SERVICE_NAMES
from qa_tui.core.runs.shown import COUNTED
from qa_tui.core.team.status import TeamStatus
from qa_tui.core.textsafe import cell_width
from qa_tui.ui import render

NEEDS_YOU = Style(color="red", bold=True)
GLYPHS = {
    HealthState.OK: "✓",
    HealthState.UNVERIFIED: "○",
    HealthState.UNKNOWN: "…",
    HealthState.SLOW: "~",
    HealthState.RATE_LIMITED: "⧗",
}
"""A state's glyph (every failure is ✗)."""
HEALTHY = (HealthState.OK, HealthState.UNVERIFIED, HealthState.UNKNOWN)
"""States that fold into a count; every other state is shown in full."""
FOLDED_WORDS = {
    HealthState.OK: "ok",
    HealthState.UNVERIFIED: "unverified",
    HealthState.UNKNOWN: "starting",
}
FAILING = (
    HealthState.AUTH_FAILED,
    HealthState.UNREACHABLE,
    HealthState.ERROR,
    HealthState.RATE_LIMITED,
)
"""States the problem line explains, worst first."""
WORDS_ROOM = 100
"""Counts in words when the width leaves this many columns beside every provider's shrunk chip:
room for eight statuses in words with three-digit numbers (`queued 12 · triggered 2 · running
7 · passed 126 · ...`), so the words never push the chips on to a line of their own."""
SHORT_NAME = 10
"""Columns of a provider's name in a shrunk chip."""
NAME = 16
"""Columns of a provider's name in a full chip."""
COUNT_WORDS, COUNT_GLYPHS = 60, 26
"""Columns the counts are given beside the chips, in words and in glyphs, whatever they say now
(more when they need it): the chips do not change form as a number grows a digit."""
MESSAGE = 48
"""Columns of a provider's own error message on the problem line."""
GAP = "  "
HELP_KEY = "h"


@dataclass(frozen=True)
class HeaderState:
    """Everything the header shows."""

    healths: tuple[ProviderHealth, ...]
    """Each provider's latest health, in config order."""
    services: Mapping[str, str] = field(default_factory=dict)
    """Each provider's kind (`bugbug`), by name."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """Runs shown, by the status they are counted in (core/runs/shown.py: `triggered` too)."""
    total: int = 0
    """Runs known, shown or not (a filter that hides them all reads `none of 40 shown`)."""
    paused: bool = False
    outbox: tuple[int, int] = (0, 0)
    unseen: tuple[int, str] = (0, "")
    team: TeamStatus | None = None
    now: datetime | None = None
    production: frozenset[str] = frozenset()
    """Providers with `production = true`: their chip's name is tinted."""
    marked: int = 0
    """Runs marked (`space`, `*`): `x`, `r`, `w`, `b` act on them all."""


def glyph(state: HealthState) -> str:
    return GLYPHS.get(state, "✗")


def service_of(state: HeaderState, name: str) -> str:
    kind = state.services.get(name, "")
    return SERVICE_NAMES.get(kind, kind)


def full_chip(health: ProviderHealth, service: str) -> Text:
    """`web·BugBug ✓` / `web-3·BugBug ✗ auth failed` / `previews·Bug0 ○ unverified`."""
    style = render.HEALTH_STYLES[health.state]
    text = Text(render.safe(health.provider, NAME))
    if service:
        text.append(f"·{service}", style="dim")
    text.append(f" {glyph(health.state)}", style=style)
    if health.state is not HealthState.OK:
        text.append(f" {health.state.value}", style=style)
    return text


def short_chip(health: ProviderHealth) -> Text:
    """`✓web-2`: a glyph and a short name."""
    text = Text().append(glyph(health.state), style=render.HEALTH_STYLES[health.state])
    text.append(render.safe(health.provider, SHORT_NAME))
    return text


def folded(healths: Sequence[ProviderHealth]) -> Text:
    """`✓ 9 ok ○ 2 unverified`."""
    text = Text()
    for state in HEALTHY:
        count = sum(1 for h in healths if h.state is state)
        if count:
            if text:
                text.append(" ")
            text.append(
                f"{glyph(state)} {count} {FOLDED_WORDS[state]}", style=render.HEALTH_STYLES[state]
            )
    return text


def chips_in(state: HeaderState, mode: str) -> list[Text]:
    """The provider chips of one layout mode: `full`, `short` or `folded` (a production
    provider's name tinted in every chip that shows it)."""
    healths = state.healths
    if mode == "full":
        return [_tinted(state, h, full_chip(h, service_of(state, h.provider))) for h in healths]
    chips = []
    if mode == "folded":
        summary = folded([h for h in healths if h.state in HEALTHY])
        chips = [summary] if summary else []
    for health in healths:
        if health.state not in HEALTHY:
            chips.append(
                _tinted(state, health, full_chip(health, service_of(state, health.provider)))
            )
        elif mode == "short":
            chips.append(_tinted(state, health, short_chip(health)))
    return chips


def _tinted(state: HeaderState, health: ProviderHealth, chip: Text) -> Text:
    if health.provider in state.production:
        name = render.safe(health.provider, NAME)
        start = chip.plain.find(name[:SHORT_NAME])
        chip.stylize(render.PRODUCTION_STYLE, max(start, 0), max(start, 0) + len(name))
    return chip


def words_for_counts(width: int, healths: Sequence[ProviderHealth]) -> bool:
    """Counts in words at this width beside these providers: decided by the width and the
    providers' names alone (their shrunk chips), never by the numbers or the states."""
    names = sum(1 + cell_width(render.safe(h.provider, SHORT_NAME)) + len(GAP) for h in healths)
    return width - names >= WORDS_ROOM


def header_lines(state: HeaderState, width: int) -> list[Text]:
    """The header at `width` columns: line 1, any line of failing chips that did not fit, and
    the problem line while a provider fails."""
    if width <= 0:
        return []
    prefix = Text("⏸ PAUSED ", style="bold reverse") if state.paused else Text()
    tail = _tail(state, width, prefix.cell_len)
    words = words_for_counts(width, state.healths)
    reserved = max(tail.cell_len, len("│ ") + (COUNT_WORDS if words else COUNT_GLYPHS))
    room = width - prefix.cell_len - reserved  # chips take their form by the width, not the counts
    rest: list[Text] = []
    for mode in ("full", "short", "folded"):
        chips = chips_in(state, mode)
        if _width(chips) <= room:
            break
    else:
        chips, rest = _fit(chips, room)
    first = Text(no_wrap=True, overflow="ellipsis")
    first.append_text(prefix)
    for chip in chips:
        first.append_text(chip)
        first.append(GAP)
    first.append_text(tail)
    lines = [first, *_wrap(rest, width)]
    problem = problem_line(state)
    if problem is not None:
        lines.append(problem)
    for line in lines:
        line.no_wrap, line.overflow = True, "ellipsis"
        line.truncate(width, overflow="ellipsis")
    return lines


def _tail(state: HeaderState, width: int, used: int) -> Text:
    """The team's state, `│`, counts, outbox and unseen notifications."""
    tail = Text()
    if state.team is not None:
        tail.append_text(team_text(state.team))
        tail.append(GAP)
    tail.append("│ ")
    words = words_for_counts(width, state.healths)
    counts = count_text(state.counts, compact=not words, total=state.total)
    reports = outbox_text(*state.outbox, compact=not words)
    alerts = unseen_text(*state.unseen)
    if width - used - tail.cell_len - counts.cell_len - reports.cell_len - alerts.cell_len < 24:
        alerts = unseen_text(*state.unseen, compact=True)  # the latest title gives way first
    tail.append_text(marked_text(state.marked))  # first: what x, r, w and b will act on
    tail.append_text(counts)
    tail.append_text(reports)
    tail.append_text(alerts)
    return tail


def _width(chips: Sequence[Text]) -> int:
    return sum(chip.cell_len + len(GAP) for chip in chips)


def _fit(chips: list[Text], room: int) -> tuple[list[Text], list[Text]]:
    """The chips that fit in `room` (in order), and the rest."""
    kept: list[Text] = []
    for index, chip in enumerate(chips):
        if _width([*kept, chip]) > room:
            return kept, chips[index:]
        kept.append(chip)
    return kept, []


def _wrap(chips: list[Text], width: int) -> list[Text]:
    lines: list[Text] = []
    while chips:
        line_chips, chips = _fit(chips, width)
        if not line_chips:  # one chip wider than the line: it goes alone, cut
            line_chips, chips = chips[:1], chips[1:]
        line = Text()
        for chip in line_chips:
            line.append_text(chip)
            line.append(GAP)
        line.rstrip()
        lines.append(line)
    return lines


def failing(state: HeaderState) -> list[ProviderHealth]:
    """The failing providers, worst first (then in config order)."""
    order = {s: i for i, s in enumerate(FAILING)}
    bad = [h for h in state.healths if h.state in order]
    return sorted(bad, key=lambda h: order[h.state])


def problem_text(health: ProviderHealth, kind: str) -> Text:
    """`✗ web-3·BugBug auth failed: Invalid token. · check token`, as plain text (a provider's
    message is never markup): the reason, then the config key to fix."""
    service = SERVICE_NAMES.get(kind, kind)
    style = render.HEALTH_STYLES[health.state]
    text = Text().append(f"{glyph(health.state)} ", style=style)
    text.append(render.safe(health.provider, NAME))
    if service:
        text.append(f"·{service}", style="dim")
    text.append(f" {health.state.value}", style=style)
    if health.message:
        text.append(f": {render.safe(health.message, MESSAGE)}")
    advice = advice_for(kind, health.state, health.fix_key)
    if advice is not None and advice.key is not None:
        text.append(f" · check {advice.key}", style="bold")
    return text


def _age(health: ProviderHealth, now: datetime | None) -> Text:
    if health.last_success is None or now is None:
        return Text()
    age = render.relative_time(health.last_success, now).replace(" ago", "")
    return Text(f" · data {age} old", style="dim")


def problem_line(state: HeaderState) -> Text | None:
    """The worst failing provider's reason and the key to fix, how many more fail, the key of
    the health panel that lists them all, `qa-tui doctor`, and the age of the last good data
    (in that order: a narrow line cuts from the end)."""
    bad = failing(state)
    if not bad:
        return None
    worst = bad[0]
    line = problem_text(worst, state.services.get(worst.provider, ""))
    if len(bad) > 1:
        line.append(f" · {len(bad) - 1} more", style="bold")
    line.append(f" · {HELP_KEY}: health · {DOCTOR}", style="dim")
    line.append_text(_age(worst, state.now))
    return line


def tooltip(state: HeaderState) -> str | None:
    """Every failing provider's problem, one a line (the header's tooltip)."""
    bad = failing(state)
    if not bad:
        return None
    return "\n".join(
        (
            problem_text(h, state.services.get(h.provider, ""))
            + Text(f" · {DOCTOR}")
            + _age(h, state.now)
        ).plain
        for h in bad
    )


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


def count_text(counts: Mapping[str, int], *, compact: bool = False, total: int = 0) -> Text:
    """`running 3 · triggered 2 · failed 2`, or on a narrow line `●3 ↗2 ✗2` (the glyphs of the
    status column); with nothing shown, `no runs yet`, or `none of 40 shown` under a filter."""
    text = Text()
    shown = [status for status in COUNTED if counts.get(status)]
    for status in shown:
        label = render.COUNT_GLYPHS[status] if compact else f"{status} "
        text.append(f"{label}{counts[status]}", style=render.COUNT_STYLES[status])
        if status is not shown[-1]:
            text.append(" " if compact else " · ")
    if not shown:
        text.append(f"none of {total} shown" if total else "no runs yet", style="dim")
    return text


def marked_text(count: int) -> Text:
    """`+3 marked  ` before the counts (first, so a narrow line never cuts it); empty with none
    marked."""
    if count <= 0:
        return Text()
    return Text(f"+{count} marked", style="bold").append("  ")


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
