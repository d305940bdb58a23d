"""Saving a failed run's screenshot from the real app on the simulator: it lands in the
downloads folder, not in the folder qa-tui was started from, under a short name a person can
read, private to the user, and the toast says where."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify

from qa_tui.core.model import RunStatus
from qa_tui.ui.detail.run_detail import RunDetailScreen
from qa_tui.ui.shots.screenshot_view import ScreenshotScreen
from tests.support.pilot import wait_until
from tests.support.sim_monitor import SimMonitor, first_key


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_s_on_a_failed_runs_screenshot_saves_it_to_the_downloads_folder_and_says_where(
    monitor: SimMonitor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"  # where `make demo` starts qa-tui
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    downloads = tmp_path / "somewhere" / "Downloads"
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(downloads))
    toasts: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification.message)

    app = monitor.app
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await wait_until(
            pilot, lambda: first_key(app, provider="web", status="failed", kind="test") is not None
        )
        key = first_key(app, provider="web", status="failed", kind="test")
        assert key is not None
        app.dashboard.table.move_cursor_to(key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, RunDetailScreen)
        await wait_until(pilot, lambda: detail.detail is not None, what="the run's steps")
        assert detail.detail is not None
        failing = next(
            s for s in detail.detail.steps.items if s.status in (RunStatus.FAILED, RunStatus.ERROR)
        )
        await wait_until(pilot, lambda: detail.query("#steps-shot").first().display)
        await pilot.press("enter")  # the failing step's screenshot, full screen
        await wait_until(pilot, lambda: isinstance(app.screen, ScreenshotScreen), what="full")

        await pilot.press("s")
        await wait_until(pilot, lambda: any(t.startswith("Saved to ") for t in toasts))
        await pilot.press("s")  # again: a second file, never over the first
        await wait_until(pilot, lambda: sum(t.startswith("Saved to ") for t in toasts) == 2)

    short = key[1].split("-")[0]
    name = f"bugbug-{short}-step{failing.index + 1}"
    assert sorted(p.name for p in downloads.iterdir()) == [f"{name}-2.png", f"{name}.png"]
    assert [t for t in toasts if t.startswith("Saved to ")] == [
        f"Saved to {downloads / name}.png",
        f"Saved to {downloads / name}-2.png",
    ]
    assert (downloads / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    assert mode(downloads / f"{name}.png") == 0o600
    assert mode(downloads) == 0o700 and mode(downloads.parent) == 0o700  # made here: private
    assert list(checkout.iterdir()) == []
