"""BugBrain plumbing shared by its routes: key check and rate limit, errors, serializers, waiting."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from qa_tui.sim.bugbrain.world import TERMINAL, BugBrainWorld, Execution
from qa_tui.sim.common import SimContext, iso_seconds, origin
from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBRAIN_OTHER_PROJECT_ID

Json = dict[str, Any]
Handler = Callable[[Request], Awaitable[Response]]
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limited",
}


def error_body(status: int, message: str, code: str | None = None) -> Json:
    return {"error": {"code": code or _CODES.get(status, "server_error"), "message": message}}


def fail(status: int, message: str, code: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code), status_code=status)


class BugBrainApi:
    def __init__(self, ctx: SimContext, world: BugBrainWorld, key: str = BUGBRAIN_API_KEY) -> None:
        self.ctx, self.world = ctx, world
        self.key = key
        """The API key this world's project belongs to (several projects per key: sim/org.py)."""

    def now(self) -> float:
        now = self.ctx.now()
        self.world.materialize(now)
        return now

    def guarded(self, handler: Handler) -> Handler:
        """Check the key, count the request, and add the rate-limit headers to the answer."""

        async def endpoint(request: Request) -> Response:
            auth = request.headers.get("authorization", "")
            key = auth[7:].strip() if auth.lower().startswith("bearer ") else None
            key = key or request.headers.get("x-api-key")
            if not key:
                return fail(401, "Missing API key: send 'Authorization: Bearer <key>'")
            if key != self.key or "bugbrain" in self.ctx.revoked or key in self.ctx.revoked_tokens:
                return fail(401, "Invalid API key")
            minute = self.ctx.limiter.hit_all(f"bugbrain:{key}", [(30, 60.0), (500, 3600.0)])
            if self.ctx.enforce_limits and not minute.allowed:
                response: Response = fail(429, "Rate limit exceeded: 30 requests per minute")
            else:
                response = await handler(request)
            response.headers.update(minute.headers())
            return response

        return endpoint

    def execution(self, request: Request) -> Execution:
        ex = self.world.executions.get(request.path_params["id"])
        if ex is None or not ex.timeline.exists(self.now()):
            raise HTTPException(404, "Execution not found")
        return ex

    def project_error(self, project_id: object) -> Response | None:
        if not project_id:
            return fail(400, "project_id is required")
        if project_id == BUGBRAIN_OTHER_PROJECT_ID:
            return fail(403, "API key has no access to this project")
        if project_id != self.world.project_id:
            return fail(404, "Project not found", "project_not_found")
        return None

    # -- serializers ------------------------------------------------------------------------
    def execution_json(self, ex: Execution, now: float) -> Json:
        tl = ex.timeline
        passed, failed = ex.counts(now)
        started, ended = tl.started(now), tl.ended(now)
        seconds = int((ended or now) - started) if started is not None else 0
        return {
            "id": ex.id,
            "test_plan_id": ex.plan.id,
            "project_id": ex.project_id,
            "status": tl.status(now),
            "passed_tests": passed,
            "failed_tests": failed,
            "total_tests": tl.total_steps,
            "duration_seconds": seconds,
            "created_at": iso_seconds(tl.created),
            "completed_at": iso_seconds(ended),
            **({"environment": ex.environment} if ex.environment else {}),
            **({"error": ex.error} if ex.error and tl.status(now) == "failed" else {}),
        }

    def status_json(self, ex: Execution, now: float) -> Json:
        tl, status = ex.timeline, ex.timeline.status(now)
        if status in TERMINAL:
            body = self.execution_json(ex, now)
            del body["test_plan_id"], body["project_id"], body["created_at"]
            return {**body, **({"error": ex.error} if status == "failed" and ex.error else {})}
        done, total = tl.steps_done(now), tl.total_steps
        return {
            "id": ex.id,
            "status": status,
            "progress": {
                "current": done,
                "total": total,
                "percent": math.floor(100 * done / max(total, 1)),
            },
            "started_at": iso_seconds(tl.started(now)),
            "estimated_completion": iso_seconds(tl.end),
        }

    def results_json(self, request: Request, ex: Execution, now: float) -> list[Json]:
        results = []
        for i, test in enumerate(ex.plan.tests):
            status = ex.test_status(i, now)
            if status is None:
                break
            begin = ex.timeline.start if i == 0 else ex.timeline.steps[i - 1]
            steps = [
                {"step_id": f"step_{j + 1}", "name": s[0], "status": "passed"}
                for j, s in enumerate(test.steps)
            ]
            item: Json = {
                "test_id": test.id,
                "name": test.name,
                "status": status,
                "duration_ms": int((ex.timeline.steps[i] - begin) * 1000),
                "steps": steps,
            }
            if status == "failed":
                cut = 1 + (i + len(ex.id)) % len(steps)
                steps[cut - 1]["status"] = "failed"
                del steps[cut:]
                item["error"] = ex.failing[i]
                item["screenshot"] = self.screenshot_url(request, ex, test.id)
            results.append(item)
        return results

    def screenshot_url(self, request: Request, ex: Execution, test_id: str) -> str:
        return f"{origin(request)}/bugbrain/cdn/screenshots/{ex.id}/{test_id}.png"

    def analysis_json(self, request: Request, ex: Execution) -> list[Json]:
        out = []
        for i, error in sorted(ex.failing.items()):
            test = ex.plan.tests[i]
            selector = next((s[2] for s in test.steps if s[2]), ".add-to-cart-btn")
            category = ("selector_changed", "timing_issue", "assertion_mismatch")[i % 3]
            out.append(
                {
                    "test_id": test.id,
                    "test_name": test.name,
                    "failure_category": category,
                    "confidence": round(0.6 + (i % 4) * 0.1, 2),
                    "description": f"{error}. The '{selector}' selector no longer matches.",
                    "evidence": {
                        "expected_selector": selector,
                        "suggested_alternative": selector.replace("btn", "button"),
                        "screenshot": self.screenshot_url(request, ex, test.id),
                    },
                    "fix_suggestions": [
                        f"Update the selector '{selector}'",
                        "Verify the element is visible in the current version",
                    ],
                }
            )
        return out

    async def wait(self, ex: Execution) -> None:
        """Block until the execution ends on the scenario clock, at most the real-time cap."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ctx.spec.sync_wait_cap_s
        while not ex.timeline.is_over(self.ctx.now()) and loop.time() < deadline:
            left = ex.timeline.end - self.ctx.now()
            await asyncio.sleep(min(0.05, max(self.ctx.clock.real_seconds(left), 0.005)))
