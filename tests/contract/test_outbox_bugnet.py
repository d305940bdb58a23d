"""The outbox against the simulated Bugnet with faults injected: down, 500s, 429s, answers lost
after the bug was created, answers cut in half, and the app restarting in between.

The ground truth is the simulator's own state: for every report, exactly one bug (or comment)
carries its reference line, and the outbox ends empty. In-process over `httpx.ASGITransport`,
where a dropped connection surfaces as the `ConnectionResetError` the simulator raises; the
transport below turns it into the `httpx.RemoteProtocolError` a real socket gives (one story runs
over real loopback sockets to show that). Time is a ManualClock linked to the scenario clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qa_tui.core.bugs.db import ReportState
from qa_tui.core.bugs.outbox import Outbox
from qa_tui.core.clock import ManualClock
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.providers.bugnet import (
    DEFAULT_REQUESTS_PER_MINUTE,
    BugDraft,
    BugnetClient,
    reference_line,
)
from qa_tui.sim import FaultPlan, ScenarioClock, Simulator, build_app
from qa_tui.sim.credentials import BUGNET_API_KEY, BUGNET_PROJECT, BUGNET_TOKEN
from qa_tui.sim.server import start_in_thread
from tests.support.sim_wire import SocketLike


class LinkedClock(ManualClock):
    """A ManualClock that moves the simulator's scenario clock along with it."""

    def __init__(self, scenario: ScenarioClock) -> None:
        super().__init__(start=datetime.fromtimestamp(scenario.now(), UTC))
        self.scenario = scenario

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self.scenario.advance(max(0.0, seconds))


class Bench:
    """One simulated Bugnet, a client for it, and an outbox file that outlives outboxes."""

    def __init__(self, tmp_path: Path, **auth: Any) -> None:
        self.scenario = ScenarioClock.manual_at()
        self.faults = FaultPlan()
        self.app = build_app(seed=3, clock=self.scenario, faults=self.faults)
        self.clock = LinkedClock(self.scenario)
        self.wire = SocketLike(self.app)
        http = ProviderHttp(
            "bugnet",
            "http://sim.test/bugnet",
            budget=RequestBudget(DEFAULT_REQUESTS_PER_MINUTE, clock=self.clock),
            clock=self.clock,
            transport=self.wire,
        )
        self.client = BugnetClient(
            http, project=BUGNET_PROJECT, **(auth or {"token": BUGNET_TOKEN})
        )
        self.path = tmp_path / "outbox.sqlite"
        self.outbox = self.restart()

    @property
    def sim(self) -> Simulator:
        simulator: Simulator = self.app.state.sim
        return simulator

    def restart(self) -> Outbox:
        """The app closed and opened again: a new Outbox (and client state) on the same file."""
        self.outbox = Outbox(self.client, self.path, clock=self.clock)
        return self.outbox

    async def rounds(self, count: int) -> None:
        """Let the outbox work for `count` rounds, time passing between them."""
        for _ in range(count):
            await self.outbox.process_due()
            wait = self.outbox.seconds_until_due()
            if wait is None:
                return
            self.clock.advance(wait)

    async def settle(self) -> None:
        await self.rounds(60)
        assert self.outbox.seconds_until_due() is None, self.outbox.open_reports()

    def bugs_with(self, ref: str) -> list[str]:
        line = reference_line(ref)
        return [b.id for b in self.sim.bugnet.bugs.values() if line in b.description]

    def comments_with(self, ref: str) -> list[str]:
        line = reference_line(ref)
        return [
            c["id"]
            for b in self.sim.bugnet.bugs.values()
            for c in b.comments
            if line in str(c.get("body"))
        ]


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path)
    yield bench
    await bench.client.aclose()


def a_draft(n: int = 1) -> BugDraft:
    return BugDraft(
        title=f"[web] Checkout with card #{n}: ELEMENT_DOES_NOT_EXIST",
        description=f"Run https://app.bugbug.io/runs/{n} failed at step 4.",
        category="ui",
        priority="high",
        steps_to_reproduce="1. Open the shop\n2. Pay",
        expected="The order is placed",
        actual="The Pay button is missing",
    )


@pytest.mark.parametrize(
    ("fault", "posts"),
    [
        ({"down": True}, 2),  # dropped before Bugnet acted; looked up (absent), sent again
        ({"error_rate": 1.0}, 2),  # a 500 may have landed: looked up (absent), sent again
        ({"throttle": 1.0, "retry_after": 120}, 5),  # four 429s, nothing looked up, then sent
        ({"drop_rate": 1.0}, 1),  # created, answer lost: found by reference, never resent
        ({"malformed_rate": 1.0}, 1),  # created, answer unreadable: found by reference
    ],
    ids=["down", "500s", "429s", "answer-lost-after-create", "answer-cut-in-half"],
)
async def test_a_report_sent_while_bugnet_misbehaves_is_filed_exactly_once_when_it_recovers(
    bench: Bench, fault: dict[str, Any], posts: int
) -> None:
    bench.faults.set("bugnet", **fault)
    report = bench.outbox.enqueue(a_draft(), run_key=("web", "r1"), run_name="Checkout with card")
    await bench.rounds(4)
    waiting = bench.outbox.get(report.ref)
    assert waiting is not None and waiting.state is ReportState.PENDING
    assert waiting.last_error

    bench.faults.clear("bugnet")
    await bench.settle()

    assert len(bench.bugs_with(report.ref)) == 1
    assert bench.outbox.links() == {("web", "r1"): bench.bugs_with(report.ref)[0]}
    assert bench.wire.posts("/bugs") == posts


