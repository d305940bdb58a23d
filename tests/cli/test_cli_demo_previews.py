"""`qa-tui demo` triggers a couple of Bug0 preview runs as it opens: Bug0 has no list API, so
without them the demo's table would never show the third provider."""

from __future__ import annotations

from pathlib import Path

from qa_tui.cli.tui import DEMO_PREVIEWS, trigger_demo_previews
from tests.support.sim_monitor import build_monitor


async def test_the_demo_triggers_its_preview_runs_on_the_simulated_bug0(tmp_path: Path) -> None:
    monitor = build_monitor(tmp_path)
    try:
        await trigger_demo_previews(monitor.sources)
        page = await monitor.source("previews").list_runs()
        assert [run.provider_status for run in page.runs] == ["triggered"] * len(DEMO_PREVIEWS)
        assert len(monitor.sim.truth()["bug0_triggers"]) == len(DEMO_PREVIEWS)
    finally:
        await monitor.aclose()


async def test_a_bug0_that_refuses_leaves_the_demo_without_previews_not_broken(
    tmp_path: Path,
) -> None:
    monitor = build_monitor(tmp_path)
    monitor.faults.set("bug0", error_rate=1.0)
    try:
        await trigger_demo_previews(monitor.sources)
        assert (await monitor.source("previews").list_runs()).runs == []
    finally:
        await monitor.aclose()
