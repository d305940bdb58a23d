"""Where qa-tui keeps things (platformdirs), with environment overrides for tests and scripts.

- `QA_TUI_CONFIG`: the config file (default `user_config_dir("qa-tui")/config.toml`);
- `QA_TUI_DATA_DIR`: durable data — the bug outbox, Bug0 trigger records;
- `QA_TUI_CACHE_DIR`: the run cache for the first paint, and the screenshots shown inline.

Nothing is created at import: callers `mkdir` when they first write.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "qa-tui"


def config_file() -> Path:
    """The config file to read when `--config` is not given."""
    override = os.environ.get("QA_TUI_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    """Durable data (outbox, trigger records)."""
    override = os.environ.get("QA_TUI_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    """Disposable data (the run cache)."""
    override = os.environ.get("QA_TUI_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME))


def screenshot_cache_dir() -> Path:
    """Screenshots shown in the detail view (bounded: see core/images/cache.py)."""
    return cache_dir() / "screenshots"
