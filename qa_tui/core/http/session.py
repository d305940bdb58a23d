"""The one HTTP layer every provider client goes through.

It owns: the `httpx.AsyncClient` (timeouts, user agent, TLS verification), the per-provider
`RequestBudget`, retries with exponential backoff and jitter (idempotent verbs only; a POST is
retried only when it provably never reached the server), honouring `Retry-After` (seconds or an
HTTP date) and the rate-limit headers (`X-RateLimit-*`, or the IETF draft's `RateLimit-*`), and
classifying every failure into the `ProviderError` tree (a 403 that carries `Retry-After` or a
spent `X-RateLimit-Remaining` is a rate limit, as GitHub sends them, not refused credentials).
How rate limits are spelled is read in rate_headers.py; what is blanked out of anything shown,
in redaction.py.

Secrets: the auth headers live only inside the httpx client. `repr()`, error messages and
`health` never include them; error messages carry the status code and the provider's own error
text, never a request header. A provider that echoes the credential it refused ("invalid key
sk_live_...") has it blanked out of that text, and a base URL with `user:password@` is shown
without them.
"""

from __future__ import annotations

import functools
import json
import random
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from qa_tui import __version__
from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    RequestRejected,
    ServerError,
)
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.capped import read_capped
from qa_tui.core.http.rate_headers import parse_retry_after, rate_headers
from qa_tui.core.http.redaction import scrub, secret_values, shown_url

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = f"qa-tui/{__version__}"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one request."""

    attempts: int = 4
    """Total tries for a retryable failure (the first one included)."""
    backoff_s: float = 0.5
    backoff_cap_s: float = 20.0
    max_wait_s: float = 90.0
    """A `Retry-After` longer than this is not waited out in-line: RateLimited is raised instead."""


@dataclass(frozen=True)
class ResponseInfo:
    """What the engine learns from every answered request (for health chips)."""

    status_code: int
    elapsed_s: float


def provider_message(response: httpx.Response) -> str:
    """The provider's own error text from a JSON body (`detail`, `error`, `message`), or the reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("detail", "error", "message", "errors"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:500]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])[:500]  # {"error": {"code", "message"}}
            if value:
                return json.dumps(value)[:500]
    reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    if body is None and response.headers.get("content-type", "").startswith("text/plain"):
        first = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
        return f"{first} ({reason})" if first else reason  # a plain-text error body [INF]
    return reason


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One TLS context (the CA bundle loaded once) shared by every client: each client loading
    its own cost tens of milliseconds, several times over, before the first table."""
    return httpx.create_ssl_context()


class ProviderHttp:
    """An HTTP session for one provider: budgeted, retried, classified."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        budget: RequestBudget,
        clock: Clock = SYSTEM_CLOCK,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 15.0,
        verify_tls: bool = True,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        on_response: Callable[[ResponseInfo], None] | None = None,
        other_auth: Mapping[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.shown_url = shown_url(self.base_url)
        """The base URL as reprs and messages show it (never with credentials in it)."""
        self._secrets = secret_values({**(headers or {}), **(other_auth or {})}, self.base_url)
        self._auth = dict(headers or {})
        self._other_auth = dict(other_auth) if other_auth else None
        """The same credential in the provider's other documented header, tried once after a
        401 (BugBrain's two generations [INF]); whichever the provider takes is kept."""
        self.budget = budget
        self.rate_header_names: set[str] = set()
        """Every rate-limit header the provider has sent (`doctor --probe` reports them)."""
        self.retry = retry or RetryPolicy()
        self.on_response = on_response
        self._clock = clock
        self._rng = rng or random.Random()
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            transport=transport,
            verify=shared_tls_context() if verify_tls else False,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"ProviderHttp(provider={self.provider!r}, base_url={self.shown_url!r})"

    async def aclose(self) -> None:
        await self._client.aclose()

    def same_origin(self, url: str) -> bool:
        """True when an absolute URL (a `next` link, a redirect) points at the provider's own host."""
        base, other = urlsplit(self.base_url), urlsplit(url)
        return (base.scheme, base.netloc) == (other.scheme, other.netloc)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
        follow_redirects: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """Send one request through the budget; retry what is safe to retry; raise classified errors.

        `path` is relative to the base URL, or an absolute URL on the same origin (pagination links).
        `headers` are added to this request only (per-request auth, e.g. Bugnet's two auth modes).
        Returns the response only for 2xx/3xx; everything else raises a `ProviderError`.
        `timeout_s` overrides the session's read timeout for a call that may block (a sync start).
        `max_bytes` bounds the body (a file a provider links to): a bigger one raises `TooLarge`
        as soon as it is seen to be bigger, by its `Content-Length` or while it arrives.
        """
        method = method.upper()
        if path.startswith(("http://", "https://")) and not self.same_origin(path):
            raise BadPayload(self.provider, "refusing to follow a link to another host")
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        per_call: dict[str, Any] = {}
        if timeout_s is not None:
            per_call["timeout"] = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
        attempt = 0
        while True:
            attempt += 1
            await self.budget.acquire()
            started = self._clock.monotonic()
            try:
                built = self._client.build_request(
                    method,
                    path,
                    params=clean_params or None,
                    json=json_body,
                    headers=headers,
                    **per_call,
                )
                response = await self._client.send(
                    built, follow_redirects=follow_redirects, stream=max_bytes is not None
                )
                if max_bytes is not None:
                    response = await read_capped(response, max_bytes, self.provider)
            except httpx.HTTPError as exc:
                network_error = self._network_error(exc)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if (safe or never_sent) and attempt < self.retry.attempts:
                    await self._clock.sleep(self._backoff(attempt))
                    continue
                network_error.never_sent = never_sent
                raise network_error from None
            self._observe(response, started)
            if response.status_code < 400:
                return response
            error = self._classify(response, secret_values(headers or {}))
            if isinstance(error, AuthFailed) and error.status_code == 401 and self._switch_auth():
                attempt -= 1
                continue
            if isinstance(error, RateLimited):
                wait = (
                    error.retry_after if error.retry_after is not None else self._backoff(attempt)
                )
                self.budget.pause(wait)
                if wait <= self.retry.max_wait_s and attempt < self.retry.attempts + 2:
                    continue  # the budget now holds every request until the provider allows it
                raise error
            if isinstance(error, ServerError) and safe and attempt < self.retry.attempts:
                await self._clock.sleep(self._backoff(attempt))
                continue
            raise error

    async def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET and decode JSON."""
        return self.decode_json(await self.request("GET", path, params=params, headers=headers))

    async def send_json(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        idempotent: bool | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> Any:
        """Send a JSON body and decode the JSON answer (an empty body decodes to None)."""
        response = await self.request(
            method,
            path,
            json_body=body,
            idempotent=idempotent,
            headers=headers,
            timeout_s=timeout_s,
        )
        return self.decode_json(response)

    def decode_json(self, response: httpx.Response) -> Any:
        """The body as JSON, or BadPayload naming what was wrong (never the body itself)."""
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise BadPayload(
                self.provider,
                f"malformed JSON from {response.request.method} {response.url.path}",
                status_code=response.status_code,
            ) from None

    def _switch_auth(self) -> bool:
        """After a 401, send the credential the provider's other documented way (once)."""
        if self._other_auth is None:
            return False
        for name in self._auth:
            self._client.headers.pop(name, None)
        self._client.headers.update(self._other_auth)
        self._auth, self._other_auth = self._other_auth, None
        return True

    @property
    def auth_header_names(self) -> list[str]:
        """The header names the credential goes in now (never their values)."""
        return sorted(self._auth)

    def _backoff(self, attempt: int) -> float:
        ceiling: float = min(self.retry.backoff_cap_s, self.retry.backoff_s * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _observe(self, response: httpx.Response, started: float) -> None:
        now_epoch = self._clock.now().timestamp()
        rate = rate_headers(response.headers, now_epoch)
        self.rate_header_names.update(rate.names)
        self.budget.observe(rate.limit, rate.remaining, rate.reset_epoch, now_epoch)
        if self.on_response is not None:
            elapsed = self._clock.monotonic() - started
            self.on_response(ResponseInfo(response.status_code, elapsed))

    def _classify(self, response: httpx.Response, secrets: set[str] | None = None) -> ProviderError:
        code = response.status_code
        message = scrub(provider_message(response), self._secrets | (secrets or set()))
        if code == 403 and _limit_spent(response.headers):
            code = 429  # GitHub answers its rate limits with a 403 that says so in its headers
        if code in (401, 403):
            return AuthFailed(self.provider, message, status_code=code)
        if code == 404:
            return NotFound(self.provider, message, status_code=code)
        if code == 429:
            now_epoch = self._clock.now().timestamp()
            retry_after = parse_retry_after(response.headers.get("retry-after"), now_epoch)
            if retry_after is None:
                reset = rate_headers(response.headers, now_epoch).reset_epoch
                retry_after = None if reset is None else max(0.0, reset - now_epoch)
            return RateLimited(self.provider, message, retry_after=retry_after)
        if code in (400, 405, 409, 410, 413, 422):
            return RequestRejected(self.provider, message, status_code=code)
        return ServerError(self.provider, message, status_code=code)

    def _network_error(self, exc: httpx.HTTPError) -> NetworkError:
        if isinstance(exc, httpx.TimeoutException):
            what = "timed out"
        elif isinstance(exc, httpx.ConnectError):
            what = "could not connect"
        elif isinstance(exc, httpx.RemoteProtocolError):
            what = "connection dropped"
        else:
            what = type(exc).__name__
        return NetworkError(self.provider, f"{what} ({self.shown_url})")

    async def get_other_origin(self, url: str, *, max_bytes: int | None = None) -> httpx.Response:
        """GET an absolute URL on another host (a redirect target, a signed file link).

        Sends none of the session's own headers (so no credentials leave for a host that is not
        the provider), spends no provider budget (that host is not the provider's API), follows
        redirects, and classifies failures like every other call. `max_bytes` as for `request`.
        """
        request = self._client.build_request("GET", url)
        for name in list(request.headers.keys()):
            if name.lower() not in _SAFE_FOREIGN_HEADERS:
                del request.headers[name]
        try:
            response = await self._client.send(
                request, follow_redirects=True, stream=max_bytes is not None
            )
            if max_bytes is not None:
                response = await read_capped(response, max_bytes, self.provider)
        except httpx.HTTPError as exc:
            raise self._network_error(exc) from None
        if response.status_code >= 400:
            raise self._classify(response)
        return response


def _limit_spent(headers: httpx.Headers) -> bool:
    """A refusal that is a rate limit whatever its status code: it carries `Retry-After`, or an
    `X-RateLimit-Remaining` of 0 (GitHub's primary and secondary limits come as 403s so)."""
    return "retry-after" in headers or headers.get("x-ratelimit-remaining", "").strip() == "0"


_SAFE_FOREIGN_HEADERS = frozenset({"host", "user-agent", "accept", "accept-encoding"})
"""The only session headers `get_other_origin` sends to another host."""
