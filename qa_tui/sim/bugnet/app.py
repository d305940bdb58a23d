"""Bugnet REST API (shared/providers.md §4), mounted at ``/bugnet``; every route also under
``/api/v1/``.

Clients append ``/api/...`` to the base URL ``<host>/bugnet``.

* Envelope: ``{"ok": true, "data": ...}``; errors ``{"ok": false, "error": "<message>"}`` with
  400 (validation), 401, 403, 404, 429.
* Rate limits per client IP, enforced unless ``enforce_documented_limits=False``: login 10/min,
  requests with a bearer token 120/min, the rest (API-key and public) 30/min. EVERY response of the
  provider (errors included) carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
  ``X-RateLimit-Reset`` (unix seconds); a 429 has no ``Retry-After`` (none is documented).
* Auth: ``Authorization: Bearer <token>`` with the static demo token or a token from
  ``POST /api/auth/login``; the SDK routes take the ``sk_live_...`` API key, in ``X-API-Key``
  (submit, settings, perf snapshot, session replays) or as ``api_key`` in the body (sessions
  start/end): see :mod:`qa_tui.sim.bugnet.sdk`.
* Bug lists [INF: the shape is undocumented]: ``{"ok": true, "data": [bug, ...], "pagination":
  {"page", "limit", "total", "pages"}}``; ``page`` from 1, ``limit`` 1..100 (default 20), ``sort`` ∈
  newest (default), oldest, updated, priority; ``search`` is a case-insensitive substring match on
  the title OR the description; ``assignee`` matches a user id or email, or ``unassigned``.
* Bug fields (output) use the long names ``steps_to_reproduce``, ``expected_behavior``,
  ``actual_behavior``; create accepts those and the short ``steps``/``expected``/``actual`` (the long
  name wins when both are sent). ``title`` is required, at most 300 characters; ``category`` and
  ``priority`` must be in their enums (defaults ``other`` and ``medium``). Create answers 201 with the
  bug. Unknown fields are ignored.
* ``GET .../bugs/{id}`` adds ``comments`` and ``activity``; ``PATCH`` and ``PUT`` both update
  (status ∈ open, in_progress, resolved, closed, wont_fix, duplicate [INF]).
* Dialects (:mod:`qa_tui.sim.dialects`) may read §4 otherwise: the list shape (``bugnet.list``,
  in ``routes.py``), the update method (``bugnet.update``), whether the similar-bug path
  exists (``bugnet.similar``, in ``extras.py``), ``triaged`` bugs (``status_words``, in
  ``world.py``), and the envelope, error bodies, rate-limit headers, status case and dates
  (:mod:`qa_tui.sim.dialect_wire`).
* ``POST .../bugs/similar`` [INF path] ``{title, description}`` → ``data``: up to 5 bugs, each with a
  ``score`` in 0..1, best first (see :meth:`BugnetWorld.similar`). ``.../bugs/bulk`` [INF] takes
  ``{bug_ids, status?, priority?, assignee?}`` by PATCH or POST.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_tui.sim.bugnet.api import BugnetApi
from qa_tui.sim.bugnet.routes import api_routes
from qa_tui.sim.bugnet.world import BugnetWorld
from qa_tui.sim.common import SimContext
from qa_tui.sim.faults import FaultMiddleware, json_message


def error_body(status: int, message: str) -> dict[str, object]:
    return {"ok": False, "error": "Too many requests" if status == 429 else message}


class RateLimitHeaders:
    """Counts every request in its bucket (login / bearer / public, per IP), refuses it past the
    limit, and adds the ``X-RateLimit-*`` headers to every response."""

    def __init__(self, app: ASGIApp, ctx: SimContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.lower(): v for k, v in scope["headers"]}
        if path.endswith(("/auth/login", "/auth/signup")):
            bucket, limit = "login", 10
        elif headers.get(b"authorization", b"").lower().startswith(b"bearer "):
            bucket, limit = "auth", 120
        else:
            bucket, limit = "public", 30
        ip = (scope.get("client") or ("unknown", 0))[0]
        verdict = self.ctx.limiter.hit(f"bugnet:{bucket}:{ip}", limit)
        extra = [(k.lower().encode(), v.encode()) for k, v in verdict.headers().items()]
        if self.ctx.enforce_limits and not verdict.allowed:
            for message in json_message(429, error_body(429, ""), verdict.headers()):
                await send(message)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def build(ctx: SimContext, world: BugnetWorld) -> ASGIApp:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = (
            "Not found" if exc.status_code == 404 and exc.detail == "Not Found" else exc.detail
        )
        return JSONResponse(error_body(exc.status_code, message), status_code=exc.status_code)

    app = Starlette(
        routes=[
            Mount("/api/v1", routes=api_routes(BugnetApi(ctx, world))),
            Mount("/api", routes=api_routes(BugnetApi(ctx, world))),
        ],
        exception_handlers={HTTPException: http_error},
    )
    return FaultMiddleware(
        RateLimitHeaders(app, ctx),
        provider="bugnet",
        plan=ctx.faults,
        limiter=ctx.limiter,
        error_body=error_body,
    )
