"""The detail view's screenshots: the failing step's, drawn in the Steps and Artifacts panes.

When a run's detail arrives, the Steps pane's cursor goes to the failing step (the detail view
decides: run_detail.py) and its screenshot is drawn under the steps; moving the cursor draws
that step's (a step not reached has none, and says so). The Artifacts pane draws the
highlighted screenshot artifact, or the failing step's while another kind is highlighted.
`enter` on a step, a screenshot artifact or a panel shows it full screen.

Every picture is fetched through the core's fetcher (bounded, checked, cached) in a worker of
the panel's own group, so a newer choice replaces a load still on its way.
"""

from __future__ import annotations

from typing import cast

from textual.widgets import DataTable, TabbedContent, TabPane

from qa_tui.core.errors import ProviderError
from qa_tui.core.images.decode import ImageRefused
from qa_tui.core.model import Artifact, RunDetail, RunStatus
from qa_tui.ui import render
from qa_tui.ui.detail.panes import step_count
from qa_tui.ui.runs.run_actions import RunActions
from qa_tui.ui.shots.screenshot import ScreenshotPanel, ShotTarget
from qa_tui.ui.shots.screenshot_view import ScreenshotHost, ScreenshotScreen

FAILING = (RunStatus.FAILED, RunStatus.ERROR)


def step_targets(detail: RunDetail) -> list[ShotTarget | None]:
    """One entry per step reported: its screenshot, or None when it has none. Its caption
    counts every step of the run (`step 1 of 5`), the unreached ones too."""
    steps = detail.steps.items
    total = step_count(detail.run, steps)
    targets: list[ShotTarget | None] = []
    for step in steps:
        if not step.screenshot_url:
            targets.append(None)
            continue
        number = step.index + 1
        label = f"step {number} of {total} · {step.provider_status} · {step.name}"
        artifact = Artifact(
            id=step.id or f"step-{number}",
            kind="screenshot",
            url=step.screenshot_url,
            label=f"step {number}",
        )
        targets.append(
            ShotTarget(step.screenshot_url, label, artifact, failing=step.status in FAILING)
        )
    return targets


def failing_index(detail: RunDetail) -> int | None:
    """The step whose screenshot to show first: the first failing one with a screenshot, else
    the last step with one."""
    targets = step_targets(detail)
    found = [i for i, t in enumerate(targets) if t is not None]
    failing = [i for i in found if cast(ShotTarget, targets[i]).failing]
    return failing[0] if failing else (found[-1] if found else None)


def artifact_target(artifact: Artifact, failing_url: str | None) -> ShotTarget | None:
    if artifact.kind != "screenshot" or not artifact.url:
        return None
    failing = artifact.url == failing_url
    label = f"{artifact.label or 'screenshot'}{' · the failing step' if failing else ''}"
    return ShotTarget(artifact.url, label, artifact, failing=failing)


