"""Where qa-tui keeps things (platformdirs), with environment overrides for tests and scripts,
and how it makes them: private to the user.

- `QA_TUI_CONFIG`: the config file (default `user_config_dir("qa-tui")/config.toml`);
- `QA_TUI_DATA_DIR`: durable data — the bug outbox, Bug0 trigger records, the run history, the
  watch list;
- `QA_TUI_CACHE_DIR`: the run cache for the first paint, and the screenshots shown inline;
- the downloads folder: where a saved screenshot or artifact goes (`downloads_dir`).

Nothing is created at import: callers make what they write through `private_dir`,
`private_file` and `write_private`, so every folder qa-tui makes is 0700 and every file 0600
whatever the umask (qa-tui holds run names, errors, screenshot links and bug reports, and runs on
shared build boxes). The process umask is left alone: a browser or notifier qa-tui starts
inherits it, and would make the user's own files private too.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

import platformdirs

APP_NAME = "qa-tui"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


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


def downloads_dir() -> Path:
    """Where a saved screenshot or artifact goes: `$XDG_DOWNLOAD_DIR`, else the one named in
    `~/.config/user-dirs.dirs` (xdg-user-dirs), else `~/Downloads` when it exists, else the data
    dir. Never the current folder (under `make demo` that is the git checkout)."""
    for candidate in (os.environ.get("XDG_DOWNLOAD_DIR"), _user_dirs_download()):
        if candidate:
            return Path(candidate).expanduser()
    home_downloads = Path.home() / "Downloads"
    if home_downloads.is_dir():
        return home_downloads
    return data_dir()


_USER_DIRS_LINE = re.compile(r'^\s*XDG_DOWNLOAD_DIR\s*=\s*"(.*)"\s*$')


def _user_dirs_download() -> str | None:
    """`XDG_DOWNLOAD_DIR="$HOME/Downloads"` from xdg-user-dirs' file, `$HOME` expanded."""
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    try:
        text = (Path(config_home) / "user-dirs.dirs").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        match = _USER_DIRS_LINE.match(line)
        if match:
            value = match.group(1).replace("$HOME", str(Path.home()))
            return value if value.startswith("/") else None  # the file's rule: absolute or $HOME
    return None


def _own_folders() -> tuple[Path, ...]:
    """The folders that are qa-tui's alone wherever they are: the platformdirs defaults (an
    override may point anywhere, and an existing folder there is the user's to set)."""
    return tuple(
        Path(where(APP_NAME))
        for where in (
            platformdirs.user_config_dir,
            platformdirs.user_data_dir,
            platformdirs.user_cache_dir,
        )
    )


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can open; returns it.

    Every folder this creates (the missing parents too) is 0700 whatever the umask. A folder that
    already exists is left as it is (a `--config ~/work/qa.toml` must not narrow `~/work`),
    except qa-tui's own default folders and the folders in them: an older qa-tui made those
    0755, and they are narrowed."""
    missing: list[Path] = []
    walk = path
    while not walk.exists() and walk != walk.parent:
        missing.append(walk)
        walk = walk.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another qa-tui
            os.mkdir(folder, PRIVATE_DIR)
        os.chmod(folder, PRIVATE_DIR)  # a umask such as 0o277 takes bits mkdir asked for
    if any(walk == own or own in walk.parents for own in _own_folders()):
        _narrow(walk, PRIVATE_DIR)  # the folder that was there already, if it is qa-tui's own
    return path


def private_file(path: Path) -> Path:
    """`path` exists as a file only its owner can read or write (0600), in a private folder;
    returns it. For sqlite files: made before sqlite opens them, so its journal and WAL files,
    which sqlite gives the database's own mode, are private too. A file that exists wider (made
    by an older qa-tui) is narrowed."""
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    _narrow(path, PRIVATE_FILE)
    return path


def write_private(path: Path, data: bytes, *, replace: bool = True) -> Path:
    """Write `data` to `path` as a 0600 file whatever the umask; returns the path. The folder
    must exist (it may be the user's own). `replace=False` refuses (FileExistsError) to touch a
    file that is there already."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    fd = os.open(path, flags, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_FILE)  # an existing file keeps its old mode otherwise
        handle.write(data)
    return path


def _narrow(path: Path, mode: int) -> None:
    """Take group and other bits off `path` if it is the user's own (never someone else's)."""
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, mode)
    except OSError:
        pass
