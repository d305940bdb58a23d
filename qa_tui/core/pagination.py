"""Following both pagination styles to the end, or to the number of items asked for.

- page-number with absolute `next` links (BugBug, Django REST Framework):
  `{count, next, previous, results}`;
- limit/offset with a total (BugBrain): `{data, pagination: {limit, offset, total}}`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from qa_tui.core.http import ProviderHttp
from qa_tui.core.wire import as_dict

MAX_PAGES = 1000
"""A hard stop against a provider whose `next` links never end."""


async def follow_next_links(
    http: ProviderHttp,
    path: str,
    *,
    params: Mapping[str, Any],
    limit: int | None,
    page_size: int = 100,
) -> AsyncIterator[list[Any]]:
    """Yield each page's raw `results` list, following `next` until it is null or `limit` is met."""
    seen = 0
    url: str | None = path
    query: Mapping[str, Any] | None = {**params, "page": 1, "page_size": page_size}
    for _ in range(MAX_PAGES):
        if url is None:
            return
        body = as_dict(http.provider, await http.get_json(url, params=query), "page")
        results = body.get("results")
        items = results if isinstance(results, list) else []
        if limit is not None:
            items = items[: max(0, limit - seen)]
        seen += len(items)
        yield items
        if (limit is not None and seen >= limit) or not results:
            return
        next_link = body.get("next")
        url = next_link if isinstance(next_link, str) and next_link else None
        query = None  # the `next` link already carries every query parameter


async def follow_offsets(
    http: ProviderHttp,
    path: str,
    *,
    params: Mapping[str, Any],
    limit: int | None,
    page_size: int = 100,
    items_key: str = "data",
) -> AsyncIterator[list[Any]]:
    """Yield each page's raw item list, advancing `offset` until `total` or `limit` is reached."""
    seen = 0
    offset = 0
    for _ in range(MAX_PAGES):
        want = page_size if limit is None else min(page_size, limit - seen)
        if want <= 0:
            return
        body = as_dict(
            http.provider,
            await http.get_json(path, params={**params, "limit": want, "offset": offset}),
            "page",
        )
        raw_items = body.get(items_key)
        items = raw_items if isinstance(raw_items, list) else []
        seen += len(items)
        offset += len(items)
        yield items
        pagination = body.get("pagination")
        total = pagination.get("total") if isinstance(pagination, dict) else None
        if not items or (isinstance(total, int) and offset >= total):
            return
