"""Fault injection: each fault type, in each way it can be set, is seen by a client as documented."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from qa_tui.sim import FaultPlan, FaultSpecError, ProviderFaults, Simulator, parse_fault_spec
from qa_tui.sim.credentials import BUGNET_PROJECT
from qa_tui.sim.faults import SimulatedDisconnect
from tests.sim.conftest import BUGBRAIN, BUGBUG, BUGNET

TESTS = "/bugbug/api/v2/tests/"
BUGS = f"/bugnet/api/projects/{BUGNET_PROJECT}/bugs"


def test_a_spec_sets_several_faults_on_several_providers() -> None:
    plan = parse_fault_spec("bugbug:error_rate=0.2,latency=0.5; bugnet:down;bug0:rpm=3,throttle")
    assert plan.get("bugbug") == ProviderFaults(error_rate=0.2, latency=0.5)
    assert plan.get("bugnet").down is True
    assert plan.get("bug0") == ProviderFaults(rpm=3, throttle=1.0)
    assert plan.get("bugbrain") == ProviderFaults()


def test_a_star_spec_applies_to_every_provider_and_later_parts_add_to_it() -> None:
    plan = parse_fault_spec("*:malformed_rate=0.1;bugbug:drop_rate=0.5")
    assert plan.get("bugnet").malformed_rate == 0.1
    assert plan.get("bugbug") == ProviderFaults(malformed_rate=0.1, drop_rate=0.5)


def test_an_empty_spec_is_no_faults() -> None:
    assert parse_fault_spec("  ").to_dict() == {}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bugbog:down", "unknown provider 'bugbog'"),
        ("bugbug", "expected 'provider:fault=value,...'"),
        ("bugbug:", "expected 'provider:fault=value,...'"),
        ("bugbug:eror_rate=0.1", "unknown fault 'eror_rate'"),
        ("bugbug:error_rate=2", "error_rate must be between 0 and 1"),
        ("bugbug:error_rate=lots", "error_rate must be a number"),
        ("bugbug:latency=-1", "latency must not be negative"),
        ("bugbug:rpm=0", "rpm must be a whole number of at least 1"),
        ("bugbug:rpm=2.5", "rpm must be a whole number"),
        ("bugbug:down=maybe", "down must be true or false"),
        ("bugbug:latency", "'latency' needs a value"),
        ("bugbug:error_rate=0.1,", "empty fault setting"),
    ],
)
def test_a_bad_spec_says_which_part_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_fault_spec(spec)


async def test_error_rate_one_gives_5xx_in_the_providers_own_error_shape(
    client: httpx.AsyncClient, faults: FaultPlan
) -> None:
    faults.set("*", error_rate=1.0)
    bugbug = await client.get(TESTS, headers=BUGBUG)
    assert bugbug.status_code in (500, 502, 503) and "detail" in bugbug.json()
    bugnet = await client.get(BUGS, headers=BUGNET)
    assert bugnet.status_code >= 500 and bugnet.json()["ok"] is False
    bug0 = await client.post("/bug0/api/run-tests", json={})
    assert bug0.status_code >= 500 and bug0.json()["success"] is False
    bugbrain = await client.get("/bugbrain/api/v1/test-cases", headers=BUGBRAIN)
    assert bugbrain.status_code >= 500 and "message" in bugbrain.json()["error"]


async def test_an_error_is_not_processed(
    client: httpx.AsyncClient, faults: FaultPlan, sim: Simulator
) -> None:
    faults.set("bugnet", error_rate=1.0)
    before = len(sim.bugnet.bugs)
    await client.post(BUGS, headers=BUGNET, json={"title": "lost?"})
    assert len(sim.bugnet.bugs) == before


async def test_latency_delays_every_request(client: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("bugbug", latency=0.05)
    began = time.perf_counter()
    assert (await client.get(TESTS, headers=BUGBUG)).status_code == 200
    assert time.perf_counter() - began >= 0.05


async def test_throttle_answers_429_with_retry_after(
    client: httpx.AsyncClient, faults: FaultPlan
) -> None:
    faults.set("bugbug", throttle=1.0, retry_after=7)
    response = await client.get(TESTS, headers=BUGBUG)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {"detail": "Request was throttled."}


async def test_an_enforced_rpm_lets_that_many_through_then_429s_until_the_window_ends(
    client: httpx.AsyncClient, faults: FaultPlan, sim: Simulator
) -> None:
    sim.advance(60 - sim.now() % 60)
    faults.set("bugbug", rpm=3)
    codes = [(await client.get(TESTS, headers=BUGBUG)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = await client.get(TESTS, headers=BUGBUG)
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-ratelimit-remaining"] == "0"
    sim.advance(60)
    assert (await client.get(TESTS, headers=BUGBUG)).status_code == 200


async def test_a_malformed_body_is_cut_json_with_the_status_kept(
    client: httpx.AsyncClient, faults: FaultPlan
) -> None:
    faults.set("bugbug", malformed_rate=1.0)
    response = await client.get(TESTS, headers=BUGBUG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


async def test_a_dropped_response_over_asgi_raises_but_the_bug_was_still_created(
    client: httpx.AsyncClient, faults: FaultPlan, sim: Simulator
) -> None:
    faults.set("bugnet", drop_rate=1.0)
    with pytest.raises(SimulatedDisconnect):
        await client.post(BUGS, headers=BUGNET, json={"title": "Filed, answer lost"})
    assert [b.title for b in sim.bugnet.bugs.values()].count("Filed, answer lost") == 1


async def test_a_provider_that_is_down_drops_every_request_before_processing(
    client: httpx.AsyncClient, faults: FaultPlan, sim: Simulator
) -> None:
    faults.set("bugnet", down=True)
    before = len(sim.bugnet.bugs)
    with pytest.raises(SimulatedDisconnect):
        await client.post(BUGS, headers=BUGNET, json={"title": "never"})
    assert len(sim.bugnet.bugs) == before
    assert (await client.get(TESTS, headers=BUGBUG)).status_code == 200  # the others keep working


async def test_faults_are_seeded_so_the_same_requests_meet_the_same_faults() -> None:
    def outcomes(seed: int) -> list[bool]:
        plan = FaultPlan(seed=seed)
        plan.set("bugbug", error_rate=0.5)
        rng = plan.rng("bugbug")
        return [rng.random() < 0.5 for _ in range(20)]

    assert outcomes(3) == outcomes(3)
    assert outcomes(3) != outcomes(4)


async def test_the_control_endpoint_sets_shows_and_clears_faults(
    client: httpx.AsyncClient, faults: FaultPlan
) -> None:
    shown = (await client.post("/_sim/faults", json={"spec": "bugbug:throttle"})).json()
    assert shown["bugbug"]["throttle"] == 1.0
    assert (await client.get(TESTS, headers=BUGBUG)).status_code == 429
    await client.post("/_sim/faults", json={"bugbrain": {"error_rate": 0.25}})
    assert faults.get("bugbrain").error_rate == 0.25
    bad = await client.post("/_sim/faults", json={"bugbrain": {"error_rate": 3}})
    assert bad.status_code == 400 and "between 0 and 1" in bad.json()["error"]
    off = (await client.post("/_sim/faults", json={"spec": "bugbug:throttle=0"})).json()
    assert set(off) == {"bugbrain"}
    assert (await client.post("/_sim/faults", json={"clear": True})).json() == {}
    assert (await client.get(TESTS, headers=BUGBUG)).status_code == 200


async def test_a_revoked_token_is_refused_until_restored(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_sim/revoke", json={"provider": "bugbug"})).json() == {
        "revoked": ["bugbug"]
    }
    refused = await client.get(TESTS, headers=BUGBUG)
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid token."}
    assert (await client.get(BUGS, headers=BUGNET)).status_code == 200
    await client.post("/_sim/restore", json={"provider": "bugbug"})
    assert (await client.get(TESTS, headers=BUGBUG)).status_code == 200
    assert (await client.post("/_sim/revoke", json={"provider": "nope"})).status_code == 400
