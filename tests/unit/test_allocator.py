"""The C allocator of a process left open all day: glibc's mmap threshold is fixed, unless the
user fixed it first (bench/allday.py measures what it is for)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from qa_tui.cli.allocator import settle_for_the_day
from tests.support.binary import REPO

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
AFTER_A_BIG_BLOCK_WENT = """
import ctypes, ctypes.util, sys

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == "settled":
    from qa_tui.cli.allocator import settle_for_the_day
    settle_for_the_day()
big = bytearray(4 << 20)
del big  # glibc now raises its threshold to 4 MB, unless it was fixed
before = libc.mallinfo2().hblks
body = bytearray(1 << 20)
print(libc.mallinfo2().hblks - before)
"""
"""Prints how many blocks a 1 MB block (a big list page's body) added to those glibc maps on
their own, after a 4 MB block was freed."""


def _mapped_after_a_big_block_went(mode: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    done = subprocess.run(
        [sys.executable, "-c", AFTER_A_BIG_BLOCK_WENT, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(done.stdout)


@pytest.mark.skipif(not GLIBC, reason="the setting is glibc's; elsewhere nothing is changed")
def test_a_page_body_after_a_bigger_block_went_gets_a_mapping_of_its_own_not_the_heap() -> None:
    """GIVEN a 4 MB block freed (glibc then raises its mmap threshold to 4 MB) WHEN a 1 MB block
    is made THEN without the app's setting it comes from the main heap, with it from a mapping of
    its own (unmapped when it goes)."""
    assert _mapped_after_a_big_block_went("plain") == 0
    assert _mapped_after_a_big_block_went("settled") == 1


def test_on_glibc_the_app_fixes_the_mmap_threshold_elsewhere_it_leaves_the_allocator_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert settle_for_the_day() is GLIBC


def test_a_threshold_the_user_set_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert settle_for_the_day() is False
