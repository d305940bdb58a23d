"""Memory while screenshots are looked at: the app opens 50 failed runs one after another, each
drawing its failing step's screenshot, and reports its peak RSS and what the cache holds.

    .venv/bin/python bench/screenshots.py [--runs 50] [--size 1280x800] [--cache-mb 64]

The app is the real one (QaTuiApp headless at 100x30, with the engine, the provider clients,
the fetcher and its on-disk cache in a scratch directory) in this process; the simulator runs
in a child process over loopback, with 200 finished BugBug test runs (over 50 of them failed), all listed at once.
Each run's detail is opened (enter), the screenshot waited for until it is drawn, and the view
closed (esc). The simulator paints its screenshots at 640x400; `--size` has the child paint them at a real
browser's size (default 1280x800; `--size sim` keeps the simulator's), so each decoded picture
weighs what a real one does. Prints one JSON object. The target is issue 6's:
peak RSS at most 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import PYTHON, ROOT, machine, peak_rss_mb

TARGET_MB = 150.0


def serve_simulator(size: tuple[int, int] | None) -> None:
    """The child: a simulator with many finished runs, until its stdin closes; its step
    screenshots painted at `size` (the same pictures, as big as a real browser's)."""
    from qa_tui.sim.bugbug import files as bugbug_files
    from qa_tui.sim.scenario import ScenarioSpec
    from qa_tui.sim.screenshots import step_screenshot
    from qa_tui.sim.server import start_in_thread

    if size is not None:
        width, height = size
        bugbug_files.step_screenshot = lambda step, status: step_screenshot(  # type: ignore[attr-defined,assignment]
            step, status, width, height
        )

    spec = ScenarioSpec(bugbug_test_runs_finished=200, new_run_every_s=None)
    served = start_in_thread(seed=7, scenario=spec, enforce_documented_limits=False)
    print(served.base_url, flush=True)
    sys.stdin.read()
    served.stop()


async def open_failed_runs(
    base_url: str, args: argparse.Namespace, scratch: Path
) -> dict[str, Any]:
    import os

    os.environ["QA_TUI_CACHE_DIR"] = str(scratch / "cache")
    os.environ["QA_TUI_DATA_DIR"] = str(scratch / "data")
    from qa_tui.core.config.tables import load_config
    from qa_tui.core.engine import Engine, EngineSettings
    from qa_tui.core.model import RunKind, RunStatus
    from qa_tui.core.providers.registry import build_sources
    from qa_tui.core.runs.store import RunStore
    from qa_tui.sim.config_text import render_config
    from qa_tui.ui.app import QaTuiApp, default_screenshots
    from qa_tui.ui.detail.run_detail import RunDetailScreen
    from qa_tui.ui.shots.screenshot import ScreenshotPanel

    config_path = scratch / "bench.toml"
    config_path.write_text(render_config(base_url))
    loaded = load_config(config_path)
    wide = [p.model_copy(update={"requests_per_minute": 60000.0}) for p in loaded.providers]
    config = loaded.model_copy(update={"providers": wide})  # memory is measured, not budgets
    sources = build_sources(config)
    fetcher = default_screenshots(int(args.cache_mb * 1_000_000))  # as the app makes it
    assert fetcher.cache is not None
    cache = fetcher.cache
    app = QaTuiApp(
        Engine(sources, RunStore(), settings=EngineSettings(initial_window=300)),
        tick_seconds=0,
        screenshots=fetcher,
    )
    opened: list[float] = []
    drawn = refused = 0
    rss_before = 0.0
    async with app.run_test(size=(100, 30)) as pilot:

        async def until(predicate: Any, what: str, timeout: float = 30.0) -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise SystemExit(f"bench/screenshots: timed out waiting for {what}")
                await pilot.pause(0.01)

        def failed() -> list[Any]:
            rows = app.engine.store.get
            keys = [k for k in app.dashboard.table.order if k[0] == "web"]
            runs = [row.run for k in keys if (row := rows(k)) is not None]
            return [r for r in runs if r.status is RunStatus.FAILED and r.kind is RunKind.TEST]

        await until(lambda: len(failed()) >= args.runs, f"{args.runs} failed runs")
        rss_before = peak_rss_mb()
        for run in failed()[: args.runs]:
            started = time.monotonic()
            screen = RunDetailScreen(run.key)
            await app.push_screen(screen)
            await until(lambda s=screen: s.is_mounted and s.detail is not None, "the detail")
            panel = screen.query_one("#steps-shot", ScreenshotPanel)
            await until(lambda p=panel: p.shot is not None or bool(p.message), "the screenshot")
            await pilot.pause()  # drawn once
            drawn += panel.shot is not None
            refused += panel.shot is None
            opened.append(time.monotonic() - started)
            app.pop_screen()
            await pilot.pause()
    for source in sources:
        await source.aclose()
    peak = peak_rss_mb()
    return {
        "runs_opened": len(opened),
        "screenshots_drawn": drawn,
        "screenshots_not_drawn": refused,
        "screenshot_size": "sim 640x400" if args.size is None else "{}x{}".format(*args.size),
        "open_to_drawn_s": {
            "median": round(sorted(opened)[len(opened) // 2], 3) if opened else None,
            "max": round(max(opened), 3) if opened else None,
        },
        "peak_rss_mb": peak,
        "peak_rss_before_opening_mb": rss_before,
        "cache": {
            "bound_mb": args.cache_mb,
            "held_mb": round(cache.held_bytes / 1_000_000, 2),
            "files": cache.count,
        },
        "target": {"peak_rss_mb_at_most": TARGET_MB, "met": peak <= TARGET_MB},
    }


def parse_size(text: str) -> tuple[int, int] | None:
    if text == "sim":
        return None
    width, height = (int(part) for part in text.lower().split("x"))
    return width, height


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--size", type=parse_size, default=(1280, 800), help="WxH, or sim")
    parser.add_argument("--cache-mb", type=float, default=64.0, help="the cache's bound")
    parser.add_argument("--child-sim", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_sim:
        serve_simulator(args.size)
        return 0
    size = "sim" if args.size is None else "{}x{}".format(*args.size)
    child = subprocess.Popen(
        [PYTHON, str(Path(__file__).resolve()), "--child-sim", "--size", size],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().decode().strip()
        with tempfile.TemporaryDirectory(prefix="qa-tui-bench-shots-") as scratch:
            result = asyncio.run(open_failed_runs(base_url, args, Path(scratch)))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(15)
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    return 0 if result["target"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
