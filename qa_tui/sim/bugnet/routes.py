"""The routes of the simulated Bugnet (see :mod:`qa_tui.sim.bugnet.app` for the rules they follow):
health, login, projects and bugs here; comments, labels and similar in
:mod:`qa_tui.sim.bugnet.extras`; the SDK's API-key routes in :mod:`qa_tui.sim.bugnet.sdk`."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from qa_tui.sim.bugnet.api import BugnetApi, bug_fields, fail, ok
from qa_tui.sim.bugnet.extras import extra_routes
from qa_tui.sim.bugnet.sdk import sdk_routes
from qa_tui.sim.bugnet.world import PRIORITIES, User
from qa_tui.sim.common import int_param

_SORTS = {
    "newest": (lambda b: -b.created),
    "oldest": (lambda b: b.created),
    "updated": (lambda b: -b.updated),
    "priority": (lambda b: -PRIORITIES.index(b.priority)),
}


def api_routes(api: BugnetApi) -> list[BaseRoute]:
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
        *extra_routes(api),
        *sdk_routes(api),
    ]
