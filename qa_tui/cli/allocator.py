"""The C allocator of a process left open all day (glibc only; elsewhere nothing is changed).

CPython gives the blocks it does not pool itself (over 512 bytes: a run's field dict, a page
body httpx reads) and the C libraries it calls (pydantic-core, sqlite) to the C allocator.
glibc serves a request under its mmap threshold from the main heap, which gives memory back
only from its top, and it raises that threshold to the size of each mapped block freed: soon
the page bodies qa-tui reads every few seconds (tens of kB each) come from the heap too, and
the long-lived blocks placed among them keep it from shrinking. `mallopt(M_MMAP_THRESHOLD)`
fixes the threshold at 64 kB (and so stops the raising): a block that large which the heap's
free space cannot hold gets a mapping of its own, unmapped when freed, instead of growing the
heap (a system call each, a few a second here). Measured in
bench/allday.py (`[heap]` in /proc/PID/smaps, minutes 5 to 15 of 16-minute runs): the heap grew
0.75 MB without it, 0.0 and 0.4 MB in two runs with it; the app's 30-minute figure went from
5.92 MB an hour in the build before it to 4.96 in the build with it (which also took deleted
runs out of the run cache; one run each, bench/README.md).

`MALLOC_MMAP_THRESHOLD_` in the environment still wins (glibc reads it at start; we then leave
the threshold alone), so a user can measure the difference.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

M_MMAP_THRESHOLD = -3
"""glibc's `mallopt` parameter number (malloc.h)."""
MMAP_THRESHOLD_BYTES = 64 * 1024


def settle_for_the_day() -> bool:
    """Fix glibc's mmap threshold for this process; True when it was set."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
