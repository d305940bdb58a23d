"""`NotifyCenter`: the rules, the watch list and the delivery, as the app and commands use them.

The app hands every change batch and health report to it and shows what comes back (a toast,
the header's count) after sending it (`send`, to the writer the app hands in). A batch that
calls for more than three notices gives one summary instead: a suite of twenty tests failing at
once is one notification, not twenty.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from qa_tui.core.model import ProviderHealth
from qa_tui.core.notify.delivery import Delivery, Writer
from qa_tui.core.notify.notice import Notice, coalesced
from qa_tui.core.notify.rules import Rules, RunFacts
from qa_tui.core.notify.settings import NotifyConfig
from qa_tui.core.notify.watchlist import WatchList
from qa_tui.core.runs.store import Changes

WATCH_FILE = "watch.sqlite"


class NotifyCenter:
    """What deserves a notification, and sending it."""

    def __init__(
        self,
        settings: NotifyConfig,
        watchlist: WatchList,
        delivery: Delivery,
        *,
        history: RunFacts | None = None,
    ) -> None:
        """`history`: the run history, which the new-failure rule asks (see rules.py)."""
        self.settings = settings
        self.watchlist = watchlist
        self.delivery = delivery
        self.rules = Rules(settings, watchlist, history)

    @classmethod
    def open(
        cls,
        settings: NotifyConfig,
        data_dir: Path,
        env: Mapping[str, str],
        *,
        history: RunFacts | None = None,
    ) -> NotifyCenter:
        """The center of a real session: the watch list in `data_dir`, the real environment."""
        delivery = Delivery(settings, env)
        return cls(settings, WatchList(data_dir / WATCH_FILE), delivery, history=history)

    def observe(self, changes: Changes) -> list[Notice]:
        return coalesced(self.rules.observe(changes))

    def health(self, health: ProviderHealth, now: datetime) -> list[Notice]:
        return self.rules.health(health, now)

    def tick(self, now: datetime) -> list[Notice]:
        return self.rules.tick(now)

    def send(self, notice: Notice, write: Writer | None) -> None:
        self.delivery.send(notice, write)
