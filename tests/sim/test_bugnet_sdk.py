"""The simulated Bugnet's SDK routes: game sessions, perf snapshots, session replays, settings.

What a game integrator relies on: the documented auth (the key in the body for sessions, in
`X-API-Key` for the rest), 400s that say what is wrong, the envelope, the rate-limit headers, and
that what was sent can be read back (`/_sim/truth` under `bugnet_sdk`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from qa_tui.sim import ScenarioClock, Simulator
from qa_tui.sim.credentials import BUGNET_API_KEY

API = "/bugnet/api"
KEY = {"X-API-Key": BUGNET_API_KEY}


async def start(client: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    return await client.post(
        f"{API}/sessions/start", json={"api_key": BUGNET_API_KEY, "session_token": token, **body}
    )


async def end(client: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    return await client.post(
        f"{API}/sessions/end", json={"api_key": BUGNET_API_KEY, "session_token": token, **body}
    )


async def submitted_bug(client: httpx.AsyncClient) -> str:
    response = await client.post(f"{API}/bugs/submit", headers=KEY, json={"title": "Crash"})
    bug_id: str = response.json()["data"]["id"]
    return bug_id


async def sdk_truth(client: httpx.AsyncClient) -> dict[str, Any]:
    truth: dict[str, Any] = (await client.get("/_sim/truth")).json()["bugnet_sdk"]
    return truth


async def test_a_game_session_starts_with_the_key_in_the_body_and_ends_with_its_token(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    token = str(uuid.uuid4())
    started = await start(
        client, token, platform="linux", game_version="1.4.2", device_info="x86_64", os_info="Linux"
    )
    assert started.status_code == 201 and started.json()["ok"] is True
    assert started.json()["data"]["ended_at"] is None
    clock.advance(90)
    ended = await end(client, token, crashed=False)
    assert ended.status_code == 200
    [session] = (await sdk_truth(client))["sessions"]
    assert session == {**ended.json()["data"], "session_token": token}
    assert (session["platform"], session["game_version"], session["os_info"]) == (
        "linux",
        "1.4.2",
        "Linux",
    )
    assert session["duration_sec"] == 90 and session["crashed"] is False
    assert "api_key" not in json.dumps(session) and BUGNET_API_KEY not in json.dumps(session)


@pytest.mark.parametrize(
    ("body", "headers", "error"),
    [
        ({}, {}, "Missing API key"),
        ({}, KEY, "Missing API key"),  # the header does not stand in for the documented body key
        ({"api_key": "sk_live_wrong"}, {}, "Invalid API key"),
    ],
)
async def test_a_session_start_needs_the_api_key_in_its_body(
    client: httpx.AsyncClient, body: dict[str, str], headers: dict[str, str], error: str
) -> None:
    response = await client.post(
        f"{API}/sessions/start", headers=headers, json={"session_token": "s-1", **body}
    )
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": error}


async def test_a_revoked_key_is_refused_for_sessions_too(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    sim.revoke("bugnet")
    assert (await start(client, "s-1")).status_code == 401
    sim.restore("bugnet")
    assert (await start(client, "s-1")).status_code == 201


@pytest.mark.parametrize(
    ("route", "body", "error"),
    [
        ("start", {"session_token": ""}, "session_token is required (at most 100 characters)"),
        ("start", {"session_token": 7}, "session_token is required (at most 100 characters)"),
        ("start", {"session_token": "s", "platform": 3}, "platform must be a string"),
        ("end", {"session_token": "s", "crashed": "yes"}, "crashed must be a boolean"),
    ],
)
async def test_a_session_body_that_is_wrong_is_400_saying_why(
    client: httpx.AsyncClient, route: str, body: dict[str, Any], error: str
) -> None:
    await start(client, "s")
    response = await client.post(
        f"{API}/sessions/{route}", json={"api_key": BUGNET_API_KEY, **body}
    )
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": error}


async def test_a_retried_start_keeps_the_first_session_and_an_unknown_end_is_404(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    first = await start(client, "s-1", game_version="1.0")
    clock.advance(5)
    again = await start(client, "s-1", game_version="2.0")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["data"] == first.json()["data"]
    unknown = await end(client, "never-started")
    assert unknown.status_code == 404 and unknown.json()["error"] == "Session not found"


async def test_a_crash_is_never_undone_by_the_end_that_follows_it(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    await start(client, "s-1")
    clock.advance(10)
    crashed = (await end(client, "s-1", crashed=True)).json()["data"]
    clock.advance(10)
    later = (await end(client, "s-1", crashed=False)).json()["data"]
    assert later["crashed"] is True and later["ends"] == 2
    assert later["ended_at"] == crashed["ended_at"] and later["duration_sec"] == 10


async def test_a_perf_snapshot_is_kept_for_its_bug_with_its_custom_metrics_decoded(
    client: httpx.AsyncClient,
) -> None:
    bug_id = await submitted_bug(client)
    metrics = json.dumps({"scene_name": "level_1", "load_time_ms": 412.5})
    body = {"bug_report_id": bug_id, "fps": 59.9, "frame_time_ms": 16.7, "memory_used_mb": 212}
    response = await client.post(
        f"{API}/perf/snapshot", headers=KEY, json={**body, "custom_metrics": metrics}
    )
    assert response.status_code == 201 and response.json()["ok"] is True
    [snapshot] = (await sdk_truth(client))["perf_snapshots"]
    assert snapshot == response.json()["data"]
    assert {k: snapshot[k] for k in body} == {**body, "memory_used_mb": 212.0}
    assert snapshot["custom_metrics"] == {"scene_name": "level_1", "load_time_ms": 412.5}


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"fps": -1}, 400, "fps must be a number at least 0"),
        ({"frame_time_ms": True}, 400, "frame_time_ms must be a number at least 0"),
        ({"memory_used_mb": None}, 400, "memory_used_mb must be a number at least 0"),
        ({"custom_metrics": {"a": 1}}, 400, "custom_metrics must be a JSON-encoded object"),
        ({"custom_metrics": "[1, 2]"}, 400, "custom_metrics must be a JSON-encoded object"),
        ({"bug_report_id": 12}, 400, "bug_report_id must be a bug id"),
        ({"bug_report_id": "no-such-bug"}, 404, "Bug not found"),
    ],
)
async def test_a_perf_snapshot_that_is_wrong_is_refused_saying_why(
    client: httpx.AsyncClient, change: dict[str, Any], status: int, error: str
) -> None:
    body = {"fps": 60, "frame_time_ms": 16, "memory_used_mb": 100, **change}
    response = await client.post(f"{API}/perf/snapshot", headers=KEY, json=body)
    assert response.status_code == status
    assert response.json() == {"ok": False, "error": error}
    assert (await sdk_truth(client))["perf_snapshots"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/perf/snapshot"), ("GET", "/bugs/settings"), ("POST", "/session-replays")],
)
async def test_the_header_key_routes_refuse_a_request_without_it(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    body = {"fps": 60, "frame_time_ms": 16, "memory_used_mb": 1} if method == "POST" else None
    response = await client.request(
        method, f"{API}{path}", json=body, headers={"X-API-Key": "sk_live_wrong"}
    )
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": "Invalid API key"}


async def test_a_session_replay_upload_is_recorded_for_its_bug(
    client: httpx.AsyncClient,
) -> None:
    bug_id = await submitted_bug(client)
    events = [{"t": 0.1, "type": "mouse_move", "pos": [3, 4]}, {"t": 0.2, "type": "key_down"}]
    response = await client.post(
        f"{API}/session-replays",
        headers=KEY,
        data={
            "bug_report_id": bug_id,
            "duration_sec": "12",
            "metadata": json.dumps({"platform": "linux", "resolution": "800x600"}),
        },
        files={"file": ("session-replay.json", json.dumps(events).encode(), "application/json")},
    )
    assert response.status_code == 201
    [replay] = (await sdk_truth(client))["session_replays"]
    assert replay == response.json()["data"]
    assert (replay["bug_report_id"], replay["duration_sec"], replay["events"]) == (bug_id, 12, 2)
    assert replay["metadata"] == {"platform": "linux", "resolution": "800x600"}
    assert replay["file_name"] == "session-replay.json"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"duration_sec": "x"}, "duration_sec must be a whole number of seconds"),
        ({"metadata": "not json"}, "metadata must be a JSON-encoded object"),
        ({"file": None}, "file is required"),
        ({"json": True}, "Request body must be multipart/form-data"),
    ],
)
async def test_a_session_replay_that_is_wrong_is_400_saying_why(
    client: httpx.AsyncClient, form: dict[str, Any], error: str
) -> None:
    bug_id = await submitted_bug(client)
    if form.get("json"):
        response = await client.post(
            f"{API}/session-replays", headers=KEY, json={"bug_report_id": bug_id}
        )
    else:
        fields = {"bug_report_id": bug_id, "duration_sec": "3", "metadata": "{}", **form}
        upload = fields.pop("file", ("r.json", b"[]", "application/json"))
        response = await client.post(
            f"{API}/session-replays",
            headers=KEY,
            data=fields,
            files={"file": upload} if upload else {"other": ("x", b"x")},
        )
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": error}


async def test_settings_reads_are_counted_and_answer_what_the_project_is_set_to(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    first = await client.get(f"{API}/bugs/settings", headers=KEY)
    assert first.json() == {
        "ok": True,
        "data": {"screenshot_capture": True, "session_capture": False, "auto_file_errors": True},
    }
    sim.bugnet.telemetry.settings["session_capture"] = True
    second = await client.get(f"{API}/bugs/settings", headers=KEY)
    assert second.json()["data"]["session_capture"] is True
    assert (await sdk_truth(client))["settings_reads"] == 2


async def test_the_sdk_routes_carry_rate_limit_headers_and_share_the_public_30_a_minute(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    answers = [await start(client, f"s-{i}") for i in range(30)]
    assert all(r.headers["x-ratelimit-limit"] == "30" for r in answers)
    assert [r.headers["x-ratelimit-remaining"] for r in answers[-2:]] == ["1", "0"]
    refused = await client.post(
        f"{API}/perf/snapshot",
        headers=KEY,
        json={"fps": 1, "frame_time_ms": 1, "memory_used_mb": 1},
    )
    assert refused.status_code == 429 and refused.json()["ok"] is False
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
        refused.headers
    )
    clock.advance(60)
    assert (await end(client, "s-0")).status_code == 200
