"""GitHub's REST API, the slice qa-tui reads, mounted at ``/github`` (its ``api_url``).

* ``GET /repos/{owner}/{repo}/commits/{ref}/status``: the combined status (``state``,
  ``statuses``: the latest of each context, ``total_count``, ``sha``);
* ``GET /repos/{owner}/{repo}/commits/{ref}/check-runs``: ``{total_count, check_runs}``;
* ``GET /rate_limit``: ``{resources: {core: {...}}, rate: {...}}`` (not counted).

Auth is ``Authorization: Bearer <token>`` (or ``token <token>``) with the demo token
(:data:`~qa_tui.sim.credentials.GITHUB_TOKEN`). The simulated repositories are private, so a
request without a token gets GitHub's ``404 {"message": "Not Found"}``; a wrong or revoked token
(``/_sim/revoke {"provider": "github"}``) gets ``401 {"message": "Bad credentials"}``.

Every answer carries what GitHub sends: ``Date`` (on the scenario clock), ``ETag`` (a weak tag
of the body) and ``X-RateLimit-Limit``/``-Remaining``/``-Reset``/``-Used``/``-Resource``.
``If-None-Match`` with the current ETag gets ``304 Not Modified`` with no body, and is not
counted. Past ``GitHubWorld.hourly_limit`` requests in the hour (counted on the rate clock, when
the documented limits are enforced), GitHub's ``403 {"message": "API rate limit exceeded for
..."}`` with ``X-RateLimit-Remaining: 0``. Faults (``github:throttle`` and the others) come
before all of it, as for every provider: a throttle is a 429 with ``Retry-After`` (GitHub's
secondary limit).
"""

from __future__ import annotations

import hashlib
import json
import math
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from qa_tui.sim.common import SimContext, origin
from qa_tui.sim.credentials import GITHUB_TOKEN
from qa_tui.sim.faults import FaultMiddleware
from qa_tui.sim.github.world import GitHubWorld

DOCS = "https://docs.github.com/rest"
HOUR_S = 3600.0


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "documentation_url": DOCS, "status": str(status)}


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def build(ctx: SimContext, world: GitHubWorld) -> ASGIApp:
    """The GitHub app over `world`."""

    def token_of(request: Request) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() in ("bearer", "token") and value.strip() else None

    def rate(token: str, *, count: bool) -> tuple[dict[str, str], bool]:
        """The rate headers after this request, and whether it is allowed."""
        key, limit = f"github:{token}", world.hourly_limit
        if count and ctx.enforce_limits:
            verdict = ctx.limiter.hit(key, limit, HOUR_S)
        else:
            verdict = ctx.limiter.peek(key, limit, HOUR_S)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(verdict.remaining),
            "X-RateLimit-Reset": str(math.ceil(verdict.reset)),
            "X-RateLimit-Used": str(limit - verdict.remaining),
            "X-RateLimit-Resource": "core",
            "Date": formatdate(ctx.now(), usegmt=True),
        }
        return headers, verdict.allowed

    def refuse(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
        world.served.append((request.url.path, status))
        return JSONResponse(error_body(status, message), status_code=status, headers=headers)

    def authorized(request: Request) -> str | Response:
        """The request's token, or GitHub's answer to a request without a good one."""
        token = token_of(request)
        date = {"Date": formatdate(ctx.now(), usegmt=True)}
        if token is None:
            return refuse(request, 404, "Not Found", date)
        if token != GITHUB_TOKEN or "github" in ctx.revoked or token in ctx.revoked_tokens:
            return refuse(request, 401, "Bad credentials", date)
        return token

    def answer(request: Request, token: str, payload: dict[str, Any]) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode()
        tag = etag_of(body)
        cache = {"ETag": tag, "Cache-Control": "private, max-age=60, s-maxage=60"}
        asked = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
        if tag in asked:
            headers, _ = rate(token, count=False)
            world.served.append((request.url.path, 304))
            return Response(status_code=304, headers={**headers, **cache})
        headers, allowed = rate(token, count=True)
        if not allowed:
            message = "API rate limit exceeded for user ID 1. (Authenticated requests get a higher rate limit.)"
            return refuse(request, 403, message, headers)
        world.served.append((request.url.path, 200))
        return Response(body, media_type="application/json", headers={**headers, **cache})

    async def status(request: Request) -> Response:
        token = authorized(request)
        if isinstance(token, Response):
            return token
        p = request.path_params
        payload = world.combined_status(p["owner"], p["repo"], p["ref"], ctx.now(), origin(request))
        return answer(request, token, payload)

    async def check_runs(request: Request) -> Response:
        token = authorized(request)
        if isinstance(token, Response):
            return token
        p = request.path_params
        payload = world.check_runs(p["owner"], p["repo"], p["ref"], ctx.now(), origin(request))
        return answer(request, token, payload)

    async def rate_limit(request: Request) -> Response:
        token = authorized(request)
        if isinstance(token, Response):
            return token
        headers, _ = rate(token, count=False)
        window = {
            "limit": world.hourly_limit,
            "remaining": int(headers["X-RateLimit-Remaining"]),
            "reset": int(headers["X-RateLimit-Reset"]),
            "used": int(headers["X-RateLimit-Used"]),
            "resource": "core",
        }
        world.served.append((request.url.path, 200))
        return JSONResponse({"resources": {"core": window}, "rate": window}, headers=headers)

    commit = "/repos/{owner}/{repo}/commits/{ref}"
    app = Starlette(
        routes=[
            Route(f"{commit}/status", status),
            Route(f"{commit}/check-runs", check_runs),
            Route("/rate_limit", rate_limit),
        ]
    )
    return FaultMiddleware(
        app, provider="github", plan=ctx.faults, limiter=ctx.limiter, error_body=error_body
    )
