"""What became of a Bug0 run: the commit status (or check run) Bug0's GitHub integration posts on
the commit a trigger carried (shared/provider-docs/bug0-run-tests.md: `gitCommitSha` is "for
status updates"; "for PR comments and commit status, ensure the GitHub integration is connected").

Pure: a trigger's fields, what GitHub reported on its commit, and a glob in; a `Verdict` out.

- Only a trigger with `gitCommitSha`, `owner` and `repo` can have one (`commit_of`).
- Only Bug0's reports count: the contexts (and check run names) matching `status_context`, a
  case-insensitive glob, `*bug0*` by default. Another CI failing on the same commit changes
  nothing. The context's exact name is not documented [INF: `Bug0 / E2E`-like]: hence the glob.
- Only reports posted since the trigger count: the commit may carry an earlier run's result (a
  re-run on the same commit). GitHub's times are read on GitHub's clock, ours on ours: the
  difference GitHub's `Date` shows is taken off, and `SKEW_S` is allowed for a status Bug0 posts
  while our trigger request is still on its way back [INF].
- Several matching contexts (`Bug0 / E2E`, `Bug0 / Smoke`) make one verdict, as GitHub's combined
  state does: running while any runs; else error, failed, stopped, unknown, skipped in that order
  of precedence; passed only when every one passed. Its words and link are the deciding one's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from qa_tui.core.model import RunStatus
from qa_tui.core.providers.github import CommitReading, CommitRef, Reported
from qa_tui.core.providers.github.reported import CHECK_RUN

DEFAULT_CONTEXT = "*bug0*"
"""Which statuses are Bug0's when the config does not say (`status_context`)."""
SKEW_S = 10.0
"""A report this much older than the trigger (on one clock) still counts as the trigger's."""
GIT_FIELDS = (("gitCommitSha", "commit"), ("owner", "owner"), ("repo", "repo"))
"""The body fields a commit status needs, and what a person calls them."""
PRECEDENCE = (
    RunStatus.RUNNING,
    RunStatus.QUEUED,
    RunStatus.ERROR,
    RunStatus.FAILED,
    RunStatus.STOPPED,
    RunStatus.UNKNOWN,
    RunStatus.SKIPPED,
    RunStatus.PASSED,
)
"""Which of several matching reports decides, first first."""


def commit_of(fields: Mapping[str, str]) -> CommitRef | None:
    """The commit a trigger's result is posted on (None when a git field is missing)."""
    sha, owner, repo = (fields.get(name, "").strip() for name, _ in GIT_FIELDS)
    return CommitRef(owner, repo, sha) if sha and owner and repo else None


def missing_git_fields(fields: Mapping[str, str]) -> str:
    """What a trigger lacks to have a commit status: `commit, owner or repo`, `repo`."""
    missing = [what for name, what in GIT_FIELDS if not fields.get(name, "").strip()]
    return (
        " or ".join([", ".join(missing[:-1]), missing[-1]])
        if len(missing) > 1
        else "".join(missing)
    )


def is_bug0s(name: str, context_glob: str) -> bool:
    """Whether a status context (or check run name) is Bug0's: the glob, case-insensitively."""
    return fnmatchcase(name.casefold(), context_glob.casefold())


@dataclass(frozen=True)
class Verdict:
    """What Bug0 reported of one run, in qa-tui's words and on qa-tui's clock."""

    status: RunStatus
    word: str
    """GitHub's word (`pending`, `success`, `failure`; a check run's conclusion)."""
    context: str
    via: str
    """`commit status` or `check run`."""
    ref: str
    """The commit, as `owner/repo@sha`."""
    description: str | None = None
    link: str | None = None
    started: datetime | None = None
    ended: datetime | None = None

    @property
    def final(self) -> bool:
        return self.status.is_terminal

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "word": self.word,
            "context": self.context,
            "via": self.via,
            "ref": self.ref,
            "description": self.description,
            "link": self.link,
            "started": self.started.isoformat() if self.started else None,
            "ended": self.ended.isoformat() if self.ended else None,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Verdict | None:
        """A verdict written down before (None when it cannot be read back)."""
        try:
            return cls(
                status=RunStatus(raw["status"]),
                word=str(raw.get("word") or raw["status"]),
                context=str(raw.get("context") or ""),
                via=str(raw.get("via") or ""),
                ref=str(raw.get("ref") or ""),
                description=_text(raw.get("description")),
                link=_text(raw.get("link")),
                started=_moment(raw.get("started")),
                ended=_moment(raw.get("ended")),
            )
        except (KeyError, ValueError, TypeError):
            return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def bug0s_reports(
    reading: CommitReading, context_glob: str, triggered_at: datetime
) -> list[Reported]:
    """The reports on the commit that are Bug0's and were posted since the trigger."""
    since = triggered_at + timedelta(seconds=reading.offset_s - SKEW_S)
    return [
        report
        for report in reading.reported
        if is_bug0s(report.name, context_glob) and _since(report, since)
    ]


def _since(report: Reported, since: datetime) -> bool:
    moment = report.at or report.since
    return moment is None or moment >= since  # an undated report is taken as it is [INF]


def deciding(reports: Sequence[Reported]) -> Reported:
    """The report that decides a verdict among several (see the module docstring)."""
    rank = {status: i for i, status in enumerate(PRECEDENCE)}
    return min(reports, key=lambda r: rank.get(r.status, len(rank)))


def verdict_for(
    reading: CommitReading | None, context_glob: str, triggered_at: datetime
) -> Verdict | None:
    """Bug0's word on the run triggered at `triggered_at` (None: nothing of Bug0's yet)."""
    if reading is None:
        return None
    reports = bug0s_reports(reading, context_glob, triggered_at)
    if not reports:
        return None
    chosen = deciding(reports)
    shift = timedelta(seconds=reading.offset_s)
    # a status's time is when that word was posted: a start only while it says running (a check
    # run keeps its real start); an earlier start seen is kept by the source
    starts = [
        r.since - shift
        for r in reports
        if r.since is not None and (r.status is RunStatus.RUNNING or r.via == CHECK_RUN)
    ]
    final = chosen.status.is_terminal
    ends = [r.at - shift for r in reports if r.at is not None]
    return Verdict(
        status=chosen.status,
        word=chosen.word,
        context=chosen.name,
        via=chosen.via,
        ref=str(reading.ref),
        description=chosen.description,
        link=chosen.link,
        started=min(starts) if starts else None,
        ended=max(ends) if final and ends else None,
    )
