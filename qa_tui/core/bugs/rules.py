"""What the outbox does after a lookup or a send fails: its rules, as one pure function.

The question behind every rule is whether Bugnet may have acted on the request:

- a send refused with a 400, or on a bug that is gone (a comment) → failed: back to the user;
- credentials refused, no read access, or no such project → needs attention (retrying won't help);
- a 429, or a connection that was never made → Bugnet did nothing: wait (its reset time, or a
  backoff) and send again, no lookup needed;
- anything else (a timeout, a dropped connection, a 5xx, an unreadable answer) → it may have
  landed: wait, then look the reference up before any resend. With only a public API key there is
  no way to look, so the report waits for the user instead (never filed twice);
- a failed lookup leaves the doubt as it was: wait and look again, or need attention when the
  lookup itself cannot work (credentials, no read access, a refused search).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa_tui.core.bugs.db import ReportState
from qa_tui.core.errors import (
    AuthFailed,
    NetworkError,
    NotFound,
    RateLimited,
    RequestRejected,
    Unsupported,
)
from qa_tui.core.words.errors import in_words

KEY_ONLY_AMBIGUOUS = (
    "Bugnet may already have this report (the connection broke after it was sent), and a public "
    "API key cannot look it up. Check Bugnet, then discard it, or retry to send it again."
)


@dataclass(frozen=True)
class Verdict:
    """Where a report goes after a failure."""

    state: ReportState
    """PENDING (wait, then try again), FAILED or NEEDS_ATTENTION."""
    unconfirmed: bool
    """Whether Bugnet may have the report (look it up before sending it again)."""
    text: str
    """Why, for the user."""
    retry_after: float | None = None
    """Bugnet's own wait (a 429's reset); None: the outbox's backoff."""


def error_text(error: Exception) -> str:
    """A failure in a few words (core/words/errors.py): Bugnet's own message, or what the network
    did ("Bugnet could not be reached"), never an exception's name."""
    return in_words(error, "Bugnet")


def after_failure(error: Exception, *, sent: bool, is_comment: bool, can_read: bool) -> Verdict:
    """The verdict on a failed lookup (`sent` False: the doubt stays) or send (`sent` True)."""
    text = error_text(error)
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    if not sent:
        if isinstance(error, AuthFailed | Unsupported | RequestRejected | NotFound):
            return Verdict(ReportState.NEEDS_ATTENTION, True, text)
        return Verdict(ReportState.PENDING, True, text, retry_after)
    if isinstance(error, RequestRejected) or (isinstance(error, NotFound) and is_comment):
        return Verdict(ReportState.FAILED, False, text)
    if isinstance(error, AuthFailed | Unsupported | NotFound):  # NotFound: no such project
        return Verdict(ReportState.NEEDS_ATTENTION, False, text)
    if isinstance(error, RateLimited) or (isinstance(error, NetworkError) and error.never_sent):
        return Verdict(ReportState.PENDING, False, text, retry_after)
    if not can_read:
        return Verdict(ReportState.NEEDS_ATTENTION, True, f"{KEY_ONLY_AMBIGUOUS} ({text})")
    return Verdict(ReportState.PENDING, True, text)
