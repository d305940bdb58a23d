"""The detail view's Compare pane: a failed run against the last passing run of the same test on
the same target (core/history/compare.py): the first step that diverges, steps added, removed or
not reached, each step's time against the green run's, and the facts that differ.

The last green run is found in the run history; its steps are fetched once through its provider
(in a worker, within the provider's budget) and kept while the pane is open. Provider strings are
shown as plain text.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Static

from qa_tui.core.errors import ProviderError
from qa_tui.core.history.compare import Comparison, StepPair, compare
from qa_tui.core.history.results import Result
from qa_tui.core.model import RunDetail, RunStatus, Step
from qa_tui.core.textsafe import clip, pad
from qa_tui.ui import render
from qa_tui.ui.host import host_of
from qa_tui.ui.lists import NavScroll

NO_GREEN = "No passing run in history"


def _step_cell(step: Step | None) -> str:
    if step is None:
        return "—"
    time = f" {step.duration_s:.1f}s" if step.duration_s is not None else ""
    return f"{render.STATUS_GLYPHS[step.status]} {step.status.value}{time}"


def _delta(pair: StepPair) -> str:
    delta = pair.delta_s
    if delta is None:
        return ""
    return f"{delta:+.1f}s"


def comparison_text(comparison: Comparison, green: Result, now_text: str) -> Text:
    """The pane's text for one comparison."""
    text = Text()
    text.append("Against the last green run: ", style="bold")
    text.append(render.safe(comparison.green.name))
    text.append(f" · {render.safe(green.run_id)} · passed {now_text}", style="dim")
    if comparison.green.url:
        text.append(f"\n{render.safe(comparison.green.url)}", style="underline dim")
    text.append("\n\n")
    first = comparison.first_divergence
    if first is None:
        text.append("No step diverges: the same steps with the same results.", style="dim")
    else:
        text.append("First divergence: ", style="bold red")
        text.append(f"step {first.number} {render.safe(first.name)}", style="bold")
        text.append(f" ({render.safe(first.why)})")
        if first.error:
            text.append("\n  ")
            text.append_text(render.plain(first.error))
    for label, steps in (
        ("Steps added", comparison.added),
        ("Steps removed", comparison.removed),
        ("Not reached (after the failure)", comparison.not_reached),
    ):
        if steps:
            text.append(f"\n{label}: ", style="bold")
            text.append(render.safe(", ".join(steps)))
    text.append("\n\n")
    text.append(
        f"{pad('#', 3)} {pad('STEP', 22)} {pad('THIS RUN', 18)} {pad('LAST GREEN', 18)} Δ TIME\n",
        style="bold",
    )
    for n, pair in enumerate(comparison.pairs, 1):
        line = (
            f"{pad(str(n), 3)} {pad(clip(render.safe(pair.name), 22), 22)} "
            f"{pad(_step_cell(pair.this), 18)} {pad(_step_cell(pair.green), 18)} {_delta(pair)}"
        )
        diverged = (
            first is not None and pair.this is not None and first.number == pair.this.index + 1
        )
        text.append(line + "\n", style="bold red" if diverged else "")
    text.append("\n")
    if comparison.facts:
        text.append("Facts that differ: ", style="bold")
        text.append(
            "; ".join(
                f"{render.safe(f.label)} {render.safe(f.this)} here, {render.safe(f.green)} then"
                for f in comparison.facts
            )
        )
    else:
        text.append("Same target, environment and trigger as the green run.", style="dim")
    return text


class ComparePane(NavScroll):
    """The Compare tab's content."""

    DEFAULT_CSS = """
    ComparePane { height: 1fr; padding: 0 1; }
    ComparePane #compare-text { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._green: tuple[str, RunDetail] | None = None
        """The last green run's id and detail, once fetched."""
        self._shown_for: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("…", style="dim"), id="compare-text")

    def _say(self, text: Text | str) -> None:
        shown = text if isinstance(text, Text) else Text(text, style="dim")
        self.query_one("#compare-text", Static).update(shown)

    def show_for(self, detail: RunDetail) -> None:
        """Compare `detail`'s run with its last green run (fetched once)."""
        run = detail.run
        host = host_of(self.app)
        history = host.engine.history
        if run.status not in (RunStatus.FAILED, RunStatus.ERROR):
            self._say(f"Compare is for a failed run: this one is {render.status_word(run)}.")
            return
        if history is None:
            self._say("No run history is kept ([history] enabled = false in the config).")
            return
        green = history.last_green(run)
        if green is None:
            where = f" on {render.safe(run.target)}" if run.target else ""
            self._say(f"{NO_GREEN}: “{render.safe(run.name)}”{where} has not passed before.")
            return
        if self._green is not None and self._green[0] == green.run_id:
            self._show(detail, green, self._green[1])
            return
        self._say("Fetching the last green run…")
        self._fetch(detail, green)

    @work(group="compare", exclusive=True, exit_on_error=False)
    async def _fetch(self, detail: RunDetail, green: Result) -> None:
        source = host_of(self.app).engine.source(green.provider)
        try:
            green_run = await source.get_run(green.run_id)
            green_detail = await source.run_detail(green_run)
        except ProviderError as error:
            self._say(f"Could not load the last green run ({render.safe(green.run_id)}): {error}")
            return
        self._green = (green.run_id, green_detail)
        self._show(detail, green, green_detail)

    def _show(self, detail: RunDetail, green: Result, green_detail: RunDetail) -> None:
        now = host_of(self.app).clock.now()
        ago = render.relative_time(green.ended_at, now)
        self._say(comparison_text(compare(detail, green_detail), green, ago))
