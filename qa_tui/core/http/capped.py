"""A response body read with a bound: the one way a file a provider links to (a screenshot) is
read, so a 50 MB "PNG" or a small gzip of a huge body is refused while it arrives."""

from __future__ import annotations

import httpx

from qa_tui.core.errors import TooLarge


async def read_capped(response: httpx.Response, max_bytes: int, provider: str) -> httpx.Response:
    """Read a streamed answer's body, refusing it (`TooLarge`) once it is past `max_bytes`.

    The count is of the decoded body, so a small gzip of a huge body is refused too. The
    answer comes back as a plain, fully read response (no content encoding left to undo)."""
    try:
        declared = int(response.headers.get("content-length", "-1"))
    except ValueError:
        declared = -1
    body = bytearray()
    try:
        if declared > max_bytes:
            raise TooLarge(provider, _too_large(declared, max_bytes), status_code=None)
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise TooLarge(provider, _too_large(None, max_bytes), status_code=None)
    finally:
        await response.aclose()
    skip = {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in skip]
    return httpx.Response(
        response.status_code, headers=headers, content=bytes(body), request=response.request
    )


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count / 1000:.0f} kB"


def _too_large(declared: int | None, limit: int) -> str:
    size = f"{_megabytes(declared)}, " if declared is not None else ""
    return f"the file is too large ({size}over the {_megabytes(limit)} limit)"
