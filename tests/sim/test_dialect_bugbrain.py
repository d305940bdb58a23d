"""BugBrain in every dialect: which auth header it reads, how many executions a page holds,
whether it counts them all, whether a running status has progress, its error bodies and the
status of an async start (providers.md §3, gap §6.8)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBRAIN_PROJECT_ID
from tests.sim.conftest import client_for, spoken_app

BASE = "/bugbrain/api/v1"
PROJECT = {"project_id": BUGBRAIN_PROJECT_ID}
BEARER = {"Authorization": f"Bearer {BUGBRAIN_API_KEY}"}
X_API_KEY = {"x-api-key": BUGBRAIN_API_KEY}
MANY: dict[str, Any] = {"bugbrain_finished": 40}
"""43 executions: more than a capped page."""


async def listing(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{BASE}/executions", params={**PROJECT, **params}, headers=BEARER)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


# -- bugbrain.auth -------------------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "bearer", "x_api_key"), [
    ("both", 200, 200),
    ("bearer", 200, 401),
    ("x-api-key", 401, 200),
])  # fmt: skip
async def test_bugbrain_reads_the_auth_headers_the_reading_says(
    reading: str, bearer: int, x_api_key: int
) -> None:
    async with client_for(spoken_app(f"bugbrain.auth={reading}")) as client:
        by_bearer = await client.get(f"{BASE}/executions", params=PROJECT, headers=BEARER)
        by_key = await client.get(f"{BASE}/executions", params=PROJECT, headers=X_API_KEY)
        by_both = await client.get(f"{BASE}/executions", params=PROJECT,
                                   headers={**BEARER, **X_API_KEY})  # fmt: skip
    assert (by_bearer.status_code, by_key.status_code, by_both.status_code) == (
        bearer,
        x_api_key,
        200,
    )
    for refused in (r for r in (by_bearer, by_key) if r.status_code == 401):
        error = refused.json()["error"]
        assert error["code"] == "unauthorized"
        wanted = "x-api-key: <key>" if reading == "x-api-key" else "Authorization: Bearer <key>"
        assert error["message"] == f"Missing API key: send '{wanted}'"


# -- bugbrain.limit, bugbrain.total --------------------------------------------------------------
@pytest.mark.parametrize(("reading", "asked", "served", "said"), [
    ("honoured", 100, 43, 100),
    ("honoured", 30, 30, 30),
    ("capped", 100, 20, 20),
    ("capped", 7, 7, 7),
])  # fmt: skip
async def test_bugbrain_serves_as_many_executions_as_the_limit_reading_says(
    reading: str, asked: int, served: int, said: int
) -> None:
    async with client_for(spoken_app(f"bugbrain.limit={reading}", **MANY)) as client:
        page = await listing(client, limit=asked)
        cases = (await client.get(f"{BASE}/test-cases", params={**PROJECT, "limit": 100},
                                  headers=BEARER)).json()  # fmt: skip
    assert len(page["data"]) == served
    assert page["pagination"] == {"limit": said, "offset": 0, "total": 43}  # the limit served
    assert len(cases["data"]) == 12  # the test-case list is not the execution list


async def test_bugbrain_capped_pages_walked_by_offset_still_reach_every_execution() -> None:
    async with client_for(spoken_app("bugbrain.limit=capped", **MANY)) as client:
        seen: list[str] = []
        while True:
            page = await listing(client, limit=100, offset=len(seen))
            seen += [e["id"] for e in page["data"]]
            if len(page["data"]) < page["pagination"]["limit"]:
                break
    assert len(seen) == len(set(seen)) == 43


@pytest.mark.parametrize(("reading", "keys"), [
    ("present", {"limit", "offset", "total"}),
    ("absent", {"limit", "offset"}),
])  # fmt: skip
async def test_bugbrain_pagination_carries_a_total_only_when_the_reading_says(
    reading: str, keys: set[str]
) -> None:
    async with client_for(spoken_app(f"bugbrain.total={reading}")) as client:
        page = await listing(client)
        cases = (await client.get(f"{BASE}/test-cases", params=PROJECT, headers=BEARER)).json()
    assert set(page["pagination"]) == set(cases["pagination"]) == keys
    assert page["data"]


# -- bugbrain.progress ---------------------------------------------------------------------------
@pytest.mark.parametrize("reading", ["present", "absent"])
async def test_a_running_executions_status_has_progress_only_when_the_reading_says(
    reading: str,
) -> None:
    async with client_for(spoken_app(f"bugbrain.progress={reading}")) as client:
        running = (await listing(client, status="running"))["data"]
        status = (await client.get(f"{BASE}/executions/{running[0]['id']}/status",
                                   headers=BEARER)).json()  # fmt: skip
        done = (await listing(client, status="completed"))["data"][0]
        finished = (await client.get(f"{BASE}/executions/{done['id']}/status",
                                     headers=BEARER)).json()  # fmt: skip
    assert status["status"] == "running" and status["started_at"]
    assert ("progress" in status) is (reading == "present")
    if reading == "present":
        assert set(status["progress"]) == {"current", "total", "percent"}
    assert finished["total_tests"] == finished["passed_tests"] + finished["failed_tests"]


# -- bugbrain.errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "shape"), [
    ("error-object", lambda m, c: {"error": {"code": c, "message": m}}),
    ("error-string", lambda m, c: {"error": m}),
    ("detail", lambda m, c: {"detail": m}),
])  # fmt: skip
async def test_bugbrain_errors_have_the_readings_shape(reading: str, shape: Any) -> None:
    app = spoken_app(f"bugbrain.errors={reading}")
    async with client_for(app) as client:
        missing = await client.get(f"{BASE}/executions/exec_000000000000", headers=BEARER)
        wrong_key = await client.get(f"{BASE}/executions", params=PROJECT,
                                     headers={"x-api-key": "nope"})  # fmt: skip
        app.state.sim.faults.set("bugbrain", error_rate=1.0)
        broken = await client.get(f"{BASE}/executions", params=PROJECT, headers=BEARER)
    assert missing.status_code == 404
    assert missing.json() == shape("Execution not found", "not_found")
    assert wrong_key.status_code == 401
    assert wrong_key.json() == shape("Invalid API key", "unauthorized")
    assert broken.status_code >= 500
    assert broken.json() == shape("Internal server error (simulated).", "server_error")


# -- bugbrain.async_status -----------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "status"), [("202", 202), ("200", 200)])
async def test_an_async_start_answers_with_the_readings_status(reading: str, status: int) -> None:
    app = spoken_app(f"bugbrain.async_status={reading}")
    plan = next(iter(app.state.sim.bugbrain.plans))
    async with client_for(app) as client:
        started = await client.post(f"{BASE}/executions/async", headers=BEARER,
                                    json={"test_plan_id": plan, **PROJECT})  # fmt: skip
    assert started.status_code == status
    assert started.json()["status"] == "queued"
    assert started.json()["polling_url"] == f"/api/v1/executions/{started.json()['id']}/status"
