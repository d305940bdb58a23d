"""Doctor's verdicts: which failure means what the user must fix, and no secret in any line."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from qa_tui.core.config.tables import Config, ProviderConfig, TrackerConfig
from qa_tui.core.doctor.checks import Verdict, classify, scrub, secrets_of
from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    RequestRejected,
    ServerError,
)


@pytest.mark.parametrize(
    ("kind", "error", "verdict"),
    [
        ("bugbug", AuthFailed("web", "Invalid token.", status_code=401), Verdict.BAD_CREDENTIALS),
        (
            "bugbug",
            AuthFailed("web", "no API on this plan", status_code=403),
            Verdict.BAD_CREDENTIALS,
        ),
        ("bugbrain", AuthFailed("plans", "bad key", status_code=401), Verdict.BAD_CREDENTIALS),
        ("bugbrain", AuthFailed("plans", "no access", status_code=403), Verdict.WRONG_PROJECT),
        (
            "bugbrain",
            NotFound("plans", "Project not found", status_code=404),
            Verdict.WRONG_PROJECT,
        ),
        ("bugbrain", RequestRejected("plans", "bad id", status_code=400), Verdict.WRONG_PROJECT),
        (
            "bugnet",
            NotFound("bugnet", "project 'x' not found", status_code=404),
            Verdict.WRONG_PROJECT,
        ),
        ("bugbug", NotFound("web", "Not found.", status_code=404), Verdict.ERROR),
        ("bugbug", NetworkError("web", "could not connect"), Verdict.UNREACHABLE),
        ("bugbug", RateLimited("web", "slow down", retry_after=5), Verdict.RATE_LIMITED),
        ("bugbug", ServerError("web", "boom", status_code=502), Verdict.ERROR),
        ("bugbug", BadPayload("web", "malformed JSON"), Verdict.ERROR),
    ],
)
def test_each_failure_means_one_thing_to_fix(
    kind: str, error: ProviderError, verdict: Verdict
) -> None:
    assert classify(kind, error) is verdict


def test_only_ok_unverified_and_no_github_token_pass() -> None:
    """`no token` is GitHub's alone: Bug0 works without one, its runs just stay triggered."""
    assert [v for v in Verdict if not v.failed] == [
        Verdict.OK,
        Verdict.UNVERIFIED,
        Verdict.NO_TOKEN,
    ]


def test_every_configured_secret_is_blanked_longest_first() -> None:
    config = Config(
        providers=[ProviderConfig(name="web", kind="bugbug", token=SecretStr("tok-1234"))],
        tracker=TrackerConfig(
            project="game", token=SecretStr("tok-1234-longer"), api_key=SecretStr("sk_live_9")
        ),
    )
    secrets = secrets_of(config)
    assert secrets[0] == "tok-1234-longer"
    assert scrub("echo tok-1234-longer and tok-1234 and sk_live_9", secrets) == (
        "echo *** and *** and ***"
    )
