"""Serving the simulator, and what ``qa-tui sim`` / ``qa-tui demo`` need from it.

Public surface (the CLI and the tests call these; nothing else is needed):

``serve(host="127.0.0.1", port=8765, seed=7, faults=None, *, scenario=None, clock=None,
speed=1.0, enforce_documented_limits=True, on_ready=None, log_level="warning", stop=None) -> None``
    Run the simulator with uvicorn in the current thread until interrupted (Ctrl+C) or until the
    ``threading.Event`` ``stop`` is set. ``port=0`` picks a free port; ``on_ready(base_url)`` is
    called (in a worker thread, so it may block) once it listens, with the real port, so the
    caller can print :func:`banner` and write :func:`render_config`. ``faults`` is a
    :class:`~qa_tui.sim.faults.FaultPlan` (see :func:`~qa_tui.sim.faults.parse_fault_spec`).
    Without ``clock``, a real-time clock running ``speed`` times faster than the wall clock.

``start_in_thread(host="127.0.0.1", port=0, seed=7, faults=None, *, scenario=None, clock=None,
speed=1.0, enforce_documented_limits=True, log_level="warning") -> RunningSim``
    The same in a daemon thread; returns once it listens. :class:`RunningSim` has ``base_url``,
    ``host``, ``port``, ``app``, ``sim`` (the :class:`~qa_tui.sim.app.Simulator`) and ``stop()``;
    it is also a context manager.

``render_config(base_url) -> str``
    The qa-tui TOML config for a simulator at ``base_url`` (``http://127.0.0.1:8765``): three run
    providers (``web`` bugbug, ``plans`` bugbrain, ``previews`` bug0) and the Bugnet ``[tracker]``
    with the session token and the ``sk_live_`` API key. Only the keys of the config contract.

``banner(base_url) -> str``
    A few lines for humans: each provider's base URL and the demo credentials.

Credentials: :data:`BUGBUG_TOKEN`, :data:`BUGBRAIN_API_KEY`, :data:`BUGBRAIN_PROJECT_ID`,
:data:`BUG0_API_KEY`, :data:`BUG0_PROJECT_ID`, :data:`BUGNET_EMAIL`, :data:`BUGNET_PASSWORD`,
:data:`BUGNET_TOKEN`, :data:`BUGNET_API_KEY`, :data:`BUGNET_PROJECT` live in
:mod:`qa_tui.sim.credentials`; ``render_config`` and ``banner`` in :mod:`qa_tui.sim.config_text`
(re-exported here), which imports nothing heavy.

Every answer carries one ``Date``, on the scenario clock (:func:`dated`; uvicorn's own is off).

Dropped connections (the ``drop_rate`` and ``down`` faults) raise inside the app on purpose;
uvicorn would log a traceback for each, so a logging filter hides exactly those records.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from types import TracebackType
from typing import Any

from starlette.applications import Starlette

from qa_tui.sim.app import Simulator, build_app
from qa_tui.sim.config_text import banner, render_config
from qa_tui.sim.faults import FaultPlan, SimulatedDisconnect
from qa_tui.sim.scenario import ScenarioClock, ScenarioSpec

__all__ = [
    "RunningSim",
    "banner",
    "render_config",
    "serve",
    "start_in_thread",
]


class _HideSimulatedDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedDisconnect)


def _quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideSimulatedDrops) for f in logger.filters):
        logger.addFilter(_HideSimulatedDrops())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _base_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def dated(app: Starlette) -> Any:
    """`app` with one `Date` on every answer, on the scenario clock: the one the app set (the
    GitHub slice's), else the scenario's now. uvicorn's own `Date` (the wall clock) is turned
    off, or an answer would carry two, and a manual scenario clock would disagree with it."""
    clock: ScenarioClock = app.state.sim.clock

    async def serve_dated(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_dated(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"date" for name, _ in headers):
                    headers.append((b"date", formatdate(clock.now(), usegmt=True).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_dated)

    return serve_dated


def _server(app: Starlette, log_level: str) -> Any:
    import uvicorn

    _quiet_drops()
    config = uvicorn.Config(
        dated(app), log_level=log_level, access_log=False, lifespan="off", date_header=False
    )
    return uvicorn.Server(config)


def _prepare(
    host: str,
    port: int,
    seed: int,
    faults: FaultPlan | None,
    scenario: ScenarioSpec | None,
    clock: ScenarioClock | None,
    speed: float,
    enforce_documented_limits: bool,
    log_level: str,
    sock: socket.socket | None = None,
) -> tuple[Starlette, socket.socket, Any]:
    """The app, its bound socket (`sock` when given) and the uvicorn server: what `serve` and
    `start_in_thread` share."""
    app = build_app(
        seed=seed,
        clock=clock or ScenarioClock.realtime(speed),
        faults=faults,
        scenario=scenario,
        enforce_documented_limits=enforce_documented_limits,
    )
    return app, sock or _bind(host, port), _server(app, log_level)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 7,
    faults: FaultPlan | None = None,
    *,
    scenario: ScenarioSpec | None = None,
    clock: ScenarioClock | None = None,
    speed: float = 1.0,
    enforce_documented_limits: bool = True,
    on_ready: Callable[[str], None] | None = None,
    log_level: str = "warning",
    stop: threading.Event | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve the simulator until interrupted, or until ``stop`` is set (see the module docstring);
    on ``sock`` when given (a socket bound, even listening, by another process)."""
    _, sock, server = _prepare(
        host, port, seed, faults, scenario, clock, speed, enforce_documented_limits, log_level, sock
    )

    async def run() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started and on_ready is not None:
            await asyncio.to_thread(
                on_ready, _base_url(host, sock)
            )  # it may block: not in the loop
        while stop is not None and not task.done() and not stop.is_set():
            await asyncio.sleep(0.05)
        if stop is not None and stop.is_set():
            server.should_exit = True
        await task

    try:
        asyncio.run(run())
    finally:
        sock.close()


@dataclass
class RunningSim:
    """A simulator serving in a background thread."""

    base_url: str
    host: str
    port: int
    app: Starlette
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _sock: socket.socket = field(repr=False)

    @property
    def sim(self) -> Simulator:
        sim: Simulator = self.app.state.sim
        return sim

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> RunningSim:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 7,
    faults: FaultPlan | None = None,
    *,
    scenario: ScenarioSpec | None = None,
    clock: ScenarioClock | None = None,
    speed: float = 1.0,
    enforce_documented_limits: bool = True,
    log_level: str = "warning",
) -> RunningSim:
    """Serve the simulator in a daemon thread; returns once it accepts connections."""
    app, sock, server = _prepare(
        host, port, seed, faults, scenario, clock, speed, enforce_documented_limits, log_level
    )
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), name="qa-tui-sim", daemon=True
    )
    thread.start()
    ready, deadline = threading.Event(), time.monotonic() + 15.0
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        ready.wait(0.01)
    if not server.started:
        server.should_exit = True
        sock.close()
        raise RuntimeError(f"the simulator did not start on {host}:{port}")
    return RunningSim(_base_url(host, sock), host, sock.getsockname()[1], app, server, thread, sock)
