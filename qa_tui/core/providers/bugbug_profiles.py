"""BugBug run profiles by name: what the run history calls a BugBug run's target.

A test run carries only its `runProfileId`; a suite run also its `profileName`. Names are learnt
from suite runs for free and from `GET /profiles/`: read once beside the first list (so the first
batch already names its profiles), and when a list shows a profile id not known yet (each id at
most once: a profile deleted since is not asked about again). A failed read leaves
the id as the target's name: a run is never lost for a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from qa_tui.core.errors import ProviderError
from qa_tui.core.providers.bugbug_wire import V2SuiteRun, V2TestRun

if TYPE_CHECKING:
    from qa_tui.core.providers.bugbug_api import BugBugApi


class ProfileNames:
    """Profile id → name, as far as BugBug has told."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self._asked: set[str] = set()
        self._listed = False
        self.reads = 0
        """Requests made for names (the engine does not count them in its live pace)."""

    def learn(self, suites: Iterable[V2SuiteRun]) -> None:
        for suite in suites:
            if suite.profile_id and suite.profile_name:
                self.names[suite.profile_id] = suite.profile_name

    async def read_once(self, api: BugBugApi) -> None:
        """`GET /profiles/` the first time only (beside the first list)."""
        if not self._listed:
            self._listed = True
            await self._read(api)

    async def ensure(self, api: BugBugApi, tests: Iterable[V2TestRun]) -> None:
        """Read the profiles again when `tests` name one neither known nor asked about."""
        ids = {t.run_profile_id for t in tests if t.run_profile_id}
        unknown = ids - self.names.keys() - self._asked
        if unknown:
            self._asked |= unknown
            self._listed = True
            await self._read(api)

    async def _read(self, api: BugBugApi) -> None:
        self.reads += 1
        try:
            profiles = await api.list_profiles()
        except ProviderError:
            return
        self.names.update({p.id: p.name for p in profiles.items if p.name})
