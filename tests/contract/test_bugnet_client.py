"""The Bugnet client against the simulated Bugnet: filing, finding, commenting, labelling.

In-process over `httpx.ASGITransport`, with the client's ManualClock linked to the simulator's
scenario clock (a wait of 30 s moves simulated time 30 s, and nothing sleeps). Where a test needs a
Bugnet *without* one of the inferred routes, a thin ASGI wrapper answers that one route as a server
without it would (404 or 405) and passes everything else to the simulator untouched. One story runs
over real loopback sockets.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import AuthFailed, NetworkError, NotFound, ProviderError, RequestRejected
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.providers.bugnet import (
    DEFAULT_REQUESTS_PER_MINUTE,
    AuthMode,
    BugDraft,
    BugnetClient,
    reference_line,
)
from qa_tui.sim import FaultPlan, ScenarioClock, Simulator, build_app
from qa_tui.sim.credentials import (
    BUGNET_API_KEY,
    BUGNET_EMAIL,
    BUGNET_PASSWORD,
    BUGNET_PROJECT,
    BUGNET_TOKEN,
)
from qa_tui.sim.server import start_in_thread
from tests.support.linked_clock import LinkedClock


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests on and keeps them, so a test can say exactly what went over the wire."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def calls(self) -> list[str]:
        return [f"{r.method} {r.url.path.removeprefix('/bugnet')}" for r in self.requests]


def without_route(app: ASGIApp, method: str, path_pattern: str, status: int) -> ASGIApp:
    """The simulator, except that `method` on paths matching `path_pattern` answers `status`
    in Bugnet's error envelope, as a Bugnet lacking that inferred route would."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == method
            and re.search(path_pattern, scope["path"])
        ):
            message = "Not found" if status == 404 else "Method not allowed"
            await JSONResponse({"ok": False, "error": message}, status_code=status)(
                scope, receive, send
            )
            return
        await app(scope, receive, send)

    return wrapped


class Harness:
    """One simulated Bugnet and clients for it, every one recording what it sends."""

    def __init__(self) -> None:
        self.scenario = ScenarioClock.manual_at()
        self.faults = FaultPlan()
        self.app: Starlette = build_app(seed=11, clock=self.scenario, faults=self.faults)
        self.clock = LinkedClock(self.scenario)
        self.recorders: list[Recorder] = []

    @property
    def sim(self) -> Simulator:
        simulator: Simulator = self.app.state.sim
        return simulator

    def client(self, app: ASGIApp | None = None, **auth: Any) -> tuple[BugnetClient, Recorder]:
        recorder = Recorder(httpx.ASGITransport(app=app or self.app))
        self.recorders.append(recorder)
        http = ProviderHttp(
            "bugnet",
            "http://sim.test/bugnet",
            budget=RequestBudget(DEFAULT_REQUESTS_PER_MINUTE, clock=self.clock),
            clock=self.clock,
            transport=recorder,
        )
        return BugnetClient(http, project=BUGNET_PROJECT, **auth), recorder

    def bugs_with(self, text: str) -> list[str]:
        """Ids of the simulator's bugs whose description contains `text` (the ground truth)."""
        return [b.id for b in self.sim.bugnet.bugs.values() if text in b.description]


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    yield Harness()


def a_draft(**changes: Any) -> BugDraft:
    fields: dict[str, Any] = {
        "title": "[web] Checkout flow: ELEMENT_DOES_NOT_EXIST",
        "description": "Run https://app.bugbug.io/runs/1 failed at step 4.",
        "category": "ui",
        "priority": "high",
        "steps_to_reproduce": "1. Open the shop\n2. Click Checkout",
        "expected": "The payment form opens",
        "actual": "Nothing happens",
        "platform": "chrome 126 / linux",
        "client_ref": str(uuid.uuid4()),
    }
    return BugDraft(**{**fields, **changes})


# --- auth paths ---------------------------------------------------------------------------------


async def test_logging_in_with_email_and_password_then_creating_a_bug_files_it(
    harness: Harness,
) -> None:
    client, wire = harness.client(email=BUGNET_EMAIL, password=BUGNET_PASSWORD)
    assert client.auth_mode is AuthMode.LOGIN
    draft = a_draft()
    bug = await client.submit(draft)

    assert wire.calls() == ["POST /api/auth/login", f"POST /api/projects/{BUGNET_PROJECT}/bugs"]
    login, create = wire.requests
    assert "authorization" not in login.headers
    assert create.headers["authorization"].startswith("Bearer bn_sess_")
    assert create.headers["authorization"] != f"Bearer {BUGNET_TOKEN}"  # the fresh one
    assert harness.bugs_with(reference_line(draft.client_ref or "")) == [bug.id]
    stored = await client.get_bug(bug.id)
    assert (stored.title, stored.category, stored.priority, stored.status) == (
        draft.title,
        "ui",
        "high",
        "open",
    )
    assert stored.description == draft.description_with_reference()
    assert stored.created_at is not None


