"""What one BugBrain source has learnt: how its lists page, and where each walk stands.

BugBrain's list pages by `limit`/`offset`; the total may be absent and `limit` capped below what
was asked [INF], so offsets advance by what was served and the cap is learnt (`ListShape`,
core/http/paging.py). The endpoints (`api.BugBrainApi`) keep none of this themselves: they write
into this memory's shape. Nothing here does I/O.
"""

from __future__ import annotations

from qa_tui.core.http.paging import ListShape

OFFSETS_KEPT = 10_000
"""Walk offsets kept at most before they are forgotten (all at once: a rare, bounded reset)."""


class BugBrainMemory:
    """Everything one BugBrain source has learnt; every field starts empty."""

    def __init__(self) -> None:
        self.shape = ListShape()
        """What BugBrain's lists turned out to speak (a total or not, the size served)."""
        self.walked: dict[tuple[str, int], int] = {}
        """(query label, page) → the offset that page starts at, by what earlier pages served."""

    def offset_of(self, label: str, page: int, size: int) -> int:
        """Where page `page` of the query `label` starts: after what its earlier pages served,
        else `page * size`."""
        return self.walked.get((label, page), page * size)

    def walked_to(self, label: str, page: int, offset: int) -> None:
        """The query `label`'s page `page` starts at `offset` (what the pages before served)."""
        if len(self.walked) > OFFSETS_KEPT:
            self.walked.clear()
        self.walked[(label, page)] = offset
