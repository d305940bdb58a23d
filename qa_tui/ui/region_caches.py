"""Textual's geometry caches, kept small in a session left open all day.

Textual memoizes `Region` arithmetic (`intersection`, `overlaps`, `translate`, ...) in
functools lru caches of 1,024 to 4,096 entries. A busy table asks for new regions all day: a
frame's crop is the union of the cells that changed in it, and the combinations hardly repeat,
so the caches fill at tens of regions a minute for hours (bench/allday.py --census, minutes 5
to 16: `overlaps` 384 to 756, `intersection` 389 to 609). Each region kept is a few small
long-lived objects placed among a frame's short-lived ones, where it keeps pymalloc's pools
from emptying. Once a minute, a cache holding more than `KEPT` regions is emptied: the regions a
frame needs come back at once (each is a few additions).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.geometry import Region

KEPT = 256
"""Regions a cache may hold before the minute's look empties it."""
EVERY_S = 60.0


def _caches() -> list[Any]:
    """Region's lru-cached methods (what a Textual release has of them)."""
    return [
        method
        for name in dir(Region)
        if callable(method := getattr(Region, name, None)) and hasattr(method, "cache_info")
    ]


class RegionCaches:
    """Looks at Textual's Region caches on the app's tick, once a minute."""

    def __init__(
        self,
        *,
        kept: int = KEPT,
        every_s: float = EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kept = kept
        self.every_s = every_s
        self._monotonic = monotonic
        self._looked = monotonic()
        self._caches = _caches()

    def tick(self) -> int:
        """Empty the caches over `kept`, when a minute has passed; how many were emptied."""
        now = self._monotonic()
        if now - self._looked < self.every_s:
            return 0
        self._looked = now
        emptied = 0
        for cache in self._caches:
            if cache.cache_info().currsize > self.kept:
                cache.cache_clear()
                emptied += 1
        return emptied
