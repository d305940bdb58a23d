"""The rules: which runs and providers deserve a notification, from the engine's change batches.

- **watched**: a watched run (`WatchList.covers`) ended;
- **new failure**: a run failed or errored and its test's (suite's, plan's) previous final
  result passed. With the run history (`RunFacts`: core/history), the previous result is the
  latest one the history holds for the same test on the same target, across restarts, and a test
  that is flaky there (passed and failed within `[history] flaky_days`) failing once more is not
  news: no new-failure notice. Without it, or while the history has not been read yet or knows
  nothing earlier, "previous" is what this process's store and the local run cache saw of the
  test on any target;
- **suite finished**: a suite run or a test plan execution ended (off by default);
- **unhealthy**: a provider stayed unreachable, refused or rate-limited for longer than
  `unhealthy_minutes`, then once more when it is back.

One notice per run, the most telling rule winning (new failure, then watched, then suite), and
never twice for one run. Quiet on start: a run notifies only when this process saw it active
from its provider (a cached row is not a sighting) and then saw it end, so runs that were over
when first seen never notify, however many there are. With `quiet_start = false`, runs the
cache held as active and that ended while qa-tui was closed count as seen, and notify on the
first sync. The rules are pure: they keep their memory in sets and dicts, read no clock but
the `now` they are handed, and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from qa_tui.core.model import HealthState, ProviderHealth, Run, RunKind, RunStatus
from qa_tui.core.notify.notice import (
    UNHEALTHY_STATES,
    Notice,
    NoticeKind,
    recovered_notice,
    run_notice,
    unhealthy_notice,
)
from qa_tui.core.notify.settings import NotifyConfig
from qa_tui.core.notify.watchlist import WatchList
from qa_tui.core.runs.store import Changes, Row, RunKey

FAILING = frozenset({RunStatus.FAILED, RunStatus.ERROR})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TOLD_KEPT = 10_000
"""Runs told of that the rules remember (an all-day session tells of thousands)."""
_Ran = tuple[str, RunKind, str]
"""What a run ran, as a key: provider, kind, target id (else name). A plain tuple, not a
`Target`: the first sync hands every cached run through here."""


@dataclass(frozen=True)
class _Final:
    at: datetime
    status: RunStatus
    key: RunKey


@dataclass
class _Outage:
    since: datetime
    health: ProviderHealth
    """The latest report of it (state and message)."""
    told: bool = False


class RunFacts(Protocol):
    """What the run history knows of a run's test (core/history `History`)."""

    def previous_result(self, run: Run) -> RunStatus | None:
        """The test's final result on the run's target before this run; None: not known."""
        ...

    def is_flaky(self, run: Run) -> bool:
        """The test both passed and failed on the run's target within the flaky window."""
        ...


@dataclass
class Rules:
    """The rules' memory: what was seen active, each target's last result, each outage."""

    settings: NotifyConfig
    watchlist: WatchList
    history: RunFacts | None = None
    _active: set[RunKey] = field(default_factory=set)
    _told: dict[RunKey, None] = field(default_factory=dict)
    """Runs already told of (in the order told; the oldest forgotten past `TOLD_KEPT`): a run
    seen active again and ending again is not told twice."""
    _last: dict[_Ran, _Final] = field(default_factory=dict)
    _outages: dict[str, _Outage] = field(default_factory=dict)

    def observe(self, changes: Changes) -> list[Notice]:
        """The notices one change batch calls for (in the order the runs came)."""
        notices: list[Notice] = []
        for row in (*changes.added, *changes.updated):
            notice = self._row(row)
            if notice is not None:
                notices.append(notice)
        return notices

    def _row(self, row: Row) -> Notice | None:
        run, key = row.run, row.key
        if not run.status.is_terminal:
            if not row.stale or not self.settings.quiet_start:
                self._active.add(key)
            return None
        target = (run.provider, run.kind, run.test_id or run.name)
        previous = self._last.get(target)
        self._remember(target, run)
        if row.stale or key not in self._active or key in self._told:
            return None
        self._active.discard(key)
        if len(self._told) >= TOLD_KEPT:
            del self._told[next(iter(self._told))]
        self._told[key] = None
        return self._notice_for(run, previous)

    def _remember(self, target: _Ran, run: Run) -> None:
        at = run.ended or run.started or run.queued or _EPOCH
        kept = self._last.get(target)
        if kept is None or at >= kept.at:
            self._last[target] = _Final(at, run.status, run.key)

    def _notice_for(self, run: Run, previous: _Final | None) -> Notice | None:
        settings = self.settings
        if settings.new_failure and run.status in FAILING and self._is_new(run, previous):
            return run_notice(run, NoticeKind.NEW_FAILURE)
        if settings.watched and self.watchlist.covers(run):
            return run_notice(run, NoticeKind.WATCHED)
        if settings.suite_finished and run.kind in (RunKind.SUITE, RunKind.EXECUTION):
            return run_notice(run, NoticeKind.SUITE_FINISHED)
        return None

    def _is_new(self, run: Run, previous: _Final | None) -> bool:
        """A failure of a test whose previous result passed (and which is not flaky)."""
        history = self.history
        if history is not None:
            if history.is_flaky(run):
                return False  # one more failure of a flaky test is not news
            before = history.previous_result(run)
            if before is not None:
                return before is RunStatus.PASSED
        return (
            previous is not None and previous.key != run.key and previous.status is RunStatus.PASSED
        )

    # --- providers --------------------------------------------------------------------------

    def health(self, health: ProviderHealth, now: datetime) -> list[Notice]:
        """A provider's latest health: an outage starts, goes on, or ends (then maybe a notice)."""
        outage = self._outages.get(health.provider)
        if health.state in UNHEALTHY_STATES:
            if outage is None:
                self._outages[health.provider] = _Outage(now, health)
            else:
                outage.health = health
            return self.tick(now)
        answering = (HealthState.OK, HealthState.UNVERIFIED, HealthState.SLOW)
        if health.state in answering and outage is not None:
            del self._outages[health.provider]
            if outage.told:
                minutes = (now - outage.since).total_seconds() / 60
                return [recovered_notice(health.provider, minutes)]
        return []

    def tick(self, now: datetime) -> list[Notice]:
        """Outages that have just lasted longer than `unhealthy_minutes` (each told once)."""
        limit = self.settings.unhealthy_minutes
        if limit <= 0:
            return []
        notices = []
        for outage in self._outages.values():
            minutes = (now - outage.since).total_seconds() / 60
            if not outage.told and minutes > limit:
                outage.told = True
                notices.append(unhealthy_notice(outage.health, minutes))
        return notices
