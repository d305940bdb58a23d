"""BugBug's files and pages: step screenshots, debug artifacts, logs, JUnit, step runs, web pages.

* Screenshot, artifact and log URLs are absolute, under ``<host>/bugbug/media/...``, and need no
  token (they stand in for BugBug's signed storage URLs).
* ``GET .../logs/`` answers 302 with ``Location: <host>/bugbug/media/logs/<id>.log`` once the run
  has started; runs without logs (about 15%) and runs that have not started answer 404
  ``{"detail": "Logs not found or expired"}``. The log text embeds names as sent (hostile names
  included, escapes and all).
* Debug artifacts: while a run is running, only ``logs_partial``; once it ended, the kinds it has
  (failed and errored runs always have some, passed ones sometimes; the others have ``[]``).
  ``dom_snapshot`` never expires (``expirationTime`` null); the rest expire 30 days after the end.
* JUnit is served with ``Content-Type: application/json`` although the body is XML, as the spec
  declares; it exists once the run (all of a suite's runs) ended, else 404. Control characters that
  XML cannot carry become U+FFFD.
* ``webappUrl`` points to ``<host>/bugbug/app/test-runs/<id>/`` (or ``suite-runs``): a small HTML page.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Route

from qa_tui.sim.bugbug.runs import TestRun
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.common import SimContext, django_duration, iso_drf, iso_millis, prefix_url
from qa_tui.sim.media import JUnitCase, junit_xml, web_page
from qa_tui.sim.screenshots import step_screenshot

Json = dict[str, Any]
_EXT = {"container_stats": "json", "dom_snapshot": "html"}
_THIRTY_DAYS = 30 * 86_400.0


class BugBugFiles:
    """The files and pages of the runs in `world`, as of the scenario clock in `ctx`.

    It is handed the world and the context, not the API that owns it, so the two modules do not
    import each other."""

    def __init__(self, ctx: SimContext, world: BugBugWorld) -> None:
        self.ctx, self.world = ctx, world

    def step_window(self, run: TestRun, i: int) -> tuple[float, float]:
        tl = run.timeline
        begin = tl.start if i == 0 else tl.steps[i - 1]
        return begin, tl.steps[i] if i < len(tl.steps) else tl.end

    def screenshots(self, request: Request, run: TestRun, now: float) -> list[Json]:
        base = prefix_url(request)
        items = []
        for i, sid in enumerate(run.step_run_ids):
            status = run.step_status(i, now)
            if status is None or status == "running":
                break
            items.append(
                {
                    "id": sid,
                    "stepId": run.test.steps[i].id,
                    "screenshotUrl": f"{base}/media/screenshots/{sid}.png",
                }
            )
        return items

    def artifacts(self, request: Request, run: TestRun, now: float) -> list[Json]:
        base, ended = prefix_url(request), run.timeline.ended(now)
        if ended is None:
            if run.artifacts and run.timeline.started(now) is not None:
                aid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run.id}/logs_partial"))
                url = f"{base}/media/artifacts/{run.id}/logs_partial.txt"
                return [{"id": aid, "kind": "logs_partial", "file": url, "expirationTime": None}]
            return []
        return [
            {
                "id": aid,
                "kind": kind,
                "file": f"{base}/media/artifacts/{run.id}/{kind}.{_EXT.get(kind, 'txt')}",
                "expirationTime": None if kind == "dom_snapshot" else iso_drf(ended + _THIRTY_DAYS),
            }
            for kind, aid in run.artifacts.items()
        ]

    def logs_redirect(self, request: Request, run: TestRun, now: float) -> Response:
        if not run.has_logs or run.timeline.started(now) is None:
            return self._missing("Logs not found or expired")
        return RedirectResponse(f"{prefix_url(request)}/media/logs/{run.id}.log", status_code=302)

    def _missing(self, message: str) -> Response:
        return JSONResponse({"detail": message}, status_code=404)

    def junit(
        self, request: Request, runs: Sequence[TestRun], now: float, suite: str | None = None
    ) -> Response:
        if not runs or any(r.timeline.ended(now) is None for r in runs):
            return self._missing("Not found.")
        cases = []
        for r in runs:
            status = r.timeline.status(now)
            started, ended = r.timeline.started(now), r.timeline.ended(now) or now
            outcome = status if status in ("passed", "failed", "error") else "skipped"
            message = (
                f"{r.error_code}: step {r.timeline.steps_done(now)} failed" if r.error_code else ""
            )
            cases.append(
                JUnitCase(
                    r.name,
                    suite or "bugbug",
                    ended - (started or ended),
                    outcome,
                    message if outcome in ("failed", "error") else "",
                    r.error_code or "",
                )
            )
        stamp = iso_drf(min(r.timeline.created for r in runs)) or ""
        body = junit_xml(suite or runs[0].name, cases, stamp)
        name = f"junit-{request.path_params['id']}.xml"
        return Response(
            body,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def step_run(self, request: Request, run: TestRun, i: int, status: str, now: float) -> Json:
        step = run.test.steps[i]
        begin, end = self.step_window(run, i)
        over = status != "running"
        failing = status in ("failed", "error")
        url = f"{prefix_url(request)}/media/screenshots/{run.step_run_ids[i]}.png"
        waiting: Json = {"failed": [], "skipped": []}
        if failing:
            waiting["failed"] = [{"type": "elementIsVisible", "expected": True, "current": False}]
        return {
            "id": run.step_run_ids[i],
            "stepId": step.id,
            "testRunId": run.id,
            "type": step.type,
            "status": status,
            # the same as the run's `stepsRuns` item says: a step's own text only where the world
            # gave one (every dialect serves one world; only how it is written differs)
            "error": run.error_text if failing else None,
            "errorCode": run.error_code if failing else None,
            "warning": False,
            "forceFailed": False,
            "ignoredFailed": False,
            "executed": over,
            "elementExists": (not failing) if step.type != "goto" else None,
            "timeout": 15000,
            "runTimeout": 60000,
            "sleep": 0,
            "executionUrl": "https://shop.example.com/" if step.type == "goto" else None,
            "started": iso_drf(begin),
            "ended": iso_drf(end) if over else None,
            "duration": django_duration(end - begin) if over else None,
            "screenshotUrl": url if over else None,
            "coveringElementScreenshot": None,
            "assertionExpectedValue": None,
            "assertionCurrentValue": None,
            "assertionType": "equals" if step.type == "assert" else None,
            "assertionProperty": None,
            "tabNo": 0,
            "computedValue": None,
            "computedUrl": None,
            "waitingConditions": waiting,
        }

    def log_text(self, run: TestRun, now: float) -> str:
        tl = run.timeline
        lines = [f"{iso_millis(tl.created)} INFO  test run {run.id} created: {run.name}"]
        if (started := tl.started(now)) is not None:
            lines.append(
                f"{iso_millis(started)} INFO  started in Chrome 126 on Linux ({run.profile.name})"
            )
        for i, step in enumerate(run.test.steps):
            status = run.step_status(i, now)
            if status is None:
                break
            begin, end = self.step_window(run, i)
            at = iso_millis(end if status != "running" else begin)
            level = "ERROR" if status in ("failed", "error") else "INFO "
            lines.append(f"{at} {level} step {i + 1}/{len(run.test.steps)} {step.type}: {status}")
            if level == "ERROR":
                lines.append(f"{at} ERROR {run.error_code} in {run.name!s}")
        if (ended := tl.ended(now)) is not None:
            lines.append(f"{iso_millis(ended)} INFO  finished: {tl.status(now)}")
        return "\n".join(lines) + "\n"

    # -- routes -----------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        world = self.world

        async def screenshot(request: Request) -> Response:
            found = world.step_runs.get(request.path_params["id"])
            if found is None:
                return self._missing("Not found.")
            run, i = found
            status = run.step_status(i, self.ctx.now()) or "queued"
            return Response(step_screenshot(i + 1, status), media_type="image/png")

        async def log_file(request: Request) -> Response:
            run = world.test_runs.get(request.path_params["id"])
            if run is None or not run.has_logs:
                return self._missing("Not found.")
            return PlainTextResponse(self.log_text(run, self.ctx.now()))

        async def artifact_file(request: Request) -> Response:
            run = world.test_runs.get(request.path_params["id"])
            kind = request.path_params["name"].rsplit(".", 1)[0]
            if run is None or (kind not in run.artifacts and kind != "logs_partial"):
                return self._missing("Not found.")
            now = self.ctx.now()
            if kind == "container_stats":
                return Response(
                    b'{"cpu_percent": 41.5, "memory_mb": 812}', media_type="application/json"
                )
            if kind == "dom_snapshot":
                return HTMLResponse(web_page(run.name, {"status": run.timeline.status(now)}))
            return PlainTextResponse(self.log_text(run, now))

        async def test_page(request: Request) -> Response:
            run = world.test_runs.get(request.path_params["id"])
            if run is None:
                return HTMLResponse("<h1>Not found</h1>", status_code=404)
            now = self.ctx.now()
            facts = {
                "Status": run.timeline.status(now),
                "Profile": run.profile.name,
                "Steps": f"{run.timeline.steps_done(now)}/{run.timeline.total_steps}",
            }
            return HTMLResponse(web_page(f"Test run: {run.name}", facts))

        async def suite_page(request: Request) -> Response:
            run = world.suite_runs.get(request.path_params["id"])
            if run is None:
                return HTMLResponse("<h1>Not found</h1>", status_code=404)
            now = self.ctx.now()
            links = [(c.name, f"{prefix_url(request)}/app/test-runs/{c.id}/") for c in run.children]
            return HTMLResponse(
                web_page(f"Suite run: {run.name}", {"Status": run.status(now)}, links)
            )

        return [
            Route("/media/screenshots/{id}.png", screenshot),
            Route("/media/logs/{id}.log", log_file),
            Route("/media/artifacts/{id}/{name}", artifact_file),
            Route("/app/test-runs/{id}/", test_page),
            Route("/app/suite-runs/{id}/", suite_page),
        ]
