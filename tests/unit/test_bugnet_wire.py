"""Bugnet without a network: draft validation, tolerant reading, similarity and secrets.

The few client tests here answer from an `httpx.MockTransport` in the same process: they pin down
how odd answer shapes are read, not how Bugnet behaves (that is tests/contract).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import AuthFailed, RequestRejected, Unsupported
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.providers.bugnet import (
    CATEGORIES,
    AuthMode,
    Bug,
    BugDraft,
    BugnetClient,
    DraftInvalid,
    reference_line,
    with_reference,
)
from qa_tui.core.providers.bugnet.wire import significant_words, title_similarity

TOKEN = "bn_sess_unit_7f3a"
PASSWORD = "hunter2-unit"
API_KEY = "sk_live_unit_91c2"


def client_answering(
    answer: Callable[[httpx.Request], httpx.Response], **auth: Any
) -> BugnetClient:
    clock = ManualClock()
    http = ProviderHttp(
        "bugnet",
        "https://bugnet.test",
        budget=RequestBudget(600, clock=clock),
        clock=clock,
        transport=httpx.MockTransport(answer),
    )
    return BugnetClient(http, project="game", **(auth or {"token": TOKEN}))


def ok(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"ok": True, "data": data})


# --- drafts -------------------------------------------------------------------------------------


def test_a_draft_with_only_a_title_gets_sensible_defaults() -> None:
    draft = BugDraft(title="Checkout button does nothing")
    assert (draft.category, draft.priority, draft.labels, draft.client_ref) == (
        "other",
        "medium",
        [],
        None,
    )


def test_a_blank_title_is_refused_with_a_plain_message() -> None:
    with pytest.raises(DraftInvalid) as caught:
        BugDraft.checked(title="   ")
    assert caught.value.problems == {"title": "a title is required"}


def test_a_title_over_300_characters_says_how_long_it_is() -> None:
    with pytest.raises(DraftInvalid) as caught:
        BugDraft.checked(title="x" * 301)
    assert caught.value.problems["title"] == "the title is 301 characters; Bugnet allows 300"
    assert BugDraft.checked(title="x" * 300).title == "x" * 300


def test_every_bad_field_is_reported_at_once_and_names_the_valid_values() -> None:
    with pytest.raises(DraftInvalid) as caught:
        BugDraft.checked(title="", category="bug", priority="urgent")
    problems = caught.value.problems
    assert set(problems) == {"title", "category", "priority"}
    assert "'bug' is not a category" in problems["category"]
    assert all(name in problems["category"] for name in CATEGORIES)
    assert (
        problems["priority"] == "'urgent' is not a priority; use one of low, medium, high, critical"
    )


def test_a_draft_cannot_be_changed_after_it_is_validated() -> None:
    draft = BugDraft(title="t")
    with pytest.raises(ValueError):
        draft.title = ""  # type: ignore[misc]


def test_the_reference_line_is_appended_once_and_only_when_there_is_a_reference() -> None:
    assert with_reference("Broken.", None) == "Broken."
    once = with_reference("Broken.\n", "abc")
    assert once == "Broken.\n\nqa-tui-ref: abc"
    assert with_reference(once, "abc") == once
    assert with_reference("", "abc") == reference_line("abc") == "qa-tui-ref: abc"
    draft = BugDraft(title="t", description="d", client_ref="abc")
    assert draft.description_with_reference().endswith("\nqa-tui-ref: abc")


# --- tolerant reading ---------------------------------------------------------------------------


def test_a_bug_keeps_bugnet_words_and_ignores_what_it_does_not_know() -> None:
    bug = Bug.model_validate(
        {
            "id": 42,
            "title": "[red]Boom[/red] \x1b[31m",
            "status": "wont_fix",
            "priority": "blocker",
            "web_url": "https://bugnet.io/x",
            "created_at": "2026-01-02T03:04:05.678Z",
            "assignee": {"id": "u1"},
        }
    )
    assert bug.id == "42"
    assert bug.title == "[red]Boom[/red] \x1b[31m"
    assert (bug.status, bug.priority, bug.url) == ("wont_fix", "blocker", "https://bugnet.io/x")
    assert bug.created_at == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert bug.description is None


def test_an_unreadable_date_comment_or_label_does_not_lose_the_bug() -> None:
    bug = Bug.model_validate(
        {
            "id": "b1",
            "title": None,
            "created_at": "last tuesday",
            "comments": [{"id": "c1", "body": "seen again"}, {"body": "no id"}, "junk"],
            "labels": ["ui", {"id": "l1", "name": "flaky"}, 3, {"id": "l2"}],
        }
    )
    assert (bug.title, bug.created_at) == ("", None)
    assert [c.id for c in bug.comments] == ["c1"]
    assert bug.labels == ["ui", "flaky"]


@pytest.mark.parametrize(
    "data",
    [
        [{"id": "a", "title": "one"}, {"title": "no id"}, {"id": "b", "title": "two"}],
        {"bugs": [{"id": "a", "title": "one"}, {"nope": 1}, {"id": "b"}], "total": 7},
        {"items": [{"id": "a"}, 5, {"id": "b"}]},
        {"results": [{"id": "a"}, None, {"id": "b"}], "total": "many"},
    ],
    ids=["bare list", "bugs+total", "items", "results"],
)
async def test_every_plausible_bug_list_shape_is_read_and_bad_items_are_counted(data: Any) -> None:
    client = client_answering(lambda request: ok(data))
    page = await client.list_bugs(limit=3)
    assert [bug.id for bug in page.bugs] == ["a", "b"]
    assert page.skipped == 1
    assert page.total == (7 if isinstance(data, dict) and data.get("total") == 7 else None)


async def test_a_2xx_that_says_not_ok_is_a_rejection_with_bugnet_text() -> None:
    client = client_answering(
        lambda request: httpx.Response(200, json={"ok": False, "error": "Project is archived"})
    )
    with pytest.raises(RequestRejected) as caught:
        await client.get_bug("b1")
    assert caught.value.message == "Project is archived"


async def test_a_similar_bugs_answer_with_scores_or_without_is_ranked_closest_first() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return ok(
            {
                "similar": [
                    {"bug": {"id": "far", "title": "Audio pops"}, "score": 0.2},
                    {"id": "near", "title": "Checkout button does nothing", "similarity": 0.9},
                    {"id": "unscored", "title": "Checkout button does nothing on Safari"},
                    {"score": 1.0},
                ]
            }
        )

    similar = await client_answering(answer).similar_bugs("Checkout button does nothing")
    assert [s.bug.id for s in similar][:2] == ["near", "unscored"]
    assert similar[-1].bug.id == "far"
    assert all(0.0 <= s.score <= 1.0 for s in similar)


# --- similarity ---------------------------------------------------------------------------------


def test_significant_words_drop_stopwords_and_put_long_words_first() -> None:
    words = significant_words("[web] The checkout flow fails: ELEMENT_DOES_NOT_EXIST on it")
    assert words == ["element_does_not_exist", "checkout", "fails", "flow", "web"]


def test_an_identical_title_scores_highest_and_an_unrelated_one_lowest() -> None:
    title = "Checkout flow: ELEMENT_DOES_NOT_EXIST"
    same = title_similarity(title, title)
    close = title_similarity(title, "Checkout flow fails: ELEMENT_DOES_NOT_EXIST on Safari")
    far = title_similarity(title, "Music stutters in level 3")
    assert same == 1.0
    assert same > close > 0.5 > far


# --- auth and secrets ---------------------------------------------------------------------------


def test_the_auth_path_is_inspectable_and_follows_what_is_configured() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert client_answering(never, token=TOKEN, api_key=API_KEY).auth_mode is AuthMode.SESSION
    login = client_answering(never, email="a@b.c", password=PASSWORD)
    assert login.auth_mode is AuthMode.LOGIN
    assert login.describe_auth() == "login as a@b.c"
    keyed = client_answering(never, api_key=API_KEY)
    assert keyed.auth_mode is AuthMode.API_KEY
    assert keyed.describe_auth() == "public API key (submit only)"
    assert not keyed.can_read
    with pytest.raises(ValueError, match="needs a token"):
        client_answering(never, email="a@b.c")


async def test_with_only_an_api_key_reading_is_unsupported_before_any_request() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    client = client_answering(never, api_key=API_KEY)
    with pytest.raises(Unsupported, match="only a public API key"):
        await client.find_by_reference("ref-1")


def test_no_secret_appears_in_the_client_repr_or_str() -> None:
    client = client_answering(
        lambda r: ok({}), token=TOKEN, email="a@b.c", password=PASSWORD, api_key=API_KEY
    )
    for text in (repr(client), str(client), repr(vars(client))):
        assert TOKEN not in text and PASSWORD not in text and API_KEY not in text
    assert "project='game'" in repr(client) and "auth='session'" in repr(client)


async def test_a_secret_echoed_back_in_an_error_is_blanked() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        header = request.headers["authorization"]
        return httpx.Response(401, json={"ok": False, "error": f"bad header {header}"})

    client = client_answering(echo, token=TOKEN)
    with pytest.raises(AuthFailed) as caught:
        await client.list_projects()
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.message
    # The HTTP layer blanks the whole echoed header value (the Bugnet client would leave "Bearer").
    assert caught.value.message == "bad header ***"


async def test_the_login_password_travels_only_in_the_login_body() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/auth/login":
            return ok({"token": "fresh-token", "user": {"display_name": "Dev"}})
        return ok([])

    client = client_answering(answer, email="a@b.c", password=PASSWORD)
    assert await client.login() == "Dev"
    await client.list_projects()
    login, projects = seen
    assert json.loads(login.content) == {"email": "a@b.c", "password": PASSWORD}
    assert "authorization" not in login.headers
    assert projects.headers["authorization"] == "Bearer fresh-token"
    assert PASSWORD not in str(projects.url) and PASSWORD not in str(projects.headers)


async def test_a_login_that_keeps_being_refused_is_retried_once_not_forever() -> None:
    logins: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/auth/login":
            logins.append(request)
            return ok({"token": f"token-{len(logins)}"})
        return httpx.Response(401, json={"ok": False, "error": "Invalid or expired session token"})

    client = client_answering(answer, email="a@b.c", password=PASSWORD)
    with pytest.raises(AuthFailed, match="expired"):
        await client.list_bugs()
    assert len(logins) == 2
