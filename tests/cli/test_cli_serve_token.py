"""`qa-tui serve` asks for a secret, as Jupyter does: the real binary on a loopback port, asked
over HTTP and a websocket by a client that has the printed address, and by one that has not."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import httpx
import pytest

from qa_tui.sim.config_text import render_config
from tests.support.binary import qa_tui
from tests.support.served import Served, serving

REFUSED = "qa-tui serve: this page needs its token"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A valid config (serve checks it before serving); the page never polls it here."""
    path = tmp_path / "c.toml"
    path.write_text(render_config("http://127.0.0.1:1"), encoding="utf-8")
    path.chmod(0o600)
    return path


def token_of(served: Served) -> str:
    [token] = parse_qs(urlsplit(served.address).query)["token"]
    return token


async def websocket_status(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status of a websocket handshake (101 when it opened)."""
    async with aiohttp.ClientSession() as session:
        try:
            socket = await session.ws_connect(url, headers=headers or {})
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status
        await socket.close()
        return 101


def test_serve_prints_an_address_with_a_fresh_token_and_refuses_whoever_lacks_it(
    tmp_path: Path, config: Path
) -> None:
    with serving(tmp_path, "--config", str(config)) as served:
        token = token_of(served)
        assert served.address == f"{served.base}/?token={token}" and len(token) >= 40

        for path in ("/", "/static/js/textual.js", "/download/x", f"/?token={token[:-1]}x"):
            refused = httpx.get(served.base + path)
            assert refused.status_code == 403, path
            assert refused.text.startswith(REFUSED) and "set-cookie" not in refused.headers
        ws = served.base.replace("http:", "ws:") + "/ws"
        assert asyncio.run(websocket_status(ws)) == 403  # no app is started for it

        with httpx.Client(base_url=served.base) as browser:
            first = browser.get(f"/?token={token}&fontsize=18")
            assert first.status_code == 303
            assert first.headers["location"] == "/?fontsize=18"  # the token leaves the address
            cookie = first.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token not in cookie
            page = browser.get("/?fontsize=18")
            assert page.status_code == 200 and "<html" in page.text.lower()
            cookie_header = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        same_site = {"Cookie": cookie_header, "Origin": served.base}
        assert asyncio.run(websocket_status(ws, same_site)) == 101  # the page's own websocket
        evil = {"Cookie": cookie_header, "Origin": "https://evil.example"}
        assert asyncio.run(websocket_status(ws, evil)) == 403  # another site's page

    assert served.output().count(token) == 1  # printed once; no access log line repeats it


def test_a_token_set_with_token_or_the_environment_is_the_one_asked_and_never_printed(
    tmp_path: Path, config: Path
) -> None:
    mine = "correct-horse-battery-staple-42"
    with serving(tmp_path, "--config", str(config), env={"QA_TUI_SERVE_TOKEN": mine}) as served:
        assert "?token=..." in served.address
        assert httpx.get(f"{served.base}/?token={mine}").status_code == 303
        assert httpx.get(f"{served.base}/?token=another-long-token-1234").status_code == 403
        assert mine not in served.output()
    with serving(tmp_path, "--config", str(config), "--token", mine + "x") as served:
        assert httpx.get(f"{served.base}/?token={mine}x").status_code == 303
        assert httpx.get(f"{served.base}/?token={mine}").status_code == 403

    short = qa_tui("serve", "--config", str(config), "--token", "abc")
    assert short.returncode == 2 and "--token: at least 16 characters" in short.stderr


def test_no_token_exists_only_on_loopback_and_warns(tmp_path: Path, config: Path) -> None:
    exposed = qa_tui("serve", "--no-token", "--host", "0.0.0.0", "--config", str(config))
    assert exposed.returncode == 2
    assert "--no-token is refused on 0.0.0.0" in exposed.stderr

    with serving(tmp_path, "--config", str(config), "--no-token") as served:
        assert served.address == f"{served.base}/"
        assert httpx.get(f"{served.base}/").status_code == 200
        assert "WARNING: --no-token" in served.output()
