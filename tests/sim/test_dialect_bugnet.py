"""Bugnet in every dialect: its envelope, its error bodies, the shape of its bug list, the update
method it takes and whether its similar-bugs search exists (providers.md §4.1-§4.3, gaps §6.11
and §6.12)."""

from __future__ import annotations

from typing import Any

import pytest

from qa_tui.sim.credentials import BUGNET_API_KEY, BUGNET_PROJECT
from tests.sim.conftest import BUGNET, client_for, spoken_app

BUGS = f"/bugnet/api/projects/{BUGNET_PROJECT}/bugs"


# -- bugnet.envelope -----------------------------------------------------------------------------
async def test_an_ok_data_envelope_wraps_every_success() -> None:
    async with client_for(spoken_app("bugnet.envelope=ok-data")) as client:
        bugs = (await client.get(BUGS, headers=BUGNET)).json()
        health = (await client.get("/bugnet/api/health")).json()
    assert bugs["ok"] is True and isinstance(bugs["data"], list)
    assert health == {"ok": True, "data": {"status": "healthy"}}


async def test_a_bare_bugnet_answers_with_the_data_alone() -> None:
    async with client_for(spoken_app("bugnet.envelope=bare")) as client:
        bugs = (await client.get(BUGS, headers=BUGNET)).json()
        one = (await client.get(f"{BUGS}/{bugs[0]['id']}", headers=BUGNET)).json()
        created = await client.post(BUGS, headers=BUGNET, json={"title": "Cart empties itself"})
        submitted = await client.post("/bugnet/api/bugs/submit", headers={"X-API-Key": BUGNET_API_KEY},
                                      json={"title": "Crash on boot"})  # fmt: skip
        health = (await client.get("/bugnet/api/health")).json()
        missing = await client.get(f"{BUGS}/nope", headers=BUGNET)
    assert isinstance(bugs, list) and bugs[0]["title"]  # the pagination went with the envelope
    assert one["id"] == bugs[0]["id"] and "comments" in one and "ok" not in one
    assert created.status_code == 201 and created.json()["title"] == "Cart empties itself"
    assert submitted.json()["title"] == "Crash on boot"
    assert health == {"status": "healthy"}
    assert missing.json() == {"ok": False, "error": "Bug not found"}  # errors: bugnet.errors


# -- bugnet.errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "body"), [
    ("ok-false", lambda m, c: {"ok": False, "error": m}),
    ("error-object", lambda m, c: {"ok": False, "error": {"code": c, "message": m}}),
    ("detail", lambda m, c: {"detail": m}),
])  # fmt: skip
async def test_bugnet_errors_are_json_of_the_readings_shape(reading: str, body: Any) -> None:
    app = spoken_app(f"bugnet.errors={reading}")
    async with client_for(app) as client:
        missing = await client.get(f"{BUGS}/nope", headers=BUGNET)
        unauthorized = await client.get(BUGS)
        invalid = await client.post(BUGS, headers=BUGNET, json={"title": ""})
        app.state.sim.faults.set("bugnet", throttle=1.0)
        throttled = await client.get(BUGS, headers=BUGNET)
    assert missing.status_code == 404 and missing.json() == body("Bug not found", "not_found")
    assert unauthorized.json() == body("Missing bearer token", "unauthorized")
    assert invalid.status_code == 400 and invalid.json() == body("title is required", "bad_request")
    assert throttled.status_code == 429 and throttled.json() == body(
        "Too many requests", "rate_limited"
    )


async def test_bugnet_errors_as_text_are_the_message_in_plain_text() -> None:
    async with client_for(spoken_app("bugnet.errors=text")) as client:
        missing = await client.get(f"{BUGS}/nope", headers=BUGNET)
        fine = await client.get(BUGS, headers=BUGNET)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/plain")
    assert missing.text == "Bug not found"
    assert fine.json()["ok"] is True


# -- bugnet.list ---------------------------------------------------------------------------------
async def test_a_bug_list_with_pagination_beside_the_data() -> None:
    async with client_for(spoken_app("bugnet.list=pagination")) as client:
        page = (await client.get(BUGS, params={"limit": 5, "page": 2}, headers=BUGNET)).json()
    assert len(page["data"]) == 5
    assert page["pagination"] == {"page": 2, "limit": 5, "total": 12, "pages": 3}


async def test_a_bug_list_nested_in_data_with_its_counts() -> None:
    async with client_for(spoken_app("bugnet.list=nested")) as client:
        page = (await client.get(BUGS, params={"limit": 5, "page": 2}, headers=BUGNET)).json()
    assert set(page) == {"ok", "data"}
    assert set(page["data"]) == {"bugs", "page", "limit", "total"}
    assert len(page["data"]["bugs"]) == 5 and page["data"]["total"] == 12


async def test_a_bug_list_as_an_array_only_says_more_only_by_a_full_page() -> None:
    async with client_for(spoken_app("bugnet.list=array-only")) as client:
        pages = [
            (await client.get(BUGS, params={"limit": 5, "page": n}, headers=BUGNET)).json()
            for n in (1, 2, 3)
        ]
    assert all(set(p) == {"ok", "data"} and isinstance(p["data"], list) for p in pages)
    assert [len(p["data"]) for p in pages] == [5, 5, 2]
    assert len({b["id"] for p in pages for b in p["data"]}) == 12


# -- bugnet.update -------------------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "patch", "put"), [
    ("patch-and-put", 200, 200),
    ("patch", 200, 405),
    ("put", 405, 200),
])  # fmt: skip
async def test_bugnet_updates_a_bug_by_the_methods_the_reading_says(
    reading: str, patch: int, put: int
) -> None:
    async with client_for(spoken_app(f"bugnet.update={reading}")) as client:
        bug = (await client.get(BUGS, headers=BUGNET)).json()["data"][0]
        by_patch = await client.patch(
            f"{BUGS}/{bug['id']}", headers=BUGNET, json={"priority": "low"}
        )
        by_put = await client.put(f"{BUGS}/{bug['id']}", headers=BUGNET, json={"priority": "high"})
        after = (await client.get(f"{BUGS}/{bug['id']}", headers=BUGNET)).json()["data"]
    assert (by_patch.status_code, by_put.status_code) == (patch, put)
    for refused in (r for r in (by_patch, by_put) if r.status_code == 405):
        assert refused.json()["ok"] is False
    assert after["priority"] == ("high" if put == 200 else "low")


# -- bugnet.similar ------------------------------------------------------------------------------
@pytest.mark.parametrize(("reading", "status"), [("present", 200), ("absent", 404)])
async def test_the_similar_bugs_search_exists_only_when_the_reading_says(
    reading: str, status: int
) -> None:
    async with client_for(spoken_app(f"bugnet.similar={reading}")) as client:
        answer = await client.post(f"{BUGS}/similar", headers=BUGNET,
                                   json={"title": "Checkout fails with a declined payment"})  # fmt: skip
        search = await client.get(BUGS, params={"search": "checkout"}, headers=BUGNET)
    assert answer.status_code == status
    if status == 200:
        assert answer.json()["data"][0]["score"] > 0.5
    else:
        assert answer.json() == {"ok": False, "error": "Not found"}
    assert search.json()["data"]  # the fallback the docs suggest always works
