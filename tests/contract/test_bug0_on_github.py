"""Bug0 runs with a result: the Bug0 source reads the commit status Bug0 posts on GitHub, against
the simulator's Bug0 and its GitHub slice, in-process.

The client's clock is tied to the simulator's scenario clock (tests/support/linked_clock.py):
both say the same time, and a wait of the client's moves the simulator's world along.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from qa_tui.core.config.tables import GitHubConfig, ProviderConfig
from qa_tui.core.errors import AuthFailed, RateLimited
from qa_tui.core.model import RunStatus
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.github.api import commit_path, server_time
from qa_tui.core.providers.registry import build_source, build_statuses
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.sim import FaultPlan, ScenarioClock, Simulator, build_app
from qa_tui.sim.credentials import BUG0_API_KEY, BUG0_PROJECT_ID, GITHUB_TOKEN
from tests.support.linked_clock import LinkedClock

SHA = "c0ffee1234"
ON_A_COMMIT = {"url": "https://pr-7.preview.example", "git_commit_sha": SHA}
ON_A_COMMIT |= {"owner": "acme", "repo": "shop"}
API_URL = "http://127.0.0.1:9/github"


class Harness:
    """The simulator, and Bug0 sources reading it the way the app builds them."""

    def __init__(self, triggers: TriggerLog | None = None) -> None:
        self.scenario = ScenarioClock.manual_at()
        self.faults = FaultPlan()
        self.app: Starlette = build_app(seed=5, clock=self.scenario, faults=self.faults)
        self.sim: Simulator = self.app.state.sim
        self.clock = LinkedClock(self.scenario)
        self.triggers = triggers or TriggerLog(":memory:")
        self.transport = httpx.ASGITransport(app=self.app)

    def source(self, *, token: str | None = GITHUB_TOKEN, context: str | None = None) -> Bug0Source:
        github = GitHubConfig(
            api_url=API_URL,
            token=SecretStr(token) if token else None,
            poll_interval_s=10.0,
        )
        statuses = build_statuses(
            github, clock=self.clock, transport_for=lambda _: self.transport, ask=lambda _: None
        )
        provider = ProviderConfig(
            name="previews",
            kind="bug0",
            base_url="http://127.0.0.1:9/bug0",
            token=SecretStr(BUG0_API_KEY),
            project_id=BUG0_PROJECT_ID,
            requests_per_minute=600.0,
            status_context=context,
        )
        source = build_source(
            provider,
            clock=self.clock,
            transport=self.transport,
            triggers=self.triggers,
            statuses=statuses,
        )
        assert isinstance(source, Bug0Source)
        return source

    def served(self, status: int | None = None) -> list[tuple[str, int]]:
        """What the GitHub slice answered (only `status` answers, when given)."""
        return [s for s in self.sim.github.served if status is None or s[1] == status]

    async def after(self, source: Bug0Source, seconds: float) -> RunStatus:
        """`seconds` later, the newest run's status as the source lists it."""
        self.clock.advance(seconds)
        return (await source.list_runs()).runs[0].status


@pytest.fixture
def harness() -> Harness:
    return Harness()


@pytest.fixture
async def source(harness: Harness) -> AsyncIterator[Bug0Source]:
    made = harness.source()
    yield made
    await made.aclose()


async def test_a_run_on_a_commit_goes_triggered_then_running_then_bug0s_verdict(
    harness: Harness, source: Bug0Source
) -> None:
    """GIVEN a trigger carrying a commit on which Bug0 will fail while another CI passes
    WHEN the source lists its runs as time goes by
    THEN the run reads triggered, then running (Bug0's pending), then failed with Bug0's
    description as its error and note, its report as its link; the result is written to the
    trigger log; another CI's status changes nothing."""
    harness.sim.github.plan(SHA, bug0="failure", decoy="success")
    run = await source.trigger(**ON_A_COMMIT)
    assert (run.status, run.provider_status, run.pollable) == (RunStatus.QUEUED, "triggered", True)
    assert run.note is not None and "waiting for Bug0's status on GitHub: acme/shop@c0ffee1234"
    assert (await harness.after(source, 1)) is RunStatus.QUEUED  # nothing of Bug0's yet
    assert (await harness.after(source, 10)) is RunStatus.RUNNING
    running = (await source.list_runs()).runs[0]
    assert running.provider_status == "running"
    assert running.note is not None and running.note.startswith(
        "Bug0 / E2E (commit status on acme/shop@c0ffee1234): pending: Running "
    )
    assert running.started is not None
    assert (await harness.after(source, 60)) is RunStatus.FAILED
    ended = (await source.list_runs()).runs[0]
    assert ended.provider_status == "failure"
    assert ended.url == f"http://127.0.0.1:9/bug0/app/runs/{run.id}"
    assert ended.error is not None and " tests failed: " in ended.error
    assert ended.started == running.started and ended.ended is not None
    assert ended.started < ended.ended
    record = harness.triggers.get("previews", run.id)
    assert record is not None and record.result is not None
    assert record.result["status"] == "failed" and record.result["context"] == "Bug0 / E2E"


