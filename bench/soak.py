"""Fault soak: the app, headless, against the simulator over real loopback while every provider fails.

    python bench/soak.py [--window-s 10] [--gap-s 20] [--windows 6] [--seed 7]  → one JSON object

The app (`QaTuiApp` through Textual's `run_test`, the engine in its worker, a simulated user
opening runs, re-running and stopping them) watches BugBug and BugBrain; beside it the harness
polls Bugnet's bug list and triggers Bug0 runs, as the bug form and the `n` key would. The
simulator (real sockets, uvicorn on 127.0.0.1, port 0) runs in real time, `--speed` times faster.

Faults come in windows. In window i, provider p gets fault kind (i + p) mod 6, for `--window-s`
seconds, then every fault is cleared for `--gap-s` seconds; over six windows every provider meets
every kind: 5xx bursts, timeouts (latency beyond the client timeout), dropped connections,
malformed JSON, 429 storms, and its token revoked (then restored). At the end the user stops,
every token is revoked for `outage_s` (so each poll loop ends in its error backoff), then restored
while the scenario clock jumps an hour ahead, so every run is over; the harness waits for the store
to agree.

Figures (the JSON object):

- `unhandled_exceptions`: worker failures in the app, exceptions the event loop saw no one handle,
  ERROR log records, and anything but a classified `ProviderError` out of a harness call. Must be 0.
- `status_mismatches`: runs whose raw status in the store differs from the simulator's truth (or
  that the store lacks) once the faults stopped and the engine caught up. Must be 0.
- `catch_up_s`: from the end of that outage and the clock jump to the store agreeing.
- `recovery_s`: per fault kind and provider, the seconds from the end of the fault to the first
  successful call (the engine's next good cycle; Bugnet's next list; Bug0's next trigger).
- `retry_after_violations`: requests the simulator received from a client that had already been
  told "429, Retry-After: N" and had not yet waited N seconds. Counted at the simulator with its
  own arrival timestamps; each request carries a sequence header, so a request that was already
  on its way when the 429 arrived is not counted against the client. Must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import socket
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from qa_tui.core.config.tables import Config
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import ProviderError
from qa_tui.core.model import ProviderHealth
from qa_tui.core.providers.registry import TRACKER, build_sources, build_tracker
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.core.runs.store import RunStore
from qa_tui.sim.app import build_app
from qa_tui.sim.faults import PROVIDERS
from qa_tui.sim.scenario import ScenarioClock, ScenarioSpec
from qa_tui.sim.server import render_config
from qa_tui.ui.app import QaTuiApp

FAULT_KINDS: tuple[str, ...] = ("5xx", "timeout", "drop", "malformed", "429", "revoked")
NAMES = {"bugbug": "web", "bugbrain": "plans", "bug0": "previews", "bugnet": TRACKER}
"""Simulator provider → the name qa-tui knows it by (render_config's names)."""
SOAKED = tuple(provider for provider in PROVIDERS if provider in NAMES)
"""The providers faulted and timed: the simulator's GitHub slice is left out (the soak's Bug0
triggers carry no commit, so nothing here reads GitHub; its faults are tests/contract's)."""
SEQ_HEADER = "x-soak-seq"
MUST_BE_ZERO = ("unhandled_exceptions", "status_mismatches", "retry_after_violations")


@dataclass(frozen=True)
class SoakPlan:
    """How long and how hard. The defaults are the bench run; tests pass a short plan."""

    windows: int = 6
    window_s: float = 10.0
    gap_s: float = 20.0
    warmup_s: float = 4.0
    outage_s: float = 5.0
    """At the end, every token is revoked this long (the user idle), then the clock jumps."""
    catch_up_limit_s: float = 90.0
    timeout_s: float = 2.0
    """The clients' request timeout; the timeout fault delays answers beyond it."""
    retry_after_s: int = 3
    speed: float = 3.0
    seed: int = 7
    engine: EngineSettings = field(default_factory=EngineSettings)
    user_every_s: float = 1.5
    """How often the simulated user does something (open a run, re-run, stop)."""

    def fault_settings(self, kind: str) -> dict[str, Any]:
        return {
            "5xx": {"error_rate": 0.8},
            "timeout": {"latency": self.timeout_s + 1.0},
            "drop": {"drop_rate": 0.6},
            "malformed": {"malformed_rate": 0.6},
            "429": {"throttle": 0.9, "retry_after": self.retry_after_s},
        }[kind]


# --- the simulator side: every request, with its arrival time --------------------------------


@dataclass
class Hit:
    provider: str
    seq: int | None
    arrived: float
    status: int | None = None
    retry_after: float | None = None


class Recorder:
    """ASGI wrapper around the simulator noting each provider request as it arrives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hits: list[Hit] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        provider = scope.get("path", "/").strip("/").split("/", 1)[0]
        if scope["type"] != "http" or provider not in PROVIDERS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        raw_seq = headers.get(SEQ_HEADER.encode())
        hit = Hit(provider, int(raw_seq) if raw_seq else None, time.monotonic())
        self.hits.append(hit)

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                hit.status = message["status"]
                value = dict(message.get("headers", [])).get(b"retry-after")
                hit.retry_after = float(value) if value else None
            await send(message)

        await self.app(scope, receive, watch)


class LoopbackSim:
    """The simulator app wrapped in a Recorder, served by uvicorn on 127.0.0.1 in a thread."""

    def __init__(self, plan: SoakPlan, spec: ScenarioSpec) -> None:
        import uvicorn

        from qa_tui.sim.server import _quiet_drops

        self.app = build_app(
            seed=plan.seed, clock=ScenarioClock.realtime(plan.speed), scenario=spec
        )
        self.recorder = Recorder(self.app)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        _quiet_drops()
        config = uvicorn.Config(
            self.recorder, log_level="critical", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[self._sock])), daemon=True
        )

    def __enter__(self) -> LoopbackSim:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()


# --- the client side: a sequence number on every request, and when its answer came -------------


@dataclass
class Sent:
    sent: float
    answered: float | None = None


class SeqTransport(httpx.AsyncBaseTransport):
    """The real transport, plus a sequence header and the client's own send/answer times."""

    counter = iter(range(1, 1 << 62))

    def __init__(self, log: dict[int, Sent]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        seq = next(self.counter)
        request.headers[SEQ_HEADER] = str(seq)
        entry = self.log[seq] = Sent(time.monotonic())
        response = await self.inner.handle_async_request(request)
        entry.answered = time.monotonic()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def retry_after_violations(hits: list[Hit], sent: dict[int, Sent]) -> list[dict[str, Any]]:
    """Requests that arrived before a 429's Retry-After had passed, sent after the 429 was read."""
    found: list[dict[str, Any]] = []
    by_provider: dict[str, list[Hit]] = {}
    for hit in hits:
        by_provider.setdefault(hit.provider, []).append(hit)
    for provider, seen in by_provider.items():
        for limited in seen:
            if limited.status != 429 or limited.retry_after is None or limited.seq not in sent:
                continue
            told = sent[limited.seq].answered
            allowed = limited.arrived + limited.retry_after
            for hit in seen:
                own = sent.get(hit.seq or -1)
                if own and told is not None and own.sent > told and hit.arrived < allowed:
                    found.append(
                        {
                            "provider": provider,
                            "early_by_s": round(allowed - hit.arrived, 3),
                            "retry_after": limited.retry_after,
                        }
                    )
    return found


# --- the run ---------------------------------------------------------------------------------


class SoakApp(QaTuiApp):
    """The app, counting worker failures (Textual calls the base handler as well)."""

    worker_errors: list[str]

    def on_worker_state_changed(self, event: Any) -> None:
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.worker_errors.append(f"{event.worker.name}: {type(error).__name__}: {error}")


class ErrorLogs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()[:200]}")


@dataclass
class Tally:
    unhandled: list[str] = field(default_factory=list)
    successes: dict[str, list[float]] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)

    def ok(self, provider: str) -> None:
        self.successes.setdefault(provider, []).append(time.monotonic())

    async def call(self, provider: str, what: Callable[[], Any]) -> Any:
        try:
            result = await what()
        except ProviderError as error:
            self.failures[f"{provider}: {error.kind.value}"] += 1
            return None
        except Exception as error:  # exactly what must never happen
            self.unhandled.append(f"{provider}: {type(error).__name__}: {error}"[:300])
            return None
        self.ok(provider)
        return result


