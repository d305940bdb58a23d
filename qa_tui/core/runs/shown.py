"""What a run's status reads as: one rule for the STATUS column, the header's counts, the
filter's `status:` and `qa-tui runs --status`, so the four never disagree.

- A Bug0 trigger reads `triggered` and is counted as triggered, not queued, until Bug0's commit
  status on GitHub says more: Bug0 has no read API (providers.md §3), so before that (and for
  ever, for a trigger that carried no commit) qa-tui cannot tell queued from running or done.
- A running run whose provider word is more precise reads that word (BugBug `paused`,
  `auto_retrying`, `recording`); it still counts as running and `status:running` matches it.
- A status the code does not know reads the provider's own word (and counts as unknown).
- Otherwise the normalized status: BugBrain's `failed` execution (the execution itself broke)
  reads `error`, so `status:failed` does not list it; `raw:failed` does (the provider's word).
"""

from __future__ import annotations

from collections.abc import Collection

from qa_tui.core.model import Run, RunKind, RunStatus

TRIGGERED = "triggered"
"""What a Bug0 trigger reads as and is counted as."""

COUNTED: tuple[str, ...] = (
    RunStatus.QUEUED.value,
    TRIGGERED,
    RunStatus.RUNNING.value,
    RunStatus.PASSED.value,
    RunStatus.FAILED.value,
    RunStatus.ERROR.value,
    RunStatus.STOPPED.value,
    RunStatus.SKIPPED.value,
    RunStatus.UNKNOWN.value,
)
"""What the header counts runs as, in the order it lists them."""

RUNNING_WORDS = ("paused", "auto_retrying", "recording")
"""Provider words a running run is shown as (BugBug's, providers.md §5)."""

STATUS_WORDS: tuple[str, ...] = (*COUNTED, *RUNNING_WORDS)
"""Every word `status:` takes; a provider's other words are matched by `raw:`."""


def counted_as(run: Run) -> str:
    """The status the header counts the run in (`triggered` or a normalized status)."""
    if run.kind is RunKind.TRIGGER and run.status is RunStatus.QUEUED:
        return TRIGGERED
    return run.status  # a StrEnum: equal to (and hashed as) its value


def shown_word(run: Run) -> str:
    """The word the STATUS column says (raw provider text: make it terminal-safe to show it)."""
    raw = run.provider_status
    if run.status is RunStatus.UNKNOWN:
        return raw or RunStatus.UNKNOWN.value
    if run.status is RunStatus.RUNNING and raw and raw.casefold() != RunStatus.RUNNING.value:
        return raw
    return counted_as(run)


def status_matches(run: Run, values: Collection[str]) -> bool:
    """True when `status:` with these (casefolded) words lists the run: the status it is counted
    in, or the word it is shown as."""
    return counted_as(run) in values or shown_word(run).casefold() in values
