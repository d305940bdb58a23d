"""What one notification says, made from a run or a provider's health; plain text only.

Every provider string (a run's name, its error, a provider's name and message) goes through
`plain()` here, as it is put into the notice: a `Notice` never holds a control character, so
the toast, the terminal sequence and the desktop notifier all start from safe text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from qa_tui.core.model import HealthState, ProviderHealth, Run, RunKind, RunStatus
from qa_tui.core.notify.plain import plain
from qa_tui.core.words.statuses import outcome_phrase

RunKey = tuple[str, str]
NAME_LIMIT = 60
SUMMARY_ABOVE = 3
"""More notices than this from one batch are sent as one summary."""


class NoticeKind(StrEnum):
    """Which rule made a notice."""

    WATCHED = "watched"
    NEW_FAILURE = "new-failure"
    SUITE_FINISHED = "suite-finished"
    UNHEALTHY = "unhealthy"
    RECOVERED = "recovered"
    RUN_ENDED = "run-ended"
    """`watch --notify`, `run --wait --notify`: the run followed from the shell ended."""
    SUMMARY = "summary"


@dataclass(frozen=True)
class Notice:
    """One notification: a title and a body of plain text, and what it is about."""

    kind: NoticeKind
    title: str
    body: str
    run_key: RunKey | None = None
    status: RunStatus | None = None

    @property
    def bad_news(self) -> bool:
        """A failure, an error or a provider down: shown as a warning."""
        return self.kind in (NoticeKind.NEW_FAILURE, NoticeKind.UNHEALTHY) or self.status in (
            RunStatus.FAILED,
            RunStatus.ERROR,
        )


def duration_text(seconds: float | None) -> str:
    """`45s`, `3m05s`, `2h04m`; blank when unknown."""
    if seconds is None or seconds < 0:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _what(run: Run) -> str:
    kind = {RunKind.EXECUTION: "plan", RunKind.TRIGGER: "trigger"}.get(run.kind, run.kind.value)
    return f"{plain(run.provider, 30)} {kind}"


def _facts(run: Run, *parts: str) -> str:
    facts = [part for part in parts if part]
    if run.progress is not None and run.kind in (RunKind.SUITE, RunKind.EXECUTION):
        facts.append(f"{run.progress.done}/{run.progress.total}")
    facts.append(duration_text(run.duration_s))
    facts.append(plain(run.error, 100))
    return " · ".join(fact for fact in facts if fact)


def run_notice(run: Run, kind: NoticeKind) -> Notice:
    """A run that ended, as the rule `kind` tells it."""
    name = plain(run.name, NAME_LIMIT) or plain(run.id, NAME_LIMIT)
    result = run.status.value
    if kind is NoticeKind.NEW_FAILURE:
        title = f"New failure: {name}"
        body = _facts(run, f"{_what(run)} {outcome_phrase(run.status)}; it last passed here")
    elif kind is NoticeKind.SUITE_FINISHED:
        what = "Plan" if run.kind is RunKind.EXECUTION else "Suite"
        title = f"{what} {result}: {name}"
        body = _facts(run, plain(run.provider, 30))
    else:
        title = f"{result.capitalize()}: {name}"
        watched = "watched " if kind is NoticeKind.WATCHED else ""
        body = _facts(run, f"{watched}{_what(run)}")
    return Notice(kind, title, body, run.key, run.status)


UNHEALTHY_STATES = frozenset(
    {
        HealthState.UNREACHABLE,
        HealthState.AUTH_FAILED,
        HealthState.RATE_LIMITED,
        HealthState.ERROR,
    }
)


def unhealthy_notice(health: ProviderHealth, minutes: float) -> Notice:
    name = plain(health.provider, 30)
    title = f"{name} {health.state.value} for {minutes:.0f} min"
    body = plain(health.message, 160) or "no fresh data from it"
    return Notice(NoticeKind.UNHEALTHY, title, body)


def recovered_notice(provider: str, minutes: float) -> Notice:
    name = plain(provider, 30)
    return Notice(NoticeKind.RECOVERED, f"{name} is back", f"after {minutes:.0f} min without it")


def coalesced(notices: Sequence[Notice], limit: int = SUMMARY_ABOVE) -> list[Notice]:
    """Up to `limit` notices as they are; more, as one summary naming them (no burst)."""
    if len(notices) <= limit:
        return list(notices)
    bad = sum(1 for notice in notices if notice.bad_news)
    title = f"{len(notices)} notifications" + (f", {bad} of them failures" if bad else "")
    body = "; ".join(notice.title for notice in notices)
    worst = RunStatus.FAILED if bad else None
    return [Notice(NoticeKind.SUMMARY, title, plain(body, 240), None, worst)]
