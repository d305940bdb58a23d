"""Bringing the history up to date from the providers' own lists, for the headless commands
(`qa-tui flaky`, `qa-tui incidents`): a fresh machine with a config gets an answer at once.

Every provider is read at once. A source with whole-list walks (`Discovers`: BugBug's test and
suite runs, BugBrain's executions) is walked newest first, page by page, until a page reaches
back past `since` or the list ends (at most `max_pages` pages a list); any other source gives its
newest runs (`list_runs`; Bug0: the triggers recorded here). A failed run whose list did not
say where it failed (`ReadsFailures`: BugBug's opaque `stepsRuns`) has that read before it is
judged, so failures of different tests are grouped by their errors, never by a bare code.
Every request goes through the source's budget. A provider that fails is one line in the
answer; the others still count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from qa_tui.core.errors import ProviderError
from qa_tui.core.history.service import History
from qa_tui.core.model import Run
from qa_tui.core.providers.base import Discovers, ReadsFailures, RunSource

MAX_PAGES = 50
"""Pages of one list read at most (5,000 runs with pages of 100)."""


async def _with_failures(source: RunSource, runs: Sequence[Run], since: datetime) -> list[Run]:
    """`runs`, each failed one since `since` with where it failed read where its list did not say."""
    if not isinstance(source, ReadsFailures):
        return list(runs)
    read = []
    for run in runs:
        when = run.ended or run.started or run.queued
        if source.failure_unread(run) and when is not None and when >= since:
            run = await source.read_failure(run)
        read.append(run)
    return read


def _reaches_back(runs: Sequence[Run], since: datetime) -> bool:
    times = [when for r in runs if (when := r.started or r.queued or r.ended) is not None]
    return bool(times) and min(times) < since


async def sync_source(
    source: RunSource, history: History, since: datetime, *, max_pages: int = MAX_PAGES
) -> int:
    """Record `source`'s final runs back to `since`; returns how many were read."""
    read = 0
    if isinstance(source, Discovers) and source.capabilities.list_runs:
        for query in source.sweep_queries():
            if not query.is_walk:
                continue
            for page in range(max_pages):
                found = await source.list_page(query, page)
                history.record_runs(await _with_failures(source, found.runs, since))
                read += len(found.runs)
                if not found.more or _reaches_back(found.runs, since):
                    break
        return read
    if source.capabilities.list_runs:
        listed = await source.list_runs(limit=100)
        history.record_runs(await _with_failures(source, listed.runs, since))
        read += len(listed.runs)
    return read


async def sync_recent(sources: Sequence[RunSource], history: History, since: datetime) -> list[str]:
    """Sync every source at once; one line per provider that failed (kind: message)."""

    async def one(source: RunSource) -> str | None:
        try:
            await sync_source(source, history, since)
        except ProviderError as error:
            return f"{source.name}: {error.kind.value}: {error.message}"
        except Exception as error:  # a bug in one client must not hide the other providers
            return f"{source.name}: unexpected {type(error).__name__}"
        finally:
            await source.aclose()
        return None

    return [line for line in await asyncio.gather(*(one(s) for s in sources)) if line]
