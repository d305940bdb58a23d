"""Where qa-tui puts things and how it makes them: the downloads folder it saves into, and
folders and files private to the user whatever the umask, narrowing what an older qa-tui left
open, but never a folder of the user's own."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_tui.core import paths


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_downloads_folder_is_xdg_then_user_dirs_then_downloads_then_the_data_dir(
    hermetic_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert paths.downloads_dir() == paths.data_dir()  # no Downloads folder at all

    (hermetic_dirs / "Downloads").mkdir()
    assert paths.downloads_dir() == hermetic_dirs / "Downloads"

    user_dirs = hermetic_dirs / ".config" / "user-dirs.dirs"
    user_dirs.parent.mkdir()
    user_dirs.write_text('# xdg-user-dirs\nXDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n', "utf-8")
    assert paths.downloads_dir() == hermetic_dirs / "Téléchargements"

    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(hermetic_dirs / "dl"))
    assert paths.downloads_dir() == hermetic_dirs / "dl"


def test_folders_and_files_are_made_private_under_umask_022(
    tmp_path: Path, umask_022: None
) -> None:
    database = paths.private_file(tmp_path / "new" / "deeper" / "history.sqlite")
    saved = paths.write_private(tmp_path / "new" / "shot.png", b"png")

    assert mode(database) == 0o600 and mode(saved) == 0o600
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "deeper") == 0o700
    with pytest.raises(FileExistsError):
        paths.write_private(saved, b"again", replace=False)
    assert saved.read_bytes() == b"png"


def test_what_an_older_qa_tui_left_open_is_narrowed_but_the_users_own_folders_are_not(
    hermetic_dirs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    monkeypatch.delenv("QA_TUI_DATA_DIR")  # the platformdirs default, under the test's HOME
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    old = paths.data_dir()
    assert hermetic_dirs in old.parents
    old.mkdir(parents=True, mode=0o755)
    old.chmod(0o755)
    (old / "runs.sqlite").write_bytes(b"")
    (old / "runs.sqlite").chmod(0o644)
    work = tmp_path / "work"  # a --config beside the user's own files
    work.mkdir()
    work.chmod(0o755)

    paths.private_file(old / "runs.sqlite")
    paths.private_file(work / "qa.toml")

    assert mode(old) == 0o700 and mode(old / "runs.sqlite") == 0o600
    assert mode(work) == 0o755 and mode(work / "qa.toml") == 0o600
