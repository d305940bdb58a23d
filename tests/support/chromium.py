"""Headless Chromium driven through its own DevTools protocol (a websocket; aiohttp's client),
for the browser test of `qa-tui serve`. No driver binary, no network: every background
connection Chromium would make is switched off (this machine refuses them)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--remote-debugging-port=0",
)
HOW_TO_GET_ONE = (
    "no Chromium found (looked for chromium, chromium-browser, google-chrome on PATH); "
    "on Debian or Ubuntu: sudo apt-get install -y chromium (CI installs it: .ci/run)"
)


def find_chromium() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


CATCH_THE_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true});
    if (value && value.buffer) { window.__xterm = value; }
  },
});
"""
"""Run before the page's own scripts: textual-serve's page keeps its xterm.js `Terminal` in a
`terminal` property of an object of its own; this keeps a reference to it as `window.__xterm`,
so the test reads the screen's text through xterm's public buffer API (the page draws on a
canvas: there is no text in its DOM)."""

SCREEN_TEXT = """
(() => {
  const term = window.__xterm;
  if (!term) { return ""; }
  const buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""
"""The terminal's visible lines, as text."""


class Chromium:
    """One headless Chromium with one page, spoken to over DevTools."""

    def __init__(self, binary: str, profile: Path, size: tuple[int, int] = (1280, 800)) -> None:
        self.binary, self.profile, self.size = binary, profile, size
        self.process: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._ids = 0

    async def open(self, url: str, *, timeout: float = 30.0) -> None:
        """Start Chromium and load `url` in a `size` viewport."""
        width, height = self.size
        self.process = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=(self.profile.parent / "chromium.log").open("wb"),
            start_new_session=True,
        )  # fmt: skip
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Chromium did not start (exit {self.process.poll()})")
            await asyncio.sleep(0.05)  # a file another process writes: nothing to await
        port = port_file.read_text().split()[0]
        self._session = aiohttp.ClientSession()
        page = None
        while page is None:
            async with self._session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                targets = await answer.json()
            page = next((t for t in targets if t.get("type") == "page"), None)
            if page is None:
                if time.monotonic() > deadline:
                    raise AssertionError("Chromium opened no page")
                await asyncio.sleep(0.05)
        self._socket = await self._session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Page.enable")
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        await self.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_THE_TERMINAL)
        await self.call("Page.navigate", url=url)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        assert self._socket is not None
        self._ids += 1
        await self._socket.send_str(
            json.dumps({"id": self._ids, "method": method, "params": params})
        )
        while True:
            message = json.loads((await self._socket.receive()).data)
            if message.get("id") == self._ids:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_for_screen(self, want: list[str], timeout: float = 45.0) -> str:
        """The terminal's text, once it holds every string in `want`."""
        deadline = time.monotonic() + timeout
        text = ""
        while True:
            text = await self.evaluate(SCREEN_TEXT) or ""
            if all(w in text for w in want):
                return str(text)
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed {want}; it showed:\n{text}")
            await asyncio.sleep(0.2)  # polling a browser page: there is nothing to await

    async def wait_for(self, holds: Callable[[str], bool], what: str, timeout: float = 45.0) -> str:
        """The terminal's text, once `holds(text)` is true."""
        deadline = time.monotonic() + timeout
        text = ""
        while True:
            text = await self.evaluate(SCREEN_TEXT) or ""
            if holds(text):
                return str(text)
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed {what}; it showed:\n{text}")
            await asyncio.sleep(0.2)  # polling a browser page: there is nothing to await

    async def wait_for_text(self, want: str, timeout: float = 30.0) -> str:
        """The page's text (not its terminal: the document's), once it holds `want`."""
        deadline = time.monotonic() + timeout
        text = ""
        while True:
            text = await self.evaluate("document.body ? document.body.innerText : ''") or ""
            if want in text:
                return str(text)
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never said {want!r}; it said:\n{text}")
            await asyncio.sleep(0.2)  # polling a browser page: there is nothing to await

    async def type(self, text: str) -> None:
        """Type `text` into the page's terminal."""
        await self.evaluate("window.__xterm && window.__xterm.focus()")
        await self.call("Input.insertText", text=text)

    async def press_enter(self) -> None:
        """The Enter key, as a keyboard sends it (xterm.js reads the key codes and the text)."""
        await self.evaluate("window.__xterm && window.__xterm.focus()")
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
        await self.call(
            "Input.dispatchKeyEvent",
            type="keyDown",
            nativeVirtualKeyCode=13,
            text="\r",
            unmodifiedText="\r",
            **key,
        )
        await self.call("Input.dispatchKeyEvent", type="keyUp", **key)

    async def screenshot(self, path: Path) -> Path:
        import base64

        shot = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._session is not None:
            await self._session.close()
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
