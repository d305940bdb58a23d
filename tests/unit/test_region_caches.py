"""Textual's geometry caches stay small in a session left open all day (ui/region_caches.py)."""

from __future__ import annotations

from textual.geometry import Region

from qa_tui.ui.region_caches import RegionCaches


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _fill_overlaps(count: int) -> None:
    screen = Region(0, 0, 120, 35)
    for y in range(count):
        Region(0, y, 10, 1 + y % 3).overlaps(screen)


def test_a_geometry_cache_that_filled_past_its_share_is_emptied_once_a_minute() -> None:
    clock = _Clock()
    caches = RegionCaches(kept=100, monotonic=clock)
    Region.overlaps.cache_clear()
    _fill_overlaps(300)
    assert caches.tick() == 0  # not a minute yet
    assert Region.overlaps.cache_info().currsize >= 300
    clock.now = 61.0
    assert caches.tick() >= 1
    assert Region.overlaps.cache_info().currsize == 0


def test_a_cache_within_its_share_keeps_what_it_holds() -> None:
    clock = _Clock()
    caches = RegionCaches(kept=100, monotonic=clock)
    Region.overlaps.cache_clear()
    _fill_overlaps(50)
    clock.now = 61.0
    caches.tick()
    assert Region.overlaps.cache_info().currsize == 50
