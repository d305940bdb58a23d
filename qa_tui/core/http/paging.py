"""Following both pagination styles to the end, or to the number of items asked for, whichever
reading of the docs the server turns out to speak.

- page numbers with `next` links (BugBug, Django REST Framework): `{count, next, previous,
  results}`. The OpenAPI types `next` as a nullable URI and nothing more; no public client of the
  v2 API we could read follows it (the one that pages counts pages), so `next` is a **hint**
  [INF, providers.md §1.1]:
  - an absolute link to the configured origin, under the configured base path, is followed;
  - a relative link is resolved against the URL it came with (RFC 3986), then treated the same;
  - a link to another host or scheme (a server behind a proxy writes the host it sees) is never
    sent the token: the same page number is read from the configured base instead;
  - a null `next` still means more when `count`, or a full page, says so;
  - the server may page by another size than asked (fixed, or capped): the size it serves is
    learned from a short page that `count` says is not the last.
- limit/offset with a total (BugBrain): `{data, pagination: {limit, offset, total}}`. `total`
  may be absent and `limit` may be capped below what was asked [INF, §3.1]: offsets advance by
  what was served, and without a total a short page ends the list only once the server's
  cap is known.

`ListShape` remembers, per provider, what its lists turned out to speak: the paging and the
page sizes (read by `doctor --probe`, and by the next page request).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from qa_tui.core.errors import NotFound
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import as_dict

MAX_PAGES = 1000
"""A hard stop against a provider whose `next` links never end."""

NEXT_ABSOLUTE = "next-absolute"
NEXT_RELATIVE = "next-relative"
NEXT_OTHER_HOST = "next-other-host"
PAGE_NUMBERS = "page-numbers"
"""`next` was null while `count` (or a full page) said there was more: pages are counted."""
OFFSET = "offset"


@dataclass
class ListShape:
    """What one provider's lists turned out to speak, learned from the pages read."""

    pagination: str | None = None
    """How the last list that had more than one page said so (one of the constants above)."""
    served_sizes: dict[str, int] = field(default_factory=dict)
    """List path → the page size the server serves there, when it is not the size asked for."""
    counts: dict[str, int] = field(default_factory=dict)
    """List path → the `count` it last gave (where its last page is)."""
    oldest_first: dict[str, bool] = field(default_factory=dict)
    """List path → True when it comes oldest first whatever `ordering` asks [INF]."""
    ranges_ignored: bool = False
    """A time-range filter answered with runs outside the range: the server ignores it [INF]."""

    def served(self, path: str, asked: int) -> int:
        """The size a page of `path` will hold when `asked` is asked for."""
        return min(asked, self.served_sizes.get(path, asked))

    def learn_size(self, path: str, asked: int, got: int) -> None:
        """A page of `got` items (fewer than `asked`) that is not the list's last: the server
        pages `path` by `got`."""
        if 0 < got < asked:
            self.served_sizes[path] = got


def page_more(shape: ListShape, path: str, body: Mapping[str, Any], page: int, asked: int) -> bool:
    """Whether page-number page `page` (1-based) of `path`, asked with `asked` items a page and
    answered with `body`, has a later page: `next`, else `count`, else a full page."""
    results = body.get("results")
    got = len(results) if isinstance(results, list) else 0
    if got == 0:
        return False
    count = body.get("count")
    link = body.get("next")
    size = shape.served(path, asked)
    if isinstance(count, int) and not isinstance(count, bool):
        if page == 1 and got < size and got < count:
            shape.learn_size(path, asked, got)  # a short first page that is not all: its size
            size = got
        more = page * size < count
    else:
        more = got >= size
    if isinstance(link, str) and link:
        return True
    if more:
        shape.pagination = PAGE_NUMBERS
    return more


