"""BugBug plumbing shared by its routes: auth, serializers, DRF pagination, filters.

Where the docs leave room, the dialect (:mod:`qa_tui.sim.dialects`) picks the reading, here:

* ``bugbug.next`` (providers.md §1.1: ``next`` is only a nullable URI [INF]) and
  ``bugbug.page_size`` (§1.1: the server may ignore ``page_size`` [INF]): :meth:`BugBugApi.page`;
* ``bugbug.suite_page_size``, ``bugbug.suite_ordering`` (§1.3: both unverified for suite runs)
  and ``bugbug.time_range`` (§1.2, §1.3): :meth:`BugBugApi.filter_runs` and the suite-run list;
* ``bugbug.steps_runs`` (§6.1: ``stepsRuns`` is typed string): :meth:`BugBugApi.steps_runs_field`;
* ``rate_headers`` ``x-ratelimit``/``ratelimit`` (§1.1 documents no limit, so by default none is
  shown): :meth:`BugBugApi.guarded` counts a window of :data:`NOTIONAL_RPM` it never enforces.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from qa_tui.sim.bugbug.files import BugBugFiles
from qa_tui.sim.bugbug.runs import TERMINAL, SuiteRun, TestRun
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.common import SimContext, django_duration, iso_drf, parse_iso, prefix_url
from qa_tui.sim.credentials import BUGBUG_TOKEN
from qa_tui.sim.dialects.switches import (
    BUGBUG_FIXED_PAGE,
    BUGBUG_PAGE_CAP,
    BUGBUG_SUITE_PAGE,
    OTHER_HOST,
)

Json = dict[str, Any]
NOTIONAL_RPM = 600
"""The window BugBug's rate-limit headers describe when a dialect shows them (none is documented,
and none is enforced: a refusal needs the ``rpm`` fault)."""


def error_body(status: int, message: str) -> Json:
    if status == 429:
        return {"detail": "Request was throttled."}
    return {"detail": message}


def detail(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers or None)


def uuid_ok(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class BugBugApi:
    """The routes of the simulated BugBug, over a :class:`BugBugWorld`."""

    def __init__(self, ctx: SimContext, world: BugBugWorld, token: str = BUGBUG_TOKEN) -> None:
        self.ctx, self.world = ctx, world
        self.token = token
        """The project's token (one project, one token: several projects are sim/org/projects.py's)."""
        self.files = BugBugFiles(ctx, world)

    # -- plumbing ---------------------------------------------------------------------------
    def now(self) -> float:
        now = self.ctx.now()
        self.world.materialize(now)
        return now

    def unauthorized(self, request: Request) -> JSONResponse | None:
        keyword, _, token = request.headers.get("authorization", "").strip().partition(" ")
        if keyword.lower() != "token":
            message = "Authentication credentials were not provided."
        elif not token.strip():
            message = "Invalid token header. No credentials provided."
        elif (
            token.strip() != self.token
            or "bugbug" in self.ctx.revoked
            or self.token in self.ctx.revoked_tokens
        ):
            message = "Invalid token."
        else:
            return None
        return detail(401, message, **{"WWW-Authenticate": "Token"})

    def guarded(self, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            refusal = self.unauthorized(request)
            if refusal is not None:
                return refusal
            response: Response = await handler(request)
            if self.ctx.spec.dialect.rate_headers_everywhere:
                window = self.ctx.limiter.hit("bugbug:shown", NOTIONAL_RPM)
                response.headers.update(window.headers())
            return response

        return endpoint

    def test_run(self, request: Request) -> TestRun:
        run = self.world.test_runs.get(request.path_params["id"])
        if run is None or not run.timeline.exists(self.now()):
            raise HTTPException(404, "Not found.")
        return run

    def suite_run(self, request: Request) -> SuiteRun:
        run = self.world.suite_runs.get(request.path_params["id"])
        if run is None or self.now() < run.created:
            raise HTTPException(404, "Not found.")
        return run

    # -- serializers ------------------------------------------------------------------------
    def web_url(self, request: Request, kind: str, run_id: str) -> str:
        return f"{prefix_url(request)}/app/{kind}/{run_id}/"

    def step_runs(self, run: TestRun, now: float) -> list[Json]:
        items = []
        for i, sid in enumerate(run.step_run_ids):
            status = run.step_status(i, now)
            if status is None:
                break
            failing = status in ("failed", "error")
            tl = run.timeline
            begin = tl.start if i == 0 else tl.steps[i - 1]
            end = tl.steps[i] if i < len(tl.steps) else tl.end
            items.append(
                {
                    "id": sid,
                    "stepId": run.test.steps[i].id,
                    "type": run.test.steps[i].type,
                    "status": status,
                    "duration": django_duration(end - begin) if status != "running" else None,
                    "errorCode": run.error_code if failing else None,
                    **({"error": run.error_text} if failing and run.error_text else {}),
                }
            )
        return items

    def test_run_json(self, request: Request, run: TestRun, now: float) -> Json:
        tl = run.timeline
        started, ended = tl.started(now), tl.ended(now)
        status = tl.status(now)
        duration = django_duration(ended - started) if started and ended else None
        queued = tl.phases[1][0] if len(tl.phases) > 1 and tl.phases[1][0] <= now else None
        mobile = run.profile.name == "Mobile"
        return {
            "browserHeight": (844 if mobile else 1080) if started else None,
            "browserName": "Chrome" if started else None,
            "browserVersion": "126.0.6478.126" if started else None,
            "browserWidth": (390 if mobile else 1920) if started else None,
            "duration": duration,
            "ended": iso_drf(ended),
            "errorCode": run.error_code if status in ("failed", "error") else None,
            "extensionVersion": "5.14.2" if started else None,
            "id": run.id,
            "name": run.name,
            "osName": "Linux" if started else None,
            "queued": iso_drf(queued),
            "runMode": run.run_mode,
            "runProfileId": run.profile.id,
            "screenSizeType": "mobile" if mobile else "desktop",
            "sequence": run.sequence,
            "started": iso_drf(started),
            "status": status,
            "stepsRuns": self.steps_runs_field(run, now),
            "suiteRunId": run.suite_run_id,
            "testId": run.test.id,
            "triggeredBy": run.triggered_by,
            "userId": run.user_id,
            "webappUrl": self.web_url(request, "test-runs", run.id),
        }

    def steps_runs_field(self, run: TestRun, now: float) -> str | list[Json]:
        """``V2TestRun.stepsRuns`` as the dialect reads §6.1 (typed string, examples ``"[]"`` and
        ``"stepsrun_123"``): a JSON string of the list (default), the list itself, an opaque id
        or ``"[]"``. Whatever it is, ``/screenshots/`` and ``/stepruns/{id}/`` tell the steps."""
        reading = self.ctx.spec.dialect.bugbug_steps_runs
        if reading == "opaque":
            return "stepsrun_" + hashlib.sha1(run.id.encode()).hexdigest()[:12]
        if reading == "empty":
            return "[]"
        items = self.step_runs(run, now)
        return items if reading == "array" else json.dumps(items)

    def test_status_json(self, request: Request, run: TestRun, now: float) -> Json:
        return {
            "id": run.id,
            "status": run.timeline.status(now),
            "modified": iso_drf(run.timeline.modified(now)),
            "finishedSteps": run.timeline.steps_done(now),
            "totalSteps": run.timeline.total_steps,
            "webappUrl": self.web_url(request, "test-runs", run.id),
        }

    def suite_run_json(self, request: Request, run: SuiteRun, now: float) -> Json:
        started, ended = run.started(now), run.ended(now)
        status = run.status(now)
        codes = [c.error_code for c in run.children if c.timeline.status(now) == status]
        return {
            "id": run.id,
            "name": run.name,
            "status": status,
            "duration": django_duration(ended - started) if started and ended else None,
            "queued": iso_drf(run.created + 1.0 if now >= run.created + 1.0 else None),
            "started": iso_drf(started),
            "ended": iso_drf(ended),
            "errorCode": next((c for c in codes if c), None)
            if status in ("failed", "error")
            else None,
            "parallelRun": run.suite.run_in_parallel,
            "parallelSlots": None,
            "profileId": run.profile.id,
            "profileName": run.profile.name,
            "runMode": "server",
            "sequence": run.sequence,
            "testRuns": [self.test_run_json(request, c, now) for c in run.children],
            "triggeredBy": run.triggered_by,
            "userId": run.user_id,
            "webappUrl": self.web_url(request, "suite-runs", run.id),
        }

    def suite_status_json(self, request: Request, run: SuiteRun, now: float) -> Json:
        return {
            "id": run.id,
            "status": run.status(now),
            "modified": iso_drf(run.modified(now)),
            "webappUrl": self.web_url(request, "suite-runs", run.id),
        }

    # -- pagination -------------------------------------------------------------------------
    def page_size(self, request: Request, *, suite_runs: bool = False) -> int:
        """The page size served: as asked (default 20, at most 100, DRF ignoring a bad value),
        or as the dialect's ``bugbug.page_size``/``bugbug.suite_page_size`` says."""
        dialect = self.ctx.spec.dialect
        if suite_runs and dialect.bugbug_suite_page_size == "ignored":
            return BUGBUG_SUITE_PAGE
        if dialect.bugbug_page_size == "fixed":
            return BUGBUG_FIXED_PAGE
        try:
            size = int(request.query_params.get("page_size", "20"))
        except ValueError:
            size = 20
        size = 20 if size < 1 else min(size, 100)
        return min(size, BUGBUG_PAGE_CAP) if dialect.bugbug_page_size == "capped" else size

    def link(self, url: URL) -> str | None:
        """A ``next``/``previous`` link as the dialect's ``bugbug.next`` writes it."""
        reading = self.ctx.spec.dialect.bugbug_next
        if reading == "null":
            return None
        if reading == "relative":
            return f"{url.path}?{url.query}" if url.query else url.path
        if reading == "other-host":
            return f"{OTHER_HOST}{url.path}" + (f"?{url.query}" if url.query else "")
        return str(url)

    def page(
        self,
        request: Request,
        items: Sequence[Any],
        dump: Callable[[Any], Json],
        *,
        suite_runs: bool = False,
    ) -> Response:
        try:
            page = int(request.query_params.get("page", "1"))
        except ValueError:
            page = 0
        size = self.page_size(request, suite_runs=suite_runs)
        pages = max(1, math.ceil(len(items) / size))
        if not 1 <= page <= pages:
            return detail(404, "Invalid page.")
        url = request.url
        nxt = self.link(url.include_query_params(page=page + 1)) if page < pages else None
        prev = None
        if page == 2:
            prev = self.link(url.remove_query_params("page"))
        elif page > 2:
            prev = self.link(url.include_query_params(page=page - 1))
        chunk = items[(page - 1) * size : page * size]
        return JSONResponse(
            {
                "count": len(items),
                "next": nxt,
                "previous": prev,
                "results": [dump(i) for i in chunk],
            }
        )

    def filter_runs(
        self, request: Request, runs: list[Any], *, statuses: bool
    ) -> list[Any] | Response:
        q, now = request.query_params, self.ctx.now()
        runs = [
            r for r in runs if now >= (r.timeline.created if isinstance(r, TestRun) else r.created)
        ]

        def started(r: Any) -> float | None:
            return r.timeline.started(now) if isinstance(r, TestRun) else r.started(now)

        ranges: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
            ("started_after", operator.ge),
            ("started_before", operator.le),
        )
        if self.ctx.spec.dialect.bugbug_time_range == "ignored":
            ranges = ()  # bugbug.time_range=ignored: as DRF ignores parameters it does not know
        for key, keep in ranges:
            if key in q:
                bound = parse_iso(q[key])
                if bound is None:
                    return detail(400, f"{key}: Enter a valid date/time.")
                runs = [r for r in runs if (s := started(r)) is not None and keep(s, bound)]
        if statuses and "status" in q:
            if q["status"] not in self.world.statuses:
                return detail(
                    400,
                    f"status: Select a valid choice. {q['status']} is not one of the available choices.",
                )
            runs = [r for r in runs if r.timeline.status(now) == q["status"]]
        if statuses and "test_id" in q:
            if not uuid_ok(q["test_id"]):
                return detail(400, "test_id: Enter a valid UUID.")
            runs = [r for r in runs if r.test.id == q["test_id"]]
        ordering = q.get("ordering")
        if not statuses and self.ctx.spec.dialect.bugbug_suite_ordering == "ignored":
            runs.sort(key=lambda r: (r.created, r.sequence))  # suite_ordering=ignored: oldest first
        elif ordering == "-started":
            runs.sort(key=lambda r: (started(r) is not None, -(started(r) or 0.0), -r.sequence))
        elif ordering == "started":
            runs.sort(key=lambda r: (started(r) is None, started(r) or 0.0, r.sequence))
        else:
            runs.sort(key=lambda r: r.sequence, reverse=True)
        return runs


def is_terminal(status: str) -> bool:
    return status in TERMINAL
