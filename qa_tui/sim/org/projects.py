"""A whole organisation: several projects of each service behind the simulator's one port.

Built when the scenario has an `OrgSpec` (`ScenarioSpec.org`). Project 1 of each service is the
simulator's own world; every other project gets a world of its own (the same scenario, its own
seed, no triage plants), served the way the service serves many projects:

- BugBug: a token belongs to one project, so each project is its own API, under
  ``<host>/org/bugbug/<name>`` (the first stays at ``<host>/bugbug``). It documents no limit; with
  `OrgSpec.bugbug_rpm` each token is held to that many requests a minute (DRF's throttling
  answer: 429 ``{"detail": "Request was throttled. ..."}`` with ``Retry-After``).
- BugBrain: one base URL for every project; a request goes to the project it names
  (``project_id`` in the query or the JSON body) or, under ``/executions/{id}``, to the project the
  execution belongs to. Each project's world answers it with its key's checks, and the documented
  limit (30 a minute, 500 an hour) is counted per key, whatever the project: requests for three
  projects on one key spend one allowance. A key asking for a project of another key is 403.
- Bug0: one base URL; each project accepts its own project API key; the limit (10 a minute,
  100 an hour) is counted per project.

``POST /_sim/revoke {"provider": "bugbug", "project": "web-3"}`` refuses that project's token
(for BugBrain: its key, so every project on the key) until ``/_sim/restore``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_tui.sim.bug0.app import build as build_bug0
from qa_tui.sim.bug0.world import Bug0World
from qa_tui.sim.bugbrain.api import error_body as bugbrain_error
from qa_tui.sim.bugbrain.app import build as build_bugbrain
from qa_tui.sim.bugbrain.world import BugBrainWorld
from qa_tui.sim.bugbug.app import build as build_bugbug
from qa_tui.sim.bugbug.world import BugBugWorld
from qa_tui.sim.common import SimContext, iso_millis
from qa_tui.sim.org.spec import OrgSpec, Project
from qa_tui.sim.scenario import ScenarioSpec

SEED_STEP = 1000
"""Project n's world is generated from the simulator's seed + n * SEED_STEP."""


@dataclass
class BugBugProject:
    project: Project
    world: BugBugWorld

    @property
    def path(self) -> str:
        """Where its API is mounted (its base URL's path)."""
        return "/bugbug" if self.project.name == "web" else f"/org/bugbug/{self.project.name}"


@dataclass
class BugBrainProject:
    project: Project
    world: BugBrainWorld


class Org:
    """Every project of every service, and the routes that serve them."""

    def __init__(
        self,
        spec: OrgSpec,
        seed: int,
        scenario: ScenarioSpec,
        t0: float,
        bugbug_world: BugBugWorld,
        bugbrain_world: BugBrainWorld,
        bug0_world: Bug0World,
    ) -> None:
        self.spec = spec
        others = replace(scenario, triage=False, org=None)
        self.bugbug = [
            BugBugProject(
                p, bugbug_world if i == 0 else BugBugWorld(seed + i * SEED_STEP, others, t0)
            )
            for i, p in enumerate(spec.bugbug())
        ]
        self.bugbrain = [
            BugBrainProject(
                p,
                bugbrain_world
                if i == 0
                else BugBrainWorld(seed + i * SEED_STEP, others, t0, project_id=p.project_id or ""),
            )
            for i, p in enumerate(spec.bugbrain())
        ]
        self.bug0 = spec.bug0()
        self.bug0_world = bug0_world

    def project(self, service: str, name: str) -> Project:
        """A project by service and name (`bugbug`, `web-3`); KeyError when there is none."""
        for project in self.spec.projects():
            if project.service == service and project.name == name:
                return project
        raise KeyError(f"no {service} project named {name!r}")

    # --- routes ------------------------------------------------------------------------------

    def routes(self, ctx: SimContext) -> list[Mount]:
        """Mounts that go before the simulator's own: each BugBug project's API, BugBrain's and
        Bug0's many-project front doors."""
        mounts = []
        for entry in self.bugbug:
            app = build_bugbug(ctx, entry.world, entry.project.token)
            if self.spec.bugbug_rpm is not None:
                app = TokenThrottle(app, ctx, entry.project.token, self.spec.bugbug_rpm)
            mounts.append(Mount(entry.path, app=app))
        built = {
            entry.project.project_id or "": build_bugbrain(ctx, entry.world, entry.project.token)
            for entry in self.bugbrain
        }
        apis = {project_id: api for project_id, (api, _) in built.items()}
        cdns = {project_id: cdn for project_id, (_, cdn) in built.items()}
        mounts.append(Mount("/bugbrain/api/v1", app=BugBrainFront(self, apis)))
        mounts.append(Mount("/bugbrain/cdn", app=BugBrainCdn(self, cdns)))
        keys = {p.project_id or "": p.token for p in self.bug0}
        mounts.append(Mount("/bug0", app=build_bug0(ctx, self.bug0_world, keys)))
        return mounts

    def bugbrain_of_execution(self, execution_id: str) -> BugBrainProject | None:
        return next((e for e in self.bugbrain if execution_id in e.world.executions), None)

    # --- truth -------------------------------------------------------------------------------

    def truth(self, now: float) -> list[dict[str, Any]]:
        """Every run of every project, with its service, project name and true status now."""
        runs: list[dict[str, Any]] = []
        for b in self.bugbug:
            world = b.world
            world.materialize(now)
            for s in world.suite_runs.values():
                if now >= s.created:
                    runs.append(_run(b.project, "suite", s.id, s.status(now), s.changed_at(now)))
            for r in world.test_runs.values():
                if r.timeline.exists(now):
                    status, changed = r.timeline.status(now), r.timeline.changed_at(now)
                    runs.append(_run(b.project, "test", r.id, status, changed))
        for e in self.bugbrain:
            e.world.materialize(now)
            for ex in e.world.executions.values():
                if ex.timeline.exists(now):
                    status, changed = ex.timeline.status(now), ex.timeline.changed_at(now)
                    runs.append(_run(e.project, "execution", ex.id, status, changed))
        return runs


def _run(project: Project, kind: str, run_id: str, status: str, changed: float) -> dict[str, Any]:
    return {
        "service": project.service,
        "project": project.name,
        "kind": kind,
        "id": run_id,
        "status": status,
        "changed_at": iso_millis(changed),
        "changed_ts": changed,
    }


# --- the front doors ----------------------------------------------------------------------------


def route_path(scope: Scope) -> str:
    """The request's path below where it was mounted."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            text: str = value.decode("latin-1")
            return text
    return None


async def read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that hands it on unchanged."""
    chunks, messages = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return b"".join(chunks), replay


class BugBrainFront:
    """BugBrain's one base URL for every project: each request goes to its project's world."""

    def __init__(self, org: Org, apps: dict[str, ASGIApp]) -> None:
        self.org, self.apps = org, apps
        self.keys = {e.project.token for e in org.bugbrain}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await next(iter(self.apps.values()))(scope, receive, send)
            return
        auth = header(scope, b"authorization") or ""
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        key = key or header(scope, b"x-api-key")
        parts = route_path(scope).strip("/").split("/")
        project_id: str | None = None
        if parts[0] == "executions" and len(parts) > 1 and parts[1] != "async":
            owner = self.org.bugbrain_of_execution(parts[1])
            project_id = owner.project.project_id if owner is not None else None
        elif scope["method"] == "POST":
            body, receive = await read_body(receive)
            try:
                named = json.loads(body).get("project_id") if body else None
            except (ValueError, AttributeError):
                named = None
            project_id = named if isinstance(named, str) else None
        else:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            project_id = query.get("project_id", [None])[0]
        owner_key = next(
            (e.project.token for e in self.org.bugbrain if e.project.project_id == project_id),
            None,
        )
        if owner_key is not None and key in self.keys and key != owner_key:
            body_403 = bugbrain_error(403, "API key has no access to this project")
            await JSONResponse(body_403, status_code=403)(scope, receive, send)
            return
        if owner_key is None:  # no project, or not one of ours: the key's own world answers
            own = next((e for e in self.org.bugbrain if e.project.token == key), None)
            project_id = (own or self.org.bugbrain[0]).project.project_id
        await self.apps[project_id or ""](scope, receive, send)


class BugBrainCdn:
    """Screenshot files: served by the world that holds the execution."""

    def __init__(self, org: Org, cdns: dict[str, ASGIApp]) -> None:
        self.org, self.cdns = org, cdns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        parts = route_path(scope).strip("/").split("/")
        owner = self.org.bugbrain_of_execution(parts[1]) if len(parts) > 2 else None
        target = owner or self.org.bugbrain[0]
        await self.cdns[target.project.project_id or ""](scope, receive, send)


class TokenThrottle:
    """A per-token limit in front of one BugBug project's API (DRF's throttling answer)."""

    def __init__(self, app: ASGIApp, ctx: SimContext, token: str, per_minute: int) -> None:
        self.app, self.ctx, self.token, self.per_minute = app, ctx, token, per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_path(scope).startswith("/api/"):
            keyword, _, token = (header(scope, b"authorization") or "").partition(" ")
            if keyword.lower() == "token" and token.strip() == self.token:
                verdict = self.ctx.limiter.hit(f"bugbug-token:{self.token}", self.per_minute)
                if self.ctx.enforce_limits and not verdict.allowed:
                    wait = verdict.retry_after
                    detail = f"Request was throttled. Expected available in {wait} seconds."
                    response = JSONResponse(
                        {"detail": detail}, status_code=429, headers={"Retry-After": str(wait)}
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