def next_request(
    http: ProviderHttp,
    shape: ListShape,
    path: str,
    params: Mapping[str, Any],
    body: Mapping[str, Any],
    page: int,
    asked: int,
    sent_url: str,
) -> tuple[str, Mapping[str, Any] | None, int] | None:
    """What to ask for after page `page` of `path` (answered with `body` at `sent_url`):
    `(url, query or None, next page number)`, or None at the end. See the module docstring."""
    if not page_more(shape, path, body, page, asked):
        return None
    ours = (path, {**params, "page": page + 1, "page_size": asked}, page + 1)
    link = body.get("next")
    if not isinstance(link, str) or not link:
        return ours
    relative = not urlsplit(link).scheme
    target = urljoin(sent_url, link)
    base_path = urlsplit(http.base_url).path.rstrip("/") + "/"
    if http.same_origin(target) and urlsplit(target).path.startswith(base_path):
        shape.pagination = NEXT_RELATIVE if relative else NEXT_ABSOLUTE
        return target, None, page + 1
    shape.pagination = NEXT_OTHER_HOST
    numbers = parse_qs(urlsplit(target).query).get("page", [])
    number = int(numbers[0]) if numbers and numbers[0].isdigit() else page + 1
    return path, {**params, "page": number, "page_size": asked}, number


async def follow_next_links(
    http: ProviderHttp,
    path: str,
    *,
    params: Mapping[str, Any],
    limit: int | None,
    page_size: int = 100,
    shape: ListShape | None = None,
) -> AsyncIterator[list[Any]]:
    """Yield each page's raw `results` list, page after page, until the list ends or `limit`
    items were read. `next` is a hint (see the module docstring); the token goes only to the
    configured origin."""
    shape = shape if shape is not None else ListShape()
    seen, page = 0, 1
    url: str = path
    query: Mapping[str, Any] | None = {**params, "page": 1, "page_size": page_size}
    for _ in range(MAX_PAGES):
        try:
            response = await http.request("GET", url, params=query)
        except NotFound:
            if page == 1:
                raise
            return  # DRF's 404 "Invalid page.": the list shrank, or a count-less guess overshot
        body = as_dict(http.provider, http.decode_json(response), "page")
        results = body.get("results")
        items = results if isinstance(results, list) else []
        kept = items if limit is None else items[: max(0, limit - seen)]
        seen += len(kept)
        yield kept
        if limit is not None and seen >= limit:
            return
        following = next_request(
            http, shape, path, params, body, page, page_size, str(response.url)
        )
        if following is None:
            return
        url, query, page = following


def offset_more(
    shape: ListShape, path: str, body: Mapping[str, Any], offset: int, asked: int, got: int
) -> bool:
    """Whether a limit/offset page (`got` items at `offset`, `asked` asked) has a later page:
    by `total` when sent; without it, a page shorter than what the server serves ends the list
    (a short page while the server's cap is unknown costs one more read to tell)."""
    if got == 0:
        return False
    pagination = body.get("pagination")
    total = pagination.get("total") if isinstance(pagination, dict) else None
    if isinstance(total, int) and not isinstance(total, bool):
        if got < asked and offset + got < total:
            shape.learn_size(path, asked, got)
        return offset + got < total
    if got >= asked:
        return True
    if path in shape.served_sizes:
        return got >= shape.served(path, asked)
    return True  # short, and no total: a cap or the end; the next read tells


async def follow_offsets(
    http: ProviderHttp,
    path: str,
    *,
    params: Mapping[str, Any],
    limit: int | None,
    page_size: int = 100,
    items_key: str = "data",
    shape: ListShape | None = None,
) -> AsyncIterator[list[Any]]:
    """Yield each page's raw item list, advancing `offset` by what was served, until the list
    ends or `limit` items were read (`pagination.total` when sent; see `offset_more`)."""
    shape = shape if shape is not None else ListShape()
    seen = offset = 0
    short: int | None = None
    """The length of the last page when it was shorter than asked, with no total to tell."""
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
        if items and short is not None:
            shape.learn_size(path, page_size, short)  # the short page was the server's cap
        more = offset_more(shape, path, body, offset, want, len(items))
        short = len(items) if 0 < len(items) < want else None
        seen += len(items)
        offset += len(items)
        yield items
        if not more:
            return
        shape.pagination = OFFSET


def last_page(count: int, size: int) -> int:
    """The number of the last page of `count` items in pages of `size` (at least 1)."""
    return max(1, math.ceil(count / max(1, size)))
