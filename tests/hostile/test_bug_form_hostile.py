"""The bug form (issue 4) in a hostile world: a failed run whose name, error and steps are hostile,
similar bugs whose titles are hostile; nothing reaches the terminal as a control sequence, and no
credential ends up in the form, the filed bug, the outbox file, the logs or a screenshot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from qa_tui.core.bugs.outbox import Outbox
from qa_tui.core.bugs.triage import TriageDefaults
from qa_tui.core.model import RunStatus
from qa_tui.core.providers.registry import build_tracker
from qa_tui.core.runs.store import RunKey
from qa_tui.sim import credentials
from qa_tui.sim.scenario import HOSTILE_NAMES, ScenarioSpec
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.bugs.file_bug import FileBugScreen
from tests.hostile.corpus import forbidden_in
from tests.hostile.test_injection import frame, shown
from tests.hostile.test_secrets import SECRETS, all_log_text, leaked
from tests.support.pilot import wait_until, widget_text
from tests.support.sim_bugs import BugDesk
from tests.support.sim_monitor import build_monitor
from tests.support.sim_wire import SocketLike


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[BugDesk]:
    """`build_desk`, on a world whose tests, plans and bugs have hostile names."""
    monitor = build_monitor(tmp_path, spec=ScenarioSpec(hostile_names=True))
    wire = SocketLike(monitor.sim_app)
    clock = monitor.engine.clock
    client = build_tracker(monitor.config, clock=clock, transport_for=lambda _name: wire)
    assert client is not None
    outbox = Outbox(client, tmp_path / "outbox.sqlite", clock=clock)
    app = QaTuiApp(
        monitor.engine,
        clock=clock,
        tick_seconds=0,
        tracker=client,
        outbox=outbox,
        bug_defaults=TriageDefaults.from_config(monitor.config.tracker),
    )
    built = BugDesk(monitor, app, client, outbox, wire)
    yield built
    await built.aclose()


def _hostile_failed(app: QaTuiApp) -> RunKey | None:
    """A failed BugBug run whose name holds an escape sequence (else any hostile one)."""
    table = app.dashboard.table
    found: list[tuple[bool, RunKey]] = []
    for key in table.order:
        run = table.rows[key].run
        hostile = any(name[:12] in run.name for name in HOSTILE_NAMES)
        if hostile and run.status in (RunStatus.FAILED, RunStatus.ERROR) and run.provider == "web":
            found.append(("\x1b" not in run.name, key))
    return min(found)[1] if found else None


async def _open_form_on_a_hostile_failure(pilot: Pilot[int], desk: BugDesk) -> FileBugScreen:
    app = desk.app
    await wait_until(pilot, lambda: len(app.dashboard.table.order) > 5, what="runs")
    for _ in range(40):  # move the scenario on until a test named with an escape has failed
        key = _hostile_failed(app)
        if key is not None and "\x1b" in app.dashboard.table.rows[key].run.name:
            break
        desk.monitor.scenario.advance(30)
        await pilot.pause(0.1)
    key = _hostile_failed(app)
    assert key is not None, "no failed run with a hostile name"
    app.dashboard.table.move_cursor_to(key)
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, FileBugScreen), what="the bug form")
    form = app.screen
    assert isinstance(form, FileBugScreen)
    title = form.query_one("#similar-title", Static)
    await wait_until(pilot, lambda: "Looking" not in widget_text(title), what="similar search")
    return form


async def test_the_bug_form_shows_a_hostile_failure_and_hostile_similar_bugs_as_text(
    desk: BugDesk,
) -> None:
    app = desk.app
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await _open_form_on_a_hostile_failure(pilot, desk)
        await pilot.pause()
        output = frame(app)
        assert not forbidden_in(output), forbidden_in(output)
        assert "\x1b" not in shown(app)


async def test_filing_a_bug_leaks_no_credential_into_the_report_the_outbox_or_the_logs(
    desk: BugDesk, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    app = desk.app
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        form = await _open_form_on_a_hostile_failure(pilot, desk)
        screenshot = app.export_screenshot()
        draft = form.kept_draft()
        before = set(desk.monitor.sim.bugnet.bugs)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.dashboard, what="the form closes")
        await wait_until(
            pilot, lambda: bool(set(desk.monitor.sim.bugnet.bugs) - before), what="the bug filed"
        )
        notes = "\n".join(n.message for n in app._notifications)
    [new] = [desk.monitor.sim.bugnet.bugs[b] for b in set(desk.monitor.sim.bugnet.bugs) - before]
    filed = repr(desk.monitor.sim.bugnet.bug_json(new))  # what Bugnet holds, as it serves it
    outbox = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.sqlite*"))
    assert not leaked(draft.model_dump_json())
    assert not leaked(filed)
    assert not leaked(screenshot + notes)
    assert not leaked(all_log_text(caplog))
    for secret in SECRETS:
        assert secret.encode() not in outbox
    assert credentials.BUGNET_TOKEN not in repr(desk.tracker) + repr(desk.outbox)
