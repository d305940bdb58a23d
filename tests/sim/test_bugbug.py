"""The simulated BugBug v2 behaves as its OpenAPI and the known payload oddities say."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from PIL import Image

from qa_tui.sim import HOSTILE_NAMES, ScenarioClock, Simulator, build_app
from qa_tui.sim.bugbug.runs import RUN_STATUSES
from qa_tui.sim.credentials import BUGBUG_TOKEN
from tests.sim.conftest import BUGBUG, client_for, small_spec

API = "/bugbug/api/v2"
V2_TEST_RUN_KEYS = {
    "browserHeight", "browserName", "browserVersion", "browserWidth", "duration", "ended",
    "errorCode", "extensionVersion", "id", "name", "osName", "queued", "runMode", "runProfileId",
    "screenSizeType", "sequence", "started", "status", "stepsRuns", "suiteRunId", "testId",
    "triggeredBy", "userId", "webappUrl",
}  # fmt: skip


async def all_runs(client: httpx.AsyncClient, path: str = "testruns") -> list[dict[str, Any]]:
    url: str | None = f"{API}/{path}/?page_size=100"
    runs: list[dict[str, Any]] = []
    while url:
        page = (await client.get(url, headers=BUGBUG)).json()
        runs += page["results"]
        url = page["next"]
    return runs


async def a_run(client: httpx.AsyncClient, status: str) -> dict[str, Any]:
    runs = await all_runs(client)
    return next(r for r in runs if r["status"] == status)


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        (f"Bearer {BUGBUG_TOKEN}", "Authentication credentials were not provided."),
        ("Token ", "Invalid token header. No credentials provided."),
        ("Token not-the-token", "Invalid token."),
    ],
)
async def test_a_request_without_a_valid_token_is_refused_with_drf_401(
    client: httpx.AsyncClient, header: str | None, detail: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get(f"{API}/testruns/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"] == "Token"


async def test_the_token_keyword_is_case_insensitive_like_drf(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/tests/", headers={"Authorization": f"token {BUGBUG_TOKEN}"})
    assert response.status_code == 200


async def test_pagination_gives_absolute_next_links_until_the_last_page(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get(f"{API}/testruns/?page_size=10&status=passed", headers=BUGBUG)).json()
    assert first["previous"] is None
    assert first["next"].startswith("http://sim.test/bugbug/api/v2/testruns/?")
    assert "status=passed" in first["next"] and "page=2" in first["next"]
    second = (await client.get(first["next"], headers=BUGBUG)).json()
    assert (
        second["previous"] == "http://sim.test/bugbug/api/v2/testruns/?page_size=10&status=passed"
    )
    seen = first["results"] + second["results"]
    url = second["next"]
    while url:
        page = (await client.get(url, headers=BUGBUG)).json()
        seen += page["results"]
        url = page["next"]
    assert len(seen) == first["count"] == len({r["id"] for r in seen})


async def test_a_page_past_the_end_is_drf_invalid_page(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/testruns/?page=999", headers=BUGBUG)
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


async def test_page_size_is_capped_at_100(client: httpx.AsyncClient) -> None:
    page = (await client.get(f"{API}/testruns/?page_size=1000", headers=BUGBUG)).json()
    assert len(page["results"]) == min(page["count"], 100)


async def test_every_v2_test_run_carries_every_documented_key_with_its_oddities(
    client: httpx.AsyncClient,
) -> None:
    for run in await all_runs(client):
        assert set(run) == V2_TEST_RUN_KEYS
        assert run["status"] in RUN_STATUSES
        assert isinstance(run["stepsRuns"], str)
        steps = json.loads(run["stepsRuns"])
        assert isinstance(steps, list)
        assert run["webappUrl"].startswith("http://sim.test/bugbug/app/test-runs/")
        if run["ended"] and run["started"]:
            assert re.fullmatch(r"\d\d:\d\d:\d\d(\.\d{6})?", run["duration"])
        else:
            assert run["duration"] is None


async def test_ordering_by_minus_started_puts_unstarted_runs_first(
    client: httpx.AsyncClient,
) -> None:
    runs = (
        await client.get(f"{API}/testruns/?ordering=-started&page_size=100", headers=BUGBUG)
    ).json()
    started = [r["started"] for r in runs["results"]]
    nulls = [s for s in started if s is None]
    assert nulls and started[: len(nulls)] == nulls
    rest = started[len(nulls) :]
    assert rest == sorted(rest, reverse=True)


@pytest.mark.parametrize(
    "query",
    ["status=finished", "started_after=yesterday", "test_id=not-a-uuid"],
)
async def test_bad_list_filters_are_400_with_a_detail(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.get(f"{API}/testruns/?{query}", headers=BUGBUG)
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["detail"]


async def test_a_running_run_finishes_its_steps_one_by_one_as_the_clock_advances(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    run = await a_run(client, "running")
    seen: list[tuple[str, int]] = []
    for _ in range(400):
        status = (await client.get(f"{API}/testruns/{run['id']}/status/", headers=BUGBUG)).json()
        seen.append((status["status"], status["finishedSteps"]))
        if status["status"] not in ("running", "paused"):
            break
        clock.advance(1)
    done = [n for _, n in seen]
    assert done == sorted(done)
    assert seen[-1][0] in ("passed", "failed", "error", "stopped")
    assert len(set(done)) > 2
    assert status["totalSteps"] >= status["finishedSteps"]


async def test_starting_a_test_run_queues_it_then_it_runs_and_ends(
    client: httpx.AsyncClient, clock: ScenarioClock, sim: Simulator
) -> None:
    test = sim.bugbug.tests[0]
    response = await client.post(f"{API}/testruns/", headers=BUGBUG, json={"testId": test.id})
    assert response.status_code == 200
    started = response.json()
    assert set(started) == {"id", "status", "modified", "finishedSteps", "totalSteps", "webappUrl"}
    assert started["status"] == "initialized"
    assert started["totalSteps"] == len(test.steps)
    clock.advance(120)
    run = (await client.get(f"{API}/testruns/{started['id']}/", headers=BUGBUG)).json()
    assert run["triggeredBy"] == "api"
    assert run["status"] in ("passed", "failed", "error", "skipped", "stopped")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "testId: This field is required."),
        ({"testId": "nope"}, "testId: Must be a valid UUID."),
        ({"testId": "6f1c1d0e-0000-4000-8000-000000000000"}, "object does not exist"),
    ],
)
async def test_starting_a_run_with_a_bad_body_is_400(
    client: httpx.AsyncClient, body: dict[str, Any], detail: str
) -> None:
    response = await client.post(f"{API}/testruns/", headers=BUGBUG, json=body)
    assert response.status_code == 400
    assert detail in response.json()["detail"]


async def test_variables_must_be_key_value_items(client: httpx.AsyncClient, sim: Simulator) -> None:
    test_id = sim.bugbug.tests[0].id
    bad = {"testId": test_id, "variables": [{"key": "x" * 129, "value": "v"}]}
    assert (await client.post(f"{API}/testruns/", headers=BUGBUG, json=bad)).status_code == 400
    good = {"testId": test_id, "variables": [{"key": "env", "value": None}]}
    assert (await client.post(f"{API}/testruns/", headers=BUGBUG, json=good)).status_code == 200


async def test_stopping_a_running_bugbug_run_freezes_it_as_stopped(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    run = await a_run(client, "running")
    stopped = await client.post(f"{API}/testruns/{run['id']}/stop/", headers=BUGBUG)
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "stopped"
    steps = stopped.json()["finishedSteps"]
    clock.advance(3600)
    later = (await client.get(f"{API}/testruns/{run['id']}/status/", headers=BUGBUG)).json()
    assert (later["status"], later["finishedSteps"]) == ("stopped", steps)
    again = await client.post(f"{API}/testruns/{run['id']}/stop/", headers=BUGBUG)
    assert again.status_code == 400 and "detail" in again.json()


async def test_an_unknown_run_is_404_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{API}/testruns/6f1c1d0e-0000-4000-8000-000000000000/", headers=BUGBUG
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


async def test_a_path_without_its_trailing_slash_redirects_to_it(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/testruns", headers=BUGBUG)
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"].endswith("/bugbug/api/v2/testruns/")


async def test_junit_is_xml_bytes_served_as_application_json(client: httpx.AsyncClient) -> None:
    run = await a_run(client, "failed")
    response = await client.get(f"{API}/testruns/{run['id']}/report/junit/", headers=BUGBUG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    root = ET.fromstring(response.content)
    assert root.tag == "testsuites"
    assert root.find("testsuite/testcase/failure") is not None


async def test_junit_of_a_run_still_running_is_404(client: httpx.AsyncClient) -> None:
    run = await a_run(client, "running")
    response = await client.get(f"{API}/testruns/{run['id']}/report/junit/", headers=BUGBUG)
    assert response.status_code == 404


async def test_logs_are_a_302_redirect_to_a_text_file(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    run = next(
        r for r in sim.bugbug.test_runs.values() if r.has_logs and r.timeline.ended(sim.now())
    )
    response = await client.get(f"{API}/testruns/{run.id}/logs/", headers=BUGBUG)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location == f"http://sim.test/bugbug/media/logs/{run.id}.log"
    log = await client.get(location)
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/plain")
    assert "finished:" in log.text


async def test_missing_logs_are_404_not_found_or_expired(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    run = next(
        r for r in sim.bugbug.test_runs.values() if not r.has_logs and r.timeline.exists(sim.now())
    )
    response = await client.get(f"{API}/testruns/{run.id}/logs/", headers=BUGBUG)
    assert response.status_code == 404
    assert response.json() == {"detail": "Logs not found or expired"}


async def test_debug_artifacts_are_a_bare_list_and_can_be_fetched_by_kind(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    run = next(
        r for r in sim.bugbug.test_runs.values() if r.artifacts and r.timeline.ended(sim.now())
    )
    listing = (await client.get(f"{API}/testruns/{run.id}/debug-artifacts/", headers=BUGBUG)).json()
    assert isinstance(listing, list) and listing
    assert all(set(a) == {"id", "kind", "file", "expirationTime"} for a in listing)
    kind = listing[0]["kind"]
    one = await client.get(f"{API}/testruns/{run.id}/debug-artifacts/{kind}/", headers=BUGBUG)
    assert one.json() == listing[0]
    assert (await client.get(listing[0]["file"])).status_code == 200
    missing = await client.get(f"{API}/testruns/{run.id}/debug-artifacts/report/", headers=BUGBUG)
    assert (missing.status_code, missing.json()) == (404, {"detail": "Artifact not found"})


async def test_step_screenshots_are_real_pngs(client: httpx.AsyncClient) -> None:
    run = await a_run(client, "passed")
    shots = (await client.get(f"{API}/testruns/{run['id']}/screenshots/", headers=BUGBUG)).json()
    assert shots["id"] == run["id"] and shots["stepsRuns"]
    image = await client.get(shots["stepsRuns"][0]["screenshotUrl"])
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


async def test_each_step_has_its_own_screenshot_and_a_failing_one_shows_the_failure(
    client: httpx.AsyncClient,
) -> None:
    """GIVEN a failed run THEN its steps' screenshots are different pictures (a browser window,
    640 x 400), and the failing step's has a red error banner along its foot."""
    run = await a_run(client, "failed")
    shots = (await client.get(f"{API}/testruns/{run['id']}/screenshots/", headers=BUGBUG)).json()
    pictures = [
        Image.open(io.BytesIO((await client.get(s["screenshotUrl"])).content)).convert("RGB")
        for s in shots["stepsRuns"]
    ]
    assert len(pictures) >= 2 and all(p.size == (640, 400) for p in pictures)
    assert len({p.tobytes() for p in pictures}) == len(pictures)
    assert pictures[-1].getpixel((320, 390)) == (207, 34, 46)
    assert pictures[0].getpixel((320, 390)) == (255, 255, 255)


