"""BugBrain executions API (Gen A, shared/providers.md §3), mounted at ``/bugbrain/api/v1``.

The base URL is ``<host>/bugbrain/api/v1``; clients append ``/executions...`` and ``/test-cases``.

* Auth: ``Authorization: Bearer bugbrain_sk_...`` (Gen A) or ``x-api-key: ...`` (Gen B style).
* Rate limit: 30 requests/minute and 500/hour per key, enforced unless the app was built with
  ``enforce_documented_limits=False``. Every authenticated response carries ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (unix seconds) for the minute window; past
  it, 429 with the same headers (no ``Retry-After``: none is documented).
* Errors [INF: undocumented]: ``{"error": {"code": "...", "message": "..."}}`` with 400 (bad
  parameters: missing ``project_id``, ``limit`` outside 1..100, a ``status`` filter outside
  pending|running|completed|failed, a bad date), 401, 403 (another project), 404, 409 (cancelling a
  finished execution), 429.
* Lists are newest first [INF]. A running execution's ``completed_at`` is null and its
  ``duration_seconds`` counts the seconds run so far; counts are the tests finished so far.
* ``POST /executions`` (sync) answers 200 after the execution ends on the scenario clock, or after
  ``ScenarioSpec.sync_wait_cap_s`` real seconds (then with its current, non-terminal state); with
  ``wait_for_completion: false`` it answers at once. ``timeout_seconds`` (default 300) is scenario
  time: an execution that would run longer ends ``failed`` ("Execution timed out after ...").
* ``POST /executions/async`` answers 202 [INF] with ``polling_url`` ``/api/v1/executions/{id}/status``.
* ``GET /executions/{id}/status``: while queued/pending/running ``{id, status, progress:{current,
  total, percent}, started_at, estimated_completion}``; once finished ``{id, status, passed_tests,
  failed_tests, total_tests, duration_seconds, completed_at}`` (plus ``error`` for ``failed``).
* ``GET /executions/{id}/results`` lists only the tests that finished so far.
* ``GET /executions/{id}/failure-analysis``: 200 ``{id, analysis:[...]}`` for about 70% of the
  executions that completed with failures; 404 (code ``analysis_not_available``) for every other
  execution, including running ones.
* ``GET /executions/{id}`` (named only in the overview table) returns the execution object [INF].
* Screenshot URLs point at ``<host>/bugbrain/cdn/screenshots/<exec>/<test>.png`` (real PNGs).
"""

from __future__ import annotations

import math
import operator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from qa_tui.sim.bugbrain.api import BugBrainApi, error_body, fail
from qa_tui.sim.bugbrain.world import LIST_FILTERS, TERMINAL, BugBrainWorld
from qa_tui.sim.common import (
    SimContext,
    int_param,
    iso_seconds,
    parse_iso,
    read_json_object,
)
from qa_tui.sim.faults import FaultMiddleware
from qa_tui.sim.screenshots import step_screenshot


