"""Rate-limit and Retry-After headers in every dialect (``rate_headers``, ``retry_after``): where
they are sent, how they are spelt, and that a date or a count of seconds names the window's end."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.sim.credentials import BUG0_PROJECT_ID, BUGBRAIN_PROJECT_ID, BUGNET_PROJECT
from qa_tui.sim.scenario import DEFAULT_EPOCH
from tests.sim.conftest import BUG0, BUGBRAIN, BUGBUG, BUGNET, client_for, spoken_app

X_NAMES = {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}
IETF_NAMES = {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}


async def one_of_each(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
    """One answer from each provider (a Bug0 trigger, the others' lists)."""
    answers = {
        "bugbug": await client.get("/bugbug/api/v2/testruns/", headers=BUGBUG),
        "bugbrain": await client.get(
            "/bugbrain/api/v1/executions",
            params={"project_id": BUGBRAIN_PROJECT_ID},
            headers=BUGBRAIN,
        ),
        "bug0": await client.post(
            "/bug0/api/run-tests", headers=BUG0, json={"projectId": BUG0_PROJECT_ID}
        ),
        "bugnet": await client.get(f"/bugnet/api/projects/{BUGNET_PROJECT}/bugs", headers=BUGNET),
    }
    assert {r.status_code for r in answers.values()} == {200}
    return answers


def rate_names(response: httpx.Response) -> set[str]:
    return {k for k in response.headers if "ratelimit" in k}


# -- rate_headers --------------------------------------------------------------------------------
async def test_documented_rate_headers_are_sent_by_bugbrain_and_bugnet_only() -> None:
    async with client_for(spoken_app("rate_headers=documented")) as client:
        answers = await one_of_each(client)
    assert {p: rate_names(r) for p, r in answers.items()} == {
        "bugbug": set(),
        "bugbrain": X_NAMES,
        "bug0": set(),
        "bugnet": X_NAMES,
    }
    assert answers["bugbrain"].headers["x-ratelimit-limit"] == "30"
    assert answers["bugnet"].headers["x-ratelimit-reset"] == str(int(DEFAULT_EPOCH) + 60)


async def test_absent_rate_headers_are_sent_by_no_provider_not_even_on_a_429() -> None:
    app = spoken_app("rate_headers=absent")
    app.state.sim.faults.set("bugbug", rpm=1)
    async with client_for(app) as client:
        answers = await one_of_each(client)
        refused = await client.get("/bugbug/api/v2/testruns/", headers=BUGBUG)
    assert all(rate_names(r) == set() for r in answers.values())
    assert refused.status_code == 429 and rate_names(refused) == set()
    assert refused.headers["retry-after"].isdigit()


async def test_x_ratelimit_headers_are_sent_by_every_provider_and_count_down() -> None:
    async with client_for(spoken_app("rate_headers=x-ratelimit")) as client:
        answers = await one_of_each(client)
        again = await client.get("/bugbug/api/v2/testruns/", headers=BUGBUG)
    assert all(rate_names(r) == X_NAMES for r in answers.values())
    limits = {p: r.headers["x-ratelimit-limit"] for p, r in answers.items()}
    assert limits == {"bugbug": "600", "bugbrain": "30", "bug0": "10", "bugnet": "120"}
    assert answers["bug0"].headers["x-ratelimit-remaining"] == "9"
    assert answers["bugbug"].headers["x-ratelimit-remaining"] == "599"
    assert again.headers["x-ratelimit-remaining"] == "598"
    window_end = str(int(DEFAULT_EPOCH) + 60)
    assert {r.headers["x-ratelimit-reset"] for r in answers.values()} == {window_end}


async def test_ratelimit_reset_counts_seconds_until_the_window_ends_on_every_provider() -> None:
    app = spoken_app("rate_headers=ratelimit")
    async with client_for(app) as client:
        answers = await one_of_each(client)
        app.state.sim.advance(15.5)
        later = await one_of_each(client)
    assert all(rate_names(r) == IETF_NAMES for r in answers.values())
    assert {r.headers["ratelimit-reset"] for r in answers.values()} == {"60"}
    assert {r.headers["ratelimit-reset"] for r in later.values()} == {"45"}
    assert answers["bugbrain"].headers["ratelimit-limit"] == "30"
    assert later["bugbrain"].headers["ratelimit-remaining"] == "28"


# -- retry_after ---------------------------------------------------------------------------------
def throttled(dialect: str, **faults: object) -> Starlette:
    app = spoken_app(dialect)
    app.state.sim.faults.set("bugnet", **faults)
    return app


async def refused_twice(client: httpx.AsyncClient) -> httpx.Response:
    """The second of two requests to Bugnet, whose fault lets one a minute through."""
    await client.get("/bugnet/api/health")
    response = await client.get("/bugnet/api/health")
    assert response.status_code == 429
    return response


async def test_retry_after_in_seconds_is_a_count_of_seconds() -> None:
    async with client_for(throttled("retry_after=seconds", rpm=1)) as client:
        refused = await refused_twice(client)
    assert refused.headers["retry-after"] == "60"


async def test_retry_after_as_http_date_names_the_window_end() -> None:
    app = throttled("retry_after=http-date", rpm=1)
    async with client_for(app) as client:
        app.state.sim.advance(20.25)
        refused = await refused_twice(client)
    when = parsedate_to_datetime(refused.headers["retry-after"])
    assert refused.headers["retry-after"].endswith(" GMT")
    assert when.timestamp() == DEFAULT_EPOCH + 60 == int(refused.headers["x-ratelimit-reset"])


@pytest.mark.parametrize(("reading", "expected"), [
    ("seconds", "7"),
    ("http-date", "Mon, 02 Jun 2025 12:00:17 GMT"),
])  # fmt: skip
async def test_a_throttled_429_says_when_to_retry_in_the_readings_form(
    reading: str, expected: str
) -> None:
    app = throttled(f"retry_after={reading}", throttle=1.0, retry_after=7)
    async with client_for(app) as client:
        app.state.sim.advance(10.5)
        refused = await client.get("/bugnet/api/health")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == expected  # 12:00:10.5 + 7 s, whole seconds
