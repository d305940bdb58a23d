"""BugBug run profiles by name: what the run history calls a BugBug run's target.

A test run carries only its `runProfileId`; a suite run also its `profileName`. Names are learnt
from suite runs for free (`BugBugMemory.learn_profile_names`) and from `GET /profiles/`: read once
beside the first list (so the first batch already names its profiles), and when a list shows a
profile id not known yet (each id at most once: a profile deleted since is not asked about again).
A failed read leaves the id as the target's name: a run is never lost for a name. What was read
and asked is kept in the source's memory; these functions are the policy of when to ask.
"""

from __future__ import annotations

from collections.abc import Iterable

from qa_tui.core.errors import ProviderError
from qa_tui.core.providers.bugbug.api import BugBugApi
from qa_tui.core.providers.bugbug.memory import BugBugMemory
from qa_tui.core.providers.bugbug.wire import V2TestRun


async def read_once(api: BugBugApi, memory: BugBugMemory) -> None:
    """`GET /profiles/` the first time only (beside the first list)."""
    if not memory.profiles_listed:
        memory.profiles_listed = True
        await _read(api, memory)


async def ensure(api: BugBugApi, memory: BugBugMemory, tests: Iterable[V2TestRun]) -> None:
    """Read the profiles again when `tests` name one neither known nor asked about."""
    ids = {t.run_profile_id for t in tests if t.run_profile_id}
    unknown = ids - memory.profile_names.keys() - memory.profiles_asked
    if unknown:
        memory.profiles_asked |= unknown
        memory.profiles_listed = True
        await _read(api, memory)


async def _read(api: BugBugApi, memory: BugBugMemory) -> None:
    memory.profile_reads += 1
    try:
        profiles = await api.list_profiles()
    except ProviderError:
        return
    memory.profile_names.update({p.id: p.name for p in profiles.items if p.name})