async def test_a_bug_created_with_a_session_token_sends_both_spellings_of_its_fields(
    harness: Harness,
) -> None:
    client, wire = harness.client(token=BUGNET_TOKEN)
    bug = await client.create_bug(a_draft())
    body = json.loads(wire.requests[0].content)
    assert wire.requests[0].headers["authorization"] == f"Bearer {BUGNET_TOKEN}"
    assert body["steps_to_reproduce"] == body["steps"] == "1. Open the shop\n2. Click Checkout"
    assert body["expected_behavior"] == body["expected"] == "The payment form opens"
    assert body["actual_behavior"] == body["actual"] == "Nothing happens"
    stored = harness.sim.bugnet.bugs[bug.id]
    assert (stored.expected_behavior, stored.actual_behavior) == (
        "The payment form opens",
        "Nothing happens",
    )
    projects = await client.list_projects()
    assert [p.slug for p in projects] == [BUGNET_PROJECT]


async def test_an_expired_login_token_is_renewed_once_and_the_call_still_succeeds(
    harness: Harness,
) -> None:
    client, wire = harness.client(email=BUGNET_EMAIL, password=BUGNET_PASSWORD)
    await client.login()
    harness.sim.bugnet.sessions = {
        t: u for t, u in harness.sim.bugnet.sessions.items() if t == BUGNET_TOKEN
    }  # the server forgot the session
    page = await client.list_bugs(limit=5)
    assert (len(page.bugs), page.total, page.skipped) == (5, 12, 0)  # total from `pagination`
    assert [c.split(" ")[1] for c in wire.calls()] == [
        "/api/auth/login",
        f"/api/projects/{BUGNET_PROJECT}/bugs",
        "/api/auth/login",
        f"/api/projects/{BUGNET_PROJECT}/bugs",
    ]


async def test_public_submit_sends_what_the_real_sdks_send(harness: Harness) -> None:
    client, wire = harness.client(api_key=BUGNET_API_KEY)
    assert client.describe_auth() == "public API key (submit only)"
    draft = a_draft(platform="p" * 80)
    bug = await client.submit(draft)

    (request,) = wire.requests
    assert (request.method, request.url.path) == ("POST", "/bugnet/api/bugs/submit")
    assert request.headers["x-api-key"] == BUGNET_API_KEY
    assert "authorization" not in request.headers
    body = json.loads(request.content)
    assert body["steps_to_reproduce"] == draft.steps_to_reproduce
    assert len(body["platform"]) == 50  # the SDK limit, enforced by truncation
    assert "Expected: The payment form opens" in body["description"]
    assert "Actual: Nothing happens" in body["description"]
    assert set(body) <= {
        "title", "description", "category", "priority", "steps_to_reproduce", "platform",
        "game_version", "os_info", "device_info", "screenshot", "steam_id", "reporter_name",
    }  # fmt: skip
    stored = harness.sim.bugnet.bugs[bug.id]
    assert (stored.source, stored.title) == ("sdk", draft.title)
    assert reference_line(draft.client_ref or "") in stored.description


# --- errors -------------------------------------------------------------------------------------


async def test_a_validation_error_from_bugnet_surfaces_its_own_text(harness: Harness) -> None:
    client, _ = harness.client(token=BUGNET_TOKEN)
    unchecked = BugDraft.model_construct(**{**a_draft().model_dump(), "title": " "})
    with pytest.raises(RequestRejected) as caught:
        await client.create_bug(unchecked)
    assert caught.value.status_code == 400
    assert caught.value.message == "title is required"


async def test_wrong_credentials_fail_as_auth_errors_that_never_show_the_secret(
    harness: Harness,
) -> None:
    bad_password = "not-the-password-7731"
    bad_token = "bn_sess_forged_0000"
    bad_key = "sk_live_forged_1111"
    failures: list[ProviderError] = []
    attempts: list[tuple[dict[str, Any], str]] = [
        ({"email": BUGNET_EMAIL, "password": bad_password}, "list_projects"),
        ({"token": bad_token}, "list_projects"),
        ({"api_key": bad_key}, "check"),
    ]
    for auth, call in attempts:
        client, _ = harness.client(**auth)
        with pytest.raises(AuthFailed) as caught:
            await getattr(client, call)()
        failures.append(caught.value)
        assert bad_password not in repr(client) and bad_token not in repr(client)
    assert [f.message for f in failures] == [
        "Invalid email or password",
        "Invalid or expired session token",
        "Invalid API key",
    ]
    for failure in failures:
        text = f"{failure} {failure.message} {failure!r} {failure.args}"
        assert bad_password not in text and bad_token not in text and bad_key not in text


