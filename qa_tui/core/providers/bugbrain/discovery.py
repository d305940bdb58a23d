"""The lists the engine's discovery reads on BugBrain (`providers.base.Discovers`), as functions.

`BugBrainSource` answers `Discovers` by calling these with its endpoints and its memory. Quirks
absorbed here:
- `status=running` and `status=pending` are read to their last offset; `queued` is not in the
  filter enum, so queued executions deep in the list are found by walking the whole list, offset
  by offset, at low priority. Offsets shift when executions are created or leave a filter while a
  sweep pages: a run skipped so is found by the next sweep;
- a page starts where the pages before it ended, by what the server served: it may cap `limit`
  [INF], without a total to tell;
- the list order is not documented [INF]: a run's place in it is taken to be by creation, newest
  first (`position_by_creation`);
- a time range (`around`) is by creation, `created_after`/`created_before`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from qa_tui.core.http.paging import offset_more
from qa_tui.core.http.wire import as_dict, parse_each
from qa_tui.core.model import Run
from qa_tui.core.providers.base import ListQuery, QueryPage
from qa_tui.core.providers.bugbrain.api import LIST_PAGE_SIZE, BugBrainApi
from qa_tui.core.providers.bugbrain.memory import BugBrainMemory
from qa_tui.core.providers.bugbrain.normalize import execution_to_run
from qa_tui.core.providers.bugbrain.wire import Execution

_EDGE = timedelta(seconds=1)
SWEEP_QUERIES = (
    ListQuery("executions status=running", "executions", "running"),
    ListQuery("executions status=pending", "executions", "pending"),
    ListQuery("executions", "executions"),
)
"""One discovery sweep: the two active statuses the filter knows, then the whole list (for
`queued`, which it does not, and for history)."""


def covering(run: Run) -> ListQuery | None:
    """The status filter that lists `run` while its raw status stays (running, pending)."""
    word = run.provider_status.strip().lower()  # a server may send `RUNNING` [INF]
    return next((q for q in SWEEP_QUERIES[:2] if q.status == word), None)


def around(runs: Sequence[Run]) -> ListQuery | None:
    """`created_after`/`created_before` around the runs' creation (a second either side:
    whether the bounds are inclusive is not documented [INF])."""
    times = [run.queued for run in runs if run.queued is not None]
    if not times:
        return None
    after, before = min(times) - _EDGE, max(times) + _EDGE
    return ListQuery("executions created in range", "executions", after=after, before=before)


async def list_page(
    api: BugBrainApi, memory: BugBrainMemory, query: ListQuery, page: int
) -> QueryPage:
    """`GET /executions?limit=100&offset=…` (optionally one status, or a creation range)."""
    size = memory.shape.served("/executions", LIST_PAGE_SIZE)
    # by what the server served: it may cap `limit` [INF], without a total to tell
    offset = memory.offset_of(query.label, page, size)
    ranged = query.after is not None and query.before is not None
    raw = await api.executions_page(
        offset=offset,
        status=query.status,
        created_after=query.after if ranged else None,
        created_before=query.before if ranged else None,
    )
    body = as_dict(api.name, raw, "page")
    parsed = parse_each(Execution, body.get("data"))
    got = len(parsed.items) + parsed.skipped
    more = offset_more(memory.shape, "/executions", body, offset, LIST_PAGE_SIZE, got)
    memory.walked_to(query.label, page + 1, offset + got)
    runs = [execution_to_run(api.name, e) for e in parsed.items]
    return QueryPage(runs=runs, more=more, skipped=parsed.skipped)


def position_by_creation(run: Run) -> tuple[int, float]:
    """Executions are listed by creation, newest first."""
    when = run.queued or run.started or run.ended
    return (0, -when.timestamp()) if when else (1, 0.0)
