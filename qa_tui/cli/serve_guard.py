"""The secret in front of `qa-tui serve`, as Jupyter does it: no token, no session.

The page serves an app that holds the user's tokens (it stops runs, starts them, files bugs), and
on a shared build box every local user can reach 127.0.0.1. So every request needs the secret:

- the first visit carries it in the address (`/?token=…`, the URL `qa-tui serve` prints); it is
  exchanged for a session cookie (HttpOnly: no script reads it; SameSite=Strict: no other site's
  page sends it, so another site cannot open the websocket as the user) and the browser is
  redirected to the same address without the token, so it leaves the address bar and history;
- every later request, the page's assets, its websocket and downloads, carries the cookie;
- anything else gets 403 and a one-line explanation: no page, no websocket, no app started.

The cookie holds an HMAC of the token (not the token) and is named after the port, so two servers
on one host (browsers share cookies across ports) do not log each other out. Tokens are compared
in constant time. The access log, which would print `?token=…`, is silenced.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware
from textual_serve.server import Server

TOKEN_PARAMETER = "token"
REFUSED = (
    "qa-tui serve: this page needs its token. Open the address `qa-tui serve` printed "
    "(it ends in ?token=...)."
)
CROSS_SITE = "qa-tui serve: refused: the request came from another site."

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cookie_name(port: int) -> str:
    return f"qa-tui-session-{port}"


def session_value(token: str) -> str:
    """What the cookie holds: derived from the token, never the token itself."""
    return hmac.new(token.encode(), b"qa-tui serve session", hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _from_another_site(request: web.Request) -> bool:
    """A request whose Origin names another host:port than the one it was sent to."""
    origin = request.headers.get("Origin")
    if origin is None:  # typed in the address bar, or a link: browsers send no Origin
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != request.host.lower()


def token_guard(token: str, port: int) -> Middleware:
    """The aiohttp middleware that lets through only requests with the token or its cookie."""
    name, session = cookie_name(port), session_value(token)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _from_another_site(request):
            return web.Response(status=403, text=CROSS_SITE + "\n")
        given = request.query.get(TOKEN_PARAMETER)
        if given is not None:
            if not _same(given, token):
                return web.Response(status=403, text=REFUSED + "\n")
            clean = request.rel_url.without_query_params(TOKEN_PARAMETER)
            answer = web.Response(
                status=303,
                headers={
                    "Location": str(clean),
                    "Cache-Control": "no-store",
                    "Referrer-Policy": "no-referrer",
                },
            )
            answer.set_cookie(name, session, httponly=True, samesite="Strict", path="/")
            return answer
        if _same(request.cookies.get(name, ""), session):
            return await handler(request)
        return web.Response(status=403, text=REFUSED + "\n")

    return guard


class GuardedServer(Server):
    """textual-serve's Server behind `token_guard` (None: no guard, `--no-token`), with its own
    banner and access log off: qa-tui prints the address to open, token included, once."""

    def __init__(
        self, command: str, *, token: str | None, host: str, port: int, public_url: str
    ) -> None:
        super().__init__(command, host=host, port=port, title="qa-tui", public_url=public_url)
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token is not None:
            app.middlewares.append(token_guard(self.token, self.port))
        return app

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a logo and the address without its token: qa-tui prints its own."""
