"""Every exchange a probe makes, kept as it went (a transport in front of the real one), and
written out redacted for a user to attach to a report.

Redacted means: the values of credential headers (`Authorization`, `x-api-key`, the Bug0 service
token, cookies both ways) and of secret-looking query parameters (`token`, `key`, `password`,
`secret`, `signature`…), every configured secret wherever it appears, and every e-mail address,
in URLs, headers and bodies alike. A JSON body is redacted value by value (a key named like a
secret has its value blanked whatever it is), so the recording stays valid JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from qa_tui.core.paths import private_dir, write_private

REDACTED = "***"
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "x-api-key",
        "x-bug0-service-token",
        "cookie",
        "set-cookie",
        "proxy-authorization",
    }
)
_SECRET_NAME = re.compile(
    r"(token|secret|password|passwd|api[_-]?key|apikey|signature|sig|session|auth|credential)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EMAIL_SHOWN = "[e-mail]"


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as they went over the wire."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    response_headers: tuple[tuple[str, str], ...]
    body: bytes

    def json(self) -> Any:
        """The answer's body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == name), None)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request to `inner` and keeps what went and came back (`exchanges`)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        raw = httpx.Response(response.status_code, headers=response.headers, stream=response.stream)
        body = await raw.aread()  # decoded (gzip…): the headers that describe the wire go
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        self.exchanges.append(
            Exchange(
                request.method,
                str(request.url),
                tuple(request.headers.multi_items()),
                response.status_code,
                tuple(headers),
                body,
            )
        )
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def _text(value: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        value = value.replace(secret, REDACTED)
    return _EMAIL.sub(EMAIL_SHOWN, value)


def redact_url(url: str, secrets: Sequence[str]) -> str:
    """The URL without user info, with secret-looking query values blanked."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [(k, REDACTED if _SECRET_NAME.search(k) else v) for k, v in parse_qsl(parts.query, True)]
    )
    return _text(urlunsplit(parts._replace(netloc=netloc, query=query)), secrets)


def redact_headers(headers: Iterable[tuple[str, str]], secrets: Sequence[str]) -> dict[str, str]:
    return {
        k: REDACTED if k.lower() in SECRET_HEADERS or _SECRET_NAME.search(k) else _text(v, secrets)
        for k, v in headers
    }


def redact_json(value: Any, secrets: Sequence[str], *, by_key: bool = True) -> Any:
    """A JSON value with secrets and e-mail addresses blanked, and (`by_key`) the values of
    secret-named keys (a provider's payload; not qa-tui's own report, whose keys are known)."""
    if isinstance(value, dict):
        return {
            k: REDACTED
            if by_key and _SECRET_NAME.search(str(k)) and value[k] not in (None, "", [], {})
            else redact_json(v, secrets, by_key=by_key)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item, secrets, by_key=by_key) for item in value]
    if isinstance(value, str):
        return _text(value, secrets)
    return value


def redacted(exchange: Exchange, secrets: Sequence[str]) -> dict[str, Any]:
    """One exchange as the JSON a recording holds."""
    body = exchange.json()
    shown: Any
    if body is not None or exchange.body.strip() in (b"null",):
        shown = redact_json(body, secrets)
    else:
        shown = _text(exchange.body.decode("utf-8", errors="replace")[:100_000], secrets)
    return {
        "request": {
            "method": exchange.method,
            "url": redact_url(exchange.url, secrets),
            "headers": redact_headers(exchange.request_headers, secrets),
        },
        "response": {
            "status": exchange.status,
            "headers": redact_headers(exchange.response_headers, secrets),
            "json" if body is not None else "text": shown,
        },
    }


def write_recording(
    folder: Path, provider: str, exchanges: Sequence[Exchange], secrets: Sequence[str]
) -> list[Path]:
    """Each exchange as `folder/<provider>/NN-METHOD-path.json` (private to the user)."""
    where = private_dir(folder / re.sub(r"[^A-Za-z0-9_.-]+", "_", provider))
    written = []
    for number, exchange in enumerate(exchanges, start=1):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", urlsplit(exchange.url).path).strip("-")[-60:]
        path = where / f"{number:02d}-{exchange.method}-{slug or 'root'}.json"
        write_private(
            path, json.dumps(redacted(exchange, secrets), indent=2, sort_keys=True).encode()
        )
        written.append(path)
    return written
