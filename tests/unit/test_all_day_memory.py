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
from qa_tui.core.runs.store import Changes, Row, RunStore
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


def test_a_full_store_lets_the_oldest_finished_runs_go_never_an_active_one() -> None:
    """GIVEN a store that keeps 20 runs WHEN a batch brings it to 21 (the oldest run still
    running) THEN the finished runs that started longest ago leave, in that batch's removed
    keys, and the running run, however old, stays."""
    store = RunStore(keep=20)
    old_running = make_run("running", minutes_ago=600)
    finished = [make_run(f"f{i}", RunStatus.PASSED, minutes_ago=100 - i) for i in range(19)]
    store.apply([old_running, *finished])
    changes = store.apply([make_run("new", minutes_ago=0)])
    assert [row.key for row in changes.added] == [("web", "new")]
    assert changes.removed == (("web", "f0"), ("web", "f1"))
    assert len(store) == 19
    assert ("web", "running") in store


def test_a_run_added_and_let_go_in_one_batch_is_in_neither_list() -> None:
    store = RunStore(keep=3)
    store.apply([make_run(f"a{i}", minutes_ago=1) for i in range(3)])  # all running
    changes = store.apply([make_run("old", RunStatus.PASSED, minutes_ago=900)])
    assert changes.added == ()
    assert changes.removed == ()
    assert ("web", "old") not in store


def test_runs_given_the_same_fields_pay_for_the_names_once_and_a_copy_keeps_its_own() -> None:
    """GIVEN a thousand runs as a provider sends them (the same fields given each time) THEN
    they share one set of given field names (a third of a run's memory), and a copy of one with
    a field changed says it was given that field without changing what the others say."""
    runs = [make_run(f"r{i}", progress=Progress(done=1, total=5)) for i in range(1000)]
    assert len({id(run.model_fields_set) for run in runs}) == 1
    assert len({id(run.progress.model_fields_set) for run in runs if run.progress}) == 1
    copied = runs[0].model_copy(update={"error": "boom"})
    assert "error" in copied.model_fields_set
    assert "error" not in runs[1].model_fields_set
    assert runs[1].model_dump(exclude_unset=True).keys() == runs[1].model_fields_set
