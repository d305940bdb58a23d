"""What a provider says of its rate limit, however it spells it: `Retry-After` in seconds or as
an HTTP date, `X-RateLimit-*` (BugBrain, Bugnet: the reset a unix time), or the IETF draft's
`RateLimit-*` fields or its one `RateLimit` field (the reset in seconds) [INF: a server may send
any of them]. The session hands what it read to the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx


def parse_retry_after(value: str | None, now_epoch: float) -> float | None:
    """`Retry-After` in seconds, from either the delta-seconds or the HTTP-date form."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now_epoch)
    except (TypeError, ValueError, IndexError):
        return None


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(float(headers[name]))
    except (KeyError, ValueError):
        return None


def _reset_epoch(raw: int | None, now_epoch: float) -> float | None:
    """A reset is documented as a unix time (`X-RateLimit-Reset`); the IETF draft's is seconds
    from now: a small number is read as seconds-from-now whichever header it came in."""
    if raw is None:
        return None
    return float(raw) if raw > 1_000_000_000 else now_epoch + raw


@dataclass(frozen=True)
class RateHeaders:
    """What one answer said of the provider's rate limit, whichever headers said it."""

    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None
    names: tuple[str, ...] = ()
    """The rate-limit headers the answer carried (for `doctor --probe`)."""


_RATE_NAMES = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit",
    "ratelimit-policy",
)


def _structured(value: str) -> dict[str, int]:
    """`limit=100, remaining=5, reset=30` (draft 03-06) or `"default";r=5;t=30` (draft 07+)."""
    found: dict[str, int] = {}
    for part in value.replace(";", ",").split(","):
        key, sep, number = part.strip().partition("=")
        if sep:
            try:
                found[key.strip().lower()] = int(float(number.strip().strip('"')))
            except ValueError:
                continue
    return found


def rate_headers(headers: httpx.Headers, now_epoch: float) -> RateHeaders:
    """`X-RateLimit-*` (BugBrain, Bugnet: reset is a unix time), the IETF draft's `RateLimit-*`
    (reset in seconds) or its one `RateLimit` field [INF: a server may send any of them]."""
    names = tuple(name for name in _RATE_NAMES if name in headers)
    if not names:
        return RateHeaders()
    limit = _int_header(headers, "x-ratelimit-limit")
    remaining = _int_header(headers, "x-ratelimit-remaining")
    reset = _int_header(headers, "x-ratelimit-reset")
    if limit is None and remaining is None:
        limit = _int_header(headers, "ratelimit-limit")
        remaining = _int_header(headers, "ratelimit-remaining")
        reset = _int_header(headers, "ratelimit-reset")
    if remaining is None and "ratelimit" in headers:
        fields = _structured(headers["ratelimit"])
        policy = _structured(headers.get("ratelimit-policy", ""))
        limit = fields.get("limit", policy.get("q"))
        remaining = fields.get("remaining", fields.get("r"))
        reset = fields.get("reset", fields.get("t"))
    return RateHeaders(limit, remaining, _reset_epoch(reset, now_epoch), names)
