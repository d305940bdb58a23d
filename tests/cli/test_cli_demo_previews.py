"""`qa-tui demo` triggers a couple of Bug0 preview runs as it opens: Bug0 has no list API, so
without them the demo's table would never show the third provider. Each is triggered on a
commit, so the simulated Bug0 posts its result on the simulated GitHub and the rows end."""

from __future__ import annotations

from pathlib import Path

from qa_tui.cli.tui import DEMO_PREVIEWS, trigger_demo_previews
from qa_tui.core.actions.writes import ProviderWrites, WritePolicy
from tests.support.conditions import until
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


async def test_the_demos_previews_end_one_failed_one_passed_with_bug0s_status(
    tmp_path: Path,
) -> None:
    """GIVEN the demo's previews triggered WHEN the simulator's time moves on THEN they read
    running while Bug0's status is pending, then the first failed and the second passed, each
    with the status's description and its link to Bug0's report."""
    monitor = build_monitor(tmp_path)
    source = monitor.source("previews")

    async def statuses(*wanted: str) -> bool:
        """Whether PR #41's and PR #42's runs read `wanted` (a commit is read again once its
        poll interval, 50 ms of real time here, has passed)."""
        by_pr = {run.name.split(" · ")[0]: run for run in (await source.list_runs()).runs}
        return (by_pr["PR #41"].status.value, by_pr["PR #42"].status.value) == wanted

    try:
        await trigger_demo_previews(ProviderWrites(monitor.sources), lambda: None)
        monitor.advance(10)
        await until(lambda: statuses("running", "running"), what="both running")
        monitor.advance(60)
        await until(lambda: statuses("failed", "passed"), what="PR #41 failed, PR #42 passed")
        for run in (await source.list_runs()).runs:
            assert run.url and run.url.endswith(f"/bug0/app/runs/{run.id}")
            assert run.note and run.note.startswith("Bug0 / E2E (commit status on acme/shop@")
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
