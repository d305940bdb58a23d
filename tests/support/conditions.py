"""Waiting on a condition, not for a time: for tests that drive async code without a pilot."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def until(
    predicate: Callable[[], bool | Awaitable[bool]], timeout_s: float = 10.0, what: str = ""
) -> float:
    """Wait for `predicate` (checked every 20 ms); the seconds it took. Fails at the deadline."""
    started = time.monotonic()
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or predicate}")
        await asyncio.sleep(0.02)
