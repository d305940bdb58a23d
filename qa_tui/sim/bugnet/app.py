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
* Dialects (:mod:`qa_tui.sim.dialects`) may read §4 otherwise: the list shape (``bugnet.list``),
  the update method (``bugnet.update``) and whether the similar-bug path exists
  (``bugnet.similar``), all in :func:`routes`; ``triaged`` bugs (``status_words``, in
  ``world.py``); and the envelope, error bodies, rate-limit headers, status case and dates
  (:mod:`qa_tui.sim.dialects.wire`).
* ``POST .../bugs/similar`` [INF path] ``{title, description}`` → ``data``: up to 5 bugs, each with a
  ``score`` in 0..1, best first (see :meth:`BugnetWorld.similar`). ``.../bugs/bulk`` [INF] takes
  ``{bug_ids, status?, priority?, assignee?}`` by PATCH or POST.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_tui.sim.bugnet.api import BugnetApi, bug_fields, fail, ok
from qa_tui.sim.bugnet.sdk import sdk_routes
from qa_tui.sim.bugnet.world import PRIORITIES, BugnetWorld, User
from qa_tui.sim.common import SimContext, int_param, iso_millis
from qa_tui.sim.faults import FaultMiddleware, json_message

_SORTS = {
    "newest": (lambda b: -b.created),
    "oldest": (lambda b: b.created),
    "updated": (lambda b: -b.updated),
    "priority": (lambda b: -PRIORITIES.index(b.priority)),
}


