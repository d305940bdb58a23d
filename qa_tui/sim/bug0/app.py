"""Bug0's one public endpoint (shared/providers.md §2), mounted at ``/bug0``.

``POST <host>/bug0/api/run-tests`` with ``x-api-key`` (or ``x-bug0-service-token``) and a JSON body
``{projectId, url?, gitCommitSha?, gitBranch?, prNumber?, owner?, repo?}``, all strings. Answers
``{"success": true, "message": "Tests triggered successfully", "executionId": "exec_..."}``.

Checks, in the documented order (validation, then authentication):

* 400 ``Content-Type must be application/json`` [INF], ``Invalid JSON body`` [INF],
  ``Missing required parameter: projectId``, ``Invalid parameter: <field> must be a string`` [INF]
  (``prNumber`` is a string: ``42`` as a number is refused, a mistake worth catching);
* 401 ``Invalid API key`` (missing, unknown or revoked key);
* 403 ``API key does not have access to this project`` (a known project that is not the demo one);
* 404 ``Project not found``;
* 429 ``Rate limit exceeded. Try again later.`` past 10 requests/minute or 100/hour per project
  (enforced unless ``enforce_documented_limits=False``; no rate-limit headers are documented, so
  none are sent, unless the dialect's ``rate_headers`` puts them on every provider: then the
  counted answers carry that minute's window, :mod:`qa_tui.sim.dialects`).

There is no read API, so none is served: a triggered run's result is never available here. Bug0
posts it to its integrations: with ``gitCommitSha``, ``owner`` and ``repo``, as a commit status on
GitHub (the simulator's GitHub slice, ``/github``, derives it from the triggers kept here), whose
``target_url`` is Bug0's report page, ``GET /bug0/app/runs/{executionId}`` (a small HTML page; it
needs no key, as a link in a commit status is opened by anyone who can see the commit). Every
accepted trigger is recorded with its full body (:attr:`Bug0World.triggers`, ``GET /_sim/bug0/
triggers``) so tests can check what a client sent. Refused requests are recorded in
:attr:`Bug0World.refused` with their status.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from qa_tui.sim.bug0.world import Bug0World, Trigger
from qa_tui.sim.common import SimContext, read_json_object
from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUG0_OTHER_PROJECT_ID,
    BUG0_PROJECT_ID,
    BUG0_SERVICE_TOKEN,
)
from qa_tui.sim.faults import FaultMiddleware

FIELDS = ("projectId", "url", "gitCommitSha", "gitBranch", "prNumber", "owner", "repo")


def error_body(status: int, message: str) -> dict[str, Any]:
    if status == 429:
        message = "Rate limit exceeded. Try again later."
    return {"success": False, "error": message}


def build(ctx: SimContext, world: Bug0World, keys: Mapping[str, str] | None = None) -> ASGIApp:
    """The Bug0 app; `keys`: each project's API key (default: the demo project and key; a
    project's key sees that project only, sim/org.py)."""
    keys = dict(keys or {BUG0_PROJECT_ID: BUG0_API_KEY})

    def refuse(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
        world.refused.append((status, message))
        return JSONResponse(error_body(status, message), status_code=status, headers=headers)

    async def run_tests(request: Request) -> Response:
        if "application/json" not in request.headers.get("content-type", ""):
            return refuse(400, "Content-Type must be application/json")
        body = await read_json_object(request)
        if body is None:
            return refuse(400, "Invalid JSON body")
        if not body.get("projectId"):
            return refuse(400, "Missing required parameter: projectId")
        for name in FIELDS:
            if name in body and body[name] is not None and not isinstance(body[name], str):
                return refuse(400, f"Invalid parameter: {name} must be a string")
        key, header = request.headers.get("x-api-key"), "x-api-key"
        if not key:
            key, header = request.headers.get("x-bug0-service-token"), "x-bug0-service-token"
        valid = set(keys.values()) if header == "x-api-key" else {BUG0_SERVICE_TOKEN}
        if key not in valid or "bug0" in ctx.revoked or key in ctx.revoked_tokens:
            return refuse(401, "Invalid API key")
        project = body["projectId"]
        others = header == "x-api-key" and project in keys and keys[project] != key
        if project == BUG0_OTHER_PROJECT_ID or others:
            return refuse(403, "API key does not have access to this project")
        if project not in keys:
            return refuse(404, "Project not found")
        verdict = ctx.limiter.hit_all(f"bug0:{project}", [(10, 60.0), (100, 3600.0)])
        shown = verdict.headers() if ctx.spec.dialect.rate_headers_everywhere else None
        if ctx.enforce_limits and not verdict.allowed:
            return refuse(429, "Rate limit exceeded. Try again later.", shown)
        trigger = Trigger(world.new_id(), ctx.now(), body, header)
        world.triggers.append(trigger)
        return JSONResponse(
            {
                "success": True,
                "message": "Tests triggered successfully",
                "executionId": trigger.execution_id,
            },
            headers=shown,
        )

    async def report(request: Request) -> Response:
        wanted = request.path_params["id"]
        found = next((t for t in world.triggers if t.execution_id == wanted), None)
        if found is None:
            return HTMLResponse("<h1>Run not found</h1>", status_code=404)
        rows = "".join(
            f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
            for k, v in found.body.items()
        )
        title = f"Bug0 run {escape(found.execution_id)}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        return HTMLResponse(f"{page}<table>{rows}</table></body></html>")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse(error_body(exc.status_code, exc.detail), status_code=exc.status_code)

    app = Starlette(
        routes=[
            Route("/api/run-tests", run_tests, methods=["POST"]),
            Route("/app/runs/{id}", report),
        ],
        exception_handlers={HTTPException: http_error},
    )
    return FaultMiddleware(
        app, provider="bug0", plan=ctx.faults, limiter=ctx.limiter, error_body=error_body
    )
