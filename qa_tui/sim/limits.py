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
        return self.hit_all(key, [(limit, window_s)])

    def hit_all(self, key: str, limits: list[tuple[int, float]]) -> Verdict:
        """Count one request in several windows (e.g. per minute and per hour) at once.

        It is refused, and counted in none, when any window is full. The verdict describes the
        first window (what the ``X-RateLimit-*`` headers report), except that a refusal by a
        later window carries that window's reset and ``retry_after``.
        """
        now = self._now()
        with self._lock:
            states = []
            for limit, window_s in limits:
                start = math.floor(now / window_s) * window_s
                w_start, count = self._counts.get((key, window_s), (start, 0))
                states.append((limit, window_s, start, 0 if w_start != start else count))
            allowed = all(count < limit for limit, _, _, count in states)
            for _limit, window_s, start, count in states:
                self._counts[(key, window_s)] = (start, count + 1 if allowed else count)
        verdicts = [
            Verdict(
                allowed=allowed,
                limit=limit,
                remaining=max(limit - count - (1 if allowed else 0), 0),
                reset=start + window_s,
                retry_after=max(1, math.ceil(start + window_s - now)),
            )
            for limit, window_s, start, count in states
        ]
        full = [
            v for v, (limit, _, _, count) in zip(verdicts, states, strict=True) if count >= limit
        ]
        first = verdicts[0]
        if full and full[0] is not first:
            return Verdict(False, first.limit, first.remaining, full[0].reset, full[0].retry_after)
        return first

    def peek(self, key: str, limit: int, window_s: float = 60.0) -> Verdict:
        """The window of ``key`` as it stands, counting nothing (a request that costs nothing,
        like GitHub's 304, still reports it)."""
        now = self._now()
        start = math.floor(now / window_s) * window_s
        with self._lock:
            w_start, count = self._counts.get((key, window_s), (start, 0))
        count = 0 if w_start != start else count
        return Verdict(
            allowed=count < limit,
            limit=limit,
            remaining=max(limit - count, 0),
            reset=start + window_s,
            retry_after=max(1, math.ceil(start + window_s - now)),
        )

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
