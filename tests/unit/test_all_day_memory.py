"""Open all day: what qa-tui keeps for a run does not pile up with every value the run had.

A busy table draws thousands of values of its runs an hour (every poll that moves a progress
bar makes a new, immutable `Run`); whatever is kept per run must be kept per run key, so the
old values go as the new ones come (bench/allday.py measures the whole app over 30 minutes).
"""

from __future__ import annotations

import gc
import inspect
from pathlib import Path

from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.service import History
from qa_tui.core.model import Progress, Run, RunStatus
from qa_tui.core.notify.rules import TOLD_KEPT, Rules
from qa_tui.core.notify.settings import NotifyConfig
from qa_tui.core.notify.watchlist import WatchList
from qa_tui.core.store import Changes, Row
from tests.support.fakes import make_run


def holders(value: object) -> list[object]:
    """What refers to `value`, but the frames of running code (the test's own locals)."""
    return [ref for ref in gc.get_referrers(value) if not inspect.isframe(ref)]


def test_the_history_cell_of_a_run_lets_its_old_values_go(tmp_path: Path) -> None:
    """GIVEN a running run whose HISTORY cell was drawn WHEN its progress moves on (a new value
    of the run) and that is drawn THEN nothing in the history holds the old value any more."""
    history = History(RunHistory(tmp_path / "h.sqlite"))
    old: Run = make_run("a", progress=Progress(done=1, total=5))
    history.cell(old)
    for done in range(2, 6):
        history.cell(old.model_copy(update={"progress": Progress(done=done, total=5)}))
    assert holders(old) == []
    history.close()


def test_the_notification_rules_remember_a_bounded_number_of_runs_told_of() -> None:
    """GIVEN more runs seen running and then ending than TOLD_KEPT (an all-day session's worth)
    THEN the rules remember TOLD_KEPT of them, not every one."""
    rules = Rules(NotifyConfig(), WatchList())
    for i in range(TOLD_KEPT + 50):
        rules.observe(Changes(added=(Row(make_run(f"r{i}")),)))
        rules.observe(Changes(updated=(Row(make_run(f"r{i}", RunStatus.PASSED)),)))
    assert len(rules._told) == TOLD_KEPT
