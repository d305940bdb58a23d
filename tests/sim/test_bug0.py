"""The simulated Bug0 trigger endpoint records every trigger and refuses what the docs refuse."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from qa_tui.sim import ScenarioClock, Simulator
from qa_tui.sim.credentials import BUG0_OTHER_PROJECT_ID, BUG0_PROJECT_ID, BUG0_SERVICE_TOKEN
from tests.sim.conftest import BUG0

URL = "/bug0/api/run-tests"
FULL_BODY = {
    "projectId": BUG0_PROJECT_ID,
    "url": "https://preview-pr-42.vercel.app",
    "gitCommitSha": "abc123def456789",
    "gitBranch": "feature/new-checkout",
    "prNumber": "42",
    "owner": "your-org",
    "repo": "your-repo",
}


async def test_a_trigger_is_accepted_and_recorded_with_its_full_body(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    response = await client.post(URL, headers=BUG0, json=FULL_BODY)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "Tests triggered successfully"
    assert body["executionId"].startswith("exec_")
    [trigger] = sim.bug0.triggers
    assert trigger.body == FULL_BODY and trigger.execution_id == body["executionId"]
    recorded = (await client.get("/_sim/bug0/triggers")).json()
    assert recorded[0]["body"] == FULL_BODY and recorded[0]["auth"] == "x-api-key"
    truth = (await client.get("/_sim/truth")).json()
    assert truth["bug0_triggers"] == recorded


async def test_the_service_token_header_is_an_accepted_alternative(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    headers = {"x-bug0-service-token": BUG0_SERVICE_TOKEN}
    response = await client.post(URL, headers=headers, json={"projectId": BUG0_PROJECT_ID})
    assert response.status_code == 200
    assert sim.bug0.triggers[0].auth == "x-bug0-service-token"


@pytest.mark.parametrize(
    ("headers", "body", "status", "error"),
    [
        (BUG0, {}, 400, "Missing required parameter: projectId"),
        (BUG0, {**FULL_BODY, "prNumber": 42}, 400, "Invalid parameter: prNumber must be a string"),
        ({}, FULL_BODY, 401, "Invalid API key"),
        ({"x-api-key": "bug0_sk_wrong"}, FULL_BODY, 401, "Invalid API key"),
        (
            BUG0,
            {"projectId": BUG0_OTHER_PROJECT_ID},
            403,
            "API key does not have access to this project",
        ),
        (BUG0, {"projectId": "000000000000000000000000"}, 404, "Project not found"),
    ],
)
async def test_documented_errors_come_back_as_success_false(
    client: httpx.AsyncClient,
    sim: Simulator,
    headers: dict[str, str],
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    response = await client.post(URL, headers=headers, json=body)
    assert response.status_code == status
    assert response.json() == {"success": False, "error": error}
    assert sim.bug0.triggers == []


async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, headers=BUG0, content=b"projectId=1")
    assert response.status_code == 400 and response.json()["success"] is False


async def test_the_eleventh_trigger_in_a_minute_is_rate_limited(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    clock.advance(60 - clock.now() % 60)
    for _ in range(10):
        assert (await client.post(URL, headers=BUG0, json=FULL_BODY)).status_code == 200
    refused = await client.post(URL, headers=BUG0, json=FULL_BODY)
    assert refused.status_code == 429
    assert refused.json() == {"success": False, "error": "Rate limit exceeded. Try again later."}
    clock.advance(60)
    assert (await client.post(URL, headers=BUG0, json=FULL_BODY)).status_code == 200


async def test_there_is_no_read_api(client: httpx.AsyncClient) -> None:
    for path in ("/bug0/api/run-tests", "/bug0/api/executions/exec_1", "/bug0/api/status"):
        response = await client.get(path, headers=BUG0)
        assert response.status_code in (404, 405)
        assert response.json()["success"] is False
