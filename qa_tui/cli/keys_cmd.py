"""`qa-tui keys`: every action id, its keys (the user's `[keys]` marked `*`), where it applies and
what it does; a `[keys]` that cannot be used exits 2 naming the file and the key, as the app
does at start. Imports Textual's key names (ui/keymap.py), so it is imported only when run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qa_tui.core import paths
from qa_tui.core.config.tables import Config, ConfigError, ConfigFileMissing, load_config

if TYPE_CHECKING:
    from qa_tui.ui.keymap import UserKeys

EXIT_OK, EXIT_USAGE = 0, 2


def user_keys_or_explain(config: Config, path: Path) -> UserKeys | None:
    """The config's `[keys]` checked (a `UserKeys`), or None after saying why on stderr."""
    from qa_tui.ui.keymap import KeyProblem, check_keys

    try:
        return check_keys(config.keys)
    except KeyProblem as problem:
        print(f"qa-tui: {ConfigError(str(path), problem.key, problem.expected)}", file=sys.stderr)
        return None


def run_keys(args: argparse.Namespace) -> int:
    """`qa-tui keys [--config PATH]`: with no config file, the default keys."""
    from qa_tui.ui.keymap import UserKeys, keymap_lines

    path = Path(args.config).expanduser() if args.config else paths.config_file()
    keys = UserKeys()
    try:
        config = load_config(path)
    except ConfigFileMissing:
        config = None
    except ConfigError as error:
        print(f"qa-tui: {error}", file=sys.stderr)
        return EXIT_USAGE
    if config is not None:
        checked = user_keys_or_explain(config, path)
        if checked is None:
            return EXIT_USAGE
        keys = checked
    print("\n".join(keymap_lines(keys)))
    print('\n* your key ([keys] in the config); change one with: [keys] "runs.stop" = "ctrl+k"')
    return EXIT_OK
