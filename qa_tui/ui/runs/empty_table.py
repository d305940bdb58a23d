"""What stands in place of an empty runs table: why it is empty, and what to do about it.

- No run at all because providers fail (a refused token, no answer): each one's reason and the
  config key to fix, in the header's own words (health_line.problem_text, engine/advice.py), the
  hint, and `qa-tui doctor` - never a bare "no runs yet" under a red chip.
- Runs, but the filter hides them all: `0 of 250 runs match` and what filters them (the text,
  `f`), with the keys that undo it.
- Otherwise: waiting for the first answer, paused, or providers that answered with no run.

Pure: a `Why` in, Rich `Text` out; the dashboard shows it in a `Static` under the table's titles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from qa_tui.core.engine.advice import DOCTOR, advice_for
from qa_tui.core.model import HealthState, ProviderHealth
from qa_tui.ui import render
from qa_tui.ui.health.health_line import HeaderState, failing, problem_text, service_of
from qa_tui.ui.runs.filter_bar import FilterState, what_filters


@dataclass(frozen=True)
class Why:
    """Everything the empty table's message depends on."""

    healths: tuple[ProviderHealth, ...]
    services: Mapping[str, str] = field(default_factory=dict)
    """Each provider's kind (`bugbug`), by name."""
    filtering: FilterState = field(default_factory=FilterState)
    paused: bool = False


def empty_text(why: Why) -> Text:
    """The message for an empty table (see the module docstring)."""
    header = HeaderState(healths=why.healths, services=why.services)
    bad = failing(header)
    state = why.filtering
    if state.total and state.active:
        return _filtered_out(state, bad, header)
    if bad:
        return _failing(bad, header)
    text = Text()
    if why.paused:
        return text.append("Paused: nothing is polled while paused. p resumes.", style="bold")
    waiting = [h.provider for h in why.healths if h.state is HealthState.UNKNOWN]
    if waiting:
        names = ", ".join(render.safe(name, 16) for name in waiting)
        return text.append(f"Waiting for the first answer from {names}…", style="dim")
    names = ", ".join(render.safe(h.provider, 16) for h in why.healths)
    text.append(f"No runs yet: {names} answered with none. ", style="dim")
    return text.append("n starts a run.", style="dim")


def _failing(bad: Sequence[ProviderHealth], header: HeaderState) -> Text:
    """No run at all, and providers fail: each one's reason, key to fix and hint."""
    count = len(header.healths)
    if len(bad) == count == 1:
        lead = f"No runs: {render.safe(bad[0].provider, 16)} could not be read."
    elif len(bad) == count:
        lead = f"No runs: none of the {count} providers could be read."
    else:
        waiting = any(h.state is HealthState.UNKNOWN for h in header.healths)
        others = "the others have not answered yet" if waiting else "the others have none"
        lead = f"No runs: {len(bad)} of {count} providers could not be read, {others}."
    text = Text()
    text.append(lead, style="bold")
    for health in bad:
        kind = header.services.get(health.provider, "")
        text.append("\n\n")
        text.append_text(problem_text(health, kind))
        advice = advice_for(kind, health.state, health.fix_key)
        if advice is not None:
            text.append(f"\n  {advice.hint}", style="dim")
        if advice is not None and advice.key is not None:
            service = service_of(header, health.provider)
            where = f" ({service})" if service else ""
            name = render.safe(health.provider, 16)
            text.append(f"\n  the key: {advice.key} in the [[providers]] table named {name}{where}")
    text.append(
        f"\n\nR polls again · h: every provider's health · {DOCTOR} checks them from a shell"
    )
    return text


def _filtered_out(state: FilterState, bad: Sequence[ProviderHealth], header: HeaderState) -> Text:
    """Runs, none of them matching: how many, what filters them, how to undo it."""
    text = Text()
    if state.error is not None:
        text.append(f"✗ {render.safe(state.error)}\n", style="red bold")
        text.append("Left out; by the rest of the filter, ", style="dim")
    text.append(f"0 of {state.total} runs match ", style="bold")
    text.append(what_filters(state), style="bold")
    text.append(".")
    undo = []
    if state.text.strip():
        undo.append("esc clears the filter, / edits it")
    if state.failed_only:
        undo.append("f shows every status again")
    text.append(f"\n{' · '.join(undo)}", style="dim")
    for health in bad:
        name = render.safe(health.provider, 16)
        service = service_of(header, health.provider)
        text.append(
            f"\n{name}{'·' + service if service else ''} {health.state.value}: "
            "its runs are not here (h: health)",
            style="yellow",
        )
    return text


class EmptyTable(Static):
    """The message shown in place of the runs table's lines while it has none."""

    DEFAULT_CSS = """
    EmptyTable { height: 1fr; padding: 1 2; display: none; }
    EmptyTable.visible { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.said: Text | None = None
        """What it says (None: hidden)."""

    def show(self, why: Why | None) -> None:
        """Show the message for `why` (None: the table has rows, hide it). Redrawn only when
        the words change: a poll that moves a budget or an age leaves the terminal alone."""
        said = empty_text(why) if why is not None else None
        if said == self.said:
            return
        self.said = said
        self.set_class(said is not None, "visible")
        self.update(said or "")
