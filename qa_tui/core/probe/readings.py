"""What a server's answers say about which reading of the docs it speaks: pure functions over
the payloads a probe read (no requests here).

Each function names one thing the docs leave open (shared/providers.md [INF]): how a list says
there is more (`pagination_of`), what `stepsRuns` holds (`steps_runs_of`), which fields and
status words qa-tui does not know, how dates are written, which rate-limit headers come.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel

from qa_tui.core.http.paging import NEXT_ABSOLUTE, NEXT_OTHER_HOST, NEXT_RELATIVE, PAGE_NUMBERS

RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
)


BUGBUG_TEST_RUN_FIELDS = frozenset(
    [
        "id",
        "name",
        "status",
        "testId",
        "suiteRunId",
        "runProfileId",
        "userId",
        "queued",
        "started",
        "ended",
        "duration",
        "errorCode",
        "stepsRuns",
        "browserName",
        "browserVersion",
        "osName",
        "extensionVersion",
        "browserHeight",
        "browserWidth",
        "runMode",
        "screenSizeType",
        "sequence",
        "triggeredBy",
        "webappUrl",
    ]
)
"""`V2TestRun` as the OpenAPI lists it (providers.md §1.2)."""
BUGBUG_SUITE_RUN_FIELDS = frozenset(
    [
        "id",
        "name",
        "status",
        "duration",
        "queued",
        "started",
        "ended",
        "errorCode",
        "parallelRun",
        "parallelSlots",
        "profileId",
        "profileName",
        "runMode",
        "sequence",
        "testRuns",
        "triggeredBy",
        "userId",
        "webappUrl",
    ]
)
"""`V2SuiteRun` as its schema head and the examples list it (providers.md §1.3)."""
BUGBRAIN_EXECUTION_FIELDS = frozenset(
    [
        "id",
        "test_plan_id",
        "project_id",
        "status",
        "passed_tests",
        "failed_tests",
        "total_tests",
        "duration_seconds",
        "created_at",
        "completed_at",
        "started_at",
        "progress",
        "estimated_completion",
    ]
)
"""`Execution` and the two `/status` shapes (providers.md §3.1)."""


def known_fields(model: type[BaseModel], documented: frozenset[str] = frozenset()) -> set[str]:
    """The payload keys the docs list or a wire model reads (its aliases, and its own names)."""
    names: set[str] = set(documented)
    for name, info in model.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
    return names


def pagination_of(body: Mapping[str, Any], sent_url: str, base_url: str) -> str | None:
    """How a page-number list (`{count, next, results}`) said there is more, or None when it
    was the only page (nothing to tell)."""
    link = body.get("next")
    results = body.get("results")
    got = len(results) if isinstance(results, list) else 0
    if isinstance(link, str) and link:
        target = urljoin(sent_url, link)
        base, other = urlsplit(base_url), urlsplit(target)
        same = (base.scheme, base.netloc) == (other.scheme, other.netloc)
        if not same or not other.path.startswith(base.path.rstrip("/") + "/"):
            return NEXT_OTHER_HOST
        return NEXT_ABSOLUTE if urlsplit(link).scheme else NEXT_RELATIVE
    count = body.get("count")
    if isinstance(count, int) and count > got:
        return PAGE_NUMBERS
    return None


def steps_runs_of(runs: Iterable[Mapping[str, Any]]) -> str:
    """`json` (a string holding a list), `array`, `opaque` (a string that is no JSON list) or
    `absent` (no such key, or empty for every finished run read)."""
    seen: set[str] = set()
    for run in runs:
        if "stepsRuns" not in run:
            continue
        raw = run["stepsRuns"]
        if isinstance(raw, list):
            seen.add("array" if raw else "empty")
        elif isinstance(raw, str):
            try:
                parsed = json.loads(raw)
            except ValueError:
                seen.add("opaque")
                continue
            if isinstance(parsed, list):
                seen.add("json" if parsed else "empty")
            else:
                seen.add("opaque")
    for shape in ("opaque", "array", "json"):
        if shape in seen:
            return shape
    return "absent"


def unknown_fields(items: Iterable[Mapping[str, Any]], known: set[str]) -> list[str]:
    """Keys of the items that qa-tui does not read."""
    return sorted({key for item in items for key in item if key not in known})


def status_words(items: Iterable[Mapping[str, Any]], key: str = "status") -> list[str]:
    return [word for item in items if isinstance(word := item.get(key), str)]


def unknown_statuses(words: Iterable[str], known: Iterable[str]) -> list[str]:
    """Status words no doc lists (compared in any case: `RUNNING` is `running`)."""
    vocabulary = {word.lower() for word in known}
    return sorted({word for word in words if word.strip().lower() not in vocabulary})


def status_case(words: Sequence[str]) -> str | None:
    """`lower`, `upper`, `title` or `mixed`: how the server writes status words."""
    cases = set()
    for word in words:
        if word.islower():
            cases.add("lower")
        elif word.isupper():
            cases.add("upper")
        elif word[:1].isupper() and word[1:] == word[1:].lower():
            cases.add("title")
        else:
            cases.add("mixed")
    if not cases:
        return None
    return cases.pop() if len(cases) == 1 else "mixed"


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$")


def date_style(values: Iterable[Any]) -> str | None:
    """How dates are written: `Z`, `offset` (`+00:00`) or `no-zone`, with `+micros` when they
    carry six decimals; `mixed` when they differ."""
    styles: set[str] = set()
    for value in values:
        if not isinstance(value, str) or not (match := _DATE.match(value.strip())):
            continue
        zone = match.group(4)
        style = "no-zone" if zone is None else "Z" if zone == "Z" else "offset"
        if match.group(3) and len(match.group(3)) == 6:
            style += "+micros"
        styles.add(style)
    if not styles:
        return None
    return styles.pop() if len(styles) == 1 else "mixed"


def rate_headers_in(headers: Iterable[Mapping[str, str] | Sequence[tuple[str, str]]]) -> list[str]:
    """The rate-limit headers (and `Retry-After`) among answers' headers, as documented names."""
    present: set[str] = set()
    for answer in headers:
        names = {
            k.lower() for k in (answer.keys() if isinstance(answer, Mapping) else dict(answer))
        }
        present.update(h for h in RATE_HEADERS if h.lower() in names)
    return [h for h in RATE_HEADERS if h in present]
