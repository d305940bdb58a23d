"""The one way the UI gets a screenshot: cache first, else a bounded download, then checked.

`ScreenshotFetcher.load()` is awaited from a worker; decoding and disk I/O run in a thread, so
the event loop keeps drawing while a large picture is decoded. A refusal (too large, not a
picture, a bomb) is remembered for the session: the same URL is not downloaded again to be
refused again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image

from qa_tui.core.errors import NetworkError, TooLarge
from qa_tui.core.images.cache import ImageCache, cache_key
from qa_tui.core.images.decode import DEFAULT_LIMITS, ImageLimits, ImageRefused, prepare
from qa_tui.core.providers.base import RunSource

REMEMBERED_REFUSALS = 256


@dataclass(frozen=True)
class Screenshot:
    """A screenshot ready to draw."""

    url: str
    image: Image.Image
    """RGB, at most `ImageLimits.display_box`."""
    size: tuple[int, int]
    """As the provider sent it."""
    from_cache: bool


class ScreenshotFetcher:
    """Screenshots through a cache (None: no cache, every load downloads)."""

    def __init__(
        self,
        cache: ImageCache | None,
        *,
        limits: ImageLimits = DEFAULT_LIMITS,
        timeout_s: float = 30.0,
    ) -> None:
        self.cache = cache
        self.limits = limits
        self.timeout_s = timeout_s
        """The whole download, however slowly the bytes trickle in."""
        self._refused: OrderedDict[str, str] = OrderedDict()
        self._loading: dict[str, asyncio.Future[Screenshot]] = {}

    async def load(self, source: RunSource, url: str) -> Screenshot:
        """The screenshot at `url` (a link `source` gave). Raises `ImageRefused` (a sentence for
        the user) or the provider's error. Two panels asking for one screenshot at once share
        one download; a caller that gives up does not cancel it for the other."""
        key = cache_key(source.name, url, self.limits.display_box)
        task = self._loading.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(source, url, key))
            self._loading[key] = task
            task.add_done_callback(lambda _: self._loading.pop(key, None))
        return await asyncio.shield(task)

    async def _load(self, source: RunSource, url: str, key: str) -> Screenshot:
        if key in self._refused:
            raise ImageRefused(self._refused[key])
        if self.cache is not None:
            kept = await asyncio.to_thread(self.cache.get, key)
            if kept is not None:
                try:
                    ready = await asyncio.to_thread(prepare, kept, self.limits)
                    return Screenshot(url, ready.image, ready.size, from_cache=True)
                except ImageRefused:
                    await asyncio.to_thread(self.cache.drop, key)  # damaged on disk: fetch again
        try:
            async with asyncio.timeout(self.timeout_s):
                data = await source.download(url, max_bytes=self.limits.max_bytes)
        except TooLarge as error:
            raise self._refuse(key, f"refused: {error.message}") from None
        except TimeoutError:
            why = f"the screenshot took over {self.timeout_s:.0f} s to download"
            raise NetworkError(source.name, why) from None
        try:
            ready = await asyncio.to_thread(prepare, data, self.limits)
        except ImageRefused as error:
            raise self._refuse(key, str(error)) from None
        del data
        if self.cache is not None:
            await asyncio.to_thread(self.cache.put, key, ready.stored)
        return Screenshot(url, ready.image, ready.size, from_cache=False)

    def _refuse(self, key: str, why: str) -> ImageRefused:
        self._refused[key] = why
        while len(self._refused) > REMEMBERED_REFUSALS:
            self._refused.popitem(last=False)
        return ImageRefused(why)