async def test_only_the_contexts_status_context_names_are_bug0s() -> None:
    """GIVEN Bug0 passing and another CI (`ci/build`) failing on one commit WHEN a source told
    `status_context = "BUG0 / e2e"` reads it THEN it follows Bug0's context (matched
    case-insensitively) and passes; a source told `*smoke*` matches nothing there and its run
    stays triggered, waiting for a context matching *smoke*."""
    for context, ends in (("BUG0 / e2e", RunStatus.PASSED), ("*smoke*", RunStatus.QUEUED)):
        harness = Harness()
        harness.sim.github.plan(SHA, bug0="success", decoy="failure")
        source = harness.source(context=context)
        await source.trigger(**ON_A_COMMIT)
        assert (await harness.after(source, 60)) is ends
        if ends is RunStatus.QUEUED:
            assert "a context matching *smoke*" in ((await source.list_runs()).runs[0].note or "")
        await source.aclose()


async def test_reads_are_conditional_and_an_unchanged_commit_costs_only_uncounted_304s(
    harness: Harness, source: Bug0Source
) -> None:
    """GIVEN a commit read once WHEN it is read again with nothing new on it THEN both reads
    carry If-None-Match and get 304s, GitHub's count of the token's requests does not move, and
    the reader's budget gets its tokens back."""
    harness.sim.github.plan(SHA, bug0="never")
    await source.trigger(**ON_A_COMMIT)
    await source.list_runs()
    assert [status for _, status in harness.served()] == [200, 200]
    statuses = source.statuses
    assert statuses is not None
    remaining = statuses.budget.provider_remaining
    tokens = statuses.budget.available()
    await harness.after(source, 11)
    await harness.after(source, 11)
    assert [status for _, status in harness.served()] == [200, 200, 304, 304, 304, 304]
    assert statuses.counts.not_modified == 4
    assert statuses.budget.provider_remaining == remaining == 4998
    assert statuses.budget.available() >= tokens


async def test_a_commit_is_read_no_more_often_than_the_poll_interval(
    harness: Harness, source: Bug0Source
) -> None:
    await source.trigger(**ON_A_COMMIT)
    for _ in range(5):
        await source.list_runs()
    harness.clock.advance(5)
    await source.list_runs()
    assert len(harness.served()) == 2  # one read: both endpoints, once
    await harness.after(source, 6)
    assert len(harness.served()) == 4


async def test_bug0_reporting_through_a_check_run_is_read_the_same_way(
    harness: Harness, source: Bug0Source
) -> None:
    harness.sim.github.plan(SHA, bug0="success", via="check run")
    await source.trigger(**ON_A_COMMIT)
    assert (await harness.after(source, 11)) is RunStatus.RUNNING
    assert (await harness.after(source, 60)) is RunStatus.PASSED
    run = (await source.list_runs()).runs[0]
    assert run.provider_status == "success"
    assert run.note is not None and run.note.startswith("Bug0 / E2E (check run on acme/shop@")


