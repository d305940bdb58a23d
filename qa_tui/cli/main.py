"""The `qa-tui` command line: argument parsing and exit codes, nothing heavy.

This module imports only the standard library and `qa_tui.__version__`, so `qa-tui --version` and
`qa-tui --help` stay instant. Each subcommand imports what it needs inside its own function:
the TUI (textual) only for `tui`/`demo`, the simulator only for `sim`, httpx and pydantic only for
the headless commands.

Exit codes: 0 ok, 1 some provider failed (`runs`, `doctor`), 2 usage or config error, 130
interrupted; `watch` and `run --wait`: 0 passed, 1 failed, 2 usage/config, 3 error, stopped or
cancelled, 4 no final status (timeout; a Bug0 run whose commit status cannot be read).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from qa_tui import __version__
from qa_tui.cli import arguments

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
STATUSES = (
    *("queued", "triggered", "running", "passed", "failed", "error", "stopped", "skipped"),
    *("unknown", "paused", "auto_retrying", "recording"),
)
"""`runs --status`: what the app's `status:` takes (core/runs/shown.py STATUS_WORDS, written
out here so `qa-tui --version` imports no model)."""
Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `qa-tui runs: error: ... (see qa-tui runs --help)`."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {text!r}"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return value


# --- subcommand entry points: each imports its own dependencies ----------------------------------


def _cmd_tui(args: argparse.Namespace) -> int:
    from qa_tui.cli.tui import run_tui  # textual is imported only here

    return run_tui(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from qa_tui.cli.tui import run_demo  # textual and the simulator are imported only here

    return run_demo(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from qa_tui.cli.serve import run_serve  # textual-serve is imported only here

    return run_serve(args)


def _cmd_runs(args: argparse.Namespace) -> int:
    from qa_tui.cli.headless import run_runs

    return run_runs(args)


def _cmd_run(args: argparse.Namespace) -> int:
    from qa_tui.cli.run import run_run

    return run_run(args)


def _cmd_watch(args: argparse.Namespace) -> int:
    from qa_tui.cli.watch import run_watch

    return run_watch(args)


def _cmd_doctor(args: argparse.Namespace) -> int:
    from qa_tui.cli.doctor import run_doctor

    return run_doctor(args)


def _cmd_flaky(args: argparse.Namespace) -> int:
    from qa_tui.cli.history_cmds import run_flaky

    return run_flaky(args)


def _cmd_incidents(args: argparse.Namespace) -> int:
    from qa_tui.cli.history_cmds import run_incidents

    return run_incidents(args)


def _window(text: str) -> object:
    from qa_tui.cli.history_cmds import window

    return window(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds (0 or more), got {text!r}")
    return value


def _cmd_config(args: argparse.Namespace) -> int:
    from qa_tui.cli.config_cmd import run_config

    return run_config(args)


def _cmd_keys(args: argparse.Namespace) -> int:
    from qa_tui.cli.keys_cmd import run_keys  # Textual's key names are imported only here

    return run_keys(args)


def _cmd_sim(args: argparse.Namespace) -> int:
    from qa_tui.cli.simulator import run_sim  # the simulator is imported only here

    return run_sim(args)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = _Parser(
        prog="qa-tui",
        description="One terminal cockpit over hosted QA runs (BugBug, BugBrain, Bug0) and Bugnet.",
        epilog="Without a command, qa-tui opens the monitor (same as `qa-tui tui`).",
    )
    parser.add_argument("--version", action="version", version=f"qa-tui {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def config_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--config",
            metavar="PATH",
            help="config file (default: $QA_TUI_CONFIG or the user config dir)",
        )

    # --- interactive commands (qa_tui/cli/tui.py, written with the UI) --------------------------
    tui = command("tui", _cmd_tui, "open the live monitor (the default)")
    config_option(tui)
    read_only_option(tui)
    demo = command(
        "demo", _cmd_demo, "open the monitor on the built-in simulator (no account needed)"
    )
    demo.add_argument("--seed", type=int, default=None, help="scenario seed (same seed, same runs)")
    demo.add_argument(
        "--faults", metavar="SPEC", default=None, help="fault injection, as for `sim`"
    )
    demo.add_argument(
        "--port", type=_port, default=0, help="the simulator's port (default: any free port)"
    )
    demo.add_argument(
        "--write-config",
        metavar="PATH",
        default=None,
        help="also write the demo's config here, for `qa-tui runs --config PATH` beside it",
    )
    read_only_option(demo)
    # `qa-tui serve --demo` runs one simulator and a demo on it per browser tab (cli/serve.py).
    demo.add_argument("--sim-url", default=None, help=argparse.SUPPRESS)
    serve = command(
        "serve",
        _cmd_serve,
        "serve the monitor to a web browser (textual-serve; loopback, behind a token)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    config_option(serve)
    serve.add_argument(
        "--demo", action="store_true", help="serve the demo: on the built-in simulator"
    )
    serve.add_argument("--seed", type=int, default=None, help="with --demo: the scenario seed")
    arguments.token_options(serve)

    # --- headless commands (qa_tui/cli/headless.py) --------------------------------------------
    runs = command("runs", _cmd_runs, "list recent runs of every provider (for scripts: --json)")
    runs.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    runs.add_argument(
        "--format",
        choices=("table", "json", "markdown"),
        default="table",
        help="table (default), json (as --json), or markdown: each run as the app's Y copies it",
    )
    config_option(runs)
    arguments.provider_option(runs)
    runs.add_argument(
        "--status",
        choices=STATUSES,
        metavar="STATUS",
        help="only runs with this status, as the app shows it and its status: filter reads it "
        "(a Bug0 trigger is triggered, a BugBrain execution that broke is error): "
        + ", ".join(STATUSES),
    )
    arguments.since_option(runs, _window)
    runs.add_argument(
        "--limit",
        type=_positive_int,
        default=100,
        metavar="N",
        help="runs per provider (default 100)",
    )
    add_run_watch_doctor(command, config_option)
    add_history_commands(command, config_option)

    # --- the example config (qa_tui/cli/config_cmd.py) ------------------------------------------
    arguments.config_command(command("config", _cmd_config, arguments.CONFIG_HELP), config_option)
    config_option(command("keys", _cmd_keys, "print every action id and its keys ([keys] remaps)"))

    # --- the simulator (qa_tui/cli/simulator.py) ------------------------------------------------------
    sim = command("sim", _cmd_sim, "serve the provider simulator on loopback (try qa-tui offline)")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sim.add_argument(
        "--port", type=_port, default=8765, help="port (default 8765; 0 picks a free one)"
    )
    sim.add_argument("--seed", type=int, default=None, help="scenario seed (same seed, same runs)")
    sim.add_argument("--faults", metavar="SPEC", default=None, help="fault injection spec")
    sim.add_argument(
        "--dialect",
        metavar="KEY=VALUE,...",
        default=None,
        help="how the providers read their loose docs (`--dialect help` lists every switch)",
    )
    sim.add_argument(
        "--write-config", metavar="PATH", help="write a config file pointing here (mode 0600)"
    )
    sim.add_argument(
        "--projects",
        metavar="N",
        type=int,
        default=None,
        help="serve a whole org: N projects (at least 3), several BugBrain projects per key",
    )
    # `qa-tui demo` starts its simulator in a child: on a socket the demo bound, until the
    # demo's end of the child's stdin closes (qa_tui/cli/demo_sim.py).
    sim.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def read_only_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--read-only",
        action="store_true",
        help="never stop, re-run, start or trigger anything on any provider (filing bugs stays)",
    )


def add_run_watch_doctor(
    command: Callable[[str, Handler, str], argparse.ArgumentParser],
    config_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    """`run`, `watch` and `doctor` (qa_tui/cli/run.py, watch.py, doctor.py)."""
    exits = (
        "exit: 0 passed, 1 failed, 2 usage/config, 3 error/stopped/cancelled, "
        "4 no final status (timeout; for Bug0: no status of Bug0's on the commit in time, "
        "or none to read: Bug0 reports results as GitHub commit statuses)"
    )
    watch = command("watch", _cmd_watch, "follow one run until it ends (for CI)")
    watch.epilog = exits
    watch.add_argument(
        "ref",
        metavar="PROVIDER:RUN_ID",
        help="as `qa-tui run` prints it, e.g. web:3f2c...; PROVIDER is a name or a kind",
    )
    watch_options(watch)
    config_option(watch)

    run = command("run", _cmd_run, "start a run (and with --wait, follow it like watch)")
    run.epilog = "with --wait, " + exits
    run.add_argument(
        "provider",
        metavar="PROVIDER",
        help="provider name from the config, or its kind when only one provider is of that kind",
    )
    run.add_argument(
        "target",
        metavar="TARGET",
        nargs="?",
        help="BugBug test (or --suite) id or name; BugBrain test plan id; Bug0 project id "
        "(default: the configured project_id)",
    )
    run.add_argument("--var", metavar="KEY=VALUE", action="append", help="variable (repeatable)")
    run.add_argument("--suite", action="store_true", help="BugBug: TARGET is a suite")
    run.add_argument("--profile", metavar="P", help="BugBug: run profile id or name")
    run.add_argument("--environment", metavar="ENV", help="BugBrain: staging or prod")
    run.add_argument(
        "--sync", action="store_true", help="BugBrain: block until done (POST /executions)"
    )
    run.add_argument("--url", help="Bug0: test this URL instead of the project's")
    run.add_argument("--git-sha", metavar="SHA", help="Bug0: commit (default: the checkout's)")
    run.add_argument("--branch", help="Bug0: branch (default: the checkout's)")
    run.add_argument("--pr", metavar="N", help="Bug0: pull request number")
    run.add_argument("--owner", help="Bug0: GitHub owner (default: from the origin remote)")
    run.add_argument("--repo", help="Bug0: GitHub repo (default: from the origin remote)")
    run.add_argument(
        "--no-git", action="store_true", help="Bug0: do not prefill from the git checkout"
    )
    run.add_argument(
        "--wait",
        action="store_true",
        help="follow the run until it ends (Bug0: through its commit status on GitHub)",
    )
    read_only_option(run)
    run.add_argument(
        "--confirm",
        metavar="NAME",
        default=None,
        help="the provider's name, to start on a production provider (production = true)",
    )
    watch_options(run, bugbrain=True)
    config_option(run)

    doctor = command("doctor", _cmd_doctor, "check every provider and the tracker: one line each")
    doctor.epilog = "exit: 0 all usable, 1 something failed, 2 config error"
    config_option(doctor)
    doctor.add_argument(
        "--probe",
        action="store_true",
        help="a few GET requests per provider: which reading of the docs each server speaks",
    )
    doctor.add_argument("--json", action="store_true", help="with --probe: the report as JSON")
    doctor.add_argument(
        "--record",
        metavar="DIR",
        help="with --probe: write every response read, redacted, to DIR (to attach to a report)",
    )


def add_history_commands(
    command: Callable[[str, Handler, str], argparse.ArgumentParser],
    config_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    """`flaky` and `incidents` (qa_tui/cli/history_cmds.py)."""
    exits = "exit: 0 ok, 1 a provider failed (the others still count), 2 usage/config"
    flaky = command("flaky", _cmd_flaky, "list flaky tests: passed and failed on one target")
    flaky.epilog = exits
    flaky.add_argument("--json", action="store_true", help="print a JSON array")
    flaky.add_argument(
        "--since", type=_window, default="7d", metavar="SPAN", help="window (default 7d)"
    )
    arguments.provider_option(flaky)
    config_option(flaky)
    incidents = command(
        "incidents", _cmd_incidents, "list incidents: one error failing three runs or more"
    )
    incidents.epilog = exits
    incidents.add_argument("--json", action="store_true", help="print a JSON array")
    incidents.add_argument(
        "--since", type=_window, default="24h", metavar="SPAN", help="window (default 24h)"
    )
    arguments.provider_option(incidents)
    config_option(incidents)


def watch_options(sub: argparse.ArgumentParser, *, bugbrain: bool = False) -> None:
    also = "; BugBrain: also sent as the execution's timeout_seconds" if bugbrain else ""
    sub.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"give up waiting after this long (default 3600; 0: never){also}",
    )
    sub.add_argument("--json", action="store_true", help="print the result as JSON")
    sub.add_argument("--junit", metavar="PATH", help="save the JUnit report here (BugBug)")
    sub.add_argument(
        "--notify",
        action="store_true",
        help="tell the terminal when the run ends, as the app does ([notify] method; "
        "works over SSH and in tmux)",
    )


def _with_default_command(argv: Sequence[str]) -> list[str]:
    """`qa-tui` and `qa-tui --config x` mean `qa-tui tui ...`."""
    args = list(argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        return ["tui", *args]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
        except SystemExit as done:  # --help, --version, usage errors
            return done.code if isinstance(done.code, int) else EXIT_USAGE
        handler: Handler = args.handler
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `qa-tui runs --json | head`: the reader left, nothing to report
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
