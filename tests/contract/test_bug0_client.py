"""The Bug0 trigger-only source against the simulator: what it sends, records and refuses to do.

The client's ManualClock is linked to the simulator's scenario clock, so waiting out a 429's
Retry-After moves the simulator's rate-limit window too, without any real sleep.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.core.errors import AuthFailed, NotFound, RateLimited, ServerError, Unsupported
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp, ResponseInfo
from qa_tui.core.model import RunKind, RunStatus
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bug0 import (
    DEFAULT_REQUESTS_PER_MINUTE,
    Bug0Source,
    auth_headers,
)
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.sim import FaultPlan, ScenarioClock, Simulator, build_app
from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUG0_OTHER_PROJECT_ID,
    BUG0_PROJECT_ID,
    BUG0_SERVICE_TOKEN,
)
from qa_tui.sim.server import start_in_thread
from tests.support.linked_clock import LinkedClock

EVERY_FIELD = {
    "url": "https://preview-pr-42.vercel.app",
    "git_commit_sha": "abc123def456789",
    "git_branch": "feature/new-checkout",
    "owner": "your-org",
    "repo": "your-repo",
}


class Bug0Harness:
    def __init__(self, triggers: TriggerLog | None = None) -> None:
        self.scenario = ScenarioClock.manual_at()
        self.faults = FaultPlan()
        self.app: Starlette = build_app(seed=3, clock=self.scenario, faults=self.faults)
        self.sim: Simulator = self.app.state.sim
        self.clock = LinkedClock(self.scenario)
        self.triggers = triggers or TriggerLog(":memory:")
        self.requests: list[ResponseInfo] = []

    def source(
        self,
        *,
        token: str = BUG0_API_KEY,
        style: str = "api-key",
        project_id: str = BUG0_PROJECT_ID,
        base_url: str = "http://sim.test/bug0",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Bug0Source:
        http = ProviderHttp(
            "previews",
            base_url,
            headers=auth_headers(token, style),  # httpx adds Content-Type: application/json
            budget=RequestBudget(DEFAULT_REQUESTS_PER_MINUTE, clock=self.clock),
            clock=self.clock,
            transport=transport or httpx.ASGITransport(app=self.app),
            rng=random.Random(0),
            on_response=self.requests.append,
        )
        return Bug0Source(
            "previews", http, project_id=project_id, triggers=self.triggers, clock=self.clock
        )


@pytest.fixture
def harness() -> Bug0Harness:
    return Bug0Harness()


@pytest.fixture
async def source(harness: Bug0Harness) -> AsyncIterator[Bug0Source]:
    src = harness.source()
    yield src
    await src.aclose()


async def test_the_source_satisfies_the_run_source_protocol(source: Bug0Source) -> None:
    assert isinstance(source, RunSource)
    assert not source.capabilities.run_status and not source.capabilities.stop
    assert BUG0_API_KEY not in repr(source) + repr(source.http)


async def test_a_trigger_sends_every_documented_field_as_a_string(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    run = await source.trigger(**EVERY_FIELD, pr_number=42)
    [sent] = harness.sim.bug0.triggers
    assert sent.body == {
        "projectId": BUG0_PROJECT_ID,
        "url": "https://preview-pr-42.vercel.app",
        "gitCommitSha": "abc123def456789",
        "gitBranch": "feature/new-checkout",
        "prNumber": "42",
        "owner": "your-org",
        "repo": "your-repo",
    }
    assert sent.auth == "x-api-key"
    assert run.id == sent.execution_id
    assert (run.kind, run.status, run.provider_status) == (
        RunKind.TRIGGER,
        RunStatus.QUEUED,
        "triggered",
    )
    assert run.pollable is False  # no GitHub reader was given: its result cannot be followed
    assert run.note == (
        "Bug0 posts this run's result as a commit status on your-org/your-repo@abc123def456; "
        "no GitHub token"
    )
    assert run.test_id == BUG0_PROJECT_ID
    assert run.queued == harness.clock.now()
    assert "PR #42" in run.name and "feature/new-checkout" in run.name


async def test_only_the_fields_that_are_set_are_sent(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    await source.trigger(git_branch="main")
    assert harness.sim.bug0.triggers[-1].body == {"projectId": BUG0_PROJECT_ID, "gitBranch": "main"}


async def test_the_service_token_header_is_an_alternative(harness: Bug0Harness) -> None:
    source = harness.source(token=BUG0_SERVICE_TOKEN, style="service-token")
    await source.trigger()
    assert harness.sim.bug0.triggers[-1].auth == "x-bug0-service-token"


async def test_triggered_runs_are_listed_newest_first_without_any_request(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    first = await source.trigger(git_branch="a")
    harness.clock.advance(30)
    second = await source.trigger(git_branch="b")
    sent = len(harness.requests)
    page = await source.list_runs()
    assert [r.id for r in page.runs] == [second.id, first.id]
    assert (await source.refresh_run(first)) == first
    assert (await source.get_run(second.id)) == second
    assert (await source.list_runs(status=RunStatus.FAILED)).runs == []
    assert len(harness.requests) == sent  # nothing was asked of Bug0


async def test_triggered_runs_survive_a_restart_on_the_same_file(tmp_path: Path) -> None:
    file = tmp_path / "data" / "triggers.sqlite"
    before = Bug0Harness(TriggerLog(file))
    run = await before.source().trigger(pr_number="7")
    after = Bug0Harness(TriggerLog(file))
    page = await after.source().list_runs()
    assert page.runs == [run]


async def test_a_run_this_machine_did_not_trigger_cannot_be_read(source: Bug0Source) -> None:
    with pytest.raises(NotFound, match="no API to read"):
        await source.get_run("exec_from_elsewhere")


async def test_a_rerun_triggers_again_with_the_same_fields(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    run = await source.trigger(**EVERY_FIELD, pr_number="42")
    again = await source.rerun(run)
    first, second = harness.sim.bug0.triggers
    assert again.id != run.id
    assert first.body == second.body


async def test_stop_logs_and_detail_panes_say_bug0_cannot_do_it(source: Bug0Source) -> None:
    run = await source.trigger()
    with pytest.raises(Unsupported):
        await source.stop_run(run)
    with pytest.raises(Unsupported):
        await source.fetch_log(run)
    detail = await source.run_detail(run)
    for pane in (detail.steps, detail.children, detail.artifacts, detail.analysis):
        assert pane.items == () and pane.unavailable and "integrations" in pane.unavailable


async def test_a_429_is_waited_out_through_retry_after(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    """GIVEN one trigger a minute WHEN a second is sent THEN it waits out Retry-After, once."""
    harness.faults.set("bug0", rpm=1)
    await source.trigger(git_branch="a")
    await source.trigger(git_branch="b")
    first, second = harness.sim.bug0.triggers
    assert [first.body["gitBranch"], second.body["gitBranch"]] == ["a", "b"]
    assert [r.status_code for r in harness.requests] == [200, 429, 200]  # no early retry
    assert second.at - first.at >= 60  # it was sent again only once the minute had passed
    assert sum(harness.clock.slept) >= 60  # waited on the ManualClock, not for real
    assert [r.provider_status for r in (await source.list_runs()).runs] == ["triggered"] * 2


async def test_a_rate_limit_longer_than_the_client_waits_is_reported_not_hidden(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    harness.faults.set("bug0", throttle=1.0, retry_after=600)
    with pytest.raises(RateLimited) as limited:
        await source.trigger()
    assert limited.value.retry_after == 600
    assert (await source.list_runs()).runs == []


async def test_a_bad_key_is_an_auth_failure_and_nothing_is_recorded(harness: Bug0Harness) -> None:
    source = harness.source(token="bug0_sk_wrong")
    with pytest.raises(AuthFailed, match="Invalid API key") as failed:
        await source.trigger()
    assert failed.value.status_code == 401
    assert "bug0_sk_wrong" not in str(failed.value)
    assert (await source.list_runs()).runs == []


async def test_a_foreign_or_unknown_project_is_refused(harness: Bug0Harness) -> None:
    with pytest.raises(AuthFailed, match="does not have access"):
        await harness.source(project_id=BUG0_OTHER_PROJECT_ID).trigger()
    with pytest.raises(NotFound, match="Project not found"):
        await harness.source(project_id="0" * 24).trigger()


async def test_a_server_error_is_not_retried_because_a_trigger_is_not_idempotent(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    harness.faults.set("bug0", error_rate=1.0)
    with pytest.raises(ServerError):
        await source.trigger()
    assert len(harness.requests) == 1


async def test_check_never_triggers_a_run_and_says_what_it_cannot_verify(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    description = await source.check()
    assert "reachable" in description and "cannot be verified" in description
    assert harness.sim.bug0.triggers == []


async def test_a_url_with_credentials_is_sent_as_given_but_recorded_without_them(
    harness: Bug0Harness, source: Bug0Source
) -> None:
    run = await source.trigger(url="https://user:s3cret@preview.example.com:8443/app")
    assert harness.sim.bug0.triggers[-1].body["url"].startswith("https://user:s3cret@")
    record = harness.triggers.get("previews", run.id)
    assert record is not None and record.fields["url"] == "https://preview.example.com:8443/app"
    assert "s3cret" not in run.name


@pytest.fixture
def loopback() -> Iterator[tuple[Bug0Harness, str]]:
    harness = Bug0Harness()
    running = start_in_thread(seed=3, clock=harness.scenario, faults=harness.faults)
    harness.app, harness.sim = running.app, running.sim
    try:
        yield harness, running.base_url
    finally:
        running.stop()


async def test_triggering_works_over_real_loopback_sockets(
    loopback: tuple[Bug0Harness, str],
) -> None:
    harness, base_url = loopback
    source = harness.source(base_url=f"{base_url}/bug0", transport=httpx.AsyncHTTPTransport())
    try:
        assert "reachable" in await source.check()
        run = await source.trigger(git_branch="main", pr_number=1)
        assert harness.sim.bug0.triggers[-1].body["prNumber"] == "1"
        assert (await source.list_runs()).runs == [run]
    finally:
        await source.aclose()
