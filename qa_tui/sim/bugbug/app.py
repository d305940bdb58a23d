"""BugBug Public API v2, as documented (shared/providers.md §1), mounted at ``/bugbug``.

Clients append ``/api/v2/...`` to the base URL ``<host>/bugbug``. Faithful details:

* ``Authorization: Token <token>`` (keyword case-insensitive, as DRF); anything else is 401 with
  DRF's messages and ``WWW-Authenticate: Token``. Every path ends with ``/`` (a missing slash gets a
  307 redirect to it).
* Errors are ``{"detail": "..."}`` [INF: DRF's default], also for 400 validation errors (the
  message names the field, e.g. ``"testId: This field is required."``) and for unknown URLs.
* Lists are DRF page-number pages ``{count, next, previous, results}``: ``page`` (default 1),
  ``page_size`` (default 20, capped at 100, invalid values ignored, as DRF does); ``next`` and
  ``previous`` are ABSOLUTE URLs keeping the other query parameters, and the link back to page 1
  drops ``page`` (DRF's ``remove_query_param``); a page past the end is 404 ``"Invalid page."``.
  The dialect may read §1.1 otherwise: ``bugbug.next`` (relative, null or another host's links),
  ``bugbug.page_size`` and ``bugbug.suite_page_size`` (see :mod:`qa_tui.sim.bugbug.api`).
* Run lists are newest-created first unless ``ordering`` is given. ``ordering=-started`` puts runs
  that have not started yet (``started`` null) FIRST, as PostgreSQL sorts NULLs in descending
  order; ``ordering=started`` puts them last.
* ``V2TestRun`` carries every documented key with explicit nulls; ``duration`` is Django's
  ``HH:MM:SS.ffffff`` string (null until the run ends); ``stepsRuns`` is a STRING holding a
  JSON-encoded list of the step runs so far (``[{"id", "stepId", "type", "status", "duration",
  "errorCode"}]``, and ``error`` with a failing step's own message where the world has one);
  browser fields are null until the run starts. ``bugbug.steps_runs`` may make ``stepsRuns`` a
  real array, an opaque string or ``"[]"`` (§6.1); ``/testruns/{id}/screenshots/`` always lists
  the step runs that ran and ``/stepruns/{id}/`` serves each with ``status``, ``type``, ``error``
  and ``errorCode``, so the failing step and its own error are found without ``stepsRuns``.
  ``runMode`` is ``server`` except for ``ScenarioSpec.bugbug_local_runs`` (``local``,
  ``recording``).
* Suite runs: start and status return ``{id, status, modified, webappUrl}`` (no step counts, as the
  examples show); ``screenshots`` uses the spelling ``testsRuns``. Their list takes ``ordering``,
  ``started_after``/``started_before`` and paging only: a ``status`` or ``suite`` parameter is
  ignored, as DRF ignores unknown parameters. A suite run's status is derived from its test runs.
  ``bugbug.suite_ordering=ignored`` serves them oldest first whatever ``ordering`` says, and
  ``bugbug.time_range=ignored`` drops ``started_after``/``started_before`` on both run lists.
* Test runs from suite runs are in the test-run list too, with ``suiteRunId`` set.
* Stopping a finished run is 400 ``{"detail": "..."}``; stopping a suite run stops its children.
* No rate limit is documented, so none is enforced (use the ``rpm`` fault to add one).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from qa_tui.sim.bugbug.api import BugBugApi, detail, error_body, is_terminal, uuid_ok
from qa_tui.sim.bugbug.runs import Profile, Suite, Test
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.common import SimContext, iso_drf, read_json_object
from qa_tui.sim.faults import FaultMiddleware


def variables_ok(variables: object) -> bool:
    """``variables`` is null or a list of ``{key: str ≤ 128, value: str | null}``."""
    if variables is None:
        return True
    if not isinstance(variables, list):
        return False
    return all(
        isinstance(item, dict)
        and isinstance(item.get("key"), str)
        and len(item["key"]) <= 128
        and isinstance(item.get("value"), str | None)
        for item in variables
    )


def routes(api: BugBugApi) -> list[BaseRoute]:
    """Every documented endpoint the product uses, behind the token check."""
    world = api.world

    async def run_body(request: Request, id_key: str, known: dict[str, Any]) -> Any:
        """Validate a start body (``testId``/``suiteId``, ``runProfileId``, ``variables``)."""
        body = await read_json_object(request)
        if body is None:
            return detail(400, "JSON parse error - expected a JSON object.")
        target = body.get(id_key)
        if target is None:
            return detail(400, f"{id_key}: This field is required.")
        if not isinstance(target, str) or not uuid_ok(target):
            return detail(400, f"{id_key}: Must be a valid UUID.")
        if target not in known:
            return detail(400, f'{id_key}: Invalid pk "{target}" - object does not exist.')
        profile_id = body.get("runProfileId")
        profiles = {p.id: p for p in world.profiles}
        if profile_id is not None and (
            not isinstance(profile_id, str) or profile_id not in profiles
        ):
            return detail(400, f'runProfileId: Invalid pk "{profile_id}" - object does not exist.')
        if not variables_ok(body.get("variables", [])):
            return detail(
                400,
                "variables: each item needs a string 'key' (max 128 characters) "
                "and a string or null 'value'.",
            )
        return known[target], profiles.get(profile_id) if profile_id else None

    # -- test runs ---------------------------------------------------------------------------
    async def testruns(request: Request) -> Response:
        now = api.now()
        if request.method == "POST":
            parsed = await run_body(request, "testId", {t.id: t for t in world.tests})
            if isinstance(parsed, Response):
                return parsed
            test, profile = parsed
            run = world.start_test(test, profile, now)
            return JSONResponse(api.test_status_json(request, run, now))
        runs = api.filter_runs(request, list(world.test_runs.values()), statuses=True)
        if isinstance(runs, Response):
            return runs
        return api.page(request, runs, lambda r: api.test_run_json(request, r, now))

    async def testrun(request: Request) -> Response:
        return JSONResponse(api.test_run_json(request, api.test_run(request), api.ctx.now()))

    async def testrun_status(request: Request) -> Response:
        return JSONResponse(api.test_status_json(request, api.test_run(request), api.ctx.now()))

    async def testrun_stop(request: Request) -> Response:
        run, now = api.test_run(request), api.ctx.now()
        if is_terminal(run.timeline.status(now)):
            return detail(400, "Test run is not running.")
        run.timeline.freeze(now, "stopped")
        return JSONResponse(api.test_status_json(request, run, now))

    async def testrun_screenshots(request: Request) -> Response:
        run, now = api.test_run(request), api.ctx.now()
        return JSONResponse({"id": run.id, "stepsRuns": api.files.screenshots(request, run, now)})

    async def testrun_artifacts(request: Request) -> Response:
        run, now = api.test_run(request), api.ctx.now()
        return JSONResponse(api.files.artifacts(request, run, now))

    async def testrun_artifact(request: Request) -> Response:
        run, now = api.test_run(request), api.ctx.now()
        kind = request.path_params["kind"]
        found = [a for a in api.files.artifacts(request, run, now) if a["kind"] == kind]
        return JSONResponse(found[0]) if found else detail(404, "Artifact not found")

    async def testrun_logs(request: Request) -> Response:
        return api.files.logs_redirect(request, api.test_run(request), api.ctx.now())

    async def testrun_junit(request: Request) -> Response:
        return api.files.junit(request, [api.test_run(request)], api.ctx.now())

    # -- suite runs --------------------------------------------------------------------------
    async def suiteruns(request: Request) -> Response:
        now = api.now()
        if request.method == "POST":
            parsed = await run_body(request, "suiteId", {s.id: s for s in world.suites})
            if isinstance(parsed, Response):
                return parsed
            suite, profile = parsed
            run = world.start_suite(suite, profile, now)
            return JSONResponse(api.suite_status_json(request, run, now))
        runs = api.filter_runs(request, list(world.suite_runs.values()), statuses=False)
        if isinstance(runs, Response):
            return runs
        return api.page(
            request, runs, lambda r: api.suite_run_json(request, r, now), suite_runs=True
        )

    async def suiterun(request: Request) -> Response:
        return JSONResponse(api.suite_run_json(request, api.suite_run(request), api.ctx.now()))

    async def suiterun_status(request: Request) -> Response:
        return JSONResponse(api.suite_status_json(request, api.suite_run(request), api.ctx.now()))

    async def suiterun_stop(request: Request) -> Response:
        run, now = api.suite_run(request), api.ctx.now()
        if is_terminal(run.status(now)):
            return detail(400, "Suite run is not running.")
        for child in run.children:
            if not is_terminal(child.timeline.status(now)):
                child.timeline.freeze(now, "stopped")
        run.frozen = (now, "stopped")
        return JSONResponse(api.suite_status_json(request, run, now))

    async def suiterun_screenshots(request: Request) -> Response:
        run, now = api.suite_run(request), api.ctx.now()
        tests = [
            {"id": c.id, "stepsRuns": api.files.screenshots(request, c, now)} for c in run.children
        ]
        return JSONResponse({"id": run.id, "testsRuns": tests})

    async def suiterun_junit(request: Request) -> Response:
        run = api.suite_run(request)
        return api.files.junit(request, run.children, api.ctx.now(), suite=run.name)

    async def steprun(request: Request) -> Response:
        now = api.now()
        found = world.step_runs.get(request.path_params["id"])
        status = found[0].step_status(found[1], now) if found else None
        if found is None or status is None:
            return detail(404, "Not found.")
        run, i = found
        return JSONResponse(api.files.step_run(request, run, i, status, now))

    # -- catalogue ---------------------------------------------------------------------------
    def catalogue(items: list[Any], dump: Any) -> Any:
        async def listing(request: Request) -> Response:
            api.now()
            q = request.query_params
            chosen = [i for i in items if q.get("query", "").lower() in (i.name or "").lower()]
            ordering = q.get("ordering", "-created")
            key = "name" if ordering.lstrip("-") == "name" else "created"
            chosen.sort(key=lambda i: getattr(i, key, 0), reverse=ordering.startswith("-"))
            return api.page(request, chosen, dump)

        async def one(request: Request) -> Response:
            found = [i for i in items if i.id == request.path_params["id"]]
            return JSONResponse(dump(found[0], True)) if found else detail(404, "Not found.")

        return listing, one

    def test_json(t: Test, full: bool = False) -> dict[str, Any]:
        extra = {"groups": json.dumps(["Default"]), "notes": None, "screenSizeType": "desktop"}
        return {"id": t.id, "name": t.name, **(extra if full else {})}

    def suite_json(s: Suite, full: bool = False) -> dict[str, Any]:
        return {
            "id": s.id,
            "name": s.name,
            "testsCount": len(s.tests),
            "tests": [{"id": t.id, "name": t.name} for t in s.tests],
            "autoAddNewTests": False,
            "autoRetry": s.auto_retry,
            "notes": None,
            "runInParallel": s.run_in_parallel,
            "runProfileId": world.profiles[0].id,
            "created": iso_drf(s.created),
        }

    def profile_json(p: Profile, full: bool = False) -> dict[str, Any]:
        return {"id": p.id, "name": p.name}

    tests_list, test_one = catalogue(world.tests, test_json)
    suites_list, suite_one = catalogue(world.suites, suite_json)
    profiles_list, profile_one = catalogue(world.profiles, profile_json)

    g = api.guarded
    v2 = "/api/v2"
    return [
        Route(f"{v2}/testruns/", g(testruns), methods=["GET", "POST"]),
        Route(f"{v2}/testruns/{{id}}/", g(testrun)),
        Route(f"{v2}/testruns/{{id}}/status/", g(testrun_status)),
        Route(f"{v2}/testruns/{{id}}/stop/", g(testrun_stop), methods=["POST"]),
        Route(f"{v2}/testruns/{{id}}/screenshots/", g(testrun_screenshots)),
        Route(f"{v2}/testruns/{{id}}/debug-artifacts/", g(testrun_artifacts)),
        Route(f"{v2}/testruns/{{id}}/debug-artifacts/{{kind}}/", g(testrun_artifact)),
        Route(f"{v2}/testruns/{{id}}/logs/", g(testrun_logs)),
        Route(f"{v2}/testruns/{{id}}/report/junit/", g(testrun_junit)),
        Route(f"{v2}/suiteruns/", g(suiteruns), methods=["GET", "POST"]),
        Route(f"{v2}/suiteruns/{{id}}/", g(suiterun)),
        Route(f"{v2}/suiteruns/{{id}}/status/", g(suiterun_status)),
        Route(f"{v2}/suiteruns/{{id}}/stop/", g(suiterun_stop), methods=["POST"]),
        Route(f"{v2}/suiteruns/{{id}}/screenshots/", g(suiterun_screenshots)),
        Route(f"{v2}/suiteruns/{{id}}/report/junit/", g(suiterun_junit)),
        Route(f"{v2}/stepruns/{{id}}/", g(steprun)),
        Route(f"{v2}/tests/", g(tests_list)),
        Route(f"{v2}/tests/{{id}}/", g(test_one)),
        Route(f"{v2}/suites/", g(suites_list)),
        Route(f"{v2}/suites/{{id}}/", g(suite_one)),
        Route(f"{v2}/profiles/", g(profiles_list)),
        Route(f"{v2}/profiles/{{id}}/", g(profile_one)),
    ]


def build(ctx: SimContext, world: BugBugWorld, token: str | None = None) -> ASGIApp:
    """The BugBug ASGI app (API, files and web pages) wrapped in its fault middleware; `token`:
    the project's own (default: the demo token)."""
    api = BugBugApi(ctx, world) if token is None else BugBugApi(ctx, world, token)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = exc.detail
        if exc.status_code == 405:
            message = f'Method "{request.method}" not allowed.'
        elif exc.status_code == 404 and message == "Not Found":
            message = "Not found."
        return detail(exc.status_code, message)

    app = Starlette(
        routes=routes(api) + api.files.routes(), exception_handlers={HTTPException: http_error}
    )
    return FaultMiddleware(
        app, provider="bugbug", plan=ctx.faults, limiter=ctx.limiter, error_body=error_body
    )
