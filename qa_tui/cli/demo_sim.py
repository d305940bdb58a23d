"""The demo's simulator, in a process of its own.

`qa-tui demo` binds a loopback socket itself (so it knows the simulator's URL at once), hands it
to `qa-tui sim --listen-fd` started as a child, and goes on importing the app while the child
imports Starlette and uvicorn on the other core: on a 2-core build box the demo's first table
comes about a quarter of a second sooner than with the simulator in a thread. A request made
before the child serves waits in the socket's backlog.

The child stops when its stdin closes, which is when the demo exits, however it exits (even
killed). What it prints goes to a log in the demo's scratch directory, never over the app's
screen; if it ended on its own, the demo says so when it exits, with the log's last lines.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HOST = "127.0.0.1"


@dataclass
class DemoSimulator:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    def stop(self, timeout: float = 5.0) -> str | None:
        """Stop the child; why it had ended early (its log's last lines), if it had."""
        ended_early = self.process.poll() is not None
        if self.process.stdin is not None:
            self.process.stdin.close()  # the child's signal to stop
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        if not ended_early:
            return None
        lines = self.log_path.read_text(errors="replace").strip().splitlines()[-8:]
        return "\n".join(lines) or f"exit status {self.process.returncode}"


def start_demo_simulator(port: int, seed: int, faults: str | None, scratch: Path) -> DemoSimulator:
    """Bind 127.0.0.1:`port` (0: any free port) and start the simulator on it in a child.
    Raises OSError when the port cannot be had."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
        command = [sys.executable, "-m", "qa_tui", "sim", "--listen-fd", str(sock.fileno())]
        command += ["--seed", str(seed), *(["--faults", faults] if faults else [])]
        log_path = scratch / "simulator.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            command,
            pass_fds=(sock.fileno(),),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return DemoSimulator(f"http://{HOST}:{sock.getsockname()[1]}", process, log_path, log)
    finally:
        sock.close()  # the child has its own copy