async def test_a_step_run_can_be_read_from_the_ids_in_steps_runs(client: httpx.AsyncClient) -> None:
    run = await a_run(client, "failed")
    steps = json.loads(run["stepsRuns"])
    last = (await client.get(f"{API}/stepruns/{steps[-1]['id']}/", headers=BUGBUG)).json()
    assert last["testRunId"] == run["id"]
    assert last["status"] == "failed" and last["errorCode"] == run["errorCode"]
    assert last["waitingConditions"]["failed"]


async def test_a_suite_run_owns_test_runs_and_stopping_it_stops_them(
    client: httpx.AsyncClient, clock: ScenarioClock, sim: Simulator
) -> None:
    started = await client.post(
        f"{API}/suiteruns/", headers=BUGBUG, json={"suiteId": sim.bugbug.suites[0].id}
    )
    assert started.status_code == 200
    assert set(started.json()) == {"id", "status", "modified", "webappUrl"}
    suite_id = started.json()["id"]
    clock.advance(6)
    suite = (await client.get(f"{API}/suiteruns/{suite_id}/", headers=BUGBUG)).json()
    assert suite["status"] == "running"
    assert {r["suiteRunId"] for r in suite["testRuns"]} == {suite_id}
    stop = await client.post(f"{API}/suiteruns/{suite_id}/stop/", headers=BUGBUG)
    assert stop.json()["status"] == "stopped"
    clock.advance(600)
    suite = (await client.get(f"{API}/suiteruns/{suite_id}/", headers=BUGBUG)).json()
    assert suite["status"] == "stopped"
    assert {r["status"] for r in suite["testRuns"]} <= {"stopped", "passed", "failed", "error"}
    assert "stopped" in {r["status"] for r in suite["testRuns"]}


