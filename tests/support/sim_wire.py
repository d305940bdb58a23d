"""An in-process transport to the simulator that fails like a real socket (for Bugnet tests)."""

from __future__ import annotations

from typing import Any

import httpx


class SocketLike(httpx.AsyncBaseTransport):
    """ASGITransport, with a connection the simulator drops failing as a real socket's would;
    keeps every request so a test can count what was sent."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            return await self.inner.handle_async_request(request)
        except ConnectionResetError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None

    def posts(self, suffix: str) -> int:
        return sum(1 for r in self.requests if r.method == "POST" and r.url.path.endswith(suffix))
