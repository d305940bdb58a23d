"""Fixed-window request counters: the providers' documented rate limits and the ``rpm`` fault.

A window is aligned to multiples of its length on the rate clock (so ``X-RateLimit-Reset`` is the
next multiple, a unix timestamp as the providers document). A request past the limit is refused and
not counted.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of one counted request."""

    allowed: bool
    limit: int
    remaining: int
    reset: float
    """Unix time when the current window ends."""
    retry_after: int
    """Whole seconds until the window ends (at least 1)."""

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers BugBrain and Bugnet document."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
        }


class RateLimiter:
    """Counts requests per key in fixed windows of ``window_s`` seconds of ``now()``."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._counts: dict[tuple[str, float], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_s: float = 60.0) -> Verdict:
        """Count one request under ``key``; refuse it when the window is already full."""
        now = self._now()
        start = math.floor(now / window_s) * window_s
        with self._lock:
            w_start, count = self._counts.get((key, window_s), (start, 0))
            if w_start != start:
                count = 0
            allowed = count < limit
            if allowed:
                count += 1
            self._counts[(key, window_s)] = (start, count)
        reset = start + window_s
        return Verdict(
            allowed=allowed,
            limit=limit,
            remaining=max(limit - count, 0),
            reset=reset,
            retry_after=max(1, math.ceil(reset - now)),
        )

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
