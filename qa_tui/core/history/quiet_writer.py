"""`QuietWriter`: what the loop hands over is written to disk on a thread, in the loop's pauses.

The run cache and the run history both write what every change batch brings. Writing on the event
loop would put sqlite (and, for the cache, JSON for every run) inside the frame that shows the
batch, so both hand their batches to a writer thread instead. The writer gathers batches until
none has come for `quiet_s` (at the latest `within_s` after the first it holds) and writes them
in one go: the writing falls in the pauses between the engine's batches, and a busy afternoon
(a batch every second) still reaches the disk every `within_s`. `flush()` writes now and waits
(before reading back, and at exit).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Batch = TypeVar("Batch")

QUIET_S = 1.0
"""The writer writes once no batch has come for this long (unless someone waits for it)..."""
WITHIN_S = 10.0
"""...and at the latest this long after the first batch it holds."""


class QuietWriter(Generic[Batch]):
    """Hands gathered batches to `write` on a thread of its own (started on the first batch)."""

    def __init__(
        self,
        write: Callable[[list[Batch]], None],
        *,
        name: str,
        quiet_s: float = QUIET_S,
        within_s: float = WITHIN_S,
    ) -> None:
        """`write` gets every batch gathered, oldest first; what it raises is kept in `error`
        (the thread goes on: the next batches are written)."""
        self._write = write
        self._name = name
        self.quiet_s = quiet_s
        self.within_s = within_s
        self.error: Exception | None = None
        self._batches: queue.SimpleQueue[Batch | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._unwritten = 0
        self._written = threading.Condition()
        self._flush_now = threading.Event()

    def put(self, batch: Batch) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()
        with self._written:
            self._unwritten += 1
        self._batches.put(batch)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every batch handed over is written."""
        with self._written:
            if self._unwritten:
                self._flush_now.set()
            self._written.wait_for(lambda: self._unwritten == 0, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Write what is left and end the thread."""
        if self._thread is not None:
            self._flush_now.set()
            self._batches.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        stop = False
        while not stop:
            first = self._batches.get()
            if first is None:
                break
            batches = [first]
            deadline = time.monotonic() + self.within_s
            while not stop:
                woken = self._flush_now.wait(self.quiet_s)
                arrived = 0
                while True:
                    try:
                        more = self._batches.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batches.append(more)
                    arrived += 1
                if woken or not arrived or time.monotonic() >= deadline:
                    break
            try:
                self._write(batches)
            except Exception as error:  # the caller's to report; the writer goes on
                self.error = error
            with self._written:
                self._unwritten -= len(batches)
                if self._unwritten == 0:
                    self._flush_now.clear()
                self._written.notify_all()