async def test_an_answer_lost_after_create_is_found_by_reference_and_never_posted_again(
    bench: Bench,
) -> None:
    bench.faults.set("bugnet", drop_rate=1.0)
    report = bench.outbox.enqueue(a_draft())
    await bench.outbox.process_due()
    assert len(bench.bugs_with(report.ref)) == 1  # Bugnet has it; the answer never came

    bench.faults.clear("bugnet")
    await bench.settle()
    assert bench.wire.posts("/bugs") == 1
    assert len(bench.bugs_with(report.ref)) == 1


async def test_a_400_comes_back_with_bugnets_own_words_and_the_draft_is_kept(bench: Bench) -> None:
    unchecked = BugDraft.model_construct(**{**a_draft().model_dump(), "title": " "})
    report = bench.outbox.enqueue(unchecked, run_key=("web", "r1"))
    failed = await bench.outbox.send(report.ref)
    assert failed is not None and failed.state is ReportState.FAILED
    assert failed.last_error == "title is required"
    kept = bench.outbox.open_report_for(("web", "r1"))
    assert kept is not None and kept.draft.description == a_draft().description


async def test_a_storm_of_faults_and_a_restart_lose_nothing_and_file_nothing_twice(
    bench: Bench,
) -> None:
    target = next(iter(bench.sim.bugnet.bugs))
    bench.faults.set(
        "bugnet", error_rate=0.25, drop_rate=0.25, throttle=0.1, retry_after=3, malformed_rate=0.1
    )
    bugs = [bench.outbox.enqueue(a_draft(n), run_key=("web", f"r{n}")).ref for n in range(12)]
    comments = [
        bench.outbox.enqueue(
            a_draft(100 + n),
            run_key=("web", f"c{n}"),
            comment_on=target,
            comment=f"Failed again in run c{n}.",
        ).ref
        for n in range(4)
    ]
    await bench.rounds(1)
    left = bench.outbox.open_reports()
    assert any(bench.bugs_with(r.ref) for r in left)  # filed in Bugnet, the answer lost
    assert any(not bench.bugs_with(r.ref) and not bench.comments_with(r.ref) for r in left)
    bench.restart()  # the app is closed with these still in the outbox, and opened again
    await bench.rounds(3)
    bench.faults.clear("bugnet")
    await bench.settle()

    assert bench.outbox.open_reports() == []
    assert [len(bench.bugs_with(ref)) for ref in bugs] == [1] * len(bugs)
    assert [len(bench.comments_with(ref)) for ref in comments] == [1] * len(comments)
    assert len(bench.outbox.links()) == len(bugs) + len(comments)


async def test_with_only_an_api_key_a_lost_answer_waits_for_the_user_and_files_once(
    tmp_path: Path,
) -> None:
    bench = Bench(tmp_path, api_key=BUGNET_API_KEY)
    try:
        bench.faults.set("bugnet", drop_rate=1.0)
        report = bench.outbox.enqueue(a_draft())
        stuck = await bench.outbox.send(report.ref)
        bench.faults.clear("bugnet")
        await bench.settle()
        assert stuck is not None and stuck.state is ReportState.NEEDS_ATTENTION
        assert bench.wire.posts("/bugs/submit") == 1
        assert len(bench.bugs_with(report.ref)) == 1
        assert bench.sim.bugnet.bugs[bench.bugs_with(report.ref)[0]].source == "sdk"
    finally:
        await bench.client.aclose()


async def test_over_loopback_a_dropped_answer_is_resolved_by_lookup_after_a_restart(
    tmp_path: Path,
) -> None:
    with start_in_thread(seed=5) as running:
        clock = ManualClock()
        http = ProviderHttp(
            "bugnet",
            f"{running.base_url}/bugnet",
            budget=RequestBudget(DEFAULT_REQUESTS_PER_MINUTE, clock=clock),
            clock=clock,
        )
        client = BugnetClient(http, project=BUGNET_PROJECT, token=BUGNET_TOKEN)
        try:
            path = tmp_path / "outbox.sqlite"
            running.sim.faults.set("bugnet", drop_rate=1.0)
            outbox = Outbox(client, path, clock=clock)
            report = outbox.enqueue(a_draft(), run_key=("web", "r1"))
            after = await outbox.send(report.ref)
            assert after is not None and (after.state, after.unconfirmed) == ("pending", True)
            running.sim.faults.clear("bugnet")

            again = Outbox(client, path, clock=clock)
            clock.advance(again.seconds_until_due() or 0)
            await again.process_due()

            line = reference_line(report.ref)
            filed = [b.id for b in running.sim.bugnet.bugs.values() if line in b.description]
            assert len(filed) == 1
            assert again.links() == {("web", "r1"): filed[0]}
        finally:
            await client.aclose()
