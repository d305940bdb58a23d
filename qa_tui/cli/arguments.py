"""Argument groups of the command line that are this branch's own: `--provider` as every
command reads it, `serve`'s secret, and the `config` command. Standard library only, as main.py
(`qa-tui --version` stays instant)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

CONFIG_HELP = "the example config: print it, or write it to start"


def provider_option(sub: argparse.ArgumentParser) -> None:
    """`--provider`, as every command reads it: a name, or a kind only one provider has."""
    sub.add_argument(
        "--provider",
        metavar="NAME",
        action="append",
        help="only this provider: its name, or its kind (bugbug, bugbrain, bug0) when only one "
        "provider is of that kind (repeatable)",
    )


def since_option(runs: argparse.ArgumentParser, span: Callable[[str], object]) -> None:
    """`qa-tui runs --since SPAN`, read as `flaky` and `incidents` read theirs (`span`)."""
    runs.add_argument(
        "--since",
        type=span,
        default=None,
        metavar="SPAN",
        help="only runs started within this span: 90m, 24h, 7d, 2w (default: any time)",
    )


def token_options(serve: argparse.ArgumentParser) -> None:
    """`qa-tui serve --token T | --no-token` (qa_tui/cli/serve.py)."""
    serve.add_argument(
        "--token",
        metavar="TOKEN",
        default=None,
        help="the secret the page asks for (default: $QA_TUI_SERVE_TOKEN, else a random one, "
        "printed in the address to open); other users of the machine can read a command line "
        "(ps): prefer the variable",
    )
    serve.add_argument(
        "--no-token",
        action="store_true",
        help="no secret at all: only on a loopback --host, and it warns",
    )


def config_command(
    config: argparse.ArgumentParser, config_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """`qa-tui config example | init [--config PATH]` (qa_tui/cli/config_cmd.py)."""
    config.epilog = "exit: 0 ok, 1 the config file exists (never overwritten), 2 cannot write it"
    actions = config.add_subparsers(dest="action", title="actions", metavar="ACTION", required=True)
    what = "print the commented example config (every key)"
    actions.add_parser("example", help=what, description=what)
    what = "write the example to the config path (folder 0700, file 0600; never overwrites)"
    config_option(actions.add_parser("init", help=what, description=what))
