"""The simulated Bugnet: envelope, auth, rate-limit headers, bugs, comments, similar, labels, SDK."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from qa_tui.sim import ScenarioClock, Simulator
from qa_tui.sim.credentials import BUGNET_API_KEY, BUGNET_EMAIL, BUGNET_PASSWORD, BUGNET_PROJECT
from tests.sim.conftest import BUGNET

API = "/bugnet/api"
BUGS = f"{API}/projects/{BUGNET_PROJECT}/bugs"


async def create(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post(BUGS, headers=BUGNET, json={"title": "A new bug", **body})


async def test_health_answers_healthy_without_auth(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/health")
    assert response.json() == {"ok": True, "data": {"status": "healthy"}}


async def test_login_gives_a_token_that_works_as_bearer(client: httpx.AsyncClient) -> None:
    login = await client.post(
        f"{API}/auth/login", json={"email": BUGNET_EMAIL, "password": BUGNET_PASSWORD}
    )
    assert login.status_code == 200
    data = login.json()["data"]
    assert data["user"]["email"] == BUGNET_EMAIL and set(data["user"]) == {
        "id",
        "email",
        "display_name",
    }
    projects = await client.get(
        f"{API}/projects", headers={"Authorization": f"Bearer {data['token']}"}
    )
    assert projects.json()["data"][0]["slug"] == BUGNET_PROJECT


async def test_a_wrong_password_is_401_in_the_error_envelope(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{API}/auth/login", json={"email": BUGNET_EMAIL, "password": "no"}
    )
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": "Invalid email or password"}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"X-API-Key": BUGNET_API_KEY}]
)
async def test_dashboard_routes_need_a_session_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(BUGS, headers=headers)
    assert response.status_code == 401 and response.json()["ok"] is False


async def test_every_response_carries_rate_limit_headers_errors_included(
    client: httpx.AsyncClient,
) -> None:
    for response in (
        await client.get(f"{API}/health"),
        await client.get(BUGS, headers=BUGNET),
        await client.get(f"{BUGS}/nope", headers=BUGNET),
        await client.get(BUGS),
    ):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
            response.headers
        )
    assert (await client.get(BUGS, headers=BUGNET)).headers["x-ratelimit-limit"] == "120"
    assert (await client.get(f"{API}/health")).headers["x-ratelimit-limit"] == "30"


async def test_the_eleventh_login_in_a_minute_is_429(
    client: httpx.AsyncClient, clock: ScenarioClock
) -> None:
    clock.advance(60 - clock.now() % 60)
    body = {"email": BUGNET_EMAIL, "password": "wrong"}
    codes = [(await client.post(f"{API}/auth/login", json=body)).status_code for _ in range(11)]
    assert codes == [401] * 10 + [429]
    clock.advance(60)
    assert (await client.post(f"{API}/auth/login", json=body)).status_code == 401


async def test_bug_lists_are_paged_with_a_pagination_block(client: httpx.AsyncClient) -> None:
    first = (await client.get(BUGS, headers=BUGNET, params={"limit": 5})).json()
    assert first["ok"] is True and len(first["data"]) == 5
    total = first["pagination"]["total"]
    ids = {b["id"] for b in first["data"]}
    for page in range(2, first["pagination"]["pages"] + 1):
        ids |= {
            b["id"]
            for b in (
                await client.get(BUGS, headers=BUGNET, params={"limit": 5, "page": page})
            ).json()["data"]
        }
    assert len(ids) == total


async def test_list_filters_narrow_the_bugs(client: httpx.AsyncClient) -> None:
    for key, value in (("status", "open"), ("priority", "high"), ("category", "ui")):
        bugs = (await client.get(BUGS, headers=BUGNET, params={key: value, "limit": 100})).json()[
            "data"
        ]
        assert bugs and all(b[key] == value for b in bugs)


async def test_search_is_case_insensitive_over_title_and_description(
    client: httpx.AsyncClient,
) -> None:
    await create(client, description="Client reference QA-TUI-REF-1234 inside the text")
    found = (await client.get(BUGS, headers=BUGNET, params={"search": "qa-tui-ref-1234"})).json()[
        "data"
    ]
    assert [b["title"] for b in found] == ["A new bug"]
    by_title = (await client.get(BUGS, headers=BUGNET, params={"search": "ADD TO CART"})).json()[
        "data"
    ]
    assert by_title


async def test_create_accepts_both_field_name_families(client: httpx.AsyncClient) -> None:
    long = (
        await create(client, steps_to_reproduce="1. a", expected_behavior="e", actual_behavior="x")
    ).json()["data"]
    short = (await create(client, steps="1. a", expected="e", actual="x")).json()["data"]
    for bug in (long, short):
        assert (bug["steps_to_reproduce"], bug["expected_behavior"], bug["actual_behavior"]) == (
            "1. a",
            "e",
            "x",
        )
        assert (bug["category"], bug["priority"], bug["status"]) == ("other", "medium", "open")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"title": ""}, "title is required"),
        ({"title": "x" * 301}, "title must be at most 300 characters"),
        ({"category": "bug"}, "category must be one of"),
        ({"priority": "urgent"}, "priority must be one of"),
    ],
)
async def test_create_validation_fails_with_400_and_a_message(
    client: httpx.AsyncClient, body: dict[str, Any], error: str
) -> None:
    response = await create(client, **body)
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["error"].startswith(error)


async def test_a_created_bug_is_201_and_can_be_read_updated_and_commented(
    client: httpx.AsyncClient,
) -> None:
    created = await create(client, priority="high", category="crash")
    assert created.status_code == 201
    bug_id = created.json()["data"]["id"]
    patched = await client.patch(f"{BUGS}/{bug_id}", headers=BUGNET, json={"status": "in_progress"})
    assert patched.json()["data"]["status"] == "in_progress"
    put = await client.put(f"{BUGS}/{bug_id}", headers=BUGNET, json={"priority": "critical"})
    assert put.json()["data"]["priority"] == "critical"
    comment = await client.post(
        f"{BUGS}/{bug_id}/comments", headers=BUGNET, json={"body": "Seen again", "internal": True}
    )
    assert comment.status_code == 201 and comment.json()["data"]["internal"] is True
    full = (await client.get(f"{BUGS}/{bug_id}", headers=BUGNET)).json()["data"]
    assert [c["body"] for c in full["comments"]] == ["Seen again"]
    assert [a["type"] for a in full["activity"]] == ["created", "updated", "updated", "commented"]


async def test_an_unknown_bug_and_an_unknown_project_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{BUGS}/nope", headers=BUGNET)).json() == {
        "ok": False,
        "error": "Bug not found",
    }
    other = await client.get(f"{API}/projects/other/bugs", headers=BUGNET)
    assert other.status_code == 404


async def test_similar_bugs_come_back_scored_best_first(client: httpx.AsyncClient) -> None:
    body = {
        "title": "Add to Cart: Element not found: .add-to-cart-btn",
        "description": "button missing",
    }
    found = (await client.post(f"{BUGS}/similar", headers=BUGNET, json=body)).json()["data"]
    assert found[0]["title"] == "Add to cart button missing on product page"
    scores = [b["score"] for b in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


async def test_filing_the_same_title_again_finds_it_first_with_score_one(
    client: httpx.AsyncClient,
) -> None:
    await create(client, title="Checkout: payment step times out")
    found = (
        await client.post(
            f"{BUGS}/similar", headers=BUGNET, json={"title": "Checkout: payment step times out"}
        )
    ).json()
    assert found["data"][0]["score"] == 1.0


async def test_similar_needs_a_title_or_description(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{BUGS}/similar", headers=BUGNET, json={})
    assert response.status_code == 400


async def test_labels_can_be_created_and_put_on_a_bug(client: httpx.AsyncClient) -> None:
    label = (
        await client.post(
            f"{API}/projects/{BUGNET_PROJECT}/labels",
            headers=BUGNET,
            json={"name": "nightly", "color": "#123456"},
        )
    ).json()["data"]
    bug_id = (await create(client)).json()["data"]["id"]
    tagged = await client.post(
        f"{BUGS}/{bug_id}/labels", headers=BUGNET, json={"label_id": label["id"]}
    )
    assert [lbl["name"] for lbl in tagged.json()["data"]["labels"]] == ["nightly"]
    labels = (await client.get(f"{API}/projects/{BUGNET_PROJECT}/labels", headers=BUGNET)).json()[
        "data"
    ]
    assert "nightly" in {lbl["name"] for lbl in labels}


async def test_the_sdk_submits_a_bug_with_its_api_key(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    body = {"title": "Crash on level 3", "description": "d", "category": "crash", "priority": "high",
            "steps_to_reproduce": "1. play", "platform": "windows", "game_version": "1.2.0",
            "os_info": "Windows 11", "device_info": "RTX", "screenshot": "data:image/png;base64,iVBORw0KGgo="}  # fmt: skip
    response = await client.post(
        f"{API}/bugs/submit", headers={"X-API-Key": BUGNET_API_KEY}, json=body
    )
    assert response.status_code == 201
    bug_id = response.json()["data"]["id"]
    assert sim.bugnet.bugs[bug_id].source == "sdk"
    assert sim.bugnet.bugs[bug_id].extra["os_info"] == "Windows 11"


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "sk_live_wrong"}])
async def test_submit_without_the_right_key_is_401(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(f"{API}/bugs/submit", headers=headers, json={"title": "x"})
    assert response.status_code == 401 and response.json()["ok"] is False


async def test_every_route_is_mirrored_under_api_v1(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/bugnet/api/v1/projects/{BUGNET_PROJECT}/bugs", headers=BUGNET)
    assert response.status_code == 200 and response.json()["ok"] is True