def routes(api: BugBrainApi) -> list[BaseRoute]:
    world = api.world

    async def start(request: Request, sync: bool) -> Response:
        body = await read_json_object(request)
        if body is None:
            return fail(400, "Request body must be a JSON object")
        if not body.get("test_plan_id"):
            return fail(400, "test_plan_id is required")
        if (refusal := api.project_error(body.get("project_id"))) is not None:
            return refusal
        plan = world.plans.get(str(body["test_plan_id"]))
        if plan is None:
            return fail(404, "Test plan not found", "test_plan_not_found")
        timeout = body.get("timeout_seconds", 300)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            return fail(400, "timeout_seconds must be a positive number")
        environment = body.get("environment")
        if environment is not None and environment not in ("staging", "prod"):
            return fail(400, "environment must be staging or prod")
        now = api.now()
        ex = world.start(plan, now, float(timeout), environment)
        if not sync:
            return JSONResponse(
                {
                    "id": ex.id,
                    "status": "queued",
                    "estimated_wait_seconds": math.ceil(max(ex.timeline.start - now, 0)),
                    "polling_url": f"/api/v1/executions/{ex.id}/status",
                },
                status_code=202,
            )
        if body.get("wait_for_completion", True) is not False:
            await api.wait(ex)
        now = api.ctx.now()
        results = api.results_json(request, ex, now)
        passed, failed = ex.counts(now)
        summary = {
            "total": ex.timeline.total_steps,
            "passed": passed,
            "failed": failed,
            "skipped": ex.timeline.total_steps - passed - failed if ex.timeline.is_over(now) else 0,
        }
        return JSONResponse(
            {
                **api.execution_json(ex, now),
                "results": {"test_results": results, "summary": summary},
            }
        )

    async def executions(request: Request) -> Response:
        if request.method == "POST":
            return await start(request, sync=True)
        q, now = request.query_params, api.now()
        if (refusal := api.project_error(q.get("project_id"))) is not None:
            return refusal
        limit, offset = int_param(q.get("limit"), 20), int_param(q.get("offset"), 0)
        if limit is None or not 1 <= limit <= 100:
            return fail(400, "limit must be an integer between 1 and 100")
        if offset is None or offset < 0:
            return fail(400, "offset must be a non-negative integer")
        items = [e for e in world.executions.values() if e.timeline.exists(now)]
        if "status" in q:
            if q["status"] not in LIST_FILTERS:
                return fail(400, f"status must be one of {', '.join(LIST_FILTERS)}")
            items = [e for e in items if e.timeline.status(now) == q["status"]]
        for key, keep in (("created_after", operator.ge), ("created_before", operator.le)):
            if key in q:
                bound = parse_iso(q[key])
                if bound is None:
                    return fail(400, f"{key} must be an ISO 8601 date-time")
                items = [e for e in items if keep(e.timeline.created, bound)]
        items.sort(key=lambda e: (e.timeline.created, e.id), reverse=True)
        data = [api.execution_json(e, now) for e in items[offset : offset + limit]]
        return JSONResponse(
            {"data": data, "pagination": {"limit": limit, "offset": offset, "total": len(items)}}
        )

    async def start_async(request: Request) -> Response:
        return await start(request, sync=False)

    async def execution(request: Request) -> Response:
        ex, now = api.execution(request), api.ctx.now()
        if request.method == "DELETE":
            if ex.timeline.status(now) in TERMINAL:
                return fail(
                    409, f"Execution is already {ex.timeline.status(now)}", "not_cancellable"
                )
            ex.timeline.freeze(now, "cancelled")
            return JSONResponse(
                {
                    "id": ex.id,
                    "status": "cancelled",
                    "cancellation_reason": "requested",
                    "cancelled_at": iso_seconds(now),
                }
            )
        return JSONResponse(api.execution_json(ex, now))

    async def status(request: Request) -> Response:
        return JSONResponse(api.status_json(api.execution(request), api.ctx.now()))

    async def results(request: Request) -> Response:
        ex = api.execution(request)
        return JSONResponse(
            {
                "id": ex.id,
                "test_plan_id": ex.plan.id,
                "test_results": api.results_json(request, ex, api.ctx.now()),
            }
        )

    async def analysis(request: Request) -> Response:
        ex, now = api.execution(request), api.ctx.now()
        ready = ex.has_analysis and ex.timeline.status(now) == "completed" and ex.failing
        if not ready:
            return fail(
                404, "No failure analysis available for this execution", "analysis_not_available"
            )
        return JSONResponse({"id": ex.id, "analysis": api.analysis_json(request, ex)})

    async def test_cases(request: Request) -> Response:
        q = request.query_params
        if (refusal := api.project_error(q.get("project_id"))) is not None:
            return refusal
        limit, offset = int_param(q.get("limit"), 50), int_param(q.get("offset"), 0)
        if limit is None or not 1 <= limit <= 500 or offset is None or offset < 0:
            return fail(400, "limit must be 1..500 and offset non-negative")
        cases = world.test_cases
        if "test_plan_id" in q:
            plan = world.plans.get(q["test_plan_id"])
            cases = plan.tests if plan else []
        if q.get("search"):
            cases = [c for c in cases if q["search"].lower() in c.name.lower()]
        if "status" in q:
            if q["status"] not in ("active", "archived"):
                return fail(400, "status must be active or archived")
            cases = [c for c in cases if c.archived == (q["status"] == "archived")]
        data = [
            {
                "id": c.id,
                "project_id": world.project_id,
                "name": c.name,
                "description": c.description,
                "status": "archived" if c.archived else "active",
                "steps": [
                    {
                        "step_id": f"step_{j + 1}",
                        "description": d,
                        "action": a,
                        **({"selector": s} if s else {}),
                        **({"value": v} if v else {}),
                    }
                    for j, (d, a, s, v) in enumerate(c.steps)
                ],
                "created_at": iso_seconds(c.created),
                "updated_at": iso_seconds(c.created + 3600),
            }
            for c in cases[offset : offset + limit]
        ]
        return JSONResponse(
            {"data": data, "pagination": {"limit": limit, "offset": offset, "total": len(cases)}}
        )

    g = api.guarded
    return [
        Route("/executions", g(executions), methods=["GET", "POST"]),
        Route("/executions/async", g(start_async), methods=["POST"]),
        Route("/executions/{id}", g(execution), methods=["GET", "DELETE"]),
        Route("/executions/{id}/status", g(status)),
        Route("/executions/{id}/results", g(results)),
        Route("/executions/{id}/failure-analysis", g(analysis)),
        Route("/test-cases", g(test_cases)),
    ]


def build(ctx: SimContext, world: BugBrainWorld, key: str | None = None) -> tuple[ASGIApp, ASGIApp]:
    """The API app (for ``/bugbrain/api/v1``) and the screenshot CDN (for ``/bugbrain/cdn``);
    `key`: the API key the world's project belongs to (default: the demo key)."""
    api = BugBrainApi(ctx, world) if key is None else BugBrainApi(ctx, world, key)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return fail(exc.status_code, exc.detail)

    async def screenshot(request: Request) -> Response:
        ex = world.executions.get(request.path_params["exec_id"])
        test_id = request.path_params["test_id"]
        index = (
            next((i for i, t in enumerate(ex.plan.tests) if t.id == test_id), None) if ex else None
        )
        if ex is None or index is None:
            return fail(404, "Not found")
        return Response(step_screenshot(index + 1, "failed"), media_type="image/png")

    handlers: dict[Any, Any] = {HTTPException: http_error}
    app = Starlette(routes=routes(api), exception_handlers=handlers)
    cdn = Starlette(
        routes=[Mount("/screenshots", routes=[Route("/{exec_id}/{test_id}.png", screenshot)])],
        exception_handlers=handlers,
    )

    def wrap(inner: ASGIApp) -> ASGIApp:
        return FaultMiddleware(
            inner, provider="bugbrain", plan=ctx.faults, limiter=ctx.limiter, error_body=error_body
        )

    return wrap(app), wrap(cdn)
