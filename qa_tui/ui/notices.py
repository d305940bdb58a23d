"""The app's side of notifications: what the rules say goes to the terminal, a toast, the header.

`Notices` is handed the core's `NotifyCenter` (None: notifications off, `w` says so) and the
ways to reach the user, as callables the app gives it: `write` puts bytes on the terminal (the
app's driver; a list in tests), `toast` shows a Textual notification, `unseen` updates the
header's count, `marks` redraws the table's watch markers. Every notice is sent to the terminal
as it comes (a bell for tmux, an OSC for the terminal), then toasted; the header counts those
not seen yet until the user next presses a key or clicks (they are looking then).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from qa_tui.core.model import ProviderHealth, Run
from qa_tui.core.notify.center import NotifyCenter
from qa_tui.core.notify.delivery import Writer
from qa_tui.core.notify.notice import Notice
from qa_tui.core.runs.store import Changes
from qa_tui.ui import render
from qa_tui.ui.runs.run_line import TEST_WATCH_MARK, WATCH_MARK

OFF = "Notifications are off in this session, so there is no watch list"


class Notices:
    """Rules in, notifications out (terminal, desktop, toast, header count)."""

    def __init__(
        self,
        center: NotifyCenter | None,
        *,
        write: Writer,
        toast: Callable[[Notice], None],
        unseen: Callable[[int, str], None],
        marks: Callable[[], None],
    ) -> None:
        self.center = center
        self._write = write
        self._toast = toast
        self._unseen = unseen
        self.count = 0
        """Notifications since the user last pressed a key or clicked."""
        if center is not None:
            center.watchlist.changed.subscribe(lambda _: marks())

    def changes(self, changes: Changes) -> None:
        """A change batch from the engine (each one, before batches are merged for the table)."""
        if self.center is not None and changes:
            self._deliver(self.center.observe(changes))

    def health(self, health: ProviderHealth, now: datetime) -> None:
        if self.center is not None:
            self._deliver(self.center.health(health, now))

    def tick(self, now: datetime) -> None:
        if self.center is not None:
            self._deliver(self.center.tick(now))

    def _deliver(self, notices: list[Notice]) -> None:
        if not notices or self.center is None:
            return
        for notice in notices:
            self.center.send(notice, self._write)
            self._toast(notice)
        self.count += len(notices)
        self._unseen(self.count, notices[-1].title)

    def seen(self) -> None:
        """The user is looking (a key, a click): the header's count goes."""
        if self.count:
            self.count = 0
            self._unseen(0, "")

    # --- the watch list ---------------------------------------------------------------------

    def watched(self, run: Run) -> bool:
        return self.center is not None and self.center.watchlist.covers(run)

    def watch_mark(self, run: Run) -> str:
        """The mark before a watched run's name: `◉` watched by itself (`w`), `◎` through its
        test, suite or plan (`W`); empty when not watched."""
        if self.center is None:
            return ""
        watchlist = self.center.watchlist
        if watchlist.watches_run(run):
            return WATCH_MARK
        return TEST_WATCH_MARK if watchlist.watches_target(run) else ""

    def toggle(self, run: Run, *, target: bool) -> str:
        """Watch or unwatch the run (`target`: every run of its test, suite or plan); what to
        tell the user."""
        if self.center is None:
            return OFF
        watchlist = self.center.watchlist
        name = render.safe(run.name, 50)
        if target:
            what = {"suite": "suite", "execution": "plan"}.get(run.kind.value, "test")
            if watchlist.toggle_target(run):
                return f"Watching every run of this {what}: {name}"
            return f"No longer watching this {what}: {name}"
        if run.status.is_terminal and not watchlist.watches_run(run):
            return f"{name} has ended ({run.status.value}); W watches every future run of it"
        if watchlist.toggle_run(run):
            return f"Watching {name}: you will be told when it ends"
        return f"No longer watching {name}"
