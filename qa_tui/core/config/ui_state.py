"""What the app remembers of its own between sessions, beside the config: `ui-state.toml`.

The palette's theme switch saves the theme here rather than in the config, so the config the
user wrote (its comments, its order, its `${VAR}`s) is never rewritten by qa-tui. At start the
theme saved here wins over `[ui] theme` (it was picked later); delete the file to go back to
the config's. A state file that cannot be read or parsed is ignored: it only holds a preference.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from qa_tui.core.paths import write_private

STATE_FILE = "ui-state.toml"


def state_file_for(config_path: Path) -> Path:
    """`ui-state.toml` in the config file's folder."""
    return config_path.parent / STATE_FILE


def saved_theme(path: Path) -> str | None:
    """The theme saved in the state file at `path`, or None (no file, or not readable)."""
    try:
        theme = tomllib.loads(path.read_text(encoding="utf-8")).get("theme")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return theme if isinstance(theme, str) and theme else None


def save_theme(path: Path, theme: str) -> None:
    """Keep `theme` in the state file at `path` (0600; its folder must exist, as the config's
    does). A TOML basic string is a JSON string, so `json.dumps` quotes it."""
    text = "# Written by qa-tui: the theme last picked in the palette (wins over [ui] theme).\n"
    write_private(path, f"{text}theme = {json.dumps(theme)}\n".encode())
