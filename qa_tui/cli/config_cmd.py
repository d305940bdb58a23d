"""`qa-tui config example` and `qa-tui config init`: the commented example config, from the
installed package, for a user who has no checkout to copy it from.

The example is package data (`qa_tui/config.example.toml`, in every wheel); `example` prints it,
`init` writes it to the config path (`--config`, else `$QA_TUI_CONFIG`, else the user config
dir): the folder made 0700 if it is missing, the file 0600 (it will hold tokens), and a file
already there is never overwritten. Exit 0 written, 1 not overwritten, 2 it cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from qa_tui.cli.headless import config_path
from qa_tui.core import paths

EXAMPLE = "config.example.toml"
EXIT_OK, EXIT_EXISTS, EXIT_USAGE = 0, 1, 2


def example_text() -> str:
    """The commented example config, every key documented, as shipped in the package."""
    return resources.files("qa_tui").joinpath(EXAMPLE).read_text(encoding="utf-8")


def run_config(args: argparse.Namespace) -> int:
    """`qa-tui config example | init [--config PATH]`."""
    if args.action == "example":
        sys.stdout.write(example_text())
        sys.stdout.flush()
        return EXIT_OK
    return _init(args)


def _init(args: argparse.Namespace) -> int:
    path = config_path(args)
    if path.exists():
        print(
            f"qa-tui config init: {path} exists; it was not overwritten. "
            "`qa-tui config example` prints the example to compare with.",
            file=sys.stderr,
        )
        return EXIT_EXISTS
    try:
        paths.private_dir(path.parent)
        paths.write_private(path, example_text().encode("utf-8"), replace=False)
    except FileExistsError:  # made meanwhile
        print(f"qa-tui config init: {path} exists; it was not overwritten.", file=sys.stderr)
        return EXIT_EXISTS
    except OSError as error:
        print(
            f"qa-tui config init: cannot write {path}: {error.strerror or error}", file=sys.stderr
        )
        return EXIT_USAGE
    print(
        f"Wrote the example config to {path} (only you can read it). Keep the providers you use, "
        "give each its token (${NAME} reads one from the environment), then run `qa-tui`; "
        "`qa-tui doctor` checks every provider."
    )
    return EXIT_OK
