"""How a dialect writes an answer: one provider's requests and answers, rewritten on the wire.

The worlds and handlers speak the simulator's own reading of shared/providers.md; this ASGI
middleware, wrapped around a provider's app OUTSIDE its fault middleware (so fault answers are
written the same way), changes only how things are written and which headers are read. It is not
installed at all when the dialect changes nothing for the provider (:func:`speak`). The switches
it handles, and the doc fact each reads:

* ``status_case`` (§1.9, §3.1, §4.4 show lower-case words only): every ``status`` value that is
  one of the provider's status words (runs, steps, tests, bugs; also inside BugBug's
  ``stepsRuns`` string) is upper-cased or capitalised. A ``?status=`` filter in the served case
  is read as the documented word, so both spellings filter. BugBrain test-case statuses
  (``active``/``archived``) and Bugnet's health word are not run words and stay.
* ``dates`` (§1.2 ``date-time``, §3.1 "ISO 8601 Z", Bugnet undocumented [INF]): every date
  value (the keys in :data:`DATE_KEYS`) is rewritten without a zone, with microseconds, or with
  ``+00:00``.
* ``bugbug.duration`` (§6.2): BugBug's Django durations become decimal seconds or ``<n>s``.
* ``retry_after`` (RFC 9110 §10.2.3; no provider documents the header): a ``Retry-After`` of
  seconds becomes the IMF-fixdate of the moment to retry: the window's end
  (``X-RateLimit-Reset``) when the answer names one, else now plus the seconds.
* ``rate_headers`` (§3 and §4.1 document ``X-RateLimit-*`` with a unix ``Reset``): ``absent``
  drops them; ``ratelimit`` renames them to the IETF draft's ``RateLimit-*`` with ``Reset`` in
  seconds until the window ends. (``x-ratelimit`` needs nothing here: BugBug and Bug0 add the
  headers themselves.)
* ``bugbrain.auth`` (§3, gap §6.8): the header a Gen-A-only or Gen-B-only server would not read
  is removed from the request, so the request meets BugBrain's own "missing key" 401.
* ``bugbrain.limit`` (§3.1): a ``limit`` over 20 on the execution list is read as 20.
* ``bugbrain.total``, ``bugbrain.progress`` (§3.1): ``pagination.total`` and a running status's
  ``progress`` are left out.
* ``bugbrain.errors`` (§3, gap §6.8: undocumented) and ``bugnet.errors`` (§4.1): error bodies in
  another plausible shape; ``bugbrain.async_status`` (§3.1 [INF]): 200 instead of 202.
* ``bugnet.envelope`` (§4.1): a success body is its ``data`` alone.

Times on the rate clock (``rate_now``: the scenario clock when it is manual, else the wall clock)
are those the rate limiter counts in, so a date and a window end agree.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from email.utils import formatdate
from typing import Any
from urllib.parse import quote, unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_tui.sim.bugbug.runs import RUN_STATUSES
from qa_tui.sim.bugnet.world import STATUSES as BUGNET_STATUSES
from qa_tui.sim.dialects import PREPARING, PROVISIONING, TRIAGED, Dialect
from qa_tui.sim.dialects.switches import BUGBRAIN_LIMIT_CAP

Json = Any
BUGBRAIN_WORDS = frozenset(
    {"queued", "pending", "running", "completed", "failed", "cancelled", "passed", "skipped"}
)
STATUS_WORDS: dict[str, frozenset[str]] = {
    "bugbug": RUN_STATUSES | {PREPARING},
    "bugbrain": BUGBRAIN_WORDS | {PROVISIONING},
    "bugnet": frozenset(BUGNET_STATUSES) | {TRIAGED},
    "bug0": frozenset(),
}
"""Each provider's status words (runs, steps, tests, bugs), the extra ones included."""
DATE_KEYS = frozenset(
    {
        "queued", "started", "ended", "modified", "expirationTime", "created",  # BugBug
        "created_at", "completed_at", "started_at", "estimated_completion", "cancelled_at",
        "updated_at", "ended_at",  # BugBrain, Bugnet
    }
)  # fmt: skip
_DATE = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z")
_DJANGO_DURATION = re.compile(r"(?:(\d+) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{6}))?")
_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 429: "rate_limited"}  # fmt: skip


def speak(app: ASGIApp, provider: str, dialect: Dialect, rate_now: Callable[[], float]) -> ASGIApp:
    """`app` as `provider` speaks in `dialect`: `app` itself when the dialect changes nothing."""
    wire = DialectWire(app, provider, dialect, rate_now)
    return wire if wire.active else app


