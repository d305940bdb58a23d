"""Serving over real loopback sockets, the config the simulator writes, and its independence."""

from __future__ import annotations

import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from email.utils import formatdate

import httpx
import pytest

from qa_tui.sim import (
    FaultPlan,
    RunningSim,
    ScenarioClock,
    banner,
    render_config,
    serve,
    start_in_thread,
)
from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUG0_PROJECT_ID,
    BUGBRAIN_API_KEY,
    BUGBRAIN_PROJECT_ID,
    BUGBUG_TOKEN,
    BUGNET_API_KEY,
    BUGNET_PASSWORD,
    BUGNET_PROJECT,
    BUGNET_TOKEN,
    GITHUB_TOKEN,
)
from tests.sim.conftest import BUGBUG, BUGNET


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSim]:
    with start_in_thread(port=0, clock=ScenarioClock.manual_at(), faults=FaultPlan()) as sim:
        yield sim


@pytest.fixture(autouse=True)
def no_faults(running: RunningSim) -> Iterator[None]:
    yield
    running.sim.faults.clear()


def test_port_zero_binds_a_free_port_and_the_base_url_names_it(running: RunningSim) -> None:
    assert running.port > 0
    assert running.base_url == f"http://127.0.0.1:{running.port}"


async def test_the_providers_answer_over_real_loopback(running: RunningSim) -> None:
    async with httpx.AsyncClient(base_url=running.base_url) as client:
        page = (await client.get("/bugbug/api/v2/testruns/?page_size=3", headers=BUGBUG)).json()
        assert page["next"].startswith(f"{running.base_url}/bugbug/api/v2/testruns/?")
        bugs = await client.get(f"/bugnet/api/projects/{BUGNET_PROJECT}/bugs", headers=BUGNET)
        assert bugs.json()["ok"] is True and "x-ratelimit-limit" in bugs.headers


async def test_every_answer_over_loopback_carries_one_date_on_the_scenario_clock(
    running: RunningSim,
) -> None:
    """GIVEN the simulator on a manual scenario clock, served by uvicorn WHEN GitHub's slice (which
    dates its own answers) and BugBug (which does not) answer THEN each answer has exactly one
    Date, the scenario's (uvicorn's wall-clock Date would be a second, contradicting one)."""
    scenario_now = formatdate(running.sim.clock.now(), usegmt=True)
    github = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
    async with httpx.AsyncClient(base_url=running.base_url) as client:
        for path, headers in (("/github/rate_limit", github), ("/bugbug/api/v2/tests/", BUGBUG)):
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 200, path
            assert answer.headers.get_list("date") == [scenario_now], path


async def test_logs_redirect_is_followed_to_the_text_over_loopback(running: RunningSim) -> None:
    sim = running.sim
    run = next(
        r for r in sim.bugbug.test_runs.values() if r.has_logs and r.timeline.ended(sim.now())
    )
    async with httpx.AsyncClient(base_url=running.base_url, follow_redirects=True) as client:
        log = await client.get(f"/bugbug/api/v2/testruns/{run.id}/logs/", headers=BUGBUG)
    assert log.status_code == 200 and log.history[0].status_code == 302
    assert run.id in log.text


@pytest.mark.parametrize("fault", ["drop_rate=1", "down"])
async def test_a_dropped_connection_is_a_protocol_error_for_httpx(
    running: RunningSim, fault: str
) -> None:
    spec = f"bugbug:{fault}"
    async with httpx.AsyncClient(base_url=running.base_url) as client:
        assert (await client.post("/_sim/faults", json={"spec": spec})).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/bugbug/api/v2/tests/", headers=BUGBUG)
        await client.post("/_sim/faults", json={"clear": True})
        assert (await client.get("/bugbug/api/v2/tests/", headers=BUGBUG)).status_code == 200