class DetailScreenshots(RunActions):
    """Mixed into the detail view, which calls `screenshots_changed()` after filling its panes."""

    # The table above a screenshot keeps to 55% of its pane: ui/detail/run_detail.tcss.

    detail: RunDetail | None

    @property
    def _shots(self) -> ScreenshotHost:
        return cast(ScreenshotHost, self.app)

    def _panel(self, pane: str) -> ScreenshotPanel:
        return self.query_one(f"#{pane}-shot", ScreenshotPanel)

    def _reveal(self, pane: str, shown: bool) -> None:
        self._panel(pane).set_class(shown, "-shown")
        self.query_one(f"#{pane}", TabPane).set_class(shown, "-with-shot")

    def _failing_url(self, detail: RunDetail) -> str | None:
        index = failing_index(detail)
        target = step_targets(detail)[index] if index is not None else None
        return target.url if target else None

    @staticmethod
    def last_step_with_shot(detail: RunDetail) -> int | None:
        """Where the cursor goes in a run that did not fail: the last step with a screenshot."""
        found = [i for i, target in enumerate(step_targets(detail)) if target is not None]
        return found[-1] if found else None

    def screenshots_changed(self, detail: RunDetail) -> None:
        """The panes were filled from `detail` (the steps table's cursor already placed)."""
        targets = step_targets(detail)
        self._reveal("steps", any(targets))
        if any(targets):
            self.show_step_shot(self.query_one("#steps-table", DataTable).cursor_row)
        shots = [a for a in detail.artifacts.items if artifact_target(a, None)]
        self._reveal("artifacts", bool(shots))
        if shots:
            self.show_artifact_shot(self.query_one("#artifacts-table", DataTable).cursor_row)

    def show_step_shot(self, index: int) -> None:
        targets = step_targets(self.detail) if self.detail else []
        if index >= len(targets) and self.detail is not None:
            self._panel("steps").show_message(None, "This step was not reached: no screenshot.")
            return
        if not 0 <= index < len(targets):
            return
        target = targets[index]
        if target is None:
            self._panel("steps").show_message(None, "No screenshot for this step.")
        else:
            self._load(self._panel("steps"), target)

    def show_artifact_shot(self, index: int) -> None:
        if self.detail is None:
            return
        items = self.detail.artifacts.items
        failing = self._failing_url(self.detail)
        target = artifact_target(items[index], failing) if 0 <= index < len(items) else None
        if target is None:  # another kind highlighted: the failing step's (or the last) one
            shots = [t for a in items if (t := artifact_target(a, failing)) is not None]
            target = next((t for t in shots if t.failing), shots[-1] if shots else None)
        if target is not None:
            self._load(self._panel("artifacts"), target)

    def _load(self, panel: ScreenshotPanel, target: ShotTarget) -> None:
        if panel.target == target:
            return  # on show, on its way, or already refused: a refreshed detail changes nothing
        panel.show_loading(target)

        async def fetch() -> None:  # made only if it starts: a newer choice may replace it first
            await self._fetch_shot(panel, target)

        group = f"screenshot-{panel.id}"
        # Textual types a coroutine function run as a worker as returning Never: hence the ignore.
        self.run_worker(fetch, group=group, exclusive=True, exit_on_error=False)  # type: ignore[arg-type]

    async def _fetch_shot(self, panel: ScreenshotPanel, target: ShotTarget) -> None:
        run = self.current_run()
        if run is None:
            return
        source = self._shots.engine.source(run.provider)
        try:
            shot = await self._shots.screenshots.load(source, target.url)
        except (ProviderError, ImageRefused) as error:
            if panel.target == target:
                panel.show_message(target, f"No picture: {render.safe_lines(str(error))}")
            return
        if panel.target == target:
            panel.show(target, shot)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.detail is None:
            return
        if event.data_table.id == "steps-table" and any(step_targets(self.detail)):
            self.show_step_shot(event.cursor_row)
        elif event.data_table.id == "artifacts-table":
            self.show_artifact_shot(event.cursor_row)

    def open_full(self, target: ShotTarget | None) -> None:
        run = self.current_run()
        if target is None or run is None:
            self.notify("No screenshot here", markup=False)
            return
        shown = [p.shot for p in self.query(ScreenshotPanel) if p.target == target]
        self.app.push_screen(ScreenshotScreen(run, target, next((s for s in shown if s), None)))

    def open_step_full(self, index: int) -> None:
        targets = step_targets(self.detail) if self.detail else []
        self.open_full(targets[index] if 0 <= index < len(targets) else None)

    def open_artifact_full(self, artifact: Artifact) -> None:
        failing = self._failing_url(self.detail) if self.detail else None
        self.open_full(artifact_target(artifact, failing))

    def action_open_browser(self) -> None:
        """`o` on a screenshot panel opens that screenshot; anywhere else, as before."""
        panel = self.focused
        if isinstance(panel, ScreenshotPanel) and panel.target is not None:
            self.open_address(panel.target.url, "this screenshot")
            return
        super().action_open_browser()

    def action_open_screenshot(self) -> None:
        """`enter` where no table takes it (the tab bar has the focus): the active pane's picture."""
        pane = self.query_one(TabbedContent).active
        if pane in ("steps", "artifacts"):
            self.open_full(self._panel(pane).target)

    def on_screenshot_panel_open(self, message: ScreenshotPanel.Open) -> None:
        self.open_full(message.panel.target)
