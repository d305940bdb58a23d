"""Hermetic defaults for every test: no real config, data or cache directory is ever touched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def hermetic_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point config, data and cache at a fresh temporary folder; cut off user config discovery."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("QA_TUI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("QA_TUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("QA_TUI_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    yield home
