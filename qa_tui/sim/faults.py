"""Fault injection per provider: 5xx, latency, forced 429s, an enforced rate limit, malformed JSON,
dropped connections and a provider that is down.

Set faults from Python (``FaultPlan.set("bugbug", error_rate=0.2)``), from the control endpoint
(``POST /_sim/faults``) or from a compact spec on the command line, parsed by
:func:`parse_fault_spec`::

    bugbug:error_rate=0.2,latency=0.5;bugnet:down;*:malformed_rate=0.01

Providers: ``bugbug``, ``bugbrain``, ``bug0``, ``bugnet``, ``github`` (the GitHub slice Bug0 posts
its results to), and ``*`` for all of them. Keys (see
:class:`ProviderFaults`): ``error_rate``, ``latency``, ``throttle``, ``retry_after``, ``rpm``,
``malformed_rate``, ``drop_rate``, ``down``. A bare ``down`` or ``throttle`` means ``=true`` / ``=1``.

How each fault looks on the wire (applied in this order, by :class:`FaultMiddleware`, before the
provider's own auth and rate limits):

* ``latency``: the request waits that many real seconds first (a large value is a client timeout).
* ``down``: nothing is processed; the response head (status 502, a Content-Length) is sent and the
  connection is closed before the body. Over real sockets httpx raises ``RemoteProtocolError``
  ("peer closed connection without sending complete message body"). Over ``httpx.ASGITransport``
  the app raises :class:`SimulatedDisconnect` (a ``ConnectionResetError``), which the transport
  re-raises to the caller (with ``raise_app_exceptions=False`` it reads as a truncated body instead).
  A shared loopback port cannot refuse connections per prefix, so this is the simulator's
  "unreachable".
* ``rpm``: at most that many requests per minute reach the provider; past it, 429 with
  ``Retry-After`` and ``X-RateLimit-*`` headers, nothing processed.
* ``throttle``: that fraction of requests gets 429 with ``Retry-After: <retry_after>`` (a 429 storm).
* ``error_rate``: that fraction gets a 500/502/503 in the provider's error shape, nothing processed.
* ``drop_rate``: the request IS processed (a bug gets created, a run starts), then the response head
  and half the body are sent and the connection is dropped: the ambiguous failure an outbox must
  resolve by looking its reference up. Same surface as ``down``.
* ``malformed_rate``: the request is processed and a JSON response body is cut in half (the status
  and headers are kept, Content-Length fixed): ``json.loads`` fails. Non-JSON bodies pass unchanged.

Randomness is a ``random.Random`` per provider, seeded from the plan's seed (or the app's seed), so
the same sequence of requests meets the same faults.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, NoReturn

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_tui.sim.limits import RateLimiter

PROVIDERS: tuple[str, ...] = ("bugbug", "bugbrain", "bug0", "bugnet", "github")
"""The provider names faults (and tokens, and the control API) are keyed by."""


class FaultSpecError(ValueError):
    """A fault spec or fault setting that cannot be understood; the message says which part."""


class SimulatedDisconnect(ConnectionResetError):
    """Raised by the app to drop the connection mid-response (see the module docstring)."""


@dataclass(frozen=True)
class ProviderFaults:
    """The faults of one provider. The default is no fault at all."""

    error_rate: float = 0.0
    """Fraction of requests answered with a 5xx (not processed)."""
    latency: float = 0.0
    """Real seconds added before every request."""
    throttle: float = 0.0
    """Fraction of requests answered with 429 + Retry-After (not processed)."""
    retry_after: int = 5
    """The Retry-After seconds sent with ``throttle`` 429s."""
    rpm: int | None = None
    """Requests per minute allowed through; more get 429 + Retry-After. None: no limit."""
    malformed_rate: float = 0.0
    """Fraction of JSON responses whose body is cut in half (processed)."""
    drop_rate: float = 0.0
    """Fraction of requests whose connection drops after processing, mid-body."""
    down: bool = False
    """Every request's connection is dropped before processing."""

    @property
    def active(self) -> bool:
        return self != ProviderFaults()

    def changed(self, **changes: object) -> ProviderFaults:
        """A copy with ``changes`` applied, each value checked (strings are parsed)."""
        return replace(self, **{k: _coerce(k, v) for k, v in changes.items()})


