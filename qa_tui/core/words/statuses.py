"""How qa-tui says a run's status inside a sentence.

The statuses are adjectives and nouns mixed (`passed`, `failed`, `error`, `stopped`), so
"The test “Password reset” error on web." is what gluing the word in gives. Sentences that tell
a person (a bug report, a notification) use these phrases instead; tables and JSON keep the word.
"""

from __future__ import annotations

from qa_tui.core.model import RunStatus

OUTCOME_PHRASES: dict[RunStatus, str] = {
    RunStatus.QUEUED: "is queued",
    RunStatus.RUNNING: "is running",
    RunStatus.PASSED: "passed",
    RunStatus.FAILED: "failed",
    RunStatus.ERROR: "ended with an error",
    RunStatus.STOPPED: "was stopped",
    RunStatus.SKIPPED: "was skipped",
    RunStatus.UNKNOWN: "ended in a state qa-tui does not know",
}


def outcome_phrase(status: RunStatus) -> str:
    """What a run did, as a verb phrase: "The test “Login” ended with an error on web."."""
    return OUTCOME_PHRASES[status]
