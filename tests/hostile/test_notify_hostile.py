"""Notifications carry provider text onto the terminal inside escape sequences: whatever a run's
name or error holds, what reaches the terminal is whole notification sequences and bells, and
their text is plain (no ESC, BEL, ST, C1, bidi or zero-width character), for every method,
inside and outside tmux; the toasts on screen stay inert too."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa_tui.core.clock import SYSTEM_CLOCK
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.model import RunStatus
from qa_tui.core.notify.settings import Method
from qa_tui.core.runs.store import RunStore
from qa_tui.ui.app import QaTuiApp
from tests.hostile.corpus import HOSTILE, forbidden_in
from tests.hostile.test_injection import frame
from tests.support.fakes import FakeSource, make_run
from tests.support.notify import TMUX_ENV, FakeTerminal, center_for, is_plain, notifications
from tests.support.pilot import table_with_rows, wait_until

FAST = EngineSettings(active_interval_s=0.05, idle_interval_s=0.05, idle_requests_per_minute=6000)


def _writes(terminal: FakeTerminal, count: int) -> Callable[[], bool]:
    return lambda: len(terminal.writes) == count


@pytest.mark.parametrize("tmux", [False, True], ids=["outside-tmux", "in-tmux"])
@pytest.mark.parametrize("method", [Method.OSC9, Method.OSC777, Method.OSC99], ids=str)
async def test_hostile_names_and_errors_reach_the_terminal_only_as_plain_text(
    method: Method, tmux: bool
) -> None:
    source = FakeSource(clock=SYSTEM_CLOCK, per_minute=60000)
    runs = [
        make_run(f"h{i}", name=text, test_id=f"t{i}", minutes_ago=i)
        for i, text in enumerate(HOSTILE.values())
    ]
    source.put(*runs)
    terminal = FakeTerminal()
    center = center_for(terminal, method=method, env=TMUX_ENV if tmux else None)
    for run in runs:
        center.watchlist.toggle_run(run)
    engine = Engine([source], RunStore(), clock=SYSTEM_CLOCK, settings=FAST)
    app = QaTuiApp(engine, tick_seconds=0, notify=center, terminal=terminal.write)
    async with app.run_test(size=(120, 30)) as pilot:
        await table_with_rows(pilot, len(runs))
        for count, (run, hostile) in enumerate(zip(runs, HOSTILE.values(), strict=True), 1):
            source.put(run.model_copy(update={"status": RunStatus.FAILED, "error": hostile}))
            await wait_until(pilot, _writes(terminal, count), what=run.id)
        found, bells = notifications(terminal.output, tmux=tmux)
        assert bells == len(runs)
        assert len(found) == len(runs) * (2 if method is Method.OSC99 else 1)
        for _, text in found:
            assert is_plain(text), text
            assert not forbidden_in(text)
        screen = frame(app)
        assert not forbidden_in(screen), forbidden_in(screen)
