"""A dialect and the faults together: a dropped or cut answer stays dropped or cut through the
layer that rewrites answers, in-process and over real loopback."""

from __future__ import annotations

import json

import httpx
import pytest

from qa_tui.sim import ScenarioClock, ScenarioSpec
from qa_tui.sim.credentials import BUGNET_PROJECT
from qa_tui.sim.dialects import parse_dialect
from qa_tui.sim.faults import SimulatedDisconnect
from qa_tui.sim.server import start_in_thread
from tests.sim.conftest import BUGBUG, BUGNET, client_for, spoken_app

BUGS = f"/bugnet/api/projects/{BUGNET_PROJECT}/bugs"
REWRITING = "status_case=upper,dates=offset,bugnet.envelope=bare,rate_headers=ratelimit"


async def test_a_dropped_answer_is_still_dropped_and_its_bug_still_created() -> None:
    app = spoken_app(REWRITING)
    app.state.sim.faults.set("bugnet", drop_rate=1.0)
    async with client_for(app) as client:
        with pytest.raises(SimulatedDisconnect):
            await client.post(BUGS, headers=BUGNET, json={"title": "Filed, answer lost"})
    titles = [b.title for b in app.state.sim.bugnet.bugs.values()]
    assert titles.count("Filed, answer lost") == 1


async def test_a_provider_that_is_down_still_drops_every_request() -> None:
    app = spoken_app(REWRITING)
    app.state.sim.faults.set("bugnet", down=True)
    async with client_for(app) as client:
        with pytest.raises(SimulatedDisconnect):
            await client.get(BUGS, headers=BUGNET)


async def test_a_cut_body_is_passed_on_cut_with_its_length() -> None:
    app = spoken_app(REWRITING)
    app.state.sim.faults.set("bugnet", malformed_rate=1.0)
    async with client_for(app) as client:
        response = await client.get(BUGS, headers=BUGNET)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@pytest.mark.parametrize("fault", ["drop_rate=1", "down"])
async def test_over_loopback_a_spoken_answer_is_whole_and_a_dropped_one_a_protocol_error(
    fault: str,
) -> None:
    spec = ScenarioSpec(new_run_every_s=None, dialect=parse_dialect(REWRITING))
    with start_in_thread(port=0, clock=ScenarioClock.manual_at(), scenario=spec) as running:
        async with httpx.AsyncClient(base_url=running.base_url) as client:
            bugs = await client.get(BUGS, headers=BUGNET)
            runs = await client.get("/bugbug/api/v2/testruns/", headers=BUGBUG)
            running.sim.faults.set(
                "bugnet", **({"down": True} if fault == "down" else {"drop_rate": 1.0})
            )
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(BUGS, headers=BUGNET)
    assert isinstance(bugs.json(), list) and bugs.json()[0]["created_at"].endswith("+00:00")
    assert bugs.headers["ratelimit-reset"].isdigit() and "x-ratelimit-reset" not in bugs.headers
    assert {r["status"] for r in runs.json()["results"]} <= {
        "PASSED", "FAILED", "ERROR", "STOPPED", "SKIPPED", "RUNNING", "QUEUED", "PAUSED",
        "INITIALIZED",
    }  # fmt: skip
