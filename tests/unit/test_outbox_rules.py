"""The outbox's rules after a failure, as a table: did Bugnet maybe act on it, and what next."""

from __future__ import annotations

import pytest

from qa_tui.core.bugs.db import ReportState
from qa_tui.core.bugs.rules import KEY_ONLY_AMBIGUOUS, after_failure, error_text
from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NetworkError,
    NotFound,
    RateLimited,
    RequestRejected,
    ServerError,
    Unsupported,
)

PENDING, FAILED, ATTENTION = (
    ReportState.PENDING,
    ReportState.FAILED,
    ReportState.NEEDS_ATTENTION,
)


def _refused() -> NetworkError:
    error = NetworkError("bugnet", "could not connect")
    error.never_sent = True
    return error


@pytest.mark.parametrize(
    ("error", "state", "unconfirmed"),
    [
        (RequestRejected("bugnet", "title is required", status_code=400), FAILED, False),
        (AuthFailed("bugnet", "Invalid token", status_code=401), ATTENTION, False),
        (NotFound("bugnet", "Project not found", status_code=404), ATTENTION, False),
        (Unsupported("bugnet", "needs a session"), ATTENTION, False),
        (RateLimited("bugnet", "Too many requests", retry_after=30), PENDING, False),
        (_refused(), PENDING, False),
        (NetworkError("bugnet", "timed out"), PENDING, True),
        (ServerError("bugnet", "HTTP 502", status_code=502), PENDING, True),
        (BadPayload("bugnet", "malformed JSON"), PENDING, True),
        (ConnectionResetError("reset by peer"), PENDING, True),
    ],
)
def test_after_a_send_only_what_may_have_landed_is_looked_up_first(
    error: Exception, state: ReportState, unconfirmed: bool
) -> None:
    verdict = after_failure(error, sent=True, is_comment=False, can_read=True)
    assert (verdict.state, verdict.unconfirmed) == (state, unconfirmed)


def test_a_429_carries_bugnets_own_wait() -> None:
    limited = RateLimited("bugnet", "Too many requests", retry_after=42)
    assert after_failure(limited, sent=True, is_comment=False, can_read=True).retry_after == 42


def test_a_comment_on_a_bug_that_is_gone_goes_back_to_the_user() -> None:
    gone = NotFound("bugnet", "Bug not found", status_code=404)
    verdict = after_failure(gone, sent=True, is_comment=True, can_read=True)
    assert (verdict.state, verdict.text) == (FAILED, "Bug not found")


def test_with_only_an_api_key_what_may_have_landed_waits_for_the_user() -> None:
    dropped = NetworkError("bugnet", "connection dropped")
    verdict = after_failure(dropped, sent=True, is_comment=False, can_read=False)
    assert (verdict.state, verdict.unconfirmed) == (ATTENTION, True)
    assert (
        verdict.text
        == f"{KEY_ONLY_AMBIGUOUS} (the connection to Bugnet broke before its answer came)"
    )
    assert after_failure(_refused(), sent=True, is_comment=False, can_read=False).state is PENDING


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (NetworkError("bugnet", "timed out"), PENDING),
        (RateLimited("bugnet", "Too many requests", retry_after=5), PENDING),
        (AuthFailed("bugnet", "Invalid token", status_code=401), ATTENTION),
        (RequestRejected("bugnet", "bad search", status_code=400), ATTENTION),
    ],
)
def test_a_failed_lookup_keeps_the_doubt(error: Exception, state: ReportState) -> None:
    verdict = after_failure(error, sent=False, is_comment=False, can_read=True)
    assert (verdict.state, verdict.unconfirmed) == (state, True)


def test_a_failure_is_said_in_words_never_by_an_exceptions_name() -> None:
    assert error_text(_refused()) == "Bugnet could not be reached"
    assert error_text(NetworkError("bugnet", "timed out (https://x)")) == (
        "Bugnet did not answer in time"
    )
    dropped = NetworkError("bugnet", "ReadError (https://bugnet.example)")
    assert error_text(dropped) == "the connection to Bugnet broke before its answer came"
    assert error_text(AuthFailed("bugnet", "Invalid token.")) == "Invalid token."
    assert error_text(ConnectionResetError("reset by peer")) == (
        "the connection to Bugnet broke before its answer came"
    )
    assert error_text(TimeoutError()) == "Bugnet did not answer in time"
    assert error_text(ValueError()) == "something unexpected went wrong"
