"""`qa-tui sim` as a user starts it: the real command in a process of its own, on a free port,
announced on stdout, stopped with Ctrl-C (SIGINT).

    with sim_process("--write-config", str(path)) as sim:
        httpx.get(f"{sim.base}/_sim/truth")

On leaving, the simulator is interrupted and must stop cleanly: exit 0 and no traceback.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.binary import REPO, environment


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
        [sys.executable, "-m", "qa_tui", "sim", "--port", "0", *args],
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