def _config(base_url: str, timeout_s: float) -> Config:
    raw = tomllib.loads(render_config(base_url))
    for table in [*raw["providers"], raw["tracker"]]:
        table["timeout_s"] = timeout_s
    return Config.model_validate(raw)


async def _control(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> Any:
    response = await client.post(f"/_sim/{path}", json=body)
    response.raise_for_status()
    return response.json()


def soak_spec() -> ScenarioSpec:
    """A world that keeps moving during the whole soak without new runs piling up."""
    return ScenarioSpec(
        bugbug_test_runs_active=8,
        bugbug_suite_runs_active=2,
        bugbrain_active=8,
        new_run_every_s=None,
        active_span_s=(60.0, 1800.0),
    )


async def run_soak(plan: SoakPlan | None = None) -> dict[str, Any]:
    """Run the soak and return the figures (see the module docstring)."""
    plan = plan or SoakPlan()
    errors = ErrorLogs()
    logging.getLogger().addHandler(errors)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="qa-tui-soak-") as scratch,
            LoopbackSim(plan, soak_spec()) as sim,
        ):
            return await _soak(plan, sim, Path(scratch), errors)
    finally:
        logging.getLogger().removeHandler(errors)


async def _soak(
    plan: SoakPlan, sim: LoopbackSim, scratch: Path, errors: ErrorLogs
) -> dict[str, Any]:
    sent: dict[int, Sent] = {}
    config = _config(sim.base_url, plan.timeout_s)
    transports: list[SeqTransport] = []

    def transport_for(_: str) -> SeqTransport:
        transports.append(SeqTransport(sent))
        return transports[-1]

    sources = build_sources(
        config, transport_for=transport_for, triggers=TriggerLog(scratch / "triggers.sqlite")
    )
    tracker = build_tracker(config, transport_for=transport_for)
    assert tracker is not None
    engine = Engine(sources, RunStore(), settings=plan.engine)
    app = SoakApp(engine, tick_seconds=1.0)
    app.worker_errors = []
    tally = Tally()
    loop_errors: list[str] = []
    asyncio.get_running_loop().set_exception_handler(
        lambda _, context: loop_errors.append(str(context.get("message")))
    )

    def health(report: ProviderHealth) -> None:
        if report.message is None and report.last_success is not None:
            tally.ok(report.provider)

    engine.health.subscribe(health)
    rng = random.Random(plan.seed)
    control = httpx.AsyncClient(base_url=sim.base_url, timeout=10)
    recovery: dict[str, dict[str, float | None]] = {}
    started = time.monotonic()

    async def tracker_loop() -> None:
        while True:
            await tally.call(TRACKER, lambda: tracker.list_bugs(limit=20))
            await asyncio.sleep(1.0)

    async def bug0_loop() -> None:
        bug0 = engine.source("previews")
        while True:
            await tally.call(
                "previews",
                lambda: bug0.trigger(url="https://preview.example/pr", git_branch="soak"),  # type: ignore[attr-defined]
            )
            await asyncio.sleep(6.0)

    async with app.run_test(headless=True, size=(120, 40)) as pilot:
        from qa_tui.ui.detail.run_detail import RunDetailScreen

        async def user_loop() -> None:
            while True:
                await asyncio.sleep(plan.user_every_s)
                if app.screen is not app.dashboard:
                    await pilot.press("escape")
                    continue
                await pilot.press(*["j"] * rng.randint(0, 4))
                choice = rng.random()
                if choice < 0.5:
                    await pilot.press("enter")
                elif choice < 0.7:
                    await pilot.press("r", "y")
                elif choice < 0.85:
                    await pilot.press("x", "y")
                else:
                    await pilot.press("l")
                if isinstance(app.screen, RunDetailScreen) and rng.random() < 0.3:
                    await pilot.press("tab", "right")

        tasks = [asyncio.create_task(t()) for t in (tracker_loop, bug0_loop, user_loop)]
        try:
            await asyncio.sleep(plan.warmup_s)
            for window in range(plan.windows):
                kinds = {
                    p: FAULT_KINDS[(window + i) % len(FAULT_KINDS)] for i, p in enumerate(SOAKED)
                }
                for provider, kind in kinds.items():
                    if kind == "revoked":
                        await _control(control, "revoke", {"provider": provider})
                    else:
                        await _control(control, "faults", {provider: plan.fault_settings(kind)})
                await asyncio.sleep(plan.window_s)
                await _control(control, "faults", {"clear": True})
                for provider in SOAKED:
                    await _control(control, "restore", {"provider": provider})
                cleared = time.monotonic()
                await asyncio.sleep(plan.gap_s)
                for provider, kind in kinds.items():
                    name = NAMES[provider]
                    after = [t for t in tally.successes.get(name, []) if t > cleared]
                    recovery.setdefault(kind, {})[provider] = (
                        round(after[0] - cleared, 2) if after else None
                    )
            faults_ended = time.monotonic()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            while app.screen is not app.dashboard:
                await pilot.press("escape")
            for provider in SOAKED:  # a last outage: every engine loop ends in its backoff
                await _control(control, "revoke", {"provider": provider})
            await asyncio.sleep(plan.outage_s)
            for provider in SOAKED:
                await _control(control, "restore", {"provider": provider})
            await _control(control, "advance", {"seconds": 3600})
            jumped = time.monotonic()
            mismatches, catch_up = await _catch_up(control, engine, plan.catch_up_limit_s, jumped)
            still_running = app.is_running and any(
                w.name == "engine" and not w.is_finished for w in app.workers
            )
        finally:
            for task in tasks:
                task.cancel()
            await control.aclose()
    await tracker.aclose()
    for source in sources:
        await source.aclose()
    unhandled = app.worker_errors + loop_errors + tally.unhandled + errors.records
    violations = retry_after_violations(sim.recorder.hits, sent)
    statuses = Counter(h.status for h in sim.recorder.hits)
    return {
        "unhandled_exceptions": len(unhandled),
        "unhandled_examples": unhandled[:10],
        "status_mismatches": len(mismatches),
        "mismatch_examples": mismatches[:10],
        "catch_up_s": catch_up,
        "recovery_s": recovery,
        "recovery_max_s": max(
            (v for by in recovery.values() for v in by.values() if v is not None), default=None
        ),
        "never_recovered": sum(1 for by in recovery.values() for v in by.values() if v is None),
        "retry_after_violations": len(violations),
        "violation_examples": violations[:10],
        "http_429_answered": statuses.get(429, 0),
        "requests": len(sim.recorder.hits),
        "responses_by_status": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "classified_failures": dict(sorted(tally.failures.items())),
        "app_alive_with_engine": still_running,
        "fault_period_s": round(faults_ended - started, 1),
        "plan": {
            "windows": plan.windows,
            "window_s": plan.window_s,
            "gap_s": plan.gap_s,
            "timeout_s": plan.timeout_s,
            "retry_after_s": plan.retry_after_s,
            "outage_s": plan.outage_s,
            "speed": plan.speed,
            "seed": plan.seed,
        },
    }


