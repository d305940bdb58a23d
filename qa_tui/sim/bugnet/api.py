"""Bugnet plumbing shared by its routes: the envelope, field validation, session auth, updates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from qa_tui.sim.bugnet.world import CATEGORIES, PRIORITIES, STATUSES, Bug, BugnetWorld, User
from qa_tui.sim.common import SimContext, read_json_object
from qa_tui.sim.credentials import BUGNET_PROJECT

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


class BugnetApi:
    """Session auth, project check, lookups and updates, over a :class:`BugnetWorld`."""

    def __init__(self, ctx: SimContext, world: BugnetWorld) -> None:
        self.ctx, self.world = ctx, world

    def session(self, request: Request) -> User | Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return fail(401, "Missing bearer token")
        user = self.world.sessions.get(token.strip())
        if user is None or "bugnet" in self.ctx.revoked:
            return fail(401, "Invalid or expired session token")
        return user

    def authed(self, handler: Callable[[Request, User], Awaitable[Response]]) -> Handler:
        async def endpoint(request: Request) -> Response:
            user = self.session(request)
            if isinstance(user, Response):
                return user
            slug = request.path_params.get("slug")
            if slug is not None and slug != BUGNET_PROJECT:
                return fail(404, "Project not found")
            return await handler(request, user)

        return endpoint

    def find(self, request: Request) -> Bug | Response:
        bug = self.world.bugs.get(request.path_params["id"])
        return fail(404, "Bug not found") if bug is None else bug

    def assignee(self, value: Any) -> str | Response | None:
        if value in (None, ""):
            return None
        for user in self.world.users.values():
            if value in (user.id, user.email):
                return user.id
        return fail(400, "assignee must be a user id or email of a project member")

    async def body_of(self, request: Request) -> dict[str, Any] | Response:
        body = await read_json_object(request)
        return fail(400, "Request body must be a JSON object") if body is None else body

    def update(self, bug: Bug, body: dict[str, Any], user: User) -> Response | None:
        fields = bug_fields(body, create=False)
        if isinstance(fields, str):
            return fail(400, fields)
        if "assignee" in body:
            who = self.assignee(body["assignee"])
            if isinstance(who, Response):
                return who
            fields["assignee"] = who
        now = self.ctx.now()
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
            bug.activity.append(self.world.event("updated", user, now, **changes))
        return None
