"""The real app under a pseudo-terminal, every byte it writes replayed through a terminal
emulator (pyte) that remembers which cells each byte wrote, and what they held before.

For stories about what reaches the terminal (over SSH, every byte counts): what the screen
shows, how many bytes were written since a moment, and which cells were written again with the
same content they already had. The emulator answers the app's device-attribute queries, as a
terminal would. Every wait is on a condition against a deadline.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyte

DEADLINE_S = 30.0
"""Longest wait for any one thing (the first paint includes Python's start-up)."""


@dataclass(frozen=True)
class Written:
    """One cell written by the app: where, what it held before, what it holds now."""

    y: int
    x: int
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return bool(self.before != self.after)


class _RecordingScreen(pyte.Screen):
    """A pyte screen that keeps every cell it draws, and answers queries through `reply`."""

    def __init__(self, columns: int, lines: int, reply: Callable[[str], None]) -> None:
        super().__init__(columns, lines)
        self.reply = reply
        self.written: list[Written] = []

    def draw(self, data: str) -> None:
        for char in data:
            y, x = self.cursor.y, min(self.cursor.x, self.columns - 1)
            before = self.buffer[y][x]
            super().draw(char)
            self.written.append(Written(y, x, before, self.buffer[y][x]))

    def write_process_input(self, data: str) -> None:
        self.reply(data)


class PtyTerminal:
    """One command under a pty of `columns` x `lines`, read and emulated in the background."""

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        cwd: Path,
        columns: int = 120,
        lines: int = 35,
    ) -> None:
        self._master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self._lock = threading.Lock()
        self._screen = _RecordingScreen(columns, lines, self._reply)
        self._stream = pyte.ByteStream(self._screen)
        self.bytes_written = 0
        self.last_byte_at = time.monotonic()
        self.process = subprocess.Popen(
            list(command),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _reply(self, data: str) -> None:
        os.write(self._master, data.encode())

    def _read(self) -> None:
        while not self._done.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.bytes_written += len(data)
                self.last_byte_at = time.monotonic()
                self._stream.feed(data)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._done.set()
        self._reader.join(2)
        os.close(self._master)

    # --- what the test reads ----------------------------------------------------------------

    def display(self) -> list[str]:
        with self._lock:
            return list(self._screen.display)

    def mark(self) -> tuple[int, int]:
        """A moment: (bytes written so far, cells written so far)."""
        with self._lock:
            return self.bytes_written, len(self._screen.written)

    def bytes_since(self, mark: tuple[int, int]) -> int:
        with self._lock:
            return self.bytes_written - mark[0]

    def cells_since(self, mark: tuple[int, int]) -> list[Written]:
        with self._lock:
            return list(self._screen.written[mark[1] :])

    def wait_for(self, what: str, predicate: Callable[[list[str]], bool]) -> list[str]:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            lines = self.display()
            if predicate(lines):
                return lines
            if self.process.poll() is not None:
                time.sleep(0.2)  # what it wrote last (a traceback goes to the pty too)
                shown = "\n".join(line.rstrip() for line in self.display() if line.strip())
                raise AssertionError(
                    f"the app exited ({self.process.returncode}) before {what}; the screen:\n{shown}"
                )
            if time.monotonic() > deadline:
                shown = "\n".join(lines)
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{shown}")
            time.sleep(0.05)  # polling a real terminal: there is nothing to await

    def wait_until_quiet(self, quiet_s: float) -> None:
        """Until the app has written nothing for `quiet_s` seconds (its start-up is done)."""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() - self.last_byte_at < quiet_s:
            if time.monotonic() > deadline:
                raise AssertionError(f"the app never stopped writing for {quiet_s} s")
            time.sleep(0.05)

    def watch(self, seconds: float) -> int:
        """The bytes the app writes in the next `seconds` (a window of observation, for a story
        whose point is that nothing happens in it)."""
        mark = self.mark()
        self._done.wait(seconds)
        return self.bytes_since(mark)