async def test_a_429_is_waited_out_until_x_ratelimit_reset_then_the_call_goes_through(
    harness: Harness,
) -> None:
    spender = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=harness.app), base_url="http://sim.test"
    )
    async with spender:  # another tool on this machine spends the shared per-IP window
        headers = {"Authorization": f"Bearer {BUGNET_TOKEN}"}
        while (await spender.get("/bugnet/api/health", headers=headers)).status_code != 429:
            pass
        refused = await spender.get("/bugnet/api/health", headers=headers)
    reset = int(refused.headers["x-ratelimit-reset"])
    assert "retry-after" not in refused.headers  # Bugnet documents only X-RateLimit-Reset

    client, wire = harness.client(token=BUGNET_TOKEN)
    refused_at = harness.scenario.now()
    page = await client.list_bugs(limit=1)

    assert len(page.bugs) == 1
    assert wire.calls() == [f"GET /api/projects/{BUGNET_PROJECT}/bugs"] * 2
    assert harness.scenario.now() >= reset
    assert sum(harness.clock.slept) == pytest.approx(reset - refused_at, abs=1.0)


# --- similar bugs -------------------------------------------------------------------------------


async def test_similar_bugs_come_from_bugnet_when_it_has_the_route(harness: Harness) -> None:
    client, wire = harness.client(token=BUGNET_TOKEN)
    filed = await client.create_bug(a_draft(title="Checkout button does nothing on Safari"))
    similar = await client.similar_bugs("Checkout button does nothing", "Clicked, no response")
    assert wire.calls()[-1] == f"POST /api/projects/{BUGNET_PROJECT}/bugs/similar"
    assert similar[0].bug.id == filed.id
    assert [s.score for s in similar] == sorted((s.score for s in similar), reverse=True)


async def test_without_the_similar_route_search_finds_them_and_the_route_is_not_asked_again(
    harness: Harness,
) -> None:
    author, _ = harness.client(token=BUGNET_TOKEN)
    filed = await author.create_bug(a_draft(title="Checkout button does nothing on Safari"))
    app = without_route(harness.app, "POST", r"/bugs/similar$", 404)
    client, wire = harness.client(app, token=BUGNET_TOKEN)

    first = await client.similar_bugs("Checkout button does nothing")
    second = await client.similar_bugs("Checkout button does nothing")

    assert first == second
    assert first[0].bug.id == filed.id
    assert all(s.score >= 0.25 for s in first)
    assert "Crash when opening order history" not in [s.bug.title for s in first]
    similar_calls = [c for c in wire.calls() if c.endswith("/bugs/similar")]
    assert similar_calls == [f"POST /api/projects/{BUGNET_PROJECT}/bugs/similar"]
    searches = [r.url.params["search"] for r in wire.requests if "search" in r.url.params]
    assert searches[0] == "Checkout button does nothing"
    assert set(searches[1:4]) == {"checkout", "button", "nothing"}


# --- updates, comments, labels ------------------------------------------------------------------


async def test_an_update_falls_back_from_patch_to_put_and_remembers(harness: Harness) -> None:
    author, _ = harness.client(token=BUGNET_TOKEN)
    bug = await author.create_bug(a_draft())
    app = without_route(harness.app, "PATCH", r"/bugs/[^/]+$", 405)
    client, wire = harness.client(app, token=BUGNET_TOKEN)

    updated = await client.update_bug(bug.id, {"status": "in_progress"})
    again = await client.update_bug(bug.id, {"priority": "critical"})

    assert (updated.status, again.priority) == ("in_progress", "critical")
    assert [c.split(" ")[0] for c in wire.calls()] == ["PATCH", "PUT", "PUT"]
    assert harness.sim.bugnet.bugs[bug.id].status == "in_progress"


async def test_an_update_uses_patch_where_bugnet_has_it(harness: Harness) -> None:
    client, wire = harness.client(token=BUGNET_TOKEN)
    bug = await client.create_bug(a_draft())
    await client.update_bug(bug.id, {"status": "closed"})
    assert wire.calls()[-1].startswith("PATCH ")
    with pytest.raises(NotFound):
        await client.update_bug("no-such-bug", {"status": "closed"})