async def _catch_up(
    control: httpx.AsyncClient, engine: Engine, limit_s: float, since: float
) -> tuple[list[dict[str, Any]], float | None]:
    """Wait until every run the simulator knows is in the store with its true raw status."""
    deadline = since + limit_s
    while True:
        truth = (await control.get("/_sim/truth")).json()
        mismatches = []
        for run in truth["runs"]:
            row = engine.store.get((NAMES[run["provider"]], run["id"]))
            shown = row.run.provider_status if row else None
            if shown != run["status"]:
                mismatches.append(
                    {
                        "provider": run["provider"],
                        "id": run["id"],
                        "truth": run["status"],
                        "store": shown,
                    }
                )
        if not mismatches:
            return [], round(time.monotonic() - since, 2)
        if time.monotonic() > deadline:
            return mismatches, None
        await asyncio.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--windows", type=int, default=SoakPlan.windows)
    parser.add_argument("--window-s", type=float, default=SoakPlan.window_s)
    parser.add_argument("--gap-s", type=float, default=SoakPlan.gap_s)
    parser.add_argument("--speed", type=float, default=SoakPlan.speed)
    parser.add_argument("--seed", type=int, default=SoakPlan.seed)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a must-be-zero figure is not zero"
    )
    args = parser.parse_args()
    plan = SoakPlan(
        windows=args.windows,
        window_s=args.window_s,
        gap_s=args.gap_s,
        speed=args.speed,
        seed=args.seed,
    )
    figures = asyncio.run(run_soak(plan))
    print(json.dumps(figures, indent=2))
    broken = [name for name in MUST_BE_ZERO if figures[name] != 0]
    if args.check and (broken or figures["catch_up_s"] is None):
        print(f"soak: not zero: {', '.join(broken) or 'catch_up_s is None'}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
