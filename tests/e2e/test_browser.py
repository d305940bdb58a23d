"""The same app in a browser: `qa-tui serve --demo` in headless Chromium, read back through the
page's own terminal (xterm.js's buffer), with screenshots kept as test artifacts.

Runs wherever a Chromium is found; elsewhere it says how to get one, and under CI (CI=true,
where .ci/run installs Chromium) a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.support.chromium import HOW_TO_GET_ONE, Chromium, find_chromium
from tests.support.pilot import chip_ok
from tests.support.served import Served, serving

ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("QA_TUI_TEST_ARTIFACTS", ROOT / ".test-artifacts"))
"""Where the browser's screenshots are kept (printed by the test; not in git)."""
ROW = re.compile(r"^[✓✗●◌!■↷↗] \w+\s+(web|plans|previews)\s+(test|suite|execution|trigger)\s")


@pytest.fixture
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {HOW_TO_GET_ONE}")
        pytest.skip(HOW_TO_GET_ONE)
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`qa-tui serve --demo` on a free loopback port, until the test ends."""
    with serving(tmp_path, "--demo") as running:
        yield running


@pytest.fixture
async def browser(chromium: str, tmp_path: Path) -> AsyncIterator[Chromium]:
    profile = tmp_path / "profile"
    profile.mkdir()
    page = Chromium(chromium, profile, size=(1280, 800))
    try:
        yield page
    finally:
        await page.close()


@pytest.fixture
async def stranger(chromium: str, tmp_path: Path) -> AsyncIterator[Chromium]:
    """A second browser, with a profile of its own: no cookie, and not the printed address."""
    profile = tmp_path / "stranger"
    profile.mkdir()
    page = Chromium(chromium, profile, size=(1280, 800))
    try:
        yield page
    finally:
        await page.close()


def footer(screen: str) -> str:
    """The footer's line (it always offers `/ Filter`), or "" before it is drawn."""
    return next((line for line in screen.splitlines() if "/ Filter" in line), "")


def table_keys(screen: str) -> bool:
    """The footer lists the table's keys (`q Quit`): the table, not the filter box, has focus."""
    return "q Quit" in footer(screen)


def box_keys(screen: str) -> bool:
    """The footer offers only what the filter box takes: the box has focus."""
    return footer(screen).strip() == "/ Filter"


def kept(path: Path) -> Path:
    image = Image.open(path)
    assert image.size == (1280, 800)
    assert len(set(image.convert("RGB").resize((64, 40)).getdata())) > 8  # not a blank page
    print(f"\nbrowser screenshot: {path}")
    return path


async def test_qa_tui_serve_shows_the_simulators_runs_in_a_real_browser(
    served: Served, browser: Chromium
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert "?token=" in served.address
    await browser.open(served.address)  # the address qa-tui serve printed, token and all
    screen = await browser.wait_for_screen(["STATUS", "Login with email", "PR #4"])
    deadline = time.monotonic() + 45
    while not all(chip_ok(screen.splitlines()[0], p) for p in ("web", "plans", "previews")):
        assert time.monotonic() < deadline, f"the chips never turned healthy:\n{screen}"
        await asyncio.sleep(0.2)  # polling a browser page: there is nothing to await
        screen = await browser.wait_for_screen(["STATUS"])
    rows = [line for line in screen.splitlines() if ROW.match(line)]
    assert len(rows) >= 10, screen
    assert {m.group(1) for r in rows if (m := ROW.match(r))} == {"web", "plans", "previews"}
    assert any("tp_checkout_prod" in r for r in rows), screen  # a BugBrain plan of the demo's seed
    kept(await browser.screenshot(ARTIFACTS / "browser-dashboard.png"))

    await browser.type("/")
    await browser.wait_for(box_keys, "the filter box focused")
    await browser.type("status:failed kind:test")
    await browser.wait_for_screen([" status:failed kind:test", "│ failed"])
    await browser.press_enter()
    await browser.wait_for(table_keys, "the table focused again")  # else g goes to the box
    await browser.type("g")
    await browser.press_enter()
    detail = await browser.wait_for_screen(["Steps", "Artifacts", "esc Back", " of ", "▀" * 30])
    assert re.search(r"step \d+ of \d+ · (failed|error)", detail), detail
    kept(await browser.screenshot(ARTIFACTS / "browser-failed-run.png"))


async def test_a_second_browser_without_the_printed_address_sees_nothing_of_the_app(
    served: Served, browser: Chromium, stranger: Chromium
) -> None:
    await browser.open(served.address)
    await browser.wait_for_screen(["STATUS", "Login with email"])  # the app, with its runs
    assert await browser.evaluate("location.href") == f"{served.base}/"  # the token is gone

    await stranger.open(f"{served.base}/")
    body = await stranger.wait_for_text("this page needs its token")
    assert "STATUS" not in body and "web" not in body
    assert await stranger.evaluate("typeof window.__xterm") == "undefined"  # no terminal at all
