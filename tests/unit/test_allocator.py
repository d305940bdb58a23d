"""The C allocator of a process left open all day: glibc's mmap threshold is fixed, unless the
user fixed it first (bench/allday.py measures what it is for)."""

from __future__ import annotations

import platform

import pytest

from qa_tui.cli.allocator import settle_for_the_day


def test_on_glibc_the_app_fixes_the_mmap_threshold_elsewhere_it_leaves_the_allocator_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert settle_for_the_day() is glibc


def test_a_threshold_the_user_set_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert settle_for_the_day() is False
