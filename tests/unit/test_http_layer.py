"""The shared HTTP layer: budget, retries, rate limits, classification and pagination, with a
scripted in-test server (httpx.MockTransport) and a ManualClock, so nothing sleeps for real."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    RequestRejected,
    ServerError,
)
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.paging import follow_next_links, follow_offsets
from qa_tui.core.http.session import ProviderHttp

BASE = "https://qa.example.test/api"
TOKEN = "Token s3cr3t-t0k3n-value"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class ScriptedServer:
    """Answers requests from a script, in order; the last entry repeats. Records every request."""

    def __init__(self, *script: Reply) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    @property
    def calls(self) -> int:
        return len(self.requests)


def ok(body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, json={"ok": True} if body is None else body, headers=headers)


def session(
    server: ScriptedServer, clock: ManualClock, *, per_minute: float = 600.0
) -> ProviderHttp:
    return ProviderHttp(
        "web",
        BASE,
        headers={"Authorization": TOKEN},
        budget=RequestBudget(per_minute, clock=clock),
        clock=clock,
        transport=httpx.MockTransport(server),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


# --- rate limits ---------------------------------------------------------------------------------


async def test_a_429_with_retry_after_is_waited_out_and_the_retry_succeeds(
    clock: ManualClock,
) -> None:
    """GIVEN a provider that says 429 Retry-After: 30 once WHEN we GET THEN we wait 30 s and retry."""
    server = ScriptedServer(httpx.Response(429, headers={"Retry-After": "30"}), ok({"n": 1}))
    http = session(server, clock)
    started = clock.monotonic()

    assert await http.get_json("/runs") == {"n": 1}

    assert server.calls == 2
    assert clock.monotonic() - started >= 30.0
    assert sum(clock.slept) >= 30.0


async def test_a_429_with_an_http_date_retry_after_is_honoured(clock: ManualClock) -> None:
    server = ScriptedServer(
        httpx.Response(429, headers={"Retry-After": "Thu, 01 Jan 2026 12:00:45 GMT"}), ok()
    )
    started = clock.monotonic()
    await session(server, clock).get_json("/runs")
    assert clock.monotonic() - started >= 45.0
    assert server.calls == 2


async def test_a_429_asking_for_too_long_a_wait_is_raised_with_its_retry_after(
    clock: ManualClock,
) -> None:
    server = ScriptedServer(httpx.Response(429, headers={"Retry-After": "600"}))
    http = session(server, clock)
    with pytest.raises(RateLimited) as caught:
        await http.get_json("/runs")
    assert caught.value.retry_after == 600.0
    assert server.calls == 1
    assert http.budget.paused_for() == pytest.approx(600.0)


async def test_no_request_goes_out_while_the_provider_said_to_wait(clock: ManualClock) -> None:
    """The wait is enforced by the budget: the retry is not sent one moment before Retry-After."""
    sent_at: list[float] = []

    def record(reply: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
        def handler(request: httpx.Request) -> httpx.Response:
            sent_at.append(clock.monotonic())
            return reply

        return handler

    server = ScriptedServer(
        record(httpx.Response(429, headers={"Retry-After": "12"})), record(ok())
    )
    await session(server, clock).get_json("/runs")
    assert sent_at[1] - sent_at[0] >= 12.0


async def test_remaining_zero_with_a_reset_time_pauses_the_budget_until_then(
    clock: ManualClock,
) -> None:
    """GIVEN X-RateLimit-Remaining: 0 and a reset 20 s ahead WHEN we call again THEN we wait 20 s."""
    reset = int(clock.now().timestamp()) + 20
    headers = {
        "X-RateLimit-Limit": "30",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(reset),
    }
    server = ScriptedServer(ok(headers=headers), ok())
    http = session(server, clock)

    await http.get_json("/first")
    assert http.budget.provider_remaining == 0
    assert http.budget.provider_limit == 30
    assert http.budget.paused_for() == pytest.approx(20.0)

    before = clock.monotonic()
    await http.get_json("/second")
    assert clock.monotonic() - before >= 20.0
    assert server.calls == 2


async def test_remaining_headroom_does_not_pause(clock: ManualClock) -> None:
    reset = int(clock.now().timestamp()) + 20
    headers = {"X-RateLimit-Remaining": "7", "X-RateLimit-Reset": str(reset)}
    http = session(ScriptedServer(ok(headers=headers)), clock)
    await http.get_json("/x")
    assert http.budget.paused_for() == 0.0
    assert http.budget.provider_remaining == 7


# --- retries -------------------------------------------------------------------------------------


async def test_a_5xx_is_retried_for_a_get(clock: ManualClock) -> None:
    server = ScriptedServer(httpx.Response(503), httpx.Response(502), ok({"n": 2}))
    assert await session(server, clock).get_json("/runs") == {"n": 2}
    assert server.calls == 3
    assert len([s for s in clock.slept if s > 0]) >= 2  # backed off between tries


async def test_a_5xx_is_not_retried_for_a_post(clock: ManualClock) -> None:
    """A POST that reached the server may have started a run: sending it again could start two."""
    server = ScriptedServer(httpx.Response(503), ok())
    with pytest.raises(ServerError) as caught:
        await session(server, clock).send_json("POST", "/runs", {"test": "t1"})
    assert caught.value.status_code == 503
    assert server.calls == 1


async def test_a_get_gives_up_after_the_retry_policy_attempts(clock: ManualClock) -> None:
    server = ScriptedServer(httpx.Response(500))
    http = session(server, clock)
    with pytest.raises(ServerError):
        await http.get_json("/runs")
    assert server.calls == http.retry.attempts


async def test_a_connect_error_is_retried_even_for_a_post(clock: ManualClock) -> None:
    """A refused connection provably never reached the server, so even a POST is safe to resend."""
    server = ScriptedServer(httpx.ConnectError("refused"), ok({"id": "r1"}))
    assert await session(server, clock).send_json("POST", "/runs", {}) == {"id": "r1"}
    assert server.calls == 2


async def test_a_connect_error_on_a_get_is_retried(clock: ManualClock) -> None:
    server = ScriptedServer(httpx.ConnectError("refused"), httpx.ConnectError("refused"), ok())
    assert await session(server, clock).get_json("/runs") == {"ok": True}
    assert server.calls == 3


async def test_a_read_timeout_on_a_post_is_not_retried(clock: ManualClock) -> None:
    server = ScriptedServer(httpx.ReadTimeout("slow"), ok())
    with pytest.raises(NetworkError, match="timed out"):
        await session(server, clock).send_json("POST", "/runs", {})
    assert server.calls == 1


# --- payloads and classification -----------------------------------------------------------------


async def test_malformed_json_is_a_bad_payload_not_a_crash(clock: ManualClock) -> None:
    server = ScriptedServer(
        httpx.Response(200, content=b'{"results": [', headers={"Content-Type": "application/json"})
    )
    with pytest.raises(BadPayload, match="malformed JSON from GET /api/runs"):
        await session(server, clock).get_json("/runs")


async def test_an_empty_body_decodes_to_none(clock: ManualClock) -> None:
    server = ScriptedServer(httpx.Response(204))
    assert await session(server, clock).send_json("POST", "/runs/1/stop") is None


CLASSIFIED: list[tuple[str, Reply, type[ProviderError]]] = [
    ("401", httpx.Response(401, json={"detail": "Invalid token."}), AuthFailed),
    ("403", httpx.Response(403, json={"error": "forbidden"}), AuthFailed),
    ("404", httpx.Response(404, json={"detail": "Not found."}), NotFound),
    ("400", httpx.Response(400, json={"message": "bad filter"}), RequestRejected),
    ("422", httpx.Response(422, json={"errors": ["x"]}), RequestRejected),
    ("429", httpx.Response(429, headers={"Retry-After": "3600"}), RateLimited),
    ("500", httpx.Response(500, text="<html>oops</html>"), ServerError),
    ("timeout", httpx.ReadTimeout("slow"), NetworkError),
    ("refused", httpx.ConnectError("refused"), NetworkError),
    ("dropped", httpx.RemoteProtocolError("peer closed connection"), NetworkError),
]


@pytest.mark.parametrize(("what", "reply", "expected"), CLASSIFIED, ids=[c[0] for c in CLASSIFIED])
async def test_every_failure_is_classified(
    clock: ManualClock, what: str, reply: Reply, expected: type[ProviderError]
) -> None:
    http = session(ScriptedServer(reply), clock)
    with pytest.raises(ProviderError) as caught:
        await http.get_json("/runs")
    assert type(caught.value) is expected
    assert caught.value.provider == "web"
    assert "s3cr3t" not in str(caught.value)


async def test_the_providers_own_error_text_is_kept(clock: ManualClock) -> None:
    http = session(ScriptedServer(httpx.Response(400, json={"detail": "page_size too big"})), clock)
    with pytest.raises(RequestRejected, match="page_size too big"):
        await http.get_json("/runs")


async def test_a_link_to_another_host_is_refused_before_any_request(clock: ManualClock) -> None:
    server = ScriptedServer(ok())
    http = session(server, clock)
    with pytest.raises(BadPayload, match="another host"):
        await http.get_json("https://evil.example.com/api/runs?page=2")
    with pytest.raises(BadPayload):
        await http.get_json("http://qa.example.test/api/runs?page=2")  # same host, other scheme
    assert server.calls == 0
    await http.get_json(f"{BASE}/runs?page=2")
    assert server.calls == 1


async def test_repr_and_errors_never_show_the_token(clock: ManualClock) -> None:
    server = ScriptedServer(httpx.Response(401, json={"detail": "bad"}))
    http = session(server, clock)
    assert "s3cr3t" not in repr(http) and "s3cr3t" not in str(http)
    with pytest.raises(AuthFailed) as caught:
        await http.get_json("/runs")
    assert "s3cr3t" not in repr(caught.value)
    assert server.requests[0].headers["Authorization"] == TOKEN  # it was sent, just never shown


# --- the budget ----------------------------------------------------------------------------------


def test_the_budget_refills_at_its_rate_up_to_its_burst(clock: ManualClock) -> None:
    budget = RequestBudget(60, burst=3, clock=clock)  # one token a second
    assert [budget.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert budget.wait_time() == pytest.approx(1.0)
    clock.advance(1.0)
    assert budget.try_acquire()
    assert not budget.try_acquire()
    clock.advance(100.0)
    assert budget.available() == pytest.approx(3.0)  # never more than the burst
    assert budget.spent == 4


async def test_acquire_waits_for_the_next_token(clock: ManualClock) -> None:
    budget = RequestBudget(30, burst=1, clock=clock)  # one token every 2 s
    await budget.acquire()
    before = clock.monotonic()
    await budget.acquire()
    assert clock.monotonic() - before == pytest.approx(2.0)


def test_a_provider_pause_empties_the_budget_until_it_ends(clock: ManualClock) -> None:
    budget = RequestBudget(600, clock=clock)
    budget.pause(10)
    assert budget.available() == 0.0
    assert budget.wait_time() == pytest.approx(10.0)
    clock.advance(10.0)
    assert budget.try_acquire()


def test_a_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RequestBudget(0)


# --- pagination ----------------------------------------------------------------------------------


def drf_pages(total: int, page_size_cap: int = 3) -> Callable[[httpx.Request], httpx.Response]:
    """A DRF-style list: `{count, next, previous, results}` with absolute `next` links."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        size = min(int(request.url.params.get("page_size", "100")), page_size_cap)
        start = (page - 1) * size
        items = [{"id": i} for i in range(start, min(total, start + size))]
        more = start + size < total
        next_link = f"{BASE}/runs/?page={page + 1}&page_size={size}&status=failed" if more else None
        return ok({"count": total, "next": next_link, "previous": None, "results": items})

    return handler


