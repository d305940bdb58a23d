"""`qa-tui serve`: the same app in a web browser, through textual-serve.

textual-serve runs one copy of the app per browser tab, as a command in a subprocess, and relays
its screen over a websocket to xterm.js in the page. The command here is `qa-tui tui --config
PATH`, so each tab reads the same config file the terminal app reads; with `--demo`, one
simulator is started for the server's lifetime and each tab runs `qa-tui demo` on it (its URL
is handed over on the command line, each tab builds the demo config from it, in its own scratch
directory, as `qa-tui demo` does).

The page is the app with the user's credentials and no login of its own: loopback by default,
and a warning when bound anywhere else.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
import tempfile
from pathlib import Path

from qa_tui.core import paths

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

EXPOSED_WARNING = """\
qa-tui serve: WARNING: listening on {host}, not only on this machine's loopback.
  Anyone who can reach {url} gets this app with your providers' and your tracker's
  credentials (it can stop and start runs and file bugs), with no login of its own.
  Serve on 127.0.0.1 and reach it through an SSH tunnel, or put an authenticating proxy in front."""


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(args: argparse.Namespace, sim_url: str | None) -> str:
    """The shell command textual-serve runs for each browser tab."""
    me = [sys.executable, "-m", "qa_tui"]
    if sim_url is not None:
        seed = [] if getattr(args, "seed", None) is None else ["--seed", str(args.seed)]
        return shlex.join([*me, "demo", "--sim-url", sim_url, *seed])
    path = Path(args.config).expanduser() if args.config else paths.config_file()
    return shlex.join([*me, "tui", "--config", str(path.resolve())])


def run_serve(args: argparse.Namespace) -> int:
    """`qa-tui serve [--host H] [--port N] [--config PATH | --demo]`."""
    host, port = args.host, args.port
    if not args.demo:
        from qa_tui.cli.tui import _load

        path = Path(args.config).expanduser() if args.config else paths.config_file()
        loaded = _load(path)  # a broken config is said here, not in every tab
        if isinstance(loaded, int):
            return loaded
    url = f"http://{host}:{port}"
    if not is_loopback(host):
        print(EXPOSED_WARNING.format(host=host, url=url), file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="qa-tui-serve-") as scratch:
        sim = None
        if args.demo:
            from qa_tui.cli.demo_sim import start_demo_simulator

            seed = 7 if args.seed is None else args.seed
            sim = start_demo_simulator(0, seed, None, Path(scratch))
        try:
            return _serve(app_command(args, sim.base_url if sim else None), host, port, url)
        finally:
            if sim is not None:
                why = sim.stop()
                if why is not None:
                    print(f"qa-tui serve: the simulator stopped early:\n{why}", file=sys.stderr)


def _serve(command: str, host: str, port: int, url: str) -> int:
    from textual_serve.server import Server

    print(f"qa-tui serve: {url}  (each browser tab runs its own qa-tui; ctrl+c stops)")
    sys.stdout.flush()
    Server(command, host=host, port=port, title="qa-tui", public_url=url).serve()
    return 0
