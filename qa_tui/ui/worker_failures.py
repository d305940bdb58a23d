"""Screens that start workers report their failures through the app's one handler.

Textual tells only the node that started a worker when it fails, so a screen's worker that dies
of a bug would otherwise fail silently. Every screen with workers mixes this in.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.worker import Worker


class ForwardsWorkerFailures(DOMNode):
    """Forwards `Worker.StateChanged` to the app's `on_worker_state_changed`."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward = getattr(self.app, "on_worker_state_changed", None)
        if forward is not None:
            forward(event)
