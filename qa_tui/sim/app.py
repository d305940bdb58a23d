"""The simulator app: all four providers behind one port, plus a small control API.

URL layout (``<host>`` is e.g. ``http://127.0.0.1:8765``):

========================  ===================================================================
``<host>/bugbug``         BugBug base URL (clients append ``/api/v2/...``); files under
                          ``/bugbug/media/...``, web pages under ``/bugbug/app/...``
``<host>/bugbrain/api/v1`` BugBrain base URL (clients append ``/executions...``, ``/test-cases``)
``<host>/bugbrain/cdn``   BugBrain screenshot files
``<host>/bug0``           Bug0 base URL (clients append ``/api/run-tests``)
``<host>/bugnet``         Bugnet base URL (clients append ``/api/...``, also ``/api/v1/...``)
``<host>/github``         GitHub's API root (``api_url``), where the simulated Bug0 posts its
                          results as commit statuses (``/repos/{o}/{r}/commits/{sha}/status``)
``<host>/_sim/...``       control API (JSON, no auth, never faulted)
========================  ===================================================================

Control API: ``GET /_sim/truth`` (every run's true status and last change, and ``run_mode`` for
a BugBug run made in a user's browser; Bug0 triggers, Bugnet bugs, and under ``bugnet_sdk`` what
the game SDK reported: sessions, perf snapshots, replays, settings reads), ``GET|POST
/_sim/faults`` (body ``{"spec": "bugbug:down"}``, ``{"clear": true}`` or ``{"bugbug":
{"error_rate": 0.5}, ...}``; either form replaces the faults of the providers it names and keeps
the others; the answer is the current plan), ``POST /_sim/advance`` ``{"seconds": 30}``, ``POST
/_sim/revoke`` and ``/_sim/restore`` ``{"provider": "bugbug"}`` (every credential of that
provider is refused with the provider's 401 until restored; with ``"project": "web-3"`` only
that project's token, in a simulated org: sim/org/projects.py),
``POST /_sim/limits`` ``{"enforce": false}`` (documented rate limits on or off), ``GET
/_sim/bug0/triggers``, ``POST /_sim/github/commits`` ``{"sha": "0a1b2c3", "bug0": "failure",
"decoy": "failure", "via": "check run", "description": "...", "ends_after_s": 3}`` (what happens
on that commit:
:class:`~qa_tui.sim.github.world.CommitPlan`; ``"bug0": "never"``: Bug0 posts nothing), ``GET
/_sim/dialect`` (the reading of the docs being spoken:
``{"dialect": {key: value, ...}, "spec": "<the non-default KEY=VALUE,...>"}``, see
:mod:`qa_tui.sim.dialects`). Each provider's app is wrapped by
:func:`qa_tui.sim.dialects.wire.speak`, which writes its answers in the scenario's dialect (and is
left out when the dialect changes nothing for it); ``/_sim`` always speaks the default reading.

The documented rate limits count requests on the scenario clock when it is manual (tests control
the windows by advancing it) or runs faster than the wall clock (a minute's allowance per scenario
minute), and on the wall clock otherwise (``X-RateLimit-Reset`` is then a real unix time).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from qa_tui.sim.bug0.app import build as build_bug0
from qa_tui.sim.bug0.world import Bug0World
from qa_tui.sim.bugbrain.app import build as build_bugbrain
from qa_tui.sim.bugbrain.world import BugBrainWorld
from qa_tui.sim.bugbug.app import build as build_bugbug
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.bugnet.app import build as build_bugnet
from qa_tui.sim.bugnet.world import BugnetWorld
from qa_tui.sim.common import SimContext, iso_millis, read_json_object
from qa_tui.sim.dialects.wire import speak
from qa_tui.sim.faults import PROVIDERS, FaultPlan, FaultSpecError, parse_fault_spec
from qa_tui.sim.github.app import build as build_github
from qa_tui.sim.github.world import GitHubWorld, ReportedRun
from qa_tui.sim.limits import RateLimiter
from qa_tui.sim.org.projects import Org
from qa_tui.sim.planting import plant, planted_truth
from qa_tui.sim.scenario import ScenarioClock, ScenarioSpec


class Simulator:
    """The state behind the app: clock, faults, limits and each provider's world."""

    def __init__(
        self,
        *,
        seed: int = 7,
        clock: ScenarioClock | None = None,
        faults: FaultPlan | None = None,
        scenario: ScenarioSpec | None = None,
        enforce_documented_limits: bool = True,
    ) -> None:
        self.seed = seed
        self.clock = clock or ScenarioClock.realtime()
        self.faults = faults if faults is not None else FaultPlan()
        self.faults.bind_seed(seed)
        self.spec = scenario or ScenarioSpec()
        scaled = self.clock.manual or self.clock.speed != 1.0
        self.rate_now = self.clock.now if scaled else time.time
        """The clock rate limits count on (also what dated rate headers name): the scenario's
        when it is manual or runs faster than the wall clock, else the wall clock."""
        self.limiter = RateLimiter(self.rate_now)
        self.ctx = SimContext(
            seed, self.clock, self.spec, self.faults, self.limiter, enforce_documented_limits
        )
        t0 = self.clock.now()
        self.bugbug = BugBugWorld(seed, self.spec, t0)
        self.bugbrain = BugBrainWorld(seed, self.spec, t0)
        if self.spec.triage:
            plant(self.bugbug, self.bugbrain, t0)
        self.bug0 = Bug0World(seed)
        self.github = GitHubWorld(seed, lambda: reported_runs(self.bug0))
        """Where Bug0 posts its results: the commits its triggers carried."""
        self.bugnet = BugnetWorld(seed, self.spec, t0)
        self.org: Org | None = None
        """Several projects of each service (`ScenarioSpec.org`); None: one each."""
        self.revoked_projects: set[str] = set()
        """`bugbug:web-3`: the org's projects whose token is refused now."""
        if self.spec.org is not None:
            org = (self.spec.org, seed, self.spec, t0, self.bugbug, self.bugbrain, self.bug0)
            self.org = Org(*org)

    @property
    def enforce_limits(self) -> bool:
        return self.ctx.enforce_limits

    @enforce_limits.setter
    def enforce_limits(self, value: bool) -> None:
        self.ctx.enforce_limits = value

    def now(self) -> float:
        return self.clock.now()

    def advance(self, seconds: float) -> float:
        return self.clock.advance(seconds)

    def revoke(self, provider: str, project: str | None = None) -> None:
        """Refuse every credential of ``provider`` (401) until :meth:`restore`; with ``project``
        (an org's project name, `web-3`), only that project's token."""
        if project is not None:
            self.ctx.revoked_tokens.add(self._token_of(provider, project))
            self.revoked_projects.add(f"{provider}:{project}")
            return
        self.ctx.revoked.add(_known(provider))

    def restore(self, provider: str, project: str | None = None) -> None:
        if project is not None:
            self.ctx.revoked_tokens.discard(self._token_of(provider, project))
            self.revoked_projects.discard(f"{provider}:{project}")
            return
        self.ctx.revoked.discard(_known(provider))

    def _token_of(self, provider: str, project: str) -> str:
        if self.org is None:
            raise FaultSpecError("this simulator serves one project of each service")
        try:
            return self.org.project(_known(provider), project).token
        except KeyError as exc:
            raise FaultSpecError(str(exc.args[0])) from None

    def truth(self) -> dict[str, Any]:
        """Every run of every provider with its true status now, plus Bug0 triggers, Bugnet bugs
        and what the Bugnet SDK reported."""
        now = self.now()
        self.bugbug.materialize(now)
        self.bugbrain.materialize(now)
        runs: list[dict[str, Any]] = []

        def add(
            provider: str,
            kind: str,
            run_id: str,
            name: str,
            status: str,
            changed: float,
            done: int | None,
            total: int | None,
            parent: str | None = None,
        ) -> None:
            runs.append(
                {
                    "provider": provider,
                    "kind": kind,
                    "id": run_id,
                    "name": name,
                    "status": status,
                    "changed_at": iso_millis(changed),
                    "changed_ts": changed,
                    "progress": None if total is None else {"done": done, "total": total},
                    "parent_id": parent,
                }
            )

        for s in self.bugbug.suite_runs.values():
            if now >= s.created:
                add("bugbug", "suite", s.id, s.name, s.status(now), s.changed_at(now), None, None)
        for r in self.bugbug.test_runs.values():
            tl = r.timeline
            if tl.exists(now):
                add(
                    "bugbug",
                    "test",
                    r.id,
                    r.name,
                    tl.status(now),
                    tl.changed_at(now),
                    tl.steps_done(now),
                    tl.total_steps,
                    r.suite_run_id,
                )
                if r.run_mode != "server":  # ScenarioSpec.bugbug_local_runs: say which they are
                    runs[-1]["run_mode"] = r.run_mode
        for e in self.bugbrain.executions.values():
            tl = e.timeline
            if tl.exists(now):
                add(
                    "bugbrain",
                    "execution",
                    e.id,
                    e.plan.id,
                    tl.status(now),
                    tl.changed_at(now),
                    tl.steps_done(now),
                    tl.total_steps,
                )
        return {
            "now": iso_millis(now),
            "now_ts": now,
            "runs": runs,
            "bug0_triggers": [t.to_json() for t in self.bug0.triggers],
            "github_bug0": [
                {
                    "run_id": run.run_id,
                    "commit": f"{run.owner}/{run.repo}@{run.sha}",
                    "state": self.github.bug0_state(run.owner, run.repo, run.sha, now),
                }
                for run in reported_runs(self.bug0)
            ],
            "bugnet_bugs": [self.bugnet.bug_json(b) for b in self.bugnet.bugs.values()],
            "bugnet_sdk": self.bugnet.telemetry.to_json(),
            **({"triage": planted_truth(self.bugbug, self.bugbrain)} if self.spec.triage else {}),
            **({"org_runs": self.org.truth(now)} if self.org is not None else {}),
        }


