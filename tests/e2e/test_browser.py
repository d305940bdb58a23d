"""The same app in a browser: `qa-tui serve --demo` in headless Chromium, read back through the
page's own terminal (xterm.js's buffer), with screenshots kept as test artifacts.

Runs wherever a Chromium is found; elsewhere it says how to get one, and under CI (CI=true,
where .ci/run installs Chromium) a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.support.chromium import HOW_TO_GET_ONE, Chromium, find_chromium
from tests.support.pilot import chip_ok

ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("QA_TUI_TEST_ARTIFACTS", ROOT / ".test-artifacts"))
"""Where the browser's screenshots are kept (printed by the test; not in git)."""
ROW = re.compile(r"^[✓✗●◌!■↷] \w+\s+(web|plans|previews)\s+(test|suite|execution|trigger)\s")


@pytest.fixture
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {HOW_TO_GET_ONE}")
        pytest.skip(HOW_TO_GET_ONE)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`qa-tui serve --demo` on a free loopback port, until the test ends."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "qa_tui", "serve", "--demo", "--port", str(port)]
    server = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "serve.log").read_text(errors="replace"))
            time.sleep(0.1)  # a server in another process: nothing to await
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)  # the server, its simulator and every tab
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
async def browser(chromium: str, tmp_path: Path) -> AsyncIterator[Chromium]:
    profile = tmp_path / "profile"
    profile.mkdir()
    page = Chromium(chromium, profile, size=(1280, 800))
    try:
        yield page
    finally:
        await page.close()


def kept(path: Path) -> Path:
    image = Image.open(path)
    assert image.size == (1280, 800)
    assert len(set(image.convert("RGB").resize((64, 40)).getdata())) > 8  # not a blank page
    print(f"\nbrowser screenshot: {path}")
    return path


async def test_qa_tui_serve_shows_the_simulators_runs_in_a_real_browser(
    served: str, browser: Chromium
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await browser.open(served)
    screen = await browser.wait_for_screen(["STATUS", "Login with email", "PR #4"])
    deadline = time.monotonic() + 45
    while not all(chip_ok(screen.splitlines()[0], p) for p in ("web", "plans", "previews")):
        assert time.monotonic() < deadline, f"the chips never turned healthy:\n{screen}"
        await asyncio.sleep(0.2)  # polling a browser page: there is nothing to await
        screen = await browser.wait_for_screen(["STATUS"])
    rows = [line for line in screen.splitlines() if ROW.match(line)]
    assert len(rows) >= 10, screen
    assert {m.group(1) for r in rows if (m := ROW.match(r))} == {"web", "plans", "previews"}
    assert any("tp_checkout_prod" in r for r in rows)  # a BugBrain plan of the demo's seed
    kept(await browser.screenshot(ARTIFACTS / "browser-dashboard.png"))

    await browser.type("/")
    await browser.wait_for_screen(["Filter"])
    await browser.type("status:failed kind:test")
    await browser.wait_for_screen([" status:failed kind:test", "│ failed"])
    await browser.press_enter()
    await browser.type("g")
    await browser.press_enter()
    detail = await browser.wait_for_screen(["Steps", "Artifacts", "esc Back", " of ", "▀" * 30])
    assert re.search(r"step \d+ of \d+ · (failed|error)", detail), detail
    kept(await browser.screenshot(ARTIFACTS / "browser-failed-run.png"))
