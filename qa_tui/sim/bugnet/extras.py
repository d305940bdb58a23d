"""Bugnet's comments, activity, labels and similar-bug search (the SDK's API-key routes are in
:mod:`qa_tui.sim.bugnet.sdk`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from qa_tui.sim.bugnet.api import BugnetApi, fail, ok
from qa_tui.sim.bugnet.world import User
from qa_tui.sim.common import iso_millis


def extra_routes(api: BugnetApi) -> list[BaseRoute]:
    ctx, world = api.ctx, api.world
    authed, find, body_of = api.authed, api.find, api.body_of

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
    return [
        Route(f"{b}/similar", authed(similar), methods=["POST"]),
        Route(b + "/{id}/comments", authed(comments), methods=["GET", "POST"]),
        Route(b + "/{id}/activity", authed(activity)),
        Route(b + "/{id}/labels", authed(bug_labels), methods=["POST"]),
        Route(b + "/{id}/labels/{label_id}", authed(bug_labels), methods=["DELETE"]),
        Route(f"{p}/labels", authed(labels), methods=["GET", "POST"]),
    ]
