"""Messages the app posts to itself when the engine reports (engine callbacks run in the loop)."""

from __future__ import annotations

from textual.message import Message

from qa_tui.core.bugs.db import Report
from qa_tui.core.model import ProviderHealth
from qa_tui.core.runs.store import Changes
from qa_tui.core.team.status import TeamStatus


class RunsChanged(Message):
    """One change batch from the engine, as the engine emitted it (never merged on its way:
    each is applied in the order it came)."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class TeamChanged(Message):
    """Team mode's state changed (role, instances watching); a newer one replaces an older one."""

    def __init__(self, status: TeamStatus) -> None:
        super().__init__()
        self.status = status

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TeamChanged)


class ProviderHealthChanged(Message):
    """A provider's health changed; a newer one for the same provider replaces an older one."""

    def __init__(self, health: ProviderHealth) -> None:
        super().__init__()
        self.health = health

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, ProviderHealthChanged)
            and message.health.provider == self.health.provider
        )


class OutboxChanged(Message):
    """A bug report in the outbox changed state (queued, sent, filed, failed, …)."""

    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report
