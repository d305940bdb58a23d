"""A body bounded by `max_bytes` (screenshots): refused by its declared size or while it
arrives, never read whole; a body within the bound reads as usual, gzip undone."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import TooLarge
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp

BASE = "https://qa.example.test/api"
MB = 1_000_000


class Endless(httpx.AsyncByteStream):
    """50 MB of "PNG", 64 kB a chunk, with no Content-Length; counts what was taken from it."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < 50 * MB:
            self.sent += 65536
            yield b"\x89PNG" + bytes(65532)


def session(handler: httpx.MockTransport) -> ProviderHttp:
    clock = ManualClock()
    return ProviderHttp(
        "web",
        BASE,
        headers={"Authorization": "Token t0k3n-secret"},
        budget=RequestBudget(600, clock=clock),
        clock=clock,
        transport=handler,
    )


async def test_a_50_mb_body_without_a_length_is_refused_after_the_limit_not_at_its_end() -> None:
    stream = Endless()
    http = session(httpx.MockTransport(lambda request: httpx.Response(200, stream=stream)))
    with pytest.raises(TooLarge, match=r"too large \(over the 2.0 MB limit\)"):
        await http.request("GET", "/shot.png", max_bytes=2 * MB)
    assert stream.sent < 3 * MB
    await http.aclose()


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    stream = Endless()

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(50 * MB)}, stream=stream)

    http = session(httpx.MockTransport(reply))
    with pytest.raises(TooLarge, match=r"50.0 MB, over the 2.0 MB limit"):
        await http.get_other_origin("https://cdn.example.test/shot.png", max_bytes=2 * MB)
    assert stream.sent == 0
    await http.aclose()


async def test_a_small_gzip_of_a_huge_body_is_counted_as_the_huge_body() -> None:
    packed = gzip.compress(bytes(20 * MB))
    assert len(packed) < MB

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=packed)

    http = session(httpx.MockTransport(reply))
    with pytest.raises(TooLarge):
        await http.request("GET", "/shot.png", max_bytes=2 * MB)
    await http.aclose()


async def test_a_body_within_the_limit_reads_whole_and_decoded() -> None:
    body = b"\x89PNG" + bytes(1000)

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(body)
        )

    http = session(httpx.MockTransport(reply))
    response = await http.request("GET", "/shot.png", max_bytes=2 * MB)
    assert response.content == body
    assert response.status_code == 200
    await http.aclose()
