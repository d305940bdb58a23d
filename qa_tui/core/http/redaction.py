"""Secrets kept out of everything shown: the credentials a session sends (whole header values,
and the part after `Token `/`Bearer `), and a base URL's `user:password@`, blanked out of any
text before it is shown, logged or raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

_NOT_SECRET_HEADERS = frozenset(
    {"user-agent", "accept", "accept-encoding", "content-type", "host", "connection"}
)


def secret_values(headers: Mapping[str, str], url: str = "") -> set[str]:
    """The credentials among request headers (whole values, and the part after `Token `/`Bearer `)
    and in a URL's `user:password@`, for blanking out of anything shown."""
    found: set[str] = set()
    for name, value in headers.items():
        if name.lower() not in _NOT_SECRET_HEADERS:
            found.update(part for part in (value, value.split(" ", 1)[-1]) if len(part) >= 4)
    parts = urlsplit(url)
    found.update(p for p in (parts.username, parts.password) if p and len(p) >= 4)
    return found


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with every secret replaced by `***` (longest first, so no tail of one survives)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def shown_url(url: str) -> str:
    """The URL without `user:password@`, for reprs and messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
