"""Each client's contract, in every reading of the docs: what qa-tui does to a provider (start,
refresh, stop, read a failed run's detail; file, read, update and comment on a bug; trigger a
Bug0 run) works whatever the server's dialect, over real loopback (tests/dialects/conftest.py)."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from qa_tui.core.config.tables import load_config
from qa_tui.core.errors import NotFound
from qa_tui.core.model import RunKind, RunStatus
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.bugbrain import BugBrainSource
from qa_tui.core.providers.bugbug import BugBugSource
from qa_tui.core.providers.bugnet import BugDraft, BugnetClient
from qa_tui.core.providers.registry import build_sources, build_tracker
from qa_tui.core.providers.triggers import TriggerLog
from tests.dialects.conftest import World


class Clients:
    def __init__(self, sources: list[RunSource], tracker: BugnetClient | None) -> None:
        self.sources = {source.name: source for source in sources}
        assert tracker is not None
        self.tracker = tracker

    @property
    def bugbug(self) -> BugBugSource:
        source = self.sources["web"]
        assert isinstance(source, BugBugSource)
        return source

    @property
    def bugbrain(self) -> BugBrainSource:
        source = self.sources["plans"]
        assert isinstance(source, BugBrainSource)
        return source

    @property
    def bug0(self) -> Bug0Source:
        source = self.sources["previews"]
        assert isinstance(source, Bug0Source)
        return source


@pytest.fixture
async def clients(world: World) -> AsyncIterator[Clients]:
    async for built in _clients(world):
        yield built


@pytest.fixture
async def retry_clients(retry_world: World) -> AsyncIterator[Clients]:
    async for built in _clients(retry_world):
        yield built


async def _clients(world: World) -> AsyncIterator[Clients]:
    config = load_config(world.config)
    sources = build_sources(config, triggers=TriggerLog(":memory:"))
    tracker = build_tracker(config)
    try:
        yield Clients(sources, tracker)
    finally:
        for source in sources:
            await source.aclose()
        if tracker is not None:
            await tracker.aclose()


async def test_bugbug_runs_are_read_started_and_stopped(clients: Clients) -> None:
    """GIVEN BugBug in this reading WHEN its runs are listed, a failed one opened, a test started
    and stopped THEN each answer reads as it should: statuses known, durations read, the failed
    run's failing step and error found, the new run stopped."""
    bugbug = clients.bugbug
    page = await bugbug.list_runs(limit=300)
    finished = [r for r in page.runs if r.status.is_terminal and r.kind is RunKind.TEST]
    ran = [r for r in finished if r.started and r.ended]
    assert ran and all(r.duration_s is not None for r in ran)
    assert all(r.status is not RunStatus.UNKNOWN for r in finished)
    failed = next(r for r in finished if r.status is RunStatus.FAILED and r.mode is None)
    if bugbug.failure_unread(failed):
        failed = await bugbug.read_failure(failed)
    assert failed.failed_step and failed.error
    detail = await bugbug.run_detail(failed)
    assert any(step.status is RunStatus.FAILED and step.error for step in detail.steps.items)
    test_id = failed.test_id
    assert test_id is not None
    started = await bugbug.start_test(test_id)
    assert started.status.is_active or started.status is RunStatus.UNKNOWN
    stopped = await bugbug.stop_run(started)
    assert stopped.status is RunStatus.STOPPED
    assert (await bugbug.refresh_run(stopped)).status is RunStatus.STOPPED


async def test_bugbrain_executions_are_read_started_and_cancelled(clients: Clients) -> None:
    bugbrain = clients.bugbrain
    page = await bugbrain.list_runs(limit=300)
    finished = [r for r in page.runs if r.status.is_terminal]
    assert finished and all(r.status is not RunStatus.UNKNOWN for r in finished)
    failed = next(r for r in finished if r.status is RunStatus.FAILED)
    detail = await bugbrain.run_detail(failed)
    assert detail.steps.items
    plan = failed.test_id
    assert plan is not None
    started = await bugbrain.start_plan(plan)
    assert not started.status.is_terminal
    cancelled = await bugbrain.stop_run(started)
    assert cancelled.status is RunStatus.STOPPED
    with pytest.raises(NotFound) as missing:
        await bugbrain.refresh_run(started.model_copy(update={"id": "exec_000000000000"}))
    assert "{" not in missing.value.message  # the server's own words, whatever its error body


async def test_bug0_triggers_a_run(clients: Clients) -> None:
    run = await clients.bug0.trigger(url="https://preview-42.shop.example")
    assert run.kind is RunKind.TRIGGER and run.id


async def test_bugnet_takes_a_bug_and_its_update_comment_and_lookups(clients: Clients) -> None:
    """GIVEN Bugnet in this reading WHEN a bug is filed, found again by its reference, updated,
    commented on, and similar bugs are asked for THEN every step lands (PATCH or PUT, a
    similar-bugs route or a title search)."""
    tracker = clients.tracker
    draft = BugDraft(
        title="Checkout fails at the pay button", client_ref="4c1f8e2a-1b2c-4d3e-8f9a-0b1c2d3e4f5a"
    )
    bug = await tracker.create_bug(draft)
    assert bug.id
    found = await tracker.find_by_reference(draft.client_ref or "", title=draft.title)
    assert found is not None and found.id == bug.id
    updated = await tracker.update_bug(bug.id, {"status": "in_progress"})
    assert updated.status is not None and updated.status.lower() == "in_progress"
    await tracker.add_comment(bug.id, "Seen again on staging")
    similar = await tracker.similar_bugs("Checkout fails at the pay button")
    assert bug.id in {s.bug.id for s in similar}
    listed = await tracker.list_bugs(limit=100)
    assert bug.id in {b.id for b in listed.bugs}


async def test_a_429_is_waited_out_however_retry_after_is_written(
    retry_world: World, retry_clients: Clients
) -> None:
    """GIVEN BugBrain refusing every request with 429 and a Retry-After (seconds or an HTTP
    date, as the dialect writes it) WHEN a status is asked THEN no request is sent before the
    moment it names, and once the refusals stop the answer arrives."""
    base = retry_world.sim.base_url
    sent: list[float] = []
    refused: list[float] = []

    async def hook(response: httpx.Response) -> None:
        sent.append(time.time())
        if response.status_code == 429:
            refused.append(_retry_moment(response.headers["retry-after"], time.time()))
            await asyncio.to_thread(
                httpx.post, f"{base}/_sim/faults", json={"clear": True}, timeout=10
            )

    bugbrain = retry_clients.bugbrain
    bugbrain.http._client.event_hooks["response"].append(hook)
    httpx.post(f"{base}/_sim/faults", json={"bugbrain": {"throttle": 1.0, "retry_after": 2}})
    run = (await bugbrain.list_runs(limit=1)).runs[0]
    assert refused, "the first request was refused"
    assert len(sent) == 2 and sent[1] >= refused[0] - 0.05
    assert run.id


def _retry_moment(value: str, now: float) -> float:
    try:
        return now + float(value)
    except ValueError:
        parsed: Any = email.utils.parsedate_to_datetime(value)
        return float(parsed.timestamp())