async def test_suite_screenshots_use_the_tests_runs_spelling(client: httpx.AsyncClient) -> None:
    suite = (await all_runs(client, "suiteruns"))[0]
    shots = (await client.get(f"{API}/suiteruns/{suite['id']}/screenshots/", headers=BUGBUG)).json()
    assert set(shots) == {"id", "testsRuns"}
    assert all(set(t) == {"id", "stepsRuns"} for t in shots["testsRuns"])


async def test_tests_suites_and_profiles_are_paginated_lists(client: httpx.AsyncClient) -> None:
    for path in ("tests", "suites", "profiles"):
        page = (await client.get(f"{API}/{path}/?page_size=2", headers=BUGBUG)).json()
        assert set(page) == {"count", "next", "previous", "results"}
    tests = (await client.get(f"{API}/tests/?query=cart", headers=BUGBUG)).json()
    assert [set(t) for t in tests["results"]] == [{"id", "name"}]


async def test_the_web_page_of_a_run_shows_a_hostile_name_as_escaped_text() -> None:
    spec = small_spec(hostile_names=True, bugbug_test_runs_finished=24)
    app = build_app(clock=ScenarioClock.manual_at(), scenario=spec)
    async with client_for(app) as client:
        runs = await all_runs(client)
        hostile = next(r for r in runs if "<script>" in r["name"])
        page = await client.get(hostile["webappUrl"])
    assert page.status_code == 200
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text


async def test_a_hostile_scenario_names_runs_with_every_hostile_string() -> None:
    spec = small_spec(hostile_names=True, bugbug_test_runs_finished=24)
    app = build_app(clock=ScenarioClock.manual_at(), scenario=spec)
    async with client_for(app) as client:
        names = {r["name"] for r in await all_runs(client)}
    assert set(HOSTILE_NAMES) <= names
