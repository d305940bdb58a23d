"""What the screens and the app know of each other, so neither imports the other's module.

The app imports the screens to show them; the screens never import the app. What a screen uses of
the app is `ScreenHost`, a protocol of exactly those services (the engine and through it the store
and the providers, the clock, the tracker, the outbox, the bug defaults and kept drafts, the
notifications and watch list); what the app calls on a screen is `ChangeListener`. `QaTuiApp` satisfies `ScreenHost` by its shape: mypy
checks it where the app hands itself to a screen's helper (`bug_actions.form_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from textual.app import App

from qa_tui.core.bugs.outbox import Outbox
from qa_tui.core.bugs.triage import TriageDefaults
from qa_tui.core.clock import Clock
from qa_tui.core.engine import Engine
from qa_tui.core.model import ProviderHealth
from qa_tui.core.providers.bugnet import BugDraft, BugnetClient
from qa_tui.core.runs.store import Changes, RunKey
from qa_tui.ui.keymap import UserKeys
from qa_tui.ui.notices import Notices


@runtime_checkable
class ScreenHost(Protocol):
    """The app's services, as the screens use them."""

    @property
    def engine(self) -> Engine:
        """Polls the providers; holds the run store; stops, re-runs, starts and fetches details."""

    @property
    def clock(self) -> Clock:
        """The app's clock (frozen in tests and snapshots)."""

    @property
    def tracker(self) -> BugnetClient | None:
        """The Bugnet client (None: no `[tracker]` configured)."""

    @property
    def outbox(self) -> Outbox | None:
        """Bug reports on their way to Bugnet (None with no tracker)."""

    @property
    def bug_defaults(self) -> TriageDefaults:
        """What every new bug draft starts with (priority, category, labels), from the config."""

    @property
    def drafts(self) -> dict[RunKey, BugDraft]:
        """Bug forms closed with esc, by run: `b` reopens them (the form keeps them here)."""

    @property
    def user_keys(self) -> UserKeys:
        """The user's keys (`[keys]`): what `?` and the palette show."""

    @property
    def notices(self) -> Notices:
        """Notifications and the watch list (`w`, `W`)."""

    @property
    def provider_health(self) -> Mapping[str, ProviderHealth]:
        """Each provider's latest health, by name (the header's, and the health panel's)."""


def host_of(app: App[object]) -> ScreenHost:
    """The running app as a `ScreenHost`; a screen shown by any other app is a bug, said plainly."""
    if not isinstance(app, ScreenHost):
        raise TypeError(f"{type(app).__name__} does not provide what qa-tui's screens need")
    return app


class ChangeListener:
    """A screen that wants change batches too (the detail view follows its run): the app hands
    each batch to the screen on top when it is one."""

    def runs_changed(self, changes: Changes) -> None:
        raise NotImplementedError
