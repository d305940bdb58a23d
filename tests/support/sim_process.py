"""`qa-tui sim` as a user starts it: the real command in a process of its own, on a free port,
announced on stdout, stopped with Ctrl-C (SIGINT).

    with sim_process("--write-config", str(path)) as sim:
        httpx.get(f"{sim.base}/_sim/truth")

On leaving, the simulator is interrupted and must stop cleanly: exit 0 and no traceback.

Ctrl-C reaches the command as it does from a terminal, also when the tests themselves were
started in the background (a shell starts a background job with SIGINT ignored, and a Python
started so keeps ignoring it): the child sets Python's own SIGINT handler before it runs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.binary import REPO, environment

AS_FROM_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'qa-tui'; runpy.run_module('qa_tui', run_name='__main__', alter_sys=True)"
)
"""`python -m qa_tui` with Ctrl-C as a terminal delivers it."""


@dataclass
class SimProcess:
    """A running `qa-tui sim`: its banner (up to `serving`) and its base URL."""

    process: subprocess.Popen[str]
    banner: str

    @property
    def base(self) -> str:
        return self.banner.split("listening on ", 1)[1].split()[0]


@contextmanager
def sim_process(*args: str) -> Iterator[SimProcess]:
    """`python -m qa_tui sim --port 0 ARGS`, once it says it is serving; Ctrl-C on leaving."""
    process = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, "sim", "--port", "0", *args],
        cwd=REPO,
        env=environment({"PYTHONUNBUFFERED": "1"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:  # blocks until the simulator has announced itself
            lines.append(line)
            if line.startswith("serving"):
                break
        else:
            raise AssertionError(f"qa-tui sim never served: {''.join(lines)}")
        yield SimProcess(process, "".join(lines))
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
