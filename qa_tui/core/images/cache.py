"""Screenshots kept on disk (in the cache dir), bounded by bytes, least recently used out first.

Each file is named by a hash of where it came from (provider and URL), so nothing a provider
sends becomes a file name. A hit touches the file's time; a write past the bound removes the
oldest files until the cache fits. Safe to call from worker threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

from qa_tui.core import paths

SUFFIX = ".img"


def cache_key(provider: str, url: str, box: tuple[int, int] = (0, 0)) -> str:
    """The file name stem for one screenshot, as kept shrunk to fit `box`."""
    return hashlib.sha256(f"{provider}\n{url}\n{box[0]}x{box[1]}".encode()).hexdigest()[:40]


class ImageCache:
    """A folder of screenshots holding at most `max_bytes`."""

    def __init__(self, folder: Path, max_bytes: int = 64_000_000) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._index: dict[str, tuple[int, float]] | None = None
        """name → (size, last use), read from the folder on first use."""

    def _files(self) -> dict[str, tuple[int, float]]:
        if self._index is None:
            self._index = {}
            with contextlib.suppress(FileNotFoundError):
                for entry in os.scandir(self.folder):
                    if entry.name.endswith(SUFFIX) and entry.is_file():
                        info = entry.stat()
                        self._index[entry.name] = (info.st_size, info.st_mtime)
        return self._index

    @property
    def held_bytes(self) -> int:
        """What the cache holds now."""
        with self._lock:
            return sum(size for size, _ in self._files().values())

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._files())

    def get(self, key: str) -> bytes | None:
        name = key + SUFFIX
        with self._lock:
            files = self._files()
            if name not in files:
                return None
            path = self.folder / name
            try:
                data = path.read_bytes()
                os.utime(path)
            except OSError:
                files.pop(name, None)
                return None
            files[name] = (len(data), path.stat().st_mtime)
            return data

    def put(self, key: str, data: bytes) -> None:
        """Keep `data`; a file bigger than the whole cache is not kept."""
        if len(data) > self.max_bytes:
            return
        name = key + SUFFIX
        with self._lock:
            files = self._files()
            paths.private_dir(self.folder)
            path = self.folder / name
            partial = path.with_suffix(".part")
            paths.write_private(partial, data)
            partial.replace(path)
            files[name] = (len(data), path.stat().st_mtime)
            self._evict(files, keep=name)

    def drop(self, key: str) -> None:
        with self._lock:
            self._remove(self._files(), key + SUFFIX)

    def _evict(self, files: dict[str, tuple[int, float]], keep: str) -> None:
        total = sum(size for size, _ in files.values())
        for name, (size, _) in sorted(files.items(), key=lambda item: item[1][1]):
            if total <= self.max_bytes:
                break
            if name != keep:
                self._remove(files, name)
                total -= size

    def _remove(self, files: dict[str, tuple[int, float]], name: str) -> None:
        files.pop(name, None)
        with contextlib.suppress(FileNotFoundError):
            (self.folder / name).unlink()
