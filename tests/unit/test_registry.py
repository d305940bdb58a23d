"""The registry turns config tables into budgeted, authenticated sources and a tracker client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from qa_tui.core.clock import ManualClock
from qa_tui.core.config.tables import DEFAULT_REQUESTS_PER_MINUTE, Config, load_config
from qa_tui.core.providers import bug0, bugbrain, bugbug, bugnet
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.registry import (
    TRACKER,
    auth_headers,
    build_sources,
    build_tracker,
    default_base_url,
)
from qa_tui.core.providers.triggers import MEMORY, TriggerLog

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def config_of(*providers: dict[str, object], tracker: dict[str, object] | None = None) -> Config:
    return Config.model_validate({"providers": list(providers), "tracker": tracker})


def test_each_kind_defaults_to_its_modules_base_url_and_documented_budget() -> None:
    assert default_base_url("bugbug") == bugbug.DEFAULT_BASE_URL == "https://app.bugbug.io"
    assert default_base_url("bugbrain") == bugbrain.DEFAULT_BASE_URL
    assert default_base_url("bug0") == bug0.DEFAULT_BASE_URL
    assert default_base_url("bugnet") == bugnet.DEFAULT_BASE_URL
    assert DEFAULT_REQUESTS_PER_MINUTE == {
        "bugbug": bugbug.DEFAULT_REQUESTS_PER_MINUTE,
        "bugbrain": bugbrain.DEFAULT_REQUESTS_PER_MINUTE,
        "bug0": bug0.DEFAULT_REQUESTS_PER_MINUTE,
    }


def test_the_example_config_builds_one_source_per_provider_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "BUGBUG_TOKEN",
        "BUGBRAIN_TOKEN",
        "BUG0_API_KEY",
        "BUGNET_TOKEN",
        "REDIS_PASSWORD",
    ):
        monkeypatch.setenv(name, f"secret-{name}")
    config = load_config(EXAMPLE)
    triggers = TriggerLog(MEMORY)
    sources = build_sources(config, clock=ManualClock(), triggers=triggers)

    assert [type(s) for s in sources] == [
        bugbug.BugBugSource,
        bugbrain.BugBrainSource,
        bug0.Bug0Source,
    ]
    assert [s.name for s in sources] == ["web", "plans", "preview"]
    assert all(isinstance(s, RunSource) for s in sources)
    assert [s.budget.per_minute for s in sources] == [60, 30, 10]
    tracker = build_tracker(config)
    assert isinstance(tracker, bugnet.BugnetClient)
    assert tracker.project == "my-cool-game"
    assert tracker.budget.per_minute == 120
    for thing in (*sources, tracker):
        assert "secret-" not in repr(thing)
    triggers.close()


@pytest.mark.parametrize(
    ("kind", "style", "expected"),
    [
        ("bugbug", None, {"Authorization": "Token k"}),
        ("bugbrain", None, {"Authorization": "Bearer k"}),
        ("bugbrain", "x-api-key", {"x-api-key": "k"}),
        ("bug0", None, {"x-api-key": "k"}),
        ("bug0", "service-token", {"x-bug0-service-token": "k"}),
    ],
)
def test_auth_headers_follow_the_kind_and_style(
    kind: str, style: str | None, expected: dict[str, str]
) -> None:
    table: dict[str, object] = {"name": "p", "kind": kind, "token": "k", "project_id": "x"}
    if style:
        table["auth_style"] = style
    assert auth_headers(config_of(table).providers[0]) == expected


async def test_requests_go_to_the_configured_base_url_with_the_auth_header() -> None:
    """GIVEN a BugBrain provider routed to a test transport WHEN it lists THEN the request carries
    the Bearer key, the project id and goes under the configured base URL."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"data": [], "pagination": {"limit": 5, "offset": 0, "total": 0}}
        )

    config = config_of(
        {
            "name": "plans",
            "kind": "bugbrain",
            "token": "bugbrain_sk_dev_abc",
            "project_id": "proj_1",
            "base_url": "https://brain.test/api/v1",
            "requests_per_minute": 5,
        }
    )
    routed: list[str] = []

    def transport_for(name: str) -> httpx.AsyncBaseTransport:
        routed.append(name)
        return httpx.MockTransport(handler)

    [source] = build_sources(config, clock=ManualClock(), transport_for=transport_for)
    page = await source.list_runs(limit=5)
    await source.aclose()

    assert routed == ["plans"]
    assert page.runs == []
    assert str(seen[0].url).startswith("https://brain.test/api/v1/executions")
    assert seen[0].url.params["project_id"] == "proj_1"
    assert seen[0].headers["Authorization"] == "Bearer bugbrain_sk_dev_abc"
    assert source.budget.per_minute == 5


def test_no_tracker_table_means_no_tracker() -> None:
    assert build_tracker(config_of({"name": "w", "kind": "bugbug", "token": "t"})) is None


def test_the_tracker_is_routed_by_the_tracker_name() -> None:
    routed: list[str] = []

    def transport_for(name: str) -> httpx.AsyncBaseTransport | None:
        routed.append(name)
        return None

    config = config_of(
        {"name": "w", "kind": "bugbug", "token": "t"},
        tracker={"project": "game", "email": "a@b.c", "password": "pw-secret"},
    )
    tracker = build_tracker(config, transport_for=transport_for)
    assert routed == [TRACKER]
    assert tracker is not None and "pw-secret" not in repr(tracker)
