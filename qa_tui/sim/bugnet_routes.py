"""The routes of the simulated Bugnet (see :mod:`qa_tui.sim.bugnet` for the rules they follow)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from qa_tui.sim.bugnet_world import CATEGORIES, PRIORITIES, STATUSES, Bug, BugnetWorld, User
from qa_tui.sim.common import SimContext, int_param, iso_millis, read_json_object
from qa_tui.sim.credentials import BUGNET_API_KEY, BUGNET_PROJECT

Handler = Callable[[Request], Awaitable[Response]]
_ALIASES = {
    "steps_to_reproduce": "steps",
    "expected_behavior": "expected",
    "actual_behavior": "actual",
}
_MAX = {
    "title": 300,
    "platform": 50,
    "game_version": 50,
    "os_info": 100,
    "device_info": 200,
    "steam_id": 30,
    "reporter_name": 100,
}
_SORTS = {
    "newest": (lambda b: -b.created),
    "oldest": (lambda b: b.created),
    "updated": (lambda b: -b.updated),
    "priority": (lambda b: -PRIORITIES.index(b.priority)),
}


def ok(data: Any, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "data": data, **extra}, status_code=status)


def fail(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status)


def bug_fields(body: dict[str, Any], *, create: bool) -> dict[str, Any] | str:
    """Check a create/update body; the fields to store, or the error message."""
    out: dict[str, Any] = {}
    if create and not (isinstance(body.get("title"), str) and body["title"].strip()):
        return "title is required"
    for name, short in _ALIASES.items():
        value = body.get(name, body.get(short))
        if value is not None:
            body = {**body, name: value}
    for name in (
        "title",
        "description",
        *_ALIASES,
        "platform",
        "game_version",
        "player_email",
        "os_info",
        "device_info",
        "steam_id",
        "reporter_name",
    ):
        if body.get(name) is None:
            continue
        if not isinstance(body[name], str):
            return f"{name} must be a string"
        if name in _MAX and len(body[name]) > _MAX[name]:
            return f"{name} must be at most {_MAX[name]} characters"
        out[name] = body[name]
    for name, allowed in (("category", CATEGORIES), ("priority", PRIORITIES), ("status", STATUSES)):
        if body.get(name) is not None:
            if body[name] not in allowed:
                return f"{name} must be one of: {', '.join(allowed)}"
            out[name] = body[name]
    if "title" in out and not out["title"].strip():
        return "title must not be empty"
    return out


def api_routes(ctx: SimContext, world: BugnetWorld) -> list[BaseRoute]:
    def session(request: Request) -> User | Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return fail(401, "Missing bearer token")
        user = world.sessions.get(token.strip())
        if user is None or "bugnet" in ctx.revoked:
            return fail(401, "Invalid or expired session token")
        return user

    def authed(handler: Callable[[Request, User], Awaitable[Response]]) -> Handler:
        async def endpoint(request: Request) -> Response:
            user = session(request)
            if isinstance(user, Response):
                return user
            slug = request.path_params.get("slug")
            if slug is not None and slug != BUGNET_PROJECT:
                return fail(404, "Project not found")
            return await handler(request, user)

        return endpoint

    def find(request: Request) -> Bug | Response:
        bug = world.bugs.get(request.path_params["id"])
        return fail(404, "Bug not found") if bug is None else bug

    def assignee(value: Any) -> str | Response | None:
        if value in (None, ""):
            return None
        for user in world.users.values():
            if value in (user.id, user.email):
                return user.id
        return fail(400, "assignee must be a user id or email of a project member")

    async def body_of(request: Request) -> dict[str, Any] | Response:
        body = await read_json_object(request)
        return fail(400, "Request body must be a JSON object") if body is None else body

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
        chunk = items[(page - 1) * limit : page * limit]
        return ok(
            [world.bug_json(b) for b in chunk],
            pagination={
                "page": page,
                "limit": limit,
                "total": len(items),
                "pages": math.ceil(len(items) / limit),
            },
        )

    async def bug(request: Request, user: User) -> Response:
        found = find(request)
        if isinstance(found, Response) or request.method == "GET":
            return found if isinstance(found, Response) else ok(world.bug_json(found, full=True))
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        return update(found, body, user) or ok(world.bug_json(found, full=True))

    def update(bug: Bug, body: dict[str, Any], user: User) -> Response | None:
        fields = bug_fields(body, create=False)
        if isinstance(fields, str):
            return fail(400, fields)
        if "assignee" in body:
            who = assignee(body["assignee"])
            if isinstance(who, Response):
                return who
            fields["assignee"] = who
        now = ctx.now()
        changes = {
            k: [getattr(bug, k, None), v] for k, v in fields.items() if getattr(bug, k, None) != v
        }
        for k, v in fields.items():
            if hasattr(bug, k):
                setattr(bug, k, v)
            else:
                bug.extra[k] = v
        if changes:
            bug.updated = now
            bug.activity.append(world.event("updated", user, now, **changes))
        return None

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

    async def similar(request: Request, user: User) -> Response:
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

    # -- SDK (API key) ---------------------------------------------------------------------------
    def api_key_error(request: Request) -> Response | None:
        key = request.headers.get("x-api-key")
        if not key:
            return fail(401, "Missing API key")
        if key != BUGNET_API_KEY or "bugnet" in ctx.revoked:
            return fail(401, "Invalid API key")
        return None

    async def submit(request: Request) -> Response:
        if (refusal := api_key_error(request)) is not None:
            return refusal
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        fields = bug_fields(body, create=True)
        if isinstance(fields, str):
            return fail(400, fields)
        shot = body.get("screenshot")
        if shot is not None and not (isinstance(shot, str) and shot.startswith("data:image/")):
            return fail(400, "screenshot must be a data:image/... URI")
        extra: dict[str, Any] = {
            k: fields.pop(k)
            for k in ("os_info", "device_info", "steam_id", "reporter_name")
            if k in fields
        }
        extra["has_screenshot"] = shot is not None
        fields.pop("status", None)
        bug = world.add_bug(
            fields.pop("title"),
            fields.pop("description", ""),
            fields.pop("category", "other"),
            fields.pop("priority", "medium"),
            reporter=None,
            source="sdk",
            at=ctx.now(),
            extra=extra,
            **fields,
        )
        return ok(world.bug_json(bug), 201)

    async def settings(request: Request) -> Response:
        refusal = api_key_error(request)
        return refusal or ok(
            {"screenshot_capture": True, "session_capture": False, "auto_file_errors": True}
        )

    p, b = "/projects/{slug}", "/projects/{slug}/bugs"
    return [
        Route("/health", health),
        Route("/auth/login", login, methods=["POST"]),
        Route("/auth/me", authed(me)),
        Route("/auth/logout", authed(logout), methods=["POST"]),
        Route("/projects", authed(projects)),
        Route(p, authed(project)),
        Route(b, authed(bugs), methods=["GET", "POST"]),
        Route(f"{b}/similar", authed(similar), methods=["POST"]),
        Route(f"{b}/bulk", authed(bulk), methods=["PATCH", "POST"]),
        Route(b + "/{id}", authed(bug), methods=["GET", "PATCH", "PUT"]),
        Route(b + "/{id}/comments", authed(comments), methods=["GET", "POST"]),
        Route(b + "/{id}/activity", authed(activity)),
        Route(b + "/{id}/labels", authed(bug_labels), methods=["POST"]),
        Route(b + "/{id}/labels/{label_id}", authed(bug_labels), methods=["DELETE"]),
        Route(f"{p}/labels", authed(labels), methods=["GET", "POST"]),
        Route("/bugs/submit", submit, methods=["POST"]),
        Route("/bugs/settings", settings),
    ]
