"""Screenshots made safe: what is refused and why, what is kept, and the cache's bound."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qa_tui.core.errors import NotFound
from qa_tui.core.images.cache import ImageCache, cache_key
from qa_tui.core.images.decode import ImageLimits, ImageRefused, prepare
from qa_tui.core.images.fetch import ScreenshotFetcher
from tests.support.fakes import FakeSource
from tests.support.images import bomb_png, png_of, truncated_png


def test_a_real_png_is_decoded_to_rgb_and_kept_as_sent() -> None:
    data = png_of(96, 60)
    ready = prepare(data)
    assert ready.image.mode == "RGB" and ready.image.size == (96, 60)
    assert ready.stored == data
    assert ready.image.getpixel((0, 0)) == (200, 30, 40)


def test_a_picture_bigger_than_a_screen_is_shrunk_and_kept_shrunk() -> None:
    ready = prepare(png_of(3200, 1000), ImageLimits(display_box=(1600, 1200)))
    assert ready.image.size == (1600, 500)
    assert ready.size == (3200, 1000)
    assert prepare(ready.stored).image.size == (1600, 500)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"<html>not found</html>", "not a picture"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not a picture"),
        (truncated_png(), "damaged"),
        (bomb_png(6000), "6,000 x 6,000 pixels, over the 16 million-pixel limit"),
        (bomb_png(20000), "declares 400,000,000 pixels, over the 16 million-pixel limit (a"),
    ],
    ids=["empty", "html", "png-header-only", "truncated", "bomb-6000", "bomb-20000"],
)
def test_what_is_not_a_drawable_screenshot_is_refused_with_the_reason(
    data: bytes, why: str
) -> None:
    with pytest.raises(ImageRefused, match=re.escape(why)):
        prepare(data)


def test_a_bomb_is_refused_from_its_header_in_a_few_kilobytes() -> None:
    assert len(bomb_png(20000)) < 200_000


def test_a_file_over_the_byte_limit_is_refused_even_when_it_got_here() -> None:
    with pytest.raises(ImageRefused, match=r"too large \(2.0 MB, over the 1.0 MB limit\)"):
        prepare(b"\x89PNG" + bytes(2_000_000), ImageLimits(max_bytes=1_000_000))


def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recently_used(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "shots", max_bytes=3000)
    for name in ("a", "b", "c"):
        cache.put(name, bytes(1000))
        os.utime(tmp_path / "shots" / f"{name}.img", (1000 + ord(name), 1000 + ord(name)))
    cache = ImageCache(tmp_path / "shots", max_bytes=3000)  # a new session reads the folder
    assert cache.get("a") == bytes(1000)  # a is now the most recently used
    cache.put("d", bytes(1000))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    assert cache.held_bytes == 3000 and cache.count == 3
    cache.put("huge", bytes(5000))
    assert cache.get("huge") is None and cache.held_bytes == 3000


class Shots(FakeSource):
    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__("web", per_minute=6000)
        self.files = files
        self.downloads: list[tuple[str, int | None]] = []

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        self.downloads.append((url, max_bytes))
        if url not in self.files:
            raise NotFound(self.name, "Not found.", status_code=404)
        return self.files[url]


async def test_a_screenshot_is_downloaded_bounded_once_then_read_from_the_cache(
    tmp_path: Path,
) -> None:
    source = Shots({"https://m/1.png": png_of(96, 60)})
    fetcher = ScreenshotFetcher(ImageCache(tmp_path), limits=ImageLimits(max_bytes=500_000))
    first = await fetcher.load(source, "https://m/1.png")
    again = await fetcher.load(source, "https://m/1.png")
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.image.size == (96, 60)
    assert source.downloads == [("https://m/1.png", 500_000)]
    key = cache_key("web", "https://m/1.png", ImageLimits().display_box)
    assert (tmp_path / f"{key}.img").exists()


async def test_a_refused_screenshot_is_not_downloaded_again_to_be_refused_again(
    tmp_path: Path,
) -> None:
    source = Shots({"https://m/bomb.png": bomb_png(6000)})
    fetcher = ScreenshotFetcher(ImageCache(tmp_path))
    for _ in range(2):
        with pytest.raises(ImageRefused, match="decompression bomb"):
            await fetcher.load(source, "https://m/bomb.png")
    assert len(source.downloads) == 1
    assert ImageCache(tmp_path).count == 0


async def test_a_damaged_cache_file_is_fetched_again(tmp_path: Path) -> None:
    source = Shots({"https://m/1.png": png_of(40, 20)})
    cache = ImageCache(tmp_path)
    cache.put(cache_key("web", "https://m/1.png", ImageLimits().display_box), b"garbage")
    shot = await ScreenshotFetcher(cache).load(source, "https://m/1.png")
    assert shot.image.size == (40, 20) and not shot.from_cache


async def test_a_missing_screenshot_raises_the_providers_error(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        await ScreenshotFetcher(ImageCache(tmp_path)).load(Shots({}), "https://m/gone.png")
