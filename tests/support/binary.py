"""The real `qa-tui` command in a fresh process, as a user's shell or CI script runs it.

The console script installed beside this interpreter (`.venv/bin/qa-tui`, from the project's
entry point) when there is one, else `python -m qa_tui` with the checkout on PYTHONPATH. It runs
outside the checkout (in a folder of the test's own), with the test's environment: the hermetic
config, data and cache dirs of tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONSOLE_SCRIPT = Path(sys.executable).parent / "qa-tui"


def command() -> list[str]:
    """How to start qa-tui: its console script, or the module."""
    if CONSOLE_SCRIPT.exists():
        return [str(CONSOLE_SCRIPT)]
    return [sys.executable, "-m", "qa_tui"]


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def qa_tui(
    *argv: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    umask: int | None = None,
    timeout: float = 90.0,
) -> subprocess.CompletedProcess[str]:
    """Run `qa-tui ARGV` to its end: (exit code, stdout, stderr) in a CompletedProcess.
    `umask`: the process starts under this umask (as a user's shell would set it)."""

    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [*command(), *argv],
        cwd=cwd or Path(os.environ.get("HOME", "/")),
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        preexec_fn=set_umask if umask is not None else None,
    )
