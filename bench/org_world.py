"""What bench/org.py (and the org tests) count at the server: per limit and per project.

`OrgObserver` is ASGI middleware in front of a simulator serving an org (sim/org.py). For every
request it notes which limit the service counts it against (a BugBrain key, a Bug0 project's
key, a BugBug token, Bugnet's caller) and when it arrived, on the simulator's own clock (so a
simulator running faster than the wall clock is counted in its own time). For every answer it
notes a 429 and how long it told the caller to wait (`Retry-After`, else `X-RateLimit-Reset`), a
spent `X-RateLimit-Remaining` until its reset, and every run (`id`, `status`) the JSON body
carried. A request that arrives while its limit is so blocked is *inside a Retry-After*.

`status_changes_of(org)` is every run's status changes from the worlds' timelines, keyed like
the observations, with the project each run belongs to: together with
bench/freshness_world.lags they give each change's lag, counted at the server.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

Key = tuple[str, str]
"""(service, run id): run ids are unique across an org's projects."""
Limit = tuple[str, str]
"""(service, what the service counts: its key, token or caller)."""
StatusAt = Callable[[float], str]


def _header(scope: Any, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def limit_of(scope: Any) -> Limit:
    """The limit a request counts against, from its path and credentials."""
    path = str(scope.get("path", ""))
    if path.startswith("/bugbrain"):
        auth = _header(scope, b"authorization")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        return "bugbrain", key or _header(scope, b"x-api-key")
    if path.startswith(("/bugbug", "/org/bugbug")):
        return "bugbug", _header(scope, b"authorization").partition(" ")[2].strip()
    if path.startswith("/bug0"):
        return "bug0", _header(scope, b"x-api-key")
    return path.strip("/").split("/", 1)[0], "caller"


def _runs_in(body: Any) -> Iterator[tuple[str, str]]:
    """Every (id, status) pair in a JSON body: list items, suite runs' test runs, status calls."""
    if isinstance(body, dict):
        run_id, status = body.get("id"), body.get("status")
        if isinstance(run_id, str) and isinstance(status, str):
            yield run_id, status
        for value in body.values():
            if isinstance(value, dict | list):
                yield from _runs_in(value)
    elif isinstance(body, list):
        for item in body:
            yield from _runs_in(item)


class OrgRecord:
    """What the server saw (shared between uvicorn's thread and the bench or test)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        """The simulator's clock (unix seconds, scenario time)."""
        self.lock = threading.Lock()
        self.requests: dict[Limit, int] = defaultdict(int)
        self.arrivals: dict[Limit, list[float]] = defaultdict(list)
        self.http_429: dict[Limit, int] = defaultdict(int)
        self.inside_retry_after: dict[Limit, int] = defaultdict(int)
        self.blocked_until: dict[Limit, float] = {}
        self.carried: dict[Key, list[tuple[float, str]]] = defaultdict(list)

    def arrive(self, limit: Limit, at: float) -> None:
        with self.lock:
            self.requests[limit] += 1
            self.arrivals[limit].append(at)
            if at < self.blocked_until.get(limit, 0.0):
                self.inside_retry_after[limit] += 1

    def answer(self, limit: Limit, status: int, headers: dict[str, str], body: bytes) -> None:
        now = self.now()
        until = None
        if status == 429 or headers.get("x-ratelimit-remaining") == "0":
            until = _wait_until(headers, now)
        with self.lock:
            if status == 429:
                self.http_429[limit] += 1
            if until is not None:
                self.blocked_until[limit] = max(self.blocked_until.get(limit, 0.0), until)
        if status != 200 or limit[0] not in ("bugbug", "bugbrain") or body[:1] not in (b"{", b"["):
            return
        try:
            parsed = json.loads(body)
        except ValueError:
            return
        pairs = list(_runs_in(parsed))
        with self.lock:
            for run_id, run_status in pairs:
                self.carried[(limit[0], run_id)].append((now, run_status))

    def total(self, table: dict[Limit, int], service: str | None = None) -> int:
        return sum(n for limit, n in table.items() if service is None or limit[0] == service)


def _wait_until(headers: dict[str, str], now: float) -> float | None:
    retry = headers.get("retry-after")
    if retry:
        try:
            return now + float(retry)
        except ValueError:
            return None
    reset = headers.get("x-ratelimit-reset")
    try:
        return float(reset) if reset else None
    except ValueError:
        return None


class OrgObserver:
    """ASGI middleware feeding an `OrgRecord`."""

    def __init__(self, app: Any, record: OrgRecord) -> None:
        self.app = app
        self.record = record

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        limit = limit_of(scope)
        self.record.arrive(limit, self.record.now())
        status = 0
        headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def observed(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    headers[name.decode("latin-1").lower()] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.record.answer(limit, status, headers, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, observed)


def status_functions_of(org: Any) -> tuple[dict[Key, tuple[StatusAt, list[float]]], dict[Key, str]]:
    """Every run of the org's polled services: (its raw status at t, when it may change), and
    the project it belongs to."""
    functions: dict[Key, tuple[StatusAt, list[float]]] = {}
    project: dict[Key, str] = {}
    for entry in org.bugbug:
        world = entry.world
        for run in world.test_runs.values():
            functions[("bugbug", run.id)] = (
                run.timeline.status,
                [at for at, _ in run.timeline.phases],
            )
            project[("bugbug", run.id)] = entry.project.name
        for suite in world.suite_runs.values():
            times = [suite.created, suite.created + 1.0]
            for child in suite.children:
                times += [at for at, _ in child.timeline.phases]
            functions[("bugbug", suite.id)] = (suite.status, times)
            project[("bugbug", suite.id)] = entry.project.name
    for entry in org.bugbrain:
        for execution in entry.world.executions.values():
            timeline = execution.timeline
            functions[("bugbrain", execution.id)] = (
                timeline.status,
                [at for at, _ in timeline.phases],
            )
            project[("bugbrain", execution.id)] = entry.project.name
    return functions, project