_KEYS = tuple(f.name for f in fields(ProviderFaults))
_RATES = ("error_rate", "throttle", "malformed_rate", "drop_rate")
_FLAGS = {"down": True, "throttle": 1.0}


def _coerce(key: str, value: object) -> Any:
    if key not in _KEYS:
        raise FaultSpecError(f"unknown fault {key!r} (expected one of {', '.join(_KEYS)})")
    text = str(value).strip().lower()
    if key == "down":
        if isinstance(value, bool):
            return value
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise FaultSpecError(f"down must be true or false, got {value!r}")
    if key == "rpm" and (value is None or text in ("none", "off")):
        return None
    try:
        number = float(text)
    except ValueError:
        raise FaultSpecError(f"{key} must be a number, got {value!r}") from None
    if key in _RATES and not 0.0 <= number <= 1.0:
        raise FaultSpecError(f"{key} must be between 0 and 1, got {value!r}")
    if number < 0:
        raise FaultSpecError(f"{key} must not be negative, got {value!r}")
    if key in ("rpm", "retry_after"):
        if number != int(number) or (key == "rpm" and number < 1):
            raise FaultSpecError(f"{key} must be a whole number of at least 1, got {value!r}")
        return int(number)
    return number


class FaultPlan:
    """The current faults of every provider, plus the seeded randomness that decides them.

    One plan object is shared by the app and whoever set it up, so a test can change faults while
    the simulator serves (also from another thread).
    """

    def __init__(
        self, faults: Mapping[str, ProviderFaults] | None = None, *, seed: int | None = None
    ) -> None:
        self._faults: dict[str, ProviderFaults] = {}
        self._lock = threading.Lock()
        self.seed = seed
        self._rngs: dict[str, random.Random] = {}
        for provider, f in (faults or {}).items():
            self.set(provider, f)

    def bind_seed(self, seed: int) -> None:
        """Use ``seed`` unless the plan was built with its own."""
        if self.seed is None:
            self.seed = seed

    def rng(self, provider: str) -> random.Random:
        with self._lock:
            if provider not in self._rngs:
                self._rngs[provider] = random.Random(f"faults:{self.seed or 0}:{provider}")
            return self._rngs[provider]

    def get(self, provider: str) -> ProviderFaults:
        return self._faults.get(_provider(provider), ProviderFaults())

    def set(self, provider: str, faults: ProviderFaults | None = None, **changes: object) -> None:
        """Replace ``provider``'s faults (``*`` for all) with ``faults`` plus ``changes``."""
        base = (faults or ProviderFaults()).changed(**changes)
        with self._lock:
            for name in PROVIDERS if provider == "*" else (_provider(provider),):
                self._faults[name] = base

    def update(self, provider: str, **changes: object) -> None:
        """Change some of ``provider``'s faults (``*`` for all), keeping the others."""
        for name in PROVIDERS if provider == "*" else (_provider(provider),):
            self.set(name, self.get(name), **changes)

    def clear(self, provider: str | None = None) -> None:
        with self._lock:
            if provider is None or provider == "*":
                self._faults.clear()
            else:
                self._faults.pop(_provider(provider), None)

    def providers(self) -> list[str]:
        """The providers this plan has settings for (even settings of no fault)."""
        return sorted(self._faults)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {p: asdict(f) for p, f in sorted(self._faults.items()) if f.active}

    def __repr__(self) -> str:
        return f"FaultPlan({self.to_dict()!r})"


def _provider(name: str) -> str:
    if name not in PROVIDERS:
        raise FaultSpecError(
            f"unknown provider {name!r} (expected one of {', '.join(PROVIDERS)}, *)"
        )
    return name