async def test_a_comment_with_a_reference_can_be_found_again(harness: Harness) -> None:
    client, wire = harness.client(token=BUGNET_TOKEN)
    bug = await client.create_bug(a_draft())
    ref = str(uuid.uuid4())
    comment = await client.add_comment(bug.id, "Failed again in run 42.", client_ref=ref)

    assert json.loads(wire.requests[-1].content) == {
        "body": f"Failed again in run 42.\n\n{reference_line(ref)}",
        "internal": False,
    }
    assert comment.id and comment.body.endswith(reference_line(ref))
    found = await client.find_comment_by_reference(bug.id, ref)
    assert found is not None and found.id == comment.id
    assert await client.find_comment_by_reference(bug.id, "another-ref") is None


async def test_labels_are_listed_created_and_attached_by_name(harness: Harness) -> None:
    client, _ = harness.client(token=BUGNET_TOKEN)
    bug = await client.create_bug(a_draft())
    before = {label.name for label in await client.list_labels()}
    assert {"regression", "flaky"} <= before

    made = await client.create_label("nightly", "#123456")
    assert (made.name, made.color) == ("nightly", "#123456") and made.id
    applied = await client.apply_labels(bug.id, ["Flaky", "nightly", "from-qa-tui", "nightly"])

    assert [label.name for label in applied] == ["flaky", "nightly", "from-qa-tui"]
    assert sorted((await client.get_bug(bug.id)).labels) == ["flaky", "from-qa-tui", "nightly"]
    with pytest.raises(RequestRejected, match="already exists"):
        await client.create_label("nightly", "#000000")


# --- finding a report by its reference ----------------------------------------------------------


async def test_a_report_is_found_by_its_reference_and_only_by_its_own(harness: Harness) -> None:
    client, _ = harness.client(token=BUGNET_TOKEN)
    draft = a_draft()
    filed = await client.create_bug(draft)
    await client.create_bug(a_draft(client_ref=f"{draft.client_ref}-other"))

    found = await client.find_by_reference(draft.client_ref or "")
    assert found is not None and found.id == filed.id
    assert await client.find_by_reference(str(uuid.uuid4())) is None


async def test_a_reference_mentioned_in_passing_is_not_taken_for_the_report(
    harness: Harness,
) -> None:
    client, _ = harness.client(token=BUGNET_TOKEN)
    ref = str(uuid.uuid4())
    await client.create_bug(a_draft(description=f"See {ref} maybe", client_ref=None))
    assert await client.find_by_reference(ref) is None


# --- doctor -------------------------------------------------------------------------------------


async def test_check_tells_healthy_bad_token_and_wrong_project_apart(harness: Harness) -> None:
    good, _ = harness.client(token=BUGNET_TOKEN)
    assert await good.check() == f"healthy; session token ok; project {BUGNET_PROJECT!r} readable"
    keyed, wire = harness.client(api_key=BUGNET_API_KEY)
    assert await keyed.check() == "healthy; public API key accepted (submit only)"
    assert wire.calls() == ["GET /api/health", "GET /api/bugs/settings"]

    bad, _ = harness.client(token="bn_sess_wrong")
    with pytest.raises(AuthFailed):
        await bad.check()
    stray, _ = harness.client(token=BUGNET_TOKEN)
    stray.project = "someone-elses-game"
    with pytest.raises(NotFound, match="project 'someone-elses-game' not found"):
        await stray.check()


# --- over real sockets --------------------------------------------------------------------------


async def test_over_loopback_a_report_lost_in_transit_is_found_by_reference_not_filed_twice() -> (
    None
):
    with start_in_thread(seed=5) as running:
        clock = ManualClock()
        http = ProviderHttp(
            "bugnet",
            f"{running.base_url}/bugnet",
            budget=RequestBudget(DEFAULT_REQUESTS_PER_MINUTE, clock=clock),
            clock=clock,
        )
        client = BugnetClient(
            http, project=BUGNET_PROJECT, email=BUGNET_EMAIL, password=BUGNET_PASSWORD
        )
        try:
            assert await client.check() == (
                f"healthy; login as {BUGNET_EMAIL} ok; project {BUGNET_PROJECT!r} readable"
            )
            draft = a_draft()
            running.sim.faults.set("bugnet", drop_rate=1.0)  # created, then the answer is lost
            with pytest.raises(NetworkError):
                await client.submit(draft)
            running.sim.faults.clear("bugnet")

            found = await client.find_by_reference(draft.client_ref or "", title=draft.title)
            assert found is not None and found.title == draft.title
            line = reference_line(draft.client_ref or "")
            assert [b.id for b in running.sim.bugnet.bugs.values() if line in b.description] == [
                found.id
            ]
        finally:
            await client.aclose()