def offset_pages(total: int, cap: int = 4) -> Callable[[httpx.Request], httpx.Response]:
    """A limit/offset list: `{data, pagination: {limit, offset, total}}`."""

    def handler(request: httpx.Request) -> httpx.Response:
        limit = min(int(request.url.params["limit"]), cap)
        offset = int(request.url.params["offset"])
        items = [{"id": i} for i in range(offset, min(total, offset + limit))]
        return ok({"data": items, "pagination": {"limit": limit, "offset": offset, "total": total}})

    return handler


async def collect(pages: Any) -> list[int]:
    ids: list[int] = []
    async for page in pages:
        ids.extend(item["id"] for item in page)
    return ids


async def test_next_links_are_followed_to_the_end(clock: ManualClock) -> None:
    server = ScriptedServer(drf_pages(8))
    http = session(server, clock)
    ids = await collect(follow_next_links(http, "/runs/", params={"status": "failed"}, limit=None))
    assert ids == list(range(8))
    assert server.calls == 3
    assert server.requests[0].url.params["status"] == "failed"
    assert server.requests[1].url.params["page"] == "2"


async def test_next_links_stop_at_the_limit(clock: ManualClock) -> None:
    server = ScriptedServer(drf_pages(100))
    http = session(server, clock)
    ids = await collect(follow_next_links(http, "/runs/", params={}, limit=5))
    assert ids == [0, 1, 2, 3, 4]
    assert server.calls == 2


