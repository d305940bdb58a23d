"""The simulated BugBrain (Gen A) executions API behaves as its docs say."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from qa_tui.sim import HOSTILE_NAMES, ScenarioClock, Simulator, build_app
from qa_tui.sim.credentials import (
    BUGBRAIN_API_KEY,
    BUGBRAIN_OTHER_PROJECT_ID,
    BUGBRAIN_PROJECT_ID,
)
from tests.sim.conftest import BUGBRAIN, client_for, small_spec

BASE = "/bugbrain/api/v1"
PROJECT = {"project_id": BUGBRAIN_PROJECT_ID}
EXECUTION_KEYS = {
    "id", "test_plan_id", "project_id", "status", "passed_tests", "failed_tests", "total_tests",
    "duration_seconds", "created_at", "completed_at",
}  # fmt: skip


async def executions(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(f"{BASE}/executions", params={**PROJECT, "limit": 100, **params},
                                headers=BUGBRAIN)  # fmt: skip
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def start_async(client: httpx.AsyncClient, sim: Simulator, **extra: Any) -> dict[str, Any]:
    plan = next(iter(sim.bugbrain.plans))
    body = {"test_plan_id": plan, "project_id": BUGBRAIN_PROJECT_ID, **extra}
    response = await client.post(f"{BASE}/executions/async", headers=BUGBRAIN, json=body)
    assert response.status_code == 202, response.text
    started: dict[str, Any] = response.json()
    return started


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer bugbrain_sk_dev_wrong"}, 401),
        ({"Authorization": f"Token {BUGBRAIN_API_KEY}"}, 401),
        ({"Authorization": f"Bearer {BUGBRAIN_API_KEY}"}, 200),
        ({"x-api-key": BUGBRAIN_API_KEY}, 200),
    ],
)
async def test_the_key_is_accepted_as_bearer_or_x_api_key_and_nothing_else(
    client: httpx.AsyncClient, headers: dict[str, str], status: int
) -> None:
    response = await client.get(f"{BASE}/executions", params=PROJECT, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert set(response.json()["error"]) == {"code", "message"}


async def test_the_list_is_limit_offset_paginated_with_a_total(client: httpx.AsyncClient) -> None:
    first = (
        await client.get(f"{BASE}/executions", params={**PROJECT, "limit": 5}, headers=BUGBRAIN)
    ).json()
    assert first["pagination"]["limit"] == 5 and first["pagination"]["offset"] == 0
    total = first["pagination"]["total"]
    seen = []
    for offset in range(0, total, 5):
        page = await client.get(f"{BASE}/executions", params={**PROJECT, "limit": 5, "offset": offset},
                                headers=BUGBRAIN)  # fmt: skip
        seen += page.json()["data"]
    assert len({e["id"] for e in seen}) == total
    # a failed execution also says why (`error`, undocumented): as its status answer does
    assert all(set(e) - {"error"} == EXECUTION_KEYS for e in seen)
    assert all(("error" in e) == (e["status"] == "failed") for e in seen)
    created = [e["created_at"] for e in seen]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"project_id": "proj_nope"}, 404),
        ({"project_id": BUGBRAIN_OTHER_PROJECT_ID}, 403),
        ({**PROJECT, "limit": 101}, 400),
        ({**PROJECT, "limit": 0}, 400),
        ({**PROJECT, "status": "queued"}, 400),
        ({**PROJECT, "status": "cancelled"}, 400),
        ({**PROJECT, "created_after": "soon"}, 400),
    ],
)
async def test_bad_list_parameters_are_refused(
    client: httpx.AsyncClient, params: dict[str, Any], status: int
) -> None:
    response = await client.get(f"{BASE}/executions", params=params, headers=BUGBRAIN)
    assert response.status_code == status
    assert "message" in response.json()["error"]


async def test_completed_executions_may_carry_failed_tests(client: httpx.AsyncClient) -> None:
    done = await executions(client, status="completed")
    assert any(e["failed_tests"] > 0 for e in done)
    assert any(e["failed_tests"] == 0 for e in done)
    assert all(e["completed_at"] is not None for e in done)


async def test_an_async_execution_reports_progress_then_the_finished_shape(
    client: httpx.AsyncClient, clock: ScenarioClock, sim: Simulator
) -> None:
    started = await start_async(client, sim)
    assert started["status"] == "queued"
    assert started["polling_url"] == f"/api/v1/executions/{started['id']}/status"
    assert started["estimated_wait_seconds"] >= 1
    url = f"{BASE}/executions/{started['id']}/status"
    statuses, progress = [], []
    for _ in range(200):
        body = (await client.get(url, headers=BUGBRAIN)).json()
        statuses.append(body["status"])
        if body["status"] in ("completed", "failed", "cancelled"):
            break
        assert set(body) == {"id", "status", "progress", "started_at", "estimated_completion"}
        progress.append(body["progress"]["current"])
        clock.advance(2.5)  # 24 polls a minute: inside the documented 30/min
    assert statuses[0] == "queued" and "pending" in statuses and "running" in statuses
    assert progress == sorted(progress)
    assert {
        "passed_tests",
        "failed_tests",
        "total_tests",
        "duration_seconds",
        "completed_at",
    } <= set(body)


async def test_cancelling_a_running_execution_freezes_it_as_cancelled(
    client: httpx.AsyncClient, clock: ScenarioClock, sim: Simulator
) -> None:
    started = await start_async(client, sim)
    clock.advance(8)
    cancelled = await client.delete(f"{BASE}/executions/{started['id']}", headers=BUGBRAIN)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "requested"
    clock.advance(3600)
    status = (
        await client.get(f"{BASE}/executions/{started['id']}/status", headers=BUGBRAIN)
    ).json()
    assert status["status"] == "cancelled"
    again = await client.delete(f"{BASE}/executions/{started['id']}", headers=BUGBRAIN)
    assert again.status_code == 409


async def test_a_sync_execution_waits_for_the_scenario_clock(
    client: httpx.AsyncClient, clock: ScenarioClock, sim: Simulator
) -> None:
    plan = next(iter(sim.bugbrain.plans))
    body = {"test_plan_id": plan, "project_id": BUGBRAIN_PROJECT_ID}
    request = asyncio.create_task(client.post(f"{BASE}/executions", headers=BUGBRAIN, json=body))
    while not request.done():
        clock.advance(5)
        await asyncio.sleep(0.01)
    result = request.result().json()
    assert result["status"] in ("completed", "failed", "cancelled")
    assert set(result["results"]) == {"test_results", "summary"}
    summary = result["results"]["summary"]
    assert summary["total"] == summary["passed"] + summary["failed"] + summary["skipped"]


async def test_a_sync_execution_gives_up_waiting_after_the_real_time_cap() -> None:
    app = build_app(clock=ScenarioClock.manual_at(), scenario=small_spec(sync_wait_cap_s=0.05))
    plan = next(iter(app.state.sim.bugbrain.plans))
    body = {"test_plan_id": plan, "project_id": BUGBRAIN_PROJECT_ID}
    async with client_for(app) as client:
        result = (await client.post(f"{BASE}/executions", headers=BUGBRAIN, json=body)).json()
    assert result["status"] == "queued"
    assert result["completed_at"] is None


async def test_without_wait_for_completion_the_sync_call_answers_at_once(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    plan = next(iter(sim.bugbrain.plans))
    body = {"test_plan_id": plan, "project_id": BUGBRAIN_PROJECT_ID, "wait_for_completion": False}
    result = (await client.post(f"{BASE}/executions", headers=BUGBRAIN, json=body)).json()
    assert result["status"] == "queued"


async def test_an_execution_past_its_timeout_ends_failed(
    client: httpx.AsyncClient, clock: ScenarioClock, sim: Simulator
) -> None:
    started = await start_async(client, sim, timeout_seconds=5)
    clock.advance(60)
    status = (
        await client.get(f"{BASE}/executions/{started['id']}/status", headers=BUGBRAIN)
    ).json()
    assert status["status"] == "failed"
    assert "timed out" in status["error"]


async def test_results_list_finished_tests_with_errors_and_screenshots(
    client: httpx.AsyncClient,
) -> None:
    failing = next(e for e in await executions(client, status="completed") if e["failed_tests"])
    results = (
        await client.get(f"{BASE}/executions/{failing['id']}/results", headers=BUGBRAIN)
    ).json()
    assert results["test_plan_id"] == failing["test_plan_id"]
    failed = [t for t in results["test_results"] if t["status"] == "failed"]
    assert len(failed) == failing["failed_tests"]
    assert all(t["error"] and t["screenshot"].endswith(".png") for t in failed)
    image = await client.get(failed[0]["screenshot"])
    assert image.content.startswith(b"\x89PNG")


async def test_failure_analysis_exists_for_some_failed_executions_and_is_404_otherwise(
    client: httpx.AsyncClient,
) -> None:
    found: list[tuple[dict[str, Any], Any]] = []
    missing: list[tuple[dict[str, Any], Any]] = []
    for e in await executions(client):
        r = await client.get(f"{BASE}/executions/{e['id']}/failure-analysis", headers=BUGBRAIN)
        (found if r.status_code == 200 else missing).append((e, r.json()))
    assert found and missing
    for e, body in found:
        assert e["status"] == "completed" and e["failed_tests"] > 0
        item = body["analysis"][0]
        assert 0 <= item["confidence"] <= 1 and item["fix_suggestions"]
        assert set(item["evidence"]) == {"expected_selector", "suggested_alternative", "screenshot"}
    assert all(body["error"]["code"] == "analysis_not_available" for _, body in missing)


async def test_every_response_carries_rate_limit_headers_and_the_31st_in_a_minute_is_429(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    clock.advance(60 - clock.now() % 60)  # start of a fresh window
    remaining = []
    for _ in range(30):
        r = await client.get(f"{BASE}/test-cases", params=PROJECT, headers=BUGBRAIN)
        assert r.status_code == 200
        assert r.headers["x-ratelimit-limit"] == "30"
        remaining.append(int(r.headers["x-ratelimit-remaining"]))
    assert remaining == list(range(29, -1, -1))
    refused = await client.get(f"{BASE}/test-cases", params=PROJECT, headers=BUGBRAIN)
    assert refused.status_code == 429
    assert int(refused.headers["x-ratelimit-reset"]) == int(clock.now()) + 60
    clock.advance(60)
    assert (
        await client.get(f"{BASE}/test-cases", params=PROJECT, headers=BUGBRAIN)
    ).status_code == 200


async def test_test_cases_are_listed_with_their_steps(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"{BASE}/test-cases", params={**PROJECT, "status": "active"},
                             headers=BUGBRAIN)).json()  # fmt: skip
    assert body["pagination"]["total"] == len(body["data"]) > 0
    case = body["data"][0]
    assert case["status"] == "active" and case["steps"][0]["action"] == "navigate"


async def test_a_hostile_scenario_puts_hostile_strings_in_plans_results_and_errors() -> None:
    app = build_app(clock=ScenarioClock.manual_at(), scenario=small_spec(hostile_names=True))
    async with client_for(app) as client:
        listed = await executions(client)
        assert any("\x1b" in e["test_plan_id"] for e in listed)
        texts: set[str] = set()
        for e in listed:
            body = (
                await client.get(f"{BASE}/executions/{e['id']}/results", headers=BUGBRAIN)
            ).json()
            texts |= {t["name"] for t in body["test_results"]}
            texts |= {t.get("error", "") for t in body["test_results"]}
    assert any(name in texts for name in HOSTILE_NAMES)
