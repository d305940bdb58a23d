"""Run in a pseudo-terminal by test_graphics_detection.py: detect how the terminal draws, then
draw one screenshot panel with a real Textual driver and exit, saying what was detected."""

from __future__ import annotations

from textual.app import App, ComposeResult

from qa_tui.core.images.decode import prepare
from qa_tui.core.images.fetch import Screenshot
from qa_tui.core.model import Artifact
from qa_tui.sim.screenshots import step_screenshot
from qa_tui.ui.shots.graphics import detect, image_widget
from qa_tui.ui.shots.screenshot import ScreenshotPanel, ShotTarget


class OnePanel(App[str]):
    def compose(self) -> ComposeResult:
        yield ScreenshotPanel()

    def on_mount(self) -> None:
        ready = prepare(step_screenshot(3, "failed"))
        url = "http://sim.test/3.png"
        target = ShotTarget(url, "step 3 of 3 · failed", Artifact(id="a", kind="screenshot"))
        panel = self.query_one(ScreenshotPanel)
        panel.set_class(True, "-shown")
        panel.show(target, Screenshot(url, ready.image, ready.size, from_cache=False))
        self.call_after_refresh(lambda: self.call_after_refresh(self._done))

    def _done(self) -> None:
        self.exit(f"{detect().value} {image_widget().__name__}")


if __name__ == "__main__":
    detect()
    print(f"\nDETECTED {OnePanel().run()}", flush=True)
