"""A typed event an object offers to whoever wants to hear it: `engine.changes`,
`engine.health`, `team.status`, `outbox.changed`, `history.changed`, `watchlist.changed`.

The object that has something to say owns its `Signal` and emits on it; a listener subscribes
through it and gets back the way to unsubscribe. Nothing is wired by assigning a callback to
another object's attribute: the wiring can be read where it is made, one object may have many
listeners, and none silently replaces another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Signal(Generic[T]):
    """Listeners of one kind of event, called in the order they subscribed."""

    def __init__(self, name: str) -> None:
        self.name = name
        """What it announces, for reprs and errors (`engine.changes`)."""
        self._listeners: list[Callable[[T], None]] = []

    def __repr__(self) -> str:
        return f"Signal({self.name!r}, listeners={len(self._listeners)})"

    def subscribe(self, listener: Callable[[T], None]) -> Callable[[], None]:
        """Call `listener` with every value emitted from now on; returns the unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, value: T) -> None:
        """Tell every listener (one that subscribes or leaves meanwhile does not change this
        emission)."""
        for listener in list(self._listeners):
            listener(value)

    @property
    def heard(self) -> bool:
        """True when anyone listens."""
        return bool(self._listeners)
