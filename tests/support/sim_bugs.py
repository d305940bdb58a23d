"""The app with bug filing on the real simulator: the monitor of tests/support/sim_monitor.py plus
the Bugnet client and the outbox `qa-tui demo` builds from the config's `[tracker]`.

Bugnet is reached in-process through `SocketLike`, which turns the connection the simulator drops
(its `down` and `drop_rate` faults raise `ConnectionResetError` inside the app) into the
`httpx.RemoteProtocolError` a real socket gives, so the client sees what it would see in life.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa_tui.core.bugs.outbox import Outbox
from qa_tui.core.bugs.triage import TriageDefaults
from qa_tui.core.providers.bugnet import BugnetClient
from qa_tui.core.providers.registry import build_tracker
from qa_tui.sim.bugnet.world import Bug
from qa_tui.ui.app import QaTuiApp
from tests.support.sim_monitor import SimMonitor, build_monitor
from tests.support.sim_wire import SocketLike


@dataclass
class BugDesk:
    """A monitor whose app can file bugs into the simulated Bugnet."""

    monitor: SimMonitor
    app: QaTuiApp
    tracker: BugnetClient | None
    outbox: Outbox | None
    wire: SocketLike

    def bugs_titled(self, title: str) -> list[Bug]:
        """The simulator's bugs with this title (the ground truth)."""
        return [b for b in self.monitor.sim.bugnet.bugs.values() if b.title == title]

    async def aclose(self) -> None:
        if self.tracker is not None:
            await self.tracker.aclose()
        await self.monitor.aclose()


def build_desk(
    workdir: Path,
    *,
    tracker: bool = True,
    monitor: SimMonitor | None = None,
    **tracker_changes: Any,
) -> BugDesk:
    """`build_monitor` (or `monitor`), then the tracker and outbox (in `workdir`), then an app
    holding them. `tracker_changes` edit the config's `[tracker]` (e.g. `token=None` for a
    key-only setup)."""
    monitor = monitor or build_monitor(workdir)
    clock = monitor.engine.clock
    wire = SocketLike(monitor.sim_app)
    config = monitor.config
    if config.tracker is not None and tracker_changes:
        changed = config.tracker.model_copy(update=tracker_changes)
        config = config.model_copy(update={"tracker": changed})
    client = (
        build_tracker(config, clock=clock, transport_for=lambda _name: wire) if tracker else None
    )
    outbox = Outbox(client, workdir / "outbox.sqlite", clock=clock) if client else None
    app = QaTuiApp(
        monitor.engine,
        clock=clock,
        tick_seconds=0,
        tracker=client,
        outbox=outbox,
        bug_defaults=TriageDefaults.from_config(config.tracker),
    )
    return BugDesk(monitor, app, client, outbox, wire)
