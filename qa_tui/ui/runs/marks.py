"""Marks on the runs table (`space`, `*`, `esc`) and `x`, `r`, `w`, `b` on every marked run.

The marks are a set of run keys the dashboard holds; the table shows them through its existing
name mark (`+` before the name, beside a watch mark), so the table's drawing is not touched. An
action on the marks asks once (the count and the first few runs, and those left out with the
reason), then calls, run after run, the very engine call the single-run key makes
(`Engine.stop_run`, `Engine.rerun`; the watch list's toggle): a check on that path covers the
marks too, and each request waits its turn in its provider's budget. Every marked run's outcome
is told, those left out included (core/actions/marked.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from rich.text import Text

from qa_tui.core.actions import marked
from qa_tui.core.bugs.db import ReportState
from qa_tui.core.bugs.marked_report import marked_draft, marked_key
from qa_tui.core.bugs.triage import can_file
from qa_tui.core.model import Run
from qa_tui.core.runs.store import RunKey
from qa_tui.ui import render
from qa_tui.ui.confirm import ConfirmScreen
from qa_tui.ui.runs.run_actions import RunActions, failure_words

MARK = "+"
"""Before a marked run's name (ASCII: the same with NO_COLOR and in any font)."""


class Marks:
    """The marked runs, by key, in the order they were marked."""

    def __init__(self) -> None:
        self._keys: dict[RunKey, None] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    @property
    def keys(self) -> list[RunKey]:
        return list(self._keys)

    def toggle(self, key: RunKey) -> bool:
        """Mark or unmark; True when it is marked now."""
        if key in self._keys:
            del self._keys[key]
            return False
        self._keys[key] = None
        return True

    def mark_all(self, keys: Iterable[RunKey]) -> None:
        for key in keys:
            self._keys.setdefault(key, None)

    def discard(self, keys: Iterable[RunKey]) -> bool:
        """Unmark runs that left the store; True when any was marked."""
        gone = [key for key in keys if key in self._keys]
        for key in gone:
            del self._keys[key]
        return bool(gone)

    def clear(self) -> None:
        self._keys.clear()

    def marker(self, watch_mark: Callable[[Run], bool | str]) -> Callable[[Run], bool | str]:
        """The table's name mark: `+` for a marked run, beside its watch mark (`◉`, `◎`)."""

        def mark_of(run: Run) -> bool | str:
            watched = watch_mark(run)
            if run.key not in self._keys:
                return watched
            return f"{MARK} {watched}" if isinstance(watched, str) and watched else MARK

        return mark_of


class MarkedActions:
    """`x`, `r`, `w`, `b` on the marks of `screen` (the dashboard)."""

    def __init__(self, screen: RunActions, marks: Marks) -> None:
        self.screen = screen
        self.marks = marks

    def runs(self) -> list[Run]:
        store = self.screen.qa_app.engine.store
        rows = (store.get(key) for key in self.marks.keys)
        return [row.run for row in rows if row is not None]

    def _ask(
        self,
        verb: str,
        why_not: Callable[[Run], str | None],
        act: Callable[[list[Run], list[marked.Outcome]], None],
    ) -> None:
        runs, skipped = marked.split(self.runs(), why_not)
        if not runs:
            self._tell(verb, skipped)
            return
        question = Text(render.safe_lines(marked.question(verb, runs, skipped)))
        self.screen.app.push_screen(
            ConfirmScreen(question, yes=f"{verb} {len(runs)}"),
            lambda yes: act(runs, skipped) if yes else None,
        )

    def _tell(self, verb: str, outcomes: list[marked.Outcome]) -> None:
        failed = any(not outcome.done for outcome in outcomes)
        self.screen.notify(
            render.safe_lines(marked.report(verb, outcomes)),
            severity="warning" if failed else "information",
            timeout=12 if failed else 6,
            markup=False,
        )

    def _each(
        self,
        verb: str,
        act: Callable[[Run], Awaitable[str]],
        runs: list[Run],
        skipped: list[marked.Outcome],
    ) -> None:
        async def work() -> None:
            outcomes = await marked.act_on_each(runs, act, failure_words)
            self._tell(verb, [*outcomes, *skipped])

        self.screen.run_worker(work(), group="actions", exit_on_error=False)

    def stop_each(self) -> None:
        engine = self.screen.qa_app.engine

        async def stop_one(run: Run) -> str:
            return f"now {render.status_word(await engine.stop_run(run.key))}"

        self._ask(
            "Stop",
            lambda run: marked.why_not_stop(run, engine.source(run.provider).capabilities),
            lambda runs, skipped: self._each("Stop", stop_one, runs, skipped),
        )

    def rerun_each(self) -> None:
        engine = self.screen.qa_app.engine

        async def rerun_one(run: Run) -> str:
            return f"started {render.safe((await engine.rerun(run.key)).id, 30)}"

        self._ask(
            "Re-run",
            lambda run: marked.why_not_rerun(run, engine.source(run.provider).capabilities),
            lambda runs, skipped: self._each("Re-run", rerun_one, runs, skipped),
        )

    def watch_each(self) -> None:
        notices = self.screen.qa_app.notices

        def watch_all(runs: list[Run], skipped: list[marked.Outcome]) -> None:
            outcomes = [
                marked.Outcome(run, True, notices.toggle(run, target=False)) for run in runs
            ]
            self._tell("Watch", [*outcomes, *skipped])

        self._ask("Watch", lambda run: marked.why_not_watch(run, notices.watched(run)), watch_all)

    def file_one_bug(self) -> None:
        """One report listing every marked failed run (the bug form is the question)."""
        from qa_tui.ui.bugs.bug_actions import NO_TRACKER, form_for

        host = self.screen.qa_app
        if host.tracker is None or host.outbox is None:
            self.screen.notify(NO_TRACKER, severity="warning", timeout=10, markup=False)
            return
        runs, skipped = marked.split(
            self.runs(),
            lambda run: None if can_file(run) else f"{render.status_word(run)}, not failed",
        )
        if not runs:
            self._tell("File a bug", skipped)
            return
        if skipped:
            self._tell("Left out of the bug", skipped)
        key = marked_key(runs)
        filed = host.outbox.links().get(key)
        if filed:
            self.screen.notify(f"Bug {render.safe(filed)} was filed for these runs", markup=False)
            return
        report = host.outbox.open_report_for(key)
        if report is not None and report.state in (ReportState.PENDING, ReportState.SENDING):
            self.screen.notify(
                "A report for these runs is waiting to be sent (B shows the outbox)", markup=False
            )
            return
        draft = host.drafts.get(key) or (report.draft if report is not None else None)
        draft = draft or marked_draft(runs, host.bug_defaults)
        self.screen.app.push_screen(form_for(host, key, f"{len(runs)} marked runs", draft, report))