async def test_a_rerun_on_the_same_commit_waits_for_its_own_status_and_the_first_stays_ended(
    harness: Harness, source: Bug0Source
) -> None:
    """GIVEN a run on a commit that Bug0 failed WHEN it is re-run (same fields, same commit)
    THEN the new run is triggered, not failed: the commit's old status predates it; it then
    takes the status Bug0 posts for it; the first run stays failed meanwhile, though the commit's
    status went back to pending."""
    harness.sim.github.plan(SHA, decoy="success")  # outcomes dealt in turn: failure, success
    first = await source.trigger(**ON_A_COMMIT)
    assert (await harness.after(source, 60)) is RunStatus.FAILED
    harness.clock.advance(30)
    again = await source.rerun(first)
    assert again.status is RunStatus.QUEUED
    assert (await harness.after(source, 11)) is RunStatus.RUNNING
    listed = {run.id: run.status for run in (await source.list_runs()).runs}
    assert listed == {again.id: RunStatus.RUNNING, first.id: RunStatus.FAILED}
    assert (await harness.after(source, 60)) is RunStatus.PASSED


async def test_runs_on_commits_are_picked_up_again_after_a_restart(tmp_path: Path) -> None:
    """GIVEN a run on a commit, running when qa-tui stops WHEN qa-tui starts again on the same
    trigger log THEN its commit is read again and it ends; once ended, it stays ended even for a
    qa-tui that can no longer read GitHub."""
    file = tmp_path / "data" / "triggers.sqlite"
    before = Harness(TriggerLog(file))
    before.sim.github.plan(SHA, bug0="success", decoy="failure")
    first = before.source()
    run = await first.trigger(**ON_A_COMMIT)
    assert (await before.after(first, 11)) is RunStatus.RUNNING
    await first.aclose()
    second = before.source()  # a new process: nothing kept in memory, the same file
    assert (await second.list_runs()).runs[0].status is RunStatus.RUNNING
    assert (await before.after(second, 60)) is RunStatus.PASSED
    await second.aclose()
    before.sim.revoke("github")
    third = before.source()
    (ended,) = (await third.list_runs()).runs
    assert (ended.id, ended.status) == (run.id, RunStatus.PASSED)
    assert third.trouble_elsewhere() is None  # nothing waits: nothing to read
    await third.aclose()


async def test_a_refused_github_token_leaves_the_triggers_listed_and_says_why(
    harness: Harness, source: Bug0Source
) -> None:
    harness.sim.revoke("github")
    run = await source.trigger(**ON_A_COMMIT)
    page = await source.list_runs()
    assert [r.id for r in page.runs] == [run.id]
    assert page.runs[0].status is RunStatus.QUEUED
    note = page.runs[0].note or ""
    assert "reading it failed: auth: Bad credentials" in note
    trouble = source.trouble_elsewhere()
    assert trouble is not None and isinstance(trouble.error, AuthFailed)
    assert (trouble.message, trouble.fix_key) == ("GitHub: Bad credentials", "[github] token")
    harness.sim.restore("github")
    assert (await harness.after(source, 30)) is RunStatus.RUNNING  # backed off, then read again
    assert source.trouble_elsewhere() is None


async def test_without_a_token_nothing_is_sent_and_the_runs_say_how_to_get_one(
    harness: Harness,
) -> None:
    source = harness.source(token=None)
    run = await source.trigger(**ON_A_COMMIT)
    page = await source.list_runs()
    assert page.runs[0].id == run.id and not page.runs[0].pollable
    assert "gh auth login" in (page.runs[0].note or "")
    trouble = source.trouble_elsewhere()
    assert trouble is not None and trouble.fix_key == "[github] token"
    assert "gh auth login" in trouble.message
    assert source.cannot_follow({"gitCommitSha": SHA, "owner": "a", "repo": "b"}) is not None
    assert harness.served() == []
    await source.aclose()


async def test_a_trigger_without_a_commit_is_not_followed_and_asks_github_nothing(
    harness: Harness, source: Bug0Source
) -> None:
    run = await source.trigger(url="https://pr-7.preview.example", owner="acme")
    assert not run.pollable and run.status is RunStatus.QUEUED
    assert "carried no commit or repo" in (run.note or "")
    await harness.after(source, 60)
    assert harness.served() == [] and source.trouble_elsewhere() is None


