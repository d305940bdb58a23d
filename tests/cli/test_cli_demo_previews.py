"""`qa-tui demo` triggers a couple of Bug0 preview runs as it opens: Bug0 has no list API, so
without them the demo's table would never show the third provider."""

from __future__ import annotations

from pathlib import Path

from qa_tui.cli.tui import DEMO_PREVIEWS, trigger_demo_previews
from qa_tui.core.actions.writes import ProviderWrites, WritePolicy
from tests.support.sim_monitor import build_monitor


async def test_the_demo_triggers_its_preview_runs_on_the_simulated_bug0(tmp_path: Path) -> None:
    monitor = build_monitor(tmp_path)
    shown: list[int] = []
    try:
        await trigger_demo_previews(ProviderWrites(monitor.sources), lambda: shown.append(1))
        page = await monitor.source("previews").list_runs()
        assert [run.provider_status for run in page.runs] == ["triggered"] * len(DEMO_PREVIEWS)
        assert len(monitor.sim.truth()["bug0_triggers"]) == len(DEMO_PREVIEWS)
        assert len(shown) == len(DEMO_PREVIEWS)  # each row is shown as soon as its run exists
    finally:
        await monitor.aclose()


async def test_a_bug0_that_refuses_leaves_the_demo_without_previews_not_broken(
    tmp_path: Path,
) -> None:
    monitor = build_monitor(tmp_path)
    monitor.faults.set("bug0", error_rate=1.0)
    try:
        await trigger_demo_previews(ProviderWrites(monitor.sources), lambda: None)
        assert (await monitor.source("previews").list_runs()).runs == []
    finally:
        await monitor.aclose()


async def test_a_read_only_demo_triggers_nothing_on_bug0(tmp_path: Path) -> None:
    """`qa-tui demo --read-only`: the preview triggers are writes, refused like any other."""
    monitor = build_monitor(tmp_path)
    read_only = WritePolicy(everything_read_only="--read-only")
    try:
        await trigger_demo_previews(ProviderWrites(monitor.sources, read_only), lambda: None)
        assert monitor.sim.truth()["bug0_triggers"] == []
    finally:
        await monitor.aclose()


async def test_the_previews_are_triggered_beside_the_app_and_shown_when_done() -> None:
    """GIVEN a preparation that takes a while (Bug0's budget makes the second trigger wait)
    WHEN the app opens THEN nothing waits for it, and once it is done the engine polls at once."""
    import asyncio
    from collections.abc import Callable

    from qa_tui.cli.tui import prepare_alongside
    from qa_tui.core.engine import Engine
    from qa_tui.core.runs.store import RunStore
    from tests.support.fakes import FakeSource

    release = asyncio.Event()
    refreshed: list[str | None] = []

    async def slow_previews(_: ProviderWrites, show: Callable[[], None]) -> None:
        await release.wait()

    engine = Engine([FakeSource()], RunStore())
    engine.refresh_now = lambda provider=None: refreshed.append(provider)  # type: ignore[method-assign]
    task = prepare_alongside(slow_previews, engine)
    await asyncio.sleep(0)
    assert not task.done() and refreshed == []
    release.set()
    await task
    assert refreshed == [None]
