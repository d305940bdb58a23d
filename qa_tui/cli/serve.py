"""`qa-tui serve`: the same app in a web browser, through textual-serve.

textual-serve runs one copy of the app per browser tab, as a command in a subprocess, and relays
its screen over a websocket to xterm.js in the page. The command here is `qa-tui tui --config
PATH`, so each tab reads the same config file the terminal app reads; with `--demo`, one
simulator is started for the server's lifetime and each tab runs `qa-tui demo` on it (its URL
is handed over on the command line, each tab builds the demo config from it, in its own scratch
directory, as `qa-tui demo` does).

The page is the app with the user's credentials, so it needs a secret, as Jupyter does
(cli/serve_guard.py): a random token made at start (or `--token`, or `$QA_TUI_SERVE_TOKEN`),
printed in the address to open; the first visit trades it for a cookie. `--no-token` drops the
secret, only on loopback and with a warning. Loopback by default, and a warning when bound
anywhere else.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from qa_tui.core import paths

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN_ENV = "QA_TUI_SERVE_TOKEN"
MIN_TOKEN_LENGTH = 16

NO_TOKEN_WARNING = """\
qa-tui serve: WARNING: --no-token: any program or user of this machine that can reach {url}
  gets this app with your providers' and your tracker's credentials (it can stop and start runs
  and file bugs). Drop --no-token to require the token qa-tui makes."""

EXPOSED_WARNING = """\
qa-tui serve: WARNING: listening on {host}, not only on this machine's loopback.
  Anyone who can reach {url} and learns the token gets this app with your providers' and
  your tracker's credentials (it can stop and start runs and file bugs), and the page is plain
  http: the token and the session cross the network unencrypted. Serve on 127.0.0.1 and reach
  it through an SSH tunnel, or put an authenticating TLS proxy in front."""


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


@dataclass(frozen=True)
class TokenChoice:
    """The secret this server asks for; None with `--no-token`."""

    token: str | None
    made_here: bool
    """Made at start (printed whole), or given by the user (never echoed)."""

    def address(self, url: str) -> str:
        """What to open: with a token made here, the whole address; a token the user set is
        theirs to add (it is not echoed into logs)."""
        if self.token is None:
            return f"{url}/"
        if self.made_here:
            return f"{url}/?token={quote(self.token, safe='')}"
        return f"{url}/?token=... (the token you set with --token or ${TOKEN_ENV})"


def choose_token(args: argparse.Namespace) -> TokenChoice | str:
    """The token from `--token`, `$QA_TUI_SERVE_TOKEN` or a new random one; or the usage error."""
    given = getattr(args, "token", None)
    from_env = os.environ.get(TOKEN_ENV)
    if getattr(args, "no_token", False):
        if given:
            return "--no-token and --token contradict each other"
        if not is_loopback(args.host):
            return (
                f"--no-token is refused on {args.host}: without a token the page is open to "
                "anyone who can reach it. Serve on 127.0.0.1, or keep the token"
            )
        return TokenChoice(None, False)
    chosen = given if given is not None else from_env
    if chosen is not None:
        source = "--token" if given is not None else f"${TOKEN_ENV}"
        if len(chosen) < MIN_TOKEN_LENGTH:
            return f"{source}: at least {MIN_TOKEN_LENGTH} characters, please (a guessable token is no secret)"
        return TokenChoice(chosen, False)
    return TokenChoice(secrets.token_urlsafe(32), True)


def run_serve(args: argparse.Namespace) -> int:
    """`qa-tui serve [--host H] [--port N] [--config PATH | --demo] [--token T | --no-token]`."""
    host, port = args.host, args.port
    token = choose_token(args)
    if isinstance(token, str):
        print(f"qa-tui serve: error: {token}", file=sys.stderr)
        return 2
    if not args.demo:
        from qa_tui.cli.tui import _load

        path = Path(args.config).expanduser() if args.config else paths.config_file()
        loaded = _load(path)  # a broken config is said here, not in every tab
        if isinstance(loaded, int):
            return loaded
    url = f"http://{host}:{port}"
    if not is_loopback(host):
        print(EXPOSED_WARNING.format(host=host, url=url), file=sys.stderr)
    if token.token is None:
        print(NO_TOKEN_WARNING.format(url=url), file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="qa-tui-serve-") as scratch:
        sim = None
        if args.demo:
            from qa_tui.cli.demo_sim import start_demo_simulator

            seed = 7 if args.seed is None else args.seed
            sim = start_demo_simulator(0, seed, None, Path(scratch))
        try:
            command = app_command(args, sim.base_url if sim else None)
            return _serve(command, host, port, url, token)
        finally:
            if sim is not None:
                why = sim.stop()
                if why is not None:
                    print(f"qa-tui serve: the simulator stopped early:\n{why}", file=sys.stderr)


def _serve(command: str, host: str, port: int, url: str, token: TokenChoice) -> int:
    from qa_tui.cli.serve_guard import GuardedServer  # textual-serve and aiohttp, only here

    print(f"qa-tui serve: open {token.address(url)}")
    print("  (each browser tab runs its own qa-tui; ctrl+c stops)")
    sys.stdout.flush()
    GuardedServer(command, token=token.token, host=host, port=port, public_url=url).serve()
    return 0