def reported_runs(bug0: Bug0World) -> list[ReportedRun]:
    """Bug0's triggers that carried a commit and a repository: the runs its GitHub integration
    reports on (shared/provider-docs/bug0-run-tests.md, "GitHub Integration")."""
    runs: list[ReportedRun] = []
    for trigger in bug0.triggers:
        body = trigger.body
        sha, owner, repo, url = (body.get(k) for k in ("gitCommitSha", "owner", "repo", "url"))
        if isinstance(sha, str) and isinstance(owner, str) and isinstance(repo, str):
            path = f"/bug0/app/runs/{trigger.execution_id}"
            tested = url if isinstance(url, str) else None
            runs += [ReportedRun(trigger.execution_id, trigger.at, owner, repo, sha, tested, path)]
    return [run for run in runs if run.sha and run.owner and run.repo]


def _known(provider: str) -> str:
    if provider not in PROVIDERS:
        raise FaultSpecError(
            f"unknown provider {provider!r} (expected one of {', '.join(PROVIDERS)})"
        )
    return provider


def control_routes(sim: Simulator) -> list[Route]:
    def bad(message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=400)

    async def truth(request: Request) -> Response:
        return JSONResponse(sim.truth())

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = await read_json_object(request)
            if body is None:
                return bad("body must be a JSON object")
            try:
                if body.get("clear"):
                    sim.faults.clear()
                elif "spec" in body:
                    parsed = parse_fault_spec(str(body["spec"]))
                    for provider in parsed.providers():
                        sim.faults.set(provider, parsed.get(provider))
                else:
                    for provider, settings in body.items():
                        if not isinstance(settings, dict):
                            return bad(f"{provider}: expected an object of fault settings")
                        sim.faults.set(provider, **settings)
            except (FaultSpecError, TypeError) as exc:
                return bad(str(exc))
        return JSONResponse(sim.faults.to_dict())

    async def advance(request: Request) -> Response:
        body = await read_json_object(request) or {}
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            return bad("seconds must be a non-negative number")
        now = sim.advance(float(seconds))
        return JSONResponse({"now": iso_millis(now), "now_ts": now})

    def token_switch(revoke: bool) -> Any:
        async def endpoint(request: Request) -> Response:
            body = await read_json_object(request) or {}
            project = body.get("project")
            try:
                switch = sim.revoke if revoke else sim.restore
                switch(str(body.get("provider")), None if project is None else str(project))
            except FaultSpecError as exc:
                return bad(str(exc))
            projects = {"revoked_projects": sorted(sim.revoked_projects)} if sim.org else {}
            return JSONResponse({"revoked": sorted(sim.ctx.revoked), **projects})

        return endpoint

    async def limits(request: Request) -> Response:
        body = await read_json_object(request) or {}
        if not isinstance(body.get("enforce"), bool):
            return bad("enforce must be true or false")
        sim.enforce_limits = body["enforce"]
        return JSONResponse({"enforce": sim.enforce_limits})

    async def triggers(request: Request) -> Response:
        return JSONResponse([t.to_json() for t in sim.bug0.triggers])

    async def github_commits(request: Request) -> Response:
        body = await read_json_object(request)
        if body is None or not isinstance(body.get("sha"), str) or not body["sha"]:
            return bad('expected {"sha": ..., "bug0": ..., "decoy": ..., "via": ...}')
        fields = {k: v for k, v in body.items() if k != "sha"}
        try:
            sim.github.plan(body["sha"], **fields)
        except TypeError as exc:
            return bad(f"unknown field: {exc}")
        return JSONResponse({"sha": body["sha"], **vars(sim.github.plans[body["sha"]])})

    async def dialect(request: Request) -> Response:
        spoken = sim.spec.dialect
        return JSONResponse({"dialect": spoken.as_dict(), "spec": spoken.to_spec()})

    return [
        Route("/truth", truth),
        Route("/faults", faults, methods=["GET", "POST"]),
        Route("/advance", advance, methods=["POST"]),
        Route("/revoke", token_switch(True), methods=["POST"]),
        Route("/restore", token_switch(False), methods=["POST"]),
        Route("/limits", limits, methods=["POST"]),
        Route("/bug0/triggers", triggers),
        Route("/github/commits", github_commits, methods=["POST"]),
        Route("/dialect", dialect),
    ]