async def test_githubs_rate_limit_holds_every_read_until_its_reset(
    harness: Harness, source: Bug0Source
) -> None:
    """GIVEN a token whose hour GitHub says is spent (other tools used it: GitHub counts per
    token) WHEN a run on a commit is followed THEN GitHub's 403 with X-RateLimit-Remaining: 0
    reads as a rate limit (not a refused token), the trouble says so with the key to look at,
    nothing more is asked of GitHub until the X-RateLimit-Reset it named, and then the run is
    followed to its end; the listing itself never waits."""
    harness.sim.github.hourly_limit = 3
    for _ in range(3):  # spent elsewhere
        harness.sim.limiter.hit(f"github:{GITHUB_TOKEN}", 3, 3600.0)
    harness.sim.github.plan(SHA, bug0="failure")
    await source.trigger(**ON_A_COMMIT)
    started = harness.clock.monotonic()
    await source.list_runs()
    assert harness.clock.monotonic() == started  # no wait in the listing
    assert [status for _, status in harness.served()] == [403]
    trouble = source.trouble_elsewhere()
    assert trouble is not None and isinstance(trouble.error, RateLimited)
    assert trouble.fix_key == "[github] requests_per_minute"
    assert "API rate limit exceeded" in trouble.message
    statuses = source.statuses
    assert statuses is not None and statuses.budget.paused_for() > 3000
    for _ in range(10):
        await harness.after(source, 60)
    assert len(harness.served()) == 1  # held: GitHub said when to come back
    assert (await harness.after(source, 3000)) is RunStatus.FAILED
    assert source.trouble_elsewhere() is None


async def test_the_rate_limit_a_read_itself_spends_holds_the_next_request_not_the_listing(
    harness: Harness, source: Bug0Source
) -> None:
    """GIVEN one request left in GitHub's hour WHEN a commit is read (two requests) THEN the
    first spends it, the second is not sent (GitHub said none is left), the listing returns at
    once, and the trouble is a rate limit."""
    harness.sim.github.hourly_limit = 3
    for _ in range(2):
        harness.sim.limiter.hit(f"github:{GITHUB_TOKEN}", 3, 3600.0)
    await source.trigger(**ON_A_COMMIT)
    started = harness.clock.monotonic()
    page = await source.list_runs()
    assert harness.clock.monotonic() == started
    assert [status for _, status in harness.served()] == [200]
    assert page.runs[0].status is RunStatus.QUEUED
    trouble = source.trouble_elsewhere()
    assert trouble is not None and isinstance(trouble.error, RateLimited)


async def test_a_hostile_status_description_is_kept_as_plain_text(
    harness: Harness, source: Bug0Source
) -> None:
    hostile = "\x1b]52;c;ZWNobyBwd25lZA==\x07[red]boom[/red] \x1b[2J<script>x</script>"
    harness.sim.github.plan(SHA, bug0="failure", description=hostile)
    await source.trigger(**ON_A_COMMIT)
    assert (await harness.after(source, 60)) is RunStatus.FAILED
    run = (await source.list_runs()).runs[0]
    assert run.error == hostile  # as sent: every view makes it plain (tests/hostile)
    assert run.note is not None and run.note.endswith(hostile)


def test_owner_repo_and_commit_cannot_reach_another_path() -> None:
    path = commit_path("../orgs", "a/b", "x?y#z", "status")
    assert path == "/repos/..%2Forgs/a%2Fb/commits/x%3Fy%23z/status"


async def test_the_token_stays_out_of_every_repr(source: Bug0Source) -> None:
    statuses = source.statuses
    assert statuses is not None and statuses.api is not None
    shown = repr(source) + repr(statuses) + repr(statuses.api.http)
    assert GITHUB_TOKEN not in shown


def test_githubs_clock_is_read_from_the_first_date_that_reads_and_always_in_utc() -> None:
    """A proxy (or a server adding its own) may send two `Date` lines, which httpx joins; a
    date written `-0000` reads without a zone. Either way GitHub's clock is one aware time:
    comparing it with ours must never fail (it did, over loopback, before)."""
    twice = httpx.Response(
        200,
        headers=[
            ("date", "Sat, 06 Dec 2026 15:00:00 GMT"),
            ("date", "Sat, 06 Dec 2026 15:00:09 GMT"),
        ],
    )
    zoneless = httpx.Response(200, headers=[("date", "Sat, 06 Dec 2026 15:00:00 -0000")])
    for response in (twice, zoneless):
        when = server_time(response)
        assert when is not None and when.utcoffset() is not None
        assert when.isoformat() == "2026-12-06T15:00:00+00:00"
    assert server_time(httpx.Response(200, headers=[("date", "yesterday")])) is None