def parse_fault_spec(text: str, *, seed: int | None = None) -> FaultPlan:
    """Parse ``provider:key=value,...;provider:...`` into a :class:`FaultPlan`.

    Raises :class:`FaultSpecError` naming the part that is wrong. An empty spec is no faults.
    """
    plan = FaultPlan(seed=seed)
    for raw in text.split(";"):
        part = raw.strip()
        if not part:
            continue
        provider, sep, body = part.partition(":")
        provider = provider.strip()
        if not sep or not body.strip():
            raise FaultSpecError(f"{part!r}: expected 'provider:fault=value,...'")
        if provider != "*":
            _provider(provider)
        changes: dict[str, object] = {}
        for item in body.split(","):
            key, eq, value = (s.strip() for s in item.partition("="))
            if not key:
                raise FaultSpecError(f"{part!r}: empty fault setting")
            if not eq:
                if key not in _FLAGS:
                    raise FaultSpecError(f"{part!r}: {key!r} needs a value ({key}=...)")
                value = str(_FLAGS[key])
            try:
                changes[key] = _coerce(key, value)
            except FaultSpecError as exc:
                raise FaultSpecError(f"{part!r}: {exc}") from None
        plan.update(provider, **changes)
    return plan


ErrorBody = Callable[[int, str], dict[str, Any]]
"""Build a provider's error body from an HTTP status and a message."""


def json_message(status: int, body: dict[str, Any], headers: Mapping[str, str]) -> list[Message]:
    data = json.dumps(body, separators=(",", ":")).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return [
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": data},
    ]


class FaultMiddleware:
    """Wraps one provider's ASGI app and applies that provider's current faults."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        provider: str,
        plan: FaultPlan,
        limiter: RateLimiter,
        error_body: ErrorBody,
    ) -> None:
        self.app, self.provider, self.plan = app, provider, plan
        self.limiter, self.error_body = limiter, error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        f = self.plan.get(self.provider)
        if not f.active:
            await self.app(scope, receive, send)
            return
        rng = self.plan.rng(self.provider)
        if f.latency:
            await asyncio.sleep(f.latency)
        if f.down:
            await _drop(send, 502, [], b"")
        if f.rpm is not None:
            verdict = self.limiter.hit(f"fault:{self.provider}", f.rpm)
            if not verdict.allowed:
                headers = {"Retry-After": str(verdict.retry_after), **verdict.headers()}
                await self._reply(send, 429, "Rate limit exceeded (simulated).", headers)
                return
        if f.throttle and rng.random() < f.throttle:
            headers = {"Retry-After": str(f.retry_after)}
            await self._reply(send, 429, "Rate limit exceeded (simulated).", headers)
            return
        if f.error_rate and rng.random() < f.error_rate:
            status = rng.choice((500, 500, 502, 503))
            await self._reply(send, status, "Internal server error (simulated).", {})
            return
        drop = bool(f.drop_rate) and rng.random() < f.drop_rate
        malformed = bool(f.malformed_rate) and rng.random() < f.malformed_rate
        if not (drop or malformed):
            await self.app(scope, receive, send)
            return
        start, body = await _capture(self.app, scope, receive)
        raw = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        if drop:
            await _drop(send, start["status"], raw, body)
        if b"json" in dict(raw).get(b"content-type", b"") and body:
            body = body[: max(len(body) // 2, 1)]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _reply(self, send: Send, status: int, message: str, headers: dict[str, str]) -> None:
        for msg in json_message(status, self.error_body(status, message), headers):
            await send(msg)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    start: Message = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return start, b"".join(chunks)


async def _drop(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> NoReturn:
    """Send the head and half the body, declaring the full length, then break the connection."""
    declared = max(len(body), 1)
    headers = [*headers, (b"content-length", str(declared).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    raise SimulatedDisconnect("connection dropped by the simulator (fault injection)")