def build_app(
    *,
    seed: int = 7,
    clock: ScenarioClock | None = None,
    faults: FaultPlan | None = None,
    scenario: ScenarioSpec | None = None,
    enforce_documented_limits: bool = True,
) -> Starlette:
    """Build the simulator. Without a clock it runs in real time (the demo); tests pass
    ``ScenarioClock.manual_at()``. ``app.state.sim`` is the :class:`Simulator`."""
    sim = Simulator(
        seed=seed,
        clock=clock,
        faults=faults,
        scenario=scenario,
        enforce_documented_limits=enforce_documented_limits,
    )
    bugbrain_api, bugbrain_cdn = build_bugbrain(sim.ctx, sim.bugbrain)

    def spoken(app: Any, provider: str) -> Any:
        return speak(app, provider, sim.spec.dialect, sim.rate_now)

    async def index(request: Request) -> Response:
        base = f"{request.url.scheme}://{request.url.netloc}"
        return JSONResponse(
            {
                "simulator": "qa-tui",
                "base_urls": {
                    "bugbug": f"{base}/bugbug",
                    "bugbrain": f"{base}/bugbrain/api/v1",
                    "bug0": f"{base}/bug0",
                    "bugnet": f"{base}/bugnet",
                    "github": f"{base}/github",
                },
            }
        )

    app = Starlette(
        routes=[
            Route("/", index),
            Mount("/_sim", routes=control_routes(sim)),
            *(sim.org.routes(sim.ctx) if sim.org is not None else ()),  # before the one-project
            Mount("/bugbug", app=spoken(build_bugbug(sim.ctx, sim.bugbug), "bugbug")),
            Mount("/bugbrain/api/v1", app=spoken(bugbrain_api, "bugbrain")),
            Mount("/bugbrain/cdn", app=spoken(bugbrain_cdn, "bugbrain")),
            Mount("/bug0", app=spoken(build_bug0(sim.ctx, sim.bug0), "bug0")),
            Mount("/bugnet", app=spoken(build_bugnet(sim.ctx, sim.bugnet), "bugnet")),
            Mount("/github", app=build_github(sim.ctx, sim.github)),  # no dialects: one GitHub
        ]
    )
    app.state.sim = sim
    return app
