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
    # the GitHub CLI (asked for a token when [github] has none) sees no login of the user's
    monkeypatch.setenv("GH_CONFIG_DIR", str(home / "gh"))
    for name in ("GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    yield home