async def test_a_next_link_to_another_host_is_read_from_the_configured_base_instead(
    clock: ManualClock,
) -> None:
    """GIVEN a server behind a proxy that writes the host it sees into `next` WHEN the list is
    followed THEN page 2 is asked of the configured base (the other host never gets the token),
    and every item arrives."""

    def proxied(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        items = [{"id": i} for i in range((page - 1) * 3, min(5, page * 3))]
        link = f"https://evil.example.com/api/runs/?page={page + 1}" if page == 1 else None
        return ok({"count": 5, "next": link, "results": items})

    server = ScriptedServer(proxied)
    ids = await collect(follow_next_links(session(server, clock), "/runs/", params={}, limit=None))
    assert ids == [0, 1, 2, 3, 4]
    assert {r.url.host for r in server.requests} == {"qa.example.test"}
    assert server.requests[1].url.params["page"] == "2"


async def test_a_null_next_still_pages_while_the_count_says_there_is_more(
    clock: ManualClock,
) -> None:
    """GIVEN a list whose `next` is always null and which pages by 3 whatever is asked
    WHEN it is followed THEN the count leads to every page, and no page is asked twice."""

    def null_next(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        items = [{"id": i} for i in range((page - 1) * 3, min(8, page * 3))]
        return ok({"count": 8, "next": None, "results": items})

    server = ScriptedServer(null_next)
    ids = await collect(follow_next_links(session(server, clock), "/runs/", params={}, limit=None))
    assert ids == list(range(8))
    assert [r.url.params["page"] for r in server.requests] == ["1", "2", "3"]


async def test_a_relative_next_is_resolved_against_the_url_it_came_with(
    clock: ManualClock,
) -> None:
    def relative(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        link = "/api/runs/?page=2&page_size=3" if page == 1 else None
        return ok({"count": 2, "next": link, "results": [{"id": page}]})

    server = ScriptedServer(relative)
    ids = await collect(follow_next_links(session(server, clock), "/runs/", params={}, limit=None))
    assert ids == [1, 2]
    assert str(server.requests[1].url) == f"{BASE}/runs/?page=2&page_size=3"


async def test_offsets_are_followed_to_the_total(clock: ManualClock) -> None:
    server = ScriptedServer(offset_pages(10))
    http = session(server, clock)
    ids = await collect(follow_offsets(http, "/executions", params={"project_id": "p"}, limit=None))
    assert ids == list(range(10))
    assert [r.url.params["offset"] for r in server.requests] == ["0", "4", "8"]
    assert all(r.url.params["project_id"] == "p" for r in server.requests)


async def test_offsets_stop_at_the_limit(clock: ManualClock) -> None:
    server = ScriptedServer(offset_pages(100))
    ids = await collect(follow_offsets(session(server, clock), "/executions", params={}, limit=6))
    assert ids == list(range(6))
    assert [r.url.params["limit"] for r in server.requests] == ["6", "2"]


async def test_an_offset_list_without_a_total_stops_on_an_empty_page(clock: ManualClock) -> None:
    def no_total(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        return ok({"data": [{"id": i} for i in range(offset, min(5, offset + 2))]})

    server = ScriptedServer(no_total)
    ids = await collect(
        follow_offsets(session(server, clock), "/x", params={}, limit=None, page_size=2)
    )
    assert ids == list(range(5))


async def test_a_capped_offset_list_without_a_total_advances_by_what_it_served(
    clock: ManualClock,
) -> None:
    """GIVEN a list that serves at most 4 items whatever `limit` asks, and sends no total
    WHEN it is followed with pages of 10 THEN offsets advance by 4, no item is skipped, and a
    short page ends the list once the cap is known."""

    def capped(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = min(int(request.url.params["limit"]), 4)
        return ok({"data": [{"id": i} for i in range(offset, min(10, offset + limit))]})

    server = ScriptedServer(capped)
    ids = await collect(
        follow_offsets(session(server, clock), "/x", params={}, limit=None, page_size=10)
    )
    assert ids == list(range(10))
    assert [r.url.params["offset"] for r in server.requests] == ["0", "4", "8"]


def test_every_client_shares_one_tls_context_that_verifies_certificates() -> None:
    """GIVEN two providers' HTTP sessions WHEN they are built THEN they share one TLS context
    (the CA bundle is loaded once, not once per provider) and it still verifies certificates and
    host names; a provider configured with verify_tls=false gets no verification."""
    import ssl

    from qa_tui.core.http.budget import RequestBudget
    from qa_tui.core.http.session import ProviderHttp, shared_tls_context

    context = shared_tls_context()
    assert context is shared_tls_context()
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    one = ProviderHttp("a", "https://a.example", budget=RequestBudget(60))
    two = ProviderHttp("b", "https://b.example", budget=RequestBudget(60))
    pools = [http._client._transport._pool for http in (one, two)]  # type: ignore[attr-defined]
    assert pools[0]._ssl_context is pools[1]._ssl_context is context
    off = ProviderHttp("c", "https://c.example", budget=RequestBudget(60), verify_tls=False)
    unverified = off._client._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert unverified.verify_mode is ssl.CERT_NONE


def test_an_hourly_budget_never_lets_a_rolling_hour_hold_more_than_its_limit(
    clock: ManualClock,
) -> None:
    """GIVEN 30 a minute and 100 an hour WHEN requests are taken as fast as allowed for 3 hours
    THEN no window of an hour ever holds more than 100."""
    budget = RequestBudget(30, per_hour=100, clock=clock)
    sent: list[float] = []
    while clock.monotonic() < 1000 + 3 * 3600:
        if budget.try_acquire():
            sent.append(clock.monotonic())
        else:
            clock.advance(max(0.01, budget.wait_time()))
    worst = max(sum(1 for t in sent if start <= t < start + 3600) for start in sent)
    assert worst <= 100
    assert len(sent) >= 250  # and it does not starve: ~100 in the first hour, ~80 an hour after


# --- rate-limit headers, however a server spells them ---------------------------------------------


@pytest.mark.parametrize(
    ("headers", "remaining", "reset_in"),
    [
        (
            {"X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"},
            0,
            30,
        ),
        ({"RateLimit-Limit": "30", "RateLimit-Remaining": "0", "RateLimit-Reset": "12"}, 0, 12),
        ({"RateLimit": "limit=30, remaining=0, reset=7"}, 0, 7),
        ({"RateLimit": '"default";r=0;t=9', "RateLimit-Policy": '"default";q=30;w=60'}, 0, 9),
    ],
    ids=[
        "x-ratelimit (reset: unix time)",
        "ietf (reset: seconds)",
        "ietf one field",
        "ietf draft 7+",
    ],
)
async def test_a_spent_rate_limit_holds_the_budget_whichever_headers_say_it(
    clock: ManualClock, headers: dict[str, str], remaining: int, reset_in: float
) -> None:
    """GIVEN an answer saying nothing remains, in any of the rate-limit header spellings a
    server may use WHEN it arrives THEN the budget holds every request until the reset."""
    start = clock.now().timestamp()
    if "X-RateLimit-Reset" in headers:
        headers = {**headers, "X-RateLimit-Reset": str(int(start) + reset_in)}
    server = ScriptedServer(ok(headers=headers))
    http = session(server, clock)
    await http.get_json("/runs/")
    assert http.budget.provider_remaining == remaining
    assert http.budget.paused_for() == pytest.approx(reset_in, abs=1.0)
    assert http.rate_header_names
