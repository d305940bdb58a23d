"""`qa-tui serve` for real: the binary on a free loopback port, in its own process group, until
the test ends; what it printed (the address to open, with its token) read back from its log."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.binary import command, environment

OPEN_LINE = re.compile(r"qa-tui serve: open (http://\S+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    """`http://127.0.0.1:PORT`, no token."""
    address: str
    """What `qa-tui serve` printed to open."""
    port: int
    log: Path

    def output(self) -> str:
        """Everything the server wrote so far (stdout and stderr)."""
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def serving(
    workdir: Path, *argv: str, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[Served]:
    """`qa-tui serve --port P ARGV`; yields once it printed its address and answers HTTP."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command(), "serve", "--port", str(port), *argv],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=workdir,
            env=environment(env),
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            printed = OPEN_LINE.search(log.read_text(errors="replace"))
            if printed:
                with contextlib.suppress(httpx.HTTPError):
                    httpx.get(f"{base}/", timeout=2)  # any answer: it is listening
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"qa-tui serve did not come up:\n{log.read_text()}")
            time.sleep(0.1)  # a server in another process: nothing to await
        assert printed is not None
        yield Served(process, base, printed.group(1), port, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # the server, its simulator and every tab
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