async def test_a_malformed_body_over_loopback_has_a_consistent_length(running: RunningSim) -> None:
    running.sim.faults.set("bugbug", malformed_rate=1.0)
    async with httpx.AsyncClient(base_url=running.base_url) as client:
        response = await client.get("/bugbug/api/v2/tests/", headers=BUGBUG)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_serve_calls_on_ready_with_the_bound_url_and_stops_on_request() -> None:
    urls: list[str] = []
    listening, stop = threading.Event(), threading.Event()

    def on_ready(url: str) -> None:
        urls.append(url)
        listening.set()

    thread = threading.Thread(target=serve, kwargs={"port": 0, "on_ready": on_ready, "stop": stop})
    thread.start()
    try:
        assert listening.wait(15)
        with httpx.Client(base_url=urls[0]) as client:
            assert client.get("/bugnet/api/health").json()["data"]["status"] == "healthy"
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()
    assert urls[0].startswith("http://127.0.0.1:")


def test_the_written_config_parses_and_holds_only_the_contract_keys() -> None:
    config = tomllib.loads(render_config("http://127.0.0.1:8765/"))
    assert set(config) == {"providers", "tracker", "github"}
    assert config["github"] == {"api_url": "http://127.0.0.1:8765/github", "token": GITHUB_TOKEN}
    web, plans, previews = config["providers"]
    assert web == {"name": "web", "kind": "bugbug", "base_url": "http://127.0.0.1:8765/bugbug",
                   "token": BUGBUG_TOKEN}  # fmt: skip
    assert plans == {"name": "plans", "kind": "bugbrain",
                     "base_url": "http://127.0.0.1:8765/bugbrain/api/v1",
                     "token": BUGBRAIN_API_KEY, "project_id": BUGBRAIN_PROJECT_ID}  # fmt: skip
    assert previews == {"name": "previews", "kind": "bug0", "base_url": "http://127.0.0.1:8765/bug0",
                        "token": BUG0_API_KEY, "project_id": BUG0_PROJECT_ID}  # fmt: skip
    assert config["tracker"] == {"kind": "bugnet", "base_url": "http://127.0.0.1:8765/bugnet",
                                 "project": BUGNET_PROJECT, "token": BUGNET_TOKEN,
                                 "api_key": BUGNET_API_KEY}  # fmt: skip


async def test_the_written_config_works_against_a_running_simulator(running: RunningSim) -> None:
    config = tomllib.loads(render_config(running.base_url))
    web, plans, previews = config["providers"]
    async with httpx.AsyncClient() as client:
        tests = await client.get(f"{web['base_url']}/api/v2/tests/",
                                 headers={"Authorization": f"Token {web['token']}"})  # fmt: skip
        executions = await client.get(f"{plans['base_url']}/executions",
                                      params={"project_id": plans["project_id"]},
                                      headers={"Authorization": f"Bearer {plans['token']}"})  # fmt: skip
        trigger = await client.post(f"{previews['base_url']}/api/run-tests",
                                    json={"projectId": previews["project_id"]},
                                    headers={"x-api-key": previews["token"]})  # fmt: skip
        tracker = config["tracker"]
        submit = await client.post(f"{tracker['base_url']}/api/bugs/submit", json={"title": "t"},
                                   headers={"X-API-Key": tracker["api_key"]})  # fmt: skip
    assert [r.status_code for r in (tests, executions, trigger, submit)] == [200, 200, 200, 201]


def test_the_banner_names_every_base_url_and_the_demo_credentials() -> None:
    text = banner("http://127.0.0.1:8765")
    for needle in ("http://127.0.0.1:8765/bugbug", "http://127.0.0.1:8765/bugbrain/api/v1",
                   "http://127.0.0.1:8765/bug0", "http://127.0.0.1:8765/bugnet", BUGBUG_TOKEN,
                   BUGBRAIN_API_KEY, BUG0_API_KEY, BUGNET_TOKEN, BUGNET_API_KEY, BUGNET_PASSWORD):  # fmt: skip
        assert needle in text


def test_the_simulator_imports_nothing_of_the_product() -> None:
    code = (
        "import sys, qa_tui.sim, qa_tui.sim.server;"
        "bad = [m for m in sys.modules if m.startswith(('qa_tui.core', 'qa_tui.ui', 'qa_tui.cli',"
        " 'textual', 'rich'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