class DialectWire:
    """The middleware; see the module docstring for what it rewrites."""

    def __init__(
        self, app: ASGIApp, provider: str, dialect: Dialect, rate_now: Callable[[], float]
    ) -> None:
        self.app, self.provider, self.d, self.rate_now = app, provider, dialect, rate_now
        self.words = STATUS_WORDS[provider] if dialect.status_case != "lower" else frozenset()
        self.served = {dialect.cased(w): w for w in self.words}
        d, brain, net = dialect, provider == "bugbrain", provider == "bugnet"
        self.bodies = bool(self.words) or (
            (d.dates != "documented" and provider != "bug0")
            or (provider == "bugbug" and d.bugbug_duration != "django")
            or (brain and (d.bugbrain_total, d.bugbrain_progress) != ("present", "present"))
            or (brain and (d.bugbrain_errors != "error-object" or d.bugbrain_auth == "x-api-key"))
            or (net and (d.bugnet_envelope, d.bugnet_errors) != ("ok-data", "ok-false"))
        )
        self.heads = d.retry_after != "seconds" or d.rate_headers in ("absent", "ratelimit")
        self.requests = bool(self.words) or (
            brain and (d.bugbrain_limit != "honoured" or d.bugbrain_auth != "both")
        )
        self.statuses = brain and d.bugbrain_async_status != "202"
        self.active = self.bodies or self.heads or self.requests or self.statuses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self.request(scope)
        start: Message = {}
        chunks: list[bytes] = []
        buffering = done = False

        async def answer(message: Message) -> None:
            nonlocal start, buffering, done
            if message["type"] == "http.response.start":
                start = self.head(scope, message)
                kind = dict(start.get("headers", [])).get(b"content-type", b"")
                buffering = self.bodies and b"json" in kind
                if not buffering:
                    await send(start)
            elif not buffering:
                await send(message)
            else:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    done = True
                    for out in self.body(scope, start, b"".join(chunks)):
                        await send(out)

        try:
            await self.app(scope, receive, answer)
        except BaseException:
            if buffering and not done:  # a dropped connection (a fault): pass on what came
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": True}
                )
            raise

    # -- requests -------------------------------------------------------------------------------
    def request(self, scope: Scope) -> Scope:
        """The request as this provider reads it: the served status case, BugBrain's limit cap
        and the auth header it does not read."""
        if not self.requests:
            return scope
        d, path = self.d, scope["path"]
        pairs = []
        for pair in scope.get("query_string", b"").split(b"&"):
            key, eq, raw = pair.partition(b"=")
            name, value = unquote_plus(key.decode("latin-1")), unquote_plus(raw.decode("latin-1"))
            if name == "status" and value in self.served:
                raw = quote(self.served[value]).encode()
            elif name == "limit" and self.capped(path) and value.isdigit():
                raw = str(min(int(value), BUGBRAIN_LIMIT_CAP)).encode()
            pairs.append(key + eq + raw)
        headers = scope["headers"]
        if self.provider == "bugbrain" and d.bugbrain_auth != "both":
            unread = b"x-api-key" if d.bugbrain_auth == "bearer" else b"authorization"
            headers = [(k, v) for k, v in headers if k.lower() != unread]
        return {**scope, "query_string": b"&".join(pairs), "headers": headers}

    def capped(self, path: str) -> bool:
        """``bugbrain.limit=capped`` applies here: the execution list."""
        return self.d.bugbrain_limit == "capped" and path.endswith("/executions")

    # -- answers --------------------------------------------------------------------------------
    def head(self, scope: Scope, start: Message) -> Message:
        """The status line and headers: BugBrain's async status, Retry-After, rate headers."""
        status = start["status"]
        if self.statuses and status == 202 and scope["path"].endswith("/executions/async"):
            status = 200
        if not self.heads:
            return {**start, "status": status}
        now = self.rate_now()
        given = {k.lower(): v for k, v in start.get("headers", [])}
        headers = []
        for key, value in start.get("headers", []):
            name = key.lower()
            if name == b"retry-after" and self.d.retry_after == "http-date" and value.isdigit():
                reset = given.get(b"x-ratelimit-reset", b"")
                at = float(reset) if reset.isdigit() else now + int(value)
                value = formatdate(math.floor(at), usegmt=True).encode()
            elif name.startswith(b"x-ratelimit-"):
                if self.d.rate_headers == "absent":
                    continue
                if self.d.rate_headers == "ratelimit":
                    key = name[2:]  # ratelimit-limit, -remaining, -reset
                    if name == b"x-ratelimit-reset" and value.isdigit():
                        value = str(max(0, math.ceil(int(value) - now))).encode()
            headers.append((key, value))
        return {**start, "status": status, "headers": headers}

    def body(self, scope: Scope, start: Message, raw: bytes) -> list[Message]:
        """The body rewritten (or unchanged when it is not JSON: a malformed-body fault)."""
        try:
            data = json.loads(raw)
        except ValueError:
            return [start, {"type": "http.response.body", "body": raw}]
        status, kind = start["status"], b"application/json"
        data = self.rewrite(data)
        if self.provider == "bugbrain":
            data = self.bugbrain(scope["path"], status, data)
        elif self.provider == "bugnet":
            data = self.bugnet(status, data)
        if isinstance(data, _Text):
            out, kind = data.text.encode(), b"text/plain; charset=utf-8"
        else:
            out = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"content-type")
        ]
        headers += [(b"content-type", kind), (b"content-length", str(len(out)).encode())]
        return [{**start, "headers": headers}, {"type": "http.response.body", "body": out}]

    def rewrite(self, node: Json) -> Json:
        """Status words, dates and durations, wherever they are."""
        if isinstance(node, list):
            return [self.rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "status":
                value = self.status(value)
            elif key in DATE_KEYS and isinstance(value, str):
                value = self.date(value)
            elif key == "duration" and isinstance(value, str) and self.provider == "bugbug":
                value = self.duration(value)
            elif key == "stepsRuns" and isinstance(value, str) and value.startswith("["):
                value = json.dumps(self.rewrite(json.loads(value)))
            out[key] = self.rewrite(value)
        return out

    def status(self, value: Json) -> Json:
        if isinstance(value, list):  # Bugnet's activity: {"status": [old, new]}
            return [self.status(v) for v in value]
        return self.d.cased(value) if isinstance(value, str) and value in self.words else value

    def date(self, value: str) -> str:
        found = _DATE.fullmatch(value)
        if found is None or self.d.dates == "documented":
            return value
        whole, fraction = found.group(1), found.group(2)
        if self.d.dates == "micros":
            return f"{whole}.{(fraction or '').ljust(6, '0')}Z"
        shown = whole + (f".{fraction}" if fraction else "")
        return shown if self.d.dates == "no-zone" else shown + "+00:00"

    def duration(self, value: str) -> str:
        found = _DJANGO_DURATION.fullmatch(value)
        if found is None or self.d.bugbug_duration == "django":
            return value
        days, h, m, s, us = (int(g or 0) for g in found.groups())
        seconds = f"{((days * 24 + h) * 60 + m) * 60 + s}" + (
            f".{us:06d}".rstrip("0") if us else ""
        )
        return seconds + ("s" if self.d.bugbug_duration == "suffixed" else "")

    def bugbrain(self, path: str, status: int, data: Json) -> Json:
        if not isinstance(data, dict):
            return data
        d = self.d
        if d.bugbrain_total == "absent" and isinstance(data.get("pagination"), dict):
            data["pagination"].pop("total", None)
        if d.bugbrain_progress == "absent" and path.endswith("/status"):
            data.pop("progress", None)
        error = data.get("error")
        if status < 400 or not isinstance(error, dict):
            return data
        message = str(error.get("message", ""))
        if status == 401 and d.bugbrain_auth == "x-api-key" and message.startswith("Missing"):
            message = error["message"] = "Missing API key: send 'x-api-key: <key>'"
        if d.bugbrain_errors == "error-string":
            return {"error": message}
        return {"detail": message} if d.bugbrain_errors == "detail" else data

    def bugnet(self, status: int, data: Json) -> Json:
        if not isinstance(data, dict):
            return data
        if status < 400:
            ok = data.get("ok") is True and "data" in data
            return data["data"] if ok and self.d.bugnet_envelope == "bare" else data
        message = data.get("error")
        if data.get("ok") is not False or not isinstance(message, str):
            return data
        if self.d.bugnet_errors == "error-object":
            code = _ERROR_CODES.get(status, "server_error")
            return {"ok": False, "error": {"code": code, "message": message}}
        if self.d.bugnet_errors == "detail":
            return {"detail": message}
        return _Text(message) if self.d.bugnet_errors == "text" else data


class _Text:
    """A body to send as plain text (``bugnet.errors=text``)."""

    def __init__(self, text: str) -> None:
        self.text = text