def routes(api: BugnetApi) -> list[BaseRoute]:
    """Every route: the dashboard's (a bearer session: health, login, projects, bugs, comments,
    activity, labels, similar, bulk), then the game SDK's (the API key:
    :mod:`qa_tui.sim.bugnet.sdk`)."""
    ctx, world = api.ctx, api.world
    authed, find, body_of, update = api.authed, api.find, api.body_of, api.update

    # -- auth, health, projects -----------------------------------------------------------------
    async def health(request: Request) -> Response:
        return ok({"status": "healthy"})

    async def login(request: Request) -> Response:
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        if not body.get("email") or not body.get("password"):
            return fail(400, "email and password are required")
        token = world.login(str(body["email"]), str(body["password"]))
        if token is None or "bugnet" in ctx.revoked:
            return fail(401, "Invalid email or password")
        return ok({"token": token, "user": world.sessions[token].to_json()})

    async def me(request: Request, user: User) -> Response:
        return ok(user.to_json())

    async def logout(request: Request, user: User) -> Response:
        token = request.headers["authorization"].partition(" ")[2].strip()
        if token.startswith("bn_sess_") and "demo" not in token:
            world.sessions.pop(token, None)
        return ok({"logged_out": True})

    async def projects(request: Request, user: User) -> Response:
        return ok([world.project])

    async def project(request: Request, user: User) -> Response:
        return ok(world.project)

    # -- bugs ------------------------------------------------------------------------------------
    async def bugs(request: Request, user: User) -> Response:
        now = ctx.now()
        if request.method == "POST":
            body = await body_of(request)
            if isinstance(body, Response):
                return body
            fields = bug_fields(body, create=True)
            if isinstance(fields, str):
                return fail(400, fields)
            extra = {
                k: fields.pop(k)
                for k in ("os_info", "device_info", "steam_id", "reporter_name")
                if k in fields
            }
            bug = world.add_bug(
                fields.pop("title"),
                fields.pop("description", ""),
                fields.pop("category", "other"),
                fields.pop("priority", "medium"),
                reporter=user,
                source="dashboard",
                at=now,
                extra=extra,
                **{k: v for k, v in fields.items() if k != "status"},
            )
            return ok(world.bug_json(bug, full=True), 201)
        q = request.query_params
        page, limit = int_param(q.get("page"), 1), int_param(q.get("limit"), 20)
        if page is None or page < 1 or limit is None or not 1 <= limit <= 100:
            return fail(400, "page must be >= 1 and limit between 1 and 100")
        sort = q.get("sort", "newest")
        if sort not in _SORTS:
            return fail(400, f"sort must be one of: {', '.join(_SORTS)}")
        items = list(world.bugs.values())
        for name in ("status", "priority", "category"):
            if q.get(name):
                items = [b for b in items if getattr(b, name) == q[name]]
        if q.get("assignee"):
            who = q["assignee"]
            items = [
                b
                for b in items
                if (
                    b.assignee is None
                    if who == "unassigned"
                    else b.assignee
                    in {u.id for u in world.users.values() if who in (u.id, u.email)}
                )
            ]
        if q.get("search"):
            needle = q["search"].lower()
            items = [
                b for b in items if needle in b.title.lower() or needle in b.description.lower()
            ]
        items.sort(key=_SORTS[sort])
        chunk = [world.bug_json(b) for b in items[(page - 1) * limit : page * limit]]
        return bug_list(chunk, page, limit, len(items))

    def bug_list(chunk: list[dict[str, Any]], page: int, limit: int, total: int) -> Response:
        """One page of bugs in the list shape the dialect's ``bugnet.list`` picks (§4.2: the
        shape is undocumented): ``pagination`` beside ``data`` (an envelope's usual place for
        counts), the list ``nested`` in ``data`` with its counts (the other common layout), or
        the ``array-only`` (no counts: only a full page says there is more)."""
        shape = ctx.spec.dialect.bugnet_list
        if shape == "nested":
            return ok({"bugs": chunk, "page": page, "limit": limit, "total": total})
        if shape == "array-only":
            return ok(chunk)
        pages = math.ceil(total / limit)
        return ok(chunk, pagination={"page": page, "limit": limit, "total": total, "pages": pages})

    async def bug(request: Request, user: User) -> Response:
        found = find(request)
        if isinstance(found, Response) or request.method == "GET":
            return found if isinstance(found, Response) else ok(world.bug_json(found, full=True))
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        return update(found, body, user) or ok(world.bug_json(found, full=True))

    async def bulk(request: Request, user: User) -> Response:
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        ids = body.get("bug_ids")
        if not isinstance(ids, list) or not ids:
            return fail(400, "bug_ids must be a non-empty list")
        found = [world.bugs[i] for i in ids if i in world.bugs]
        change: dict[str, Any] = {
            k: body[k] for k in ("status", "priority", "assignee") if k in body
        }
        for b in found:
            if (refusal := update(b, change, user)) is not None:
                return refusal
        return ok({"updated": len(found)})

    # -- comments, activity, labels, similar ------------------------------------------------

    async def similar(request: Request, user: User) -> Response:
        if ctx.spec.dialect.bugnet_similar == "absent":  # §4.3: the path is a guess [INF]
            return fail(404, "Not found")
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        title, description = body.get("title") or "", body.get("description") or ""
        if (
            not isinstance(title, str)
            or not isinstance(description, str)
            or not (title or description)
        ):
            return fail(400, "title or description is required")
        return ok([{**world.bug_json(b), "score": s} for s, b in world.similar(title, description)])

    async def comments(request: Request, user: User) -> Response:
        found = find(request)
        if isinstance(found, Response) or request.method == "GET":
            return found if isinstance(found, Response) else ok(found.comments)
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        if not isinstance(body.get("body"), str) or not body["body"].strip():
            return fail(400, "body is required")
        if not isinstance(body.get("internal", False), bool):
            return fail(400, "internal must be a boolean")
        now = ctx.now()
        comment = {
            "id": world.new_id(),
            "body": body["body"],
            "internal": body.get("internal", False),
            "author": user.to_json(),
            "created_at": iso_millis(now),
        }
        found.comments.append(comment)
        found.updated = now
        found.activity.append(world.event("commented", user, now))
        return ok(comment, 201)

    async def activity(request: Request, user: User) -> Response:
        found = find(request)
        return found if isinstance(found, Response) else ok(found.activity)

    async def labels(request: Request, user: User) -> Response:
        if request.method == "GET":
            return ok(list(world.labels.values()))
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        name, color = body.get("name"), body.get("color", "#6e7781")
        if not isinstance(name, str) or not name.strip() or not isinstance(color, str):
            return fail(400, "name is required")
        if any(lbl["name"].lower() == name.lower() for lbl in world.labels.values()):
            return fail(400, "A label with this name already exists")
        return ok(world.add_label(name, color), 201)

    async def bug_labels(request: Request, user: User) -> Response:
        found = find(request)
        if isinstance(found, Response):
            return found
        if request.method == "DELETE":
            label_id = request.path_params["label_id"]
            if label_id not in found.labels:
                return fail(404, "Label not found on this bug")
            found.labels.remove(label_id)
            return ok(world.bug_json(found))
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        if body.get("label_id") not in world.labels:
            return fail(400 if "label_id" not in body else 404, "Label not found")
        if body["label_id"] not in found.labels:
            found.labels.append(body["label_id"])
            found.activity.append(world.event("labeled", user, ctx.now()))
        return ok(world.bug_json(found))

    p, b = "/projects/{slug}", "/projects/{slug}/bugs"
    # bugnet.update (§4.3, gap §6.11: PATCH or PUT [INF]): the method the server does not take
    # answers 405, in Bugnet's error shape
    updates = {"patch-and-put": ["PATCH", "PUT"], "patch": ["PATCH"], "put": ["PUT"]}[
        ctx.spec.dialect.bugnet_update
    ]
    return [
        Route("/health", health),
        Route("/auth/login", login, methods=["POST"]),
        Route("/auth/me", authed(me)),
        Route("/auth/logout", authed(logout), methods=["POST"]),
        Route("/projects", authed(projects)),
        Route(p, authed(project)),
        Route(b, authed(bugs), methods=["GET", "POST"]),
        Route(f"{b}/bulk", authed(bulk), methods=["PATCH", "POST"]),
        Route(b + "/{id}", authed(bug), methods=["GET", *updates]),
        Route(f"{b}/similar", authed(similar), methods=["POST"]),
        Route(b + "/{id}/comments", authed(comments), methods=["GET", "POST"]),
        Route(b + "/{id}/activity", authed(activity)),
        Route(b + "/{id}/labels", authed(bug_labels), methods=["POST"]),
        Route(b + "/{id}/labels/{label_id}", authed(bug_labels), methods=["DELETE"]),
        Route(f"{p}/labels", authed(labels), methods=["GET", "POST"]),
        *sdk_routes(api),
    ]


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
            Mount("/api/v1", routes=routes(BugnetApi(ctx, world))),
            Mount("/api", routes=routes(BugnetApi(ctx, world))),
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
