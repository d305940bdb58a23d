"""The bug outbox on a ManualClock and a scripted tracker: written first, filed once, never lost.

The tracker here is a few dicts. A scripted outcome is either an error raised before anything
happens, or `Landed(error)`: Bugnet acted on the request and then the answer was lost.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from qa_tui.core.bugs.db import Report, ReportsDb, ReportState
from qa_tui.core.bugs.outbox import Outbox, OutboxError, OutboxTiming
from qa_tui.core.bugs.rules import KEY_ONLY_AMBIGUOUS
from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import (
    AuthFailed,
    NetworkError,
    RateLimited,
    RequestRejected,
    ServerError,
)
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.providers.bugnet import Bug, BugDraft, Comment, Label, reference_line


@dataclass
class Landed:
    """Bugnet did it, then the answer was lost with `error`."""

    error: Exception


class ScriptedTracker:
    """Files bugs in memory; `script` decides what the next sends do (empty: they succeed)."""

    def __init__(self, clock: ManualClock, *, can_read: bool = True) -> None:
        self.can_read = can_read
        self.budget = RequestBudget(6000, clock=clock)
        self.bugs: dict[str, Bug] = {}
        self.comments: dict[str, list[Comment]] = {}
        self.script: list[Exception | Landed] = []
        self.lookup_script: list[Exception] = []
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None
        self.labels: dict[str, list[str]] = {}
        self.label_error: Exception | None = None

    async def _outcome(self, act: str) -> Landed | None:
        self.calls.append(act)
        if self.gate is not None:
            await self.gate.wait()
        if not self.script:
            return None
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def submit(self, draft: BugDraft) -> Bug:
        outcome = await self._outcome("submit")
        bug = Bug(
            id=f"bug-{len(self.bugs) + 1}",
            title=draft.title,
            description=draft.description_with_reference(),
        )
        self.bugs[bug.id] = bug
        if outcome is not None:
            raise outcome.error
        return bug

    async def add_comment(
        self, bug_id: str, body: str, *, internal: bool = False, client_ref: str | None = None
    ) -> Comment:
        outcome = await self._outcome("comment")
        comment = Comment(
            id=f"c{len(self.comments)}", body=f"{body}\n\n{reference_line(client_ref or '')}"
        )
        self.comments.setdefault(bug_id, []).append(comment)
        if outcome is not None:
            raise outcome.error
        return comment

    async def _lookup(self, what: str) -> None:
        self.calls.append(what)
        if self.lookup_script:
            raise self.lookup_script.pop(0)

    async def find_by_reference(self, ref: str, *, title: str | None = None) -> Bug | None:
        await self._lookup("find")
        line = reference_line(ref)
        return next((b for b in self.bugs.values() if line in (b.description or "")), None)

    async def find_comment_by_reference(self, bug_id: str, ref: str) -> Comment | None:
        await self._lookup("find-comment")
        line = reference_line(ref)
        return next((c for c in self.comments.get(bug_id, []) if line in c.body), None)

    async def apply_labels(self, bug_id: str, names: list[str]) -> list[Label]:
        self.calls.append("labels")
        if self.label_error is not None:
            raise self.label_error
        self.labels[bug_id] = names
        return [Label(id=n, name=n) for n in names]

    def filed_with(self, ref: str) -> list[str]:
        line = reference_line(ref)
        return [b.id for b in self.bugs.values() if line in (b.description or "")]


def draft(
    title: str = "[web] Checkout with card: ELEMENT_DOES_NOT_EXIST", **fields: object
) -> BugDraft:
    return BugDraft(title=title, description="Run failed at step 4.", **fields)


def dropped() -> NetworkError:
    return NetworkError("bugnet", "connection dropped (http://bugnet.test)")


def refused() -> NetworkError:
    error = NetworkError("bugnet", "could not connect (http://bugnet.test)")
    error.never_sent = True
    return error


class World:
    def __init__(self, tmp_path: Path, *, can_read: bool = True) -> None:
        self.path = tmp_path / "outbox.sqlite"
        self.clock = ManualClock()
        self.tracker = ScriptedTracker(self.clock, can_read=can_read)
        self.seen: list[Report] = []
        self.outbox = self.restart()

    def restart(self) -> Outbox:
        """A new Outbox on the same file, as after the app was closed and opened again."""
        self.outbox = Outbox(self.tracker, self.path, clock=self.clock, on_change=self.seen.append)
        return self.outbox

    async def send(self, report: Report) -> Report:
        after = await self.outbox.send(report.ref)
        assert after is not None
        return after

    async def until_settled(self, rounds: int = 50) -> None:
        """Send what is due and let time pass, until nothing is waiting."""
        for _ in range(rounds):
            await self.outbox.process_due()
            wait = self.outbox.seconds_until_due()
            if wait is None:
                return
            self.clock.advance(wait)
        raise AssertionError("the outbox never settled")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


async def test_a_report_is_on_disk_before_anything_is_sent(world: World) -> None:
    report = world.outbox.enqueue(draft(), run_key=("web", "r2"), run_name="Checkout with card")
    assert world.tracker.calls == []
    on_disk = ReportsDb(world.path).get(report.ref)
    assert on_disk is not None and on_disk.state is ReportState.PENDING
    assert on_disk.draft.client_ref == report.ref and on_disk.run_key == ("web", "r2")


async def test_a_confirmed_report_leaves_the_outbox_and_links_its_run(world: World) -> None:
    report = world.outbox.enqueue(draft(), run_key=("web", "r2"), run_name="Checkout with card")
    filed = await world.send(report)
    assert (filed.state, filed.bug_id) == (ReportState.FILED, "bug-1")
    assert world.outbox.open_reports() == []
    assert world.outbox.links() == {("web", "r2"): "bug-1"}
    assert [link.bug_id for link in world.outbox.filed_for("web", "Checkout with card")] == [
        "bug-1"
    ]
    assert [r.state for r in world.seen] == ["pending", "sending", "sending", "filed"]


async def test_an_answer_lost_after_bugnet_filed_it_is_looked_up_never_sent_twice(
    world: World,
) -> None:
    world.tracker.script = [Landed(dropped())]
    report = world.outbox.enqueue(draft())
    waiting = await world.send(report)
    assert (waiting.state, waiting.unconfirmed) == (ReportState.PENDING, True)
    assert waiting.last_error == "the connection to Bugnet broke before its answer came"

    await world.until_settled()

    assert world.tracker.calls == ["submit", "find"]
    assert world.tracker.filed_with(report.ref) == ["bug-1"]
    assert world.outbox.open_reports() == []


async def test_a_request_lost_before_bugnet_acted_is_looked_up_then_sent_again(
    world: World,
) -> None:
    world.tracker.script = [ServerError("bugnet", "HTTP 502", status_code=502)]
    report = world.outbox.enqueue(draft())
    await world.send(report)
    await world.until_settled()
    assert world.tracker.calls == ["submit", "find", "submit"]
    assert world.tracker.filed_with(report.ref) == ["bug-1"]


async def test_failures_back_off_doubling_up_to_the_cap(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.outbox.timing = OutboxTiming(first_retry_s=5, max_retry_s=30)
    world.tracker.script = [ServerError("bugnet", "HTTP 500", status_code=500)]
    world.tracker.lookup_script = [dropped()] * 4
    report = world.outbox.enqueue(draft())
    waits = []
    for _ in range(5):
        await world.outbox.process_due()
        wait = world.outbox.seconds_until_due()
        if wait is None:
            break
        waits.append(wait)
        world.clock.advance(wait)
    assert waits == [5, 10, 20, 30, 30]
    await world.until_settled()
    assert world.tracker.filed_with(report.ref) == ["bug-1"]


async def test_a_429_waits_for_bugnets_reset_and_needs_no_lookup(world: World) -> None:
    world.tracker.script = [RateLimited("bugnet", "Too many requests", retry_after=42)]
    report = world.outbox.enqueue(draft())
    waiting = await world.send(report)
    assert (waiting.state, waiting.unconfirmed) == (ReportState.PENDING, False)
    assert world.outbox.seconds_until_due() == 42
    await world.until_settled()
    assert world.tracker.calls == ["submit", "submit"]


async def test_a_connection_never_made_is_retried_without_a_lookup(world: World) -> None:
    world.tracker.script = [refused(), refused()]
    report = world.outbox.enqueue(draft())
    await world.until_settled()
    assert world.tracker.calls == ["submit", "submit", "submit"]
    assert world.tracker.filed_with(report.ref) == ["bug-1"]


async def test_a_400_goes_back_to_the_user_with_bugnets_text_and_waits_for_an_edit(
    world: World,
) -> None:
    world.tracker.script = [RequestRejected("bugnet", "title is required", status_code=400)]
    report = world.outbox.enqueue(draft(), run_key=("web", "r2"))
    failed = await world.send(report)
    assert (failed.state, failed.last_error) == (ReportState.FAILED, "title is required")
    await world.until_settled()
    assert world.tracker.calls == ["submit"]  # not retried on its own

    kept = world.outbox.open_report_for(("web", "r2"))
    assert kept is not None and kept.draft.title == report.draft.title
    edited = world.outbox.edit(report.ref, draft("A better title"))
    assert edited.state is ReportState.PENDING and edited.draft.client_ref == report.ref
    await world.until_settled()
    assert [b.title for b in world.tracker.bugs.values()] == ["A better title"]


async def test_refused_credentials_need_attention_until_the_user_retries(world: World) -> None:
    world.tracker.script = [
        AuthFailed("bugnet", "Invalid or expired session token", status_code=401)
    ]
    report = world.outbox.enqueue(draft())
    stuck = await world.send(report)
    assert (stuck.state, stuck.unconfirmed) == (ReportState.NEEDS_ATTENTION, False)
    await world.until_settled()
    assert world.tracker.calls == ["submit"]
    world.outbox.retry(report.ref)
    await world.until_settled()
    assert world.tracker.filed_with(report.ref) == ["bug-1"]


async def test_with_only_an_api_key_a_maybe_filed_report_is_never_sent_again_on_its_own(
    tmp_path: Path,
) -> None:
    world = World(tmp_path, can_read=False)
    world.tracker.script = [Landed(dropped())]
    report = world.outbox.enqueue(draft())
    stuck = await world.send(report)
    assert (stuck.state, stuck.unconfirmed) == (ReportState.NEEDS_ATTENTION, True)
    assert stuck.last_error is not None and stuck.last_error.startswith(KEY_ONLY_AMBIGUOUS)
    await world.until_settled()
    with pytest.raises(OutboxError, match="cannot look it up"):
        world.outbox.retry(report.ref)
    assert world.tracker.filed_with(report.ref) == ["bug-1"]

    world.outbox.retry(report.ref, resend_unconfirmed=True)  # the user checked: not there
    await world.until_settled()
    assert world.tracker.calls == ["submit", "submit"]


async def test_with_only_an_api_key_an_outage_that_never_connected_is_still_retried(
    tmp_path: Path,
) -> None:
    world = World(tmp_path, can_read=False)
    world.tracker.script = [refused()]
    report = world.outbox.enqueue(draft())
    await world.until_settled()
    assert world.tracker.filed_with(report.ref) == ["bug-1"]


async def test_reports_left_waiting_are_sent_by_the_next_start(world: World) -> None:
    world.tracker.script = [refused()] * 3
    refs = [world.outbox.enqueue(draft(f"failure {i}")).ref for i in range(3)]
    await world.outbox.process_due()
    assert world.tracker.bugs == {}

    world.restart()
    await world.until_settled()
    assert all(world.tracker.filed_with(ref) for ref in refs)
    assert len(world.tracker.bugs) == 3


async def test_a_report_abandoned_mid_send_is_looked_up_once_its_lease_runs_out(
    world: World,
) -> None:
    report = world.outbox.enqueue(draft())
    db = ReportsDb(world.path)
    claimed = db.claim(report.ref, world.clock.now().timestamp(), world.outbox.timing.lease_s)
    assert claimed is not None
    db.update(replace(claimed, unconfirmed=True, attempts=1))
    world.tracker.bugs["bug-9"] = Bug(
        id="bug-9", title=report.draft.title, description=report.draft.description_with_reference()
    )  # the POST landed; then the app died

    world.restart()
    assert await world.outbox.process_due() == []  # still leased to the dead sender
    await world.until_settled()
    assert world.tracker.calls == ["find"]
    assert world.outbox.links() == {} and world.outbox.open_reports() == []


async def test_closing_the_app_mid_send_leaves_the_report_to_be_checked_next_time(
    world: World,
) -> None:
    world.tracker.gate = asyncio.Event()
    report = world.outbox.enqueue(draft())
    sending = asyncio.create_task(world.outbox.send(report.ref))
    await asyncio.sleep(0)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    left = world.outbox.get(report.ref)
    assert left is not None and (left.state, left.unconfirmed) == (ReportState.PENDING, True)


async def test_two_senders_on_one_file_never_send_the_same_report(world: World) -> None:
    other = Outbox(world.tracker, world.path, clock=world.clock)
    world.tracker.gate = asyncio.Event()
    report = world.outbox.enqueue(draft())
    first = asyncio.create_task(world.outbox.send(report.ref))
    await asyncio.sleep(0)
    assert await other.send(report.ref) is None
    world.tracker.gate.set()
    assert (await first) is not None
    assert world.tracker.calls == ["submit"]


async def test_the_background_loop_files_reports_when_bugnet_comes_back(world: World) -> None:
    world.tracker.script = [refused(), ServerError("bugnet", "HTTP 503", status_code=503)]
    loop = asyncio.create_task(world.outbox.run())
    try:
        report = world.outbox.enqueue(draft())
        world.outbox.wake()
        for _ in range(200):
            if world.outbox.get(report.ref) is None:
                break
            await asyncio.sleep(0)
        assert world.tracker.filed_with(report.ref) == ["bug-1"]
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop


async def test_a_comment_whose_answer_was_lost_is_added_once(world: World) -> None:
    world.tracker.bugs["bug-7"] = Bug(id="bug-7", title="Checkout fails", description="")
    world.tracker.script = [Landed(dropped())]
    report = world.outbox.enqueue(
        draft(), run_key=("web", "r4"), comment_on="bug-7", comment="Failed again in run r4."
    )
    await world.until_settled()
    assert world.tracker.calls == ["comment", "find-comment"]
    assert len(world.tracker.comments["bug-7"]) == 1
    assert world.outbox.links() == {("web", "r4"): "bug-7"}
    assert report.is_comment


async def test_labels_are_added_after_filing_and_a_label_failure_keeps_the_bug_filed(
    world: World,
) -> None:
    world.tracker.label_error = ServerError("bugnet", "HTTP 500", status_code=500)
    report = world.outbox.enqueue(draft(labels=["qa-tui"]))
    filed = await world.send(report)
    assert filed.state is ReportState.FILED
    assert filed.last_error == "filed, but labels were not added: HTTP 500"
    world.tracker.label_error = None
    second = await world.send(world.outbox.enqueue(draft("other", labels=["qa-tui", "nightly"])))
    assert world.tracker.labels[second.bug_id or ""] == ["qa-tui", "nightly"]


async def test_a_maybe_filed_report_cannot_turn_into_a_comment(world: World) -> None:
    world.tracker.script = [dropped()]
    report = world.outbox.enqueue(draft())
    await world.send(report)
    with pytest.raises(OutboxError, match="retry or discard"):
        world.outbox.edit(report.ref, draft(), comment_on="bug-1", comment="again")
    assert world.outbox.discard(report.ref)
    assert world.outbox.open_reports() == []
    assert not world.outbox.discard(report.ref)


async def test_while_bugnet_asked_to_wait_a_report_waits_in_the_outbox_not_in_a_request(
    world: World,
) -> None:
    world.tracker.budget.pause(120)  # a 429 said: come back in two minutes
    report = world.outbox.enqueue(draft())
    waiting = await world.send(report)
    assert (waiting.state, waiting.last_error) == (
        ReportState.PENDING,
        "Bugnet asked to wait 120 s (rate limit)",
    )
    assert world.tracker.calls == []
    assert world.outbox.seconds_until_due() == 120
    await world.until_settled()
    assert world.tracker.filed_with(report.ref) == ["bug-1"]
