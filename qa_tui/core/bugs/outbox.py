"""The bug outbox: a report is written down before any network call, leaves only once Bugnet has
confirmed it, and is never filed twice.

Storage is `paths.data_dir()/outbox.sqlite` (see `outbox_db`). Sending one report (`send`):

1. claim it (pending → sending, a compare-and-set), so no other sender touches it;
2. if an earlier send may have reached Bugnet without an answer (`unconfirmed`), look its client
   reference up first (`find_by_reference`, or `find_comment_by_reference` for a comment): found →
   filed, nothing is sent; the lookup failing → try later, still unconfirmed; not found → go on;
3. mark it unconfirmed (on disk), then file the bug / add the comment, carrying the reference;
4. read the outcome (`outbox_rules.after_failure`): confirmed → the report leaves the outbox and
   its run → bug link is recorded, then labels are attached (best effort: the bug exists either
   way); refused → back to the user with Bugnet's text; credentials → needs attention; a 429 or a
   connection never made → wait and resend; anything that may have landed → wait, unconfirmed, so
   step 2 runs before any resend.

Public API key only (`tracker.can_read` False): Bugnet cannot be read, so a report that may have
landed can never be checked. The outbox then chooses never to file twice: such a report goes to
needs attention with an explanation, and is sent again only if the user says so
(`retry(ref, resend_unconfirmed=True)`). Plain outages that never connected are still retried.

The background side is `run()`: a loop (the app runs it in a worker) that sends what is due and
sleeps until the next report is due or `wake()` is called. Time comes from the `Clock` passed in.
Reports left pending by a previous run of the app are picked up by it; one abandoned mid-send
(the app died) is claimable again once its lease ran out, and is looked up first.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from qa_tui.core import paths
from qa_tui.core.bugs.db import BugLink, Report, ReportsDb, ReportState, RunKey
from qa_tui.core.bugs.rules import KEY_ONLY_AMBIGUOUS, after_failure
from qa_tui.core.bugs.tally import DISCARDED
from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import NotFound, ProviderError
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.providers.bugnet import Bug, BugDraft, Comment, Label
from qa_tui.core.signals import Signal

FILE_NAME = "outbox.sqlite"
_EDITABLE = (ReportState.PENDING, ReportState.FAILED, ReportState.NEEDS_ATTENTION)


class Tracker(Protocol):
    """What the outbox needs from the Bugnet client."""

    budget: RequestBudget
    """Its request budget: paused while Bugnet said to wait (a 429's reset time)."""

    @property
    def can_read(self) -> bool: ...

    async def submit(self, draft: BugDraft) -> Bug: ...

    async def add_comment(
        self, bug_id: str, body: str, *, internal: bool = False, client_ref: str | None = None
    ) -> Comment: ...

    async def find_by_reference(self, ref: str, *, title: str | None = None) -> Bug | None: ...

    async def find_comment_by_reference(self, bug_id: str, ref: str) -> Comment | None: ...

    async def apply_labels(self, bug_id: str, names: list[str]) -> list[Label]: ...


@dataclass(frozen=True)
class OutboxTiming:
    """How patiently the outbox retries."""

    first_retry_s: float = 5.0
    """Wait after the first failure; doubled after each further one."""
    max_retry_s: float = 600.0
    lease_s: float = 300.0
    """How long a claimed report belongs to its sender; longer than any one send can take."""
    hold_s: float = 10.0
    """When Bugnet said to wait longer than this, a send is not started (it would only sit in
    the request budget): the report waits in the outbox until then instead."""


class OutboxError(ValueError):
    """A user action the report's state does not allow (e.g. editing one being sent)."""


class Outbox:
    """Bug reports on their way to Bugnet. Every method may be called from the event loop."""

    def __init__(
        self,
        tracker: Tracker,
        path: Path | str | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        timing: OutboxTiming | None = None,
        on_change: Callable[[Report], None] | None = None,
    ) -> None:
        self.tracker = tracker
        self.db = ReportsDb(path if path is not None else paths.data_dir() / FILE_NAME)
        self.clock = clock
        self.timing = timing or OutboxTiming()
        self.changed: Signal[Report] = Signal("outbox.changed")
        """A report's state changed (queued, sent, failed, ...): `on_change` is a first listener."""
        if on_change is not None:
            self.changed.subscribe(on_change)
        """Called with the report after every change of state (the UI refreshes from it)."""
        self._failures: dict[str, int] = {}
        self._wake = asyncio.Event()

    def __repr__(self) -> str:
        return f"Outbox(path={str(self.db.path)!r})"

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # --- what the user does ----------------------------------------------------------------

    def enqueue(
        self,
        draft: BugDraft,
        *,
        run_key: RunKey | None = None,
        run_name: str = "",
        comment_on: str | None = None,
        comment: str = "",
    ) -> Report:
        """Write a report down (given a client reference if it has none), due now.

        The background loop is not woken: a caller sending it at once calls `send` right after,
        with no await in between, so nothing else claims it first; otherwise call `wake()`."""
        ref = draft.client_ref or str(uuid.uuid4())
        now = self._now()
        report = Report(
            ref=ref,
            draft=draft.model_copy(update={"client_ref": ref}),
            state=ReportState.PENDING,
            run_key=run_key,
            run_name=run_name,
            comment_on=comment_on,
            comment=comment,
            created=now,
            updated=now,
            next_attempt=now,
        )
        self.db.insert(report)
        self._changed(report)
        return report

    def edit(
        self, ref: str, draft: BugDraft, *, comment_on: str | None = None, comment: str = ""
    ) -> Report:
        """Replace a waiting, failed or stuck report's draft (same reference); due again now.

        A report that may already be in Bugnet cannot switch between a new bug and a comment:
        its lookup would search the wrong place."""
        report = self._get(ref)
        if report.unconfirmed and (comment_on is not None) != report.is_comment:
            raise OutboxError("Bugnet may already have this report: retry or discard it first")
        now = self._now()
        edited = replace(
            report,
            draft=draft.model_copy(update={"client_ref": ref}),
            comment_on=comment_on,
            comment=comment,
            state=ReportState.PENDING,
            last_error=None,
            next_attempt=now,
            updated=now,
        )
        if not self.db.update(edited, only_if=_EDITABLE):
            raise OutboxError("this report is being sent right now")
        self._changed(edited)
        return edited

    def retry(self, ref: str, *, resend_unconfirmed: bool = False) -> Report:
        """Send a failed or stuck report again, now. `resend_unconfirmed` clears the doubt about a
        report that may be in Bugnet already and cannot be looked up (the user checked)."""
        report = self._get(ref)
        if report.unconfirmed and not self.tracker.can_read and not resend_unconfirmed:
            raise OutboxError(KEY_ONLY_AMBIGUOUS)
        now = self._now()
        again = replace(
            report,
            state=ReportState.PENDING,
            next_attempt=now,
            updated=now,
            unconfirmed=report.unconfirmed and not resend_unconfirmed,
        )
        if not self.db.update(again, only_if=_EDITABLE):
            raise OutboxError("this report is being sent right now")
        self._failures.pop(ref, None)
        self._changed(again)
        self._wake.set()
        return again

    def discard(self, ref: str) -> bool:
        """Drop a report that is not being sent. False if it was gone or is being sent."""
        report = self.db.get(ref)
        if report is None or not self.db.delete(ref, only_if=_EDITABLE):
            return False
        self._changed(replace(report, state=ReportState.FAILED, last_error=DISCARDED))
        return True

    def get(self, ref: str) -> Report | None:
        return self.db.get(ref)

    def _get(self, ref: str) -> Report:
        report = self.db.get(ref)
        if report is None:
            raise OutboxError("this report is no longer in the outbox")
        return report

    def open_reports(self) -> list[Report]:
        """Every report not filed yet, newest first."""
        return self.db.open_reports()

    def open_report_for(self, run_key: RunKey) -> Report | None:
        """The newest report for this run still in the outbox."""
        return next((r for r in self.db.open_reports() if r.run_key == run_key), None)

    def links(self) -> dict[RunKey, str]:
        """Run → bug id for every report filed from here (rows show them after a restart)."""
        return {link.run_key: link.bug_id for link in reversed(self.db.links())}

    def filed_for(self, provider: str, run_name: str) -> list[BugLink]:
        """Bugs filed from here for the same test of the same provider, newest first."""
        return self.db.links(provider=provider, run_name=run_name)

    def wake(self) -> None:
        """Cut the background loop's wait short."""
        self._wake.set()

    # --- sending ---------------------------------------------------------------------------

    async def send(self, ref: str) -> Report | None:
        """One attempt now. The report as it stands after it; None when another sender holds it
        or it is gone. Never raises a provider error: the outcome is in the report."""
        report = self.db.claim(ref, self._now(), self.timing.lease_s)
        if report is None:
            return None
        self._changed(report)
        try:
            return await self._attempt(report)
        except asyncio.CancelledError:
            # The app is closing mid-send: Bugnet may or may not have it; the next start checks.
            self._store(replace(report, state=ReportState.PENDING, unconfirmed=True))
            raise

    async def process_due(self) -> list[Report]:
        """Send every report that is due; the reports as they stand after."""
        done = []
        for ref in self.db.due(self._now()):
            report = await self.send(ref)
            if report is not None:
                done.append(report)
        return done

    def seconds_until_due(self) -> float | None:
        """How long until the next report is due; None when none will be on its own."""
        when = self.db.next_due()
        return None if when is None else max(0.0, when - self._now())

    async def run(self) -> None:
        """Send reports as they become due, until cancelled."""
        while True:
            self._wake.clear()
            await self.process_due()
            wait = self.seconds_until_due()
            await self._sleep_or_wake(None if wait is None else max(1.0, wait))

    async def _sleep_or_wake(self, seconds: float | None) -> None:
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake.wait())}
        if seconds is not None:
            waiters.add(asyncio.ensure_future(self.clock.sleep(seconds)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waiters:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _attempt(self, report: Report) -> Report:
        held = self.tracker.budget.wait_time()
        if held > self.timing.hold_s:  # Bugnet said to wait: no request would go out before
            text = f"Bugnet asked to wait {held:.0f} s (rate limit)"
            return self._wait(report, text, held, unconfirmed=report.unconfirmed)
        if report.unconfirmed:
            if not self.tracker.can_read:
                return self._attention(report, KEY_ONLY_AMBIGUOUS)
            try:
                found = await self._lookup(report)
            except Exception as error:  # every failure is an outcome to store
                return self._failed(report, error, sent=False)
            if found is not None:
                return await self._filed(report, *found)
        sending = replace(
            report, unconfirmed=True, attempts=report.attempts + 1, sent_title=report.draft.title
        )
        self._store(sending)
        try:
            bug_id, title, url = await self._deliver(sending)
        except Exception as error:  # every failure is an outcome to store
            return self._failed(sending, error, sent=True)
        return await self._filed(sending, bug_id, title, url)

    async def _lookup(self, report: Report) -> tuple[str, str, str | None] | None:
        """The bug (or commented bug) carrying this report's reference, if Bugnet has it."""
        if report.comment_on is not None:
            try:
                comment = await self.tracker.find_comment_by_reference(
                    report.comment_on, report.ref
                )
            except NotFound:  # the bug is gone, so no comment of ours is on it
                return None
            return None if comment is None else (report.comment_on, "", None)
        bug = await self.tracker.find_by_reference(report.ref, title=report.sent_title)
        return None if bug is None else (bug.id, bug.title, bug.url)

    async def _deliver(self, report: Report) -> tuple[str, str, str | None]:
        if report.comment_on is not None:
            await self.tracker.add_comment(report.comment_on, report.comment, client_ref=report.ref)
            return report.comment_on, "", None
        bug = await self.tracker.submit(report.draft)
        return bug.id, bug.title, bug.url

    async def _filed(self, report: Report, bug_id: str, title: str, url: str | None) -> Report:
        filed = replace(
            report,
            state=ReportState.FILED,
            bug_id=bug_id,
            bug_url=url,
            last_error=None,
            updated=self._now(),
        )
        self.db.file(filed, title or report.draft.title, filed.updated)
        self._failures.pop(report.ref, None)
        if not report.is_comment and report.draft.labels and self.tracker.can_read:
            try:
                await self.tracker.apply_labels(bug_id, report.draft.labels)
            except ProviderError as error:
                text = f"filed, but labels were not added: {error.message}"
                filed = replace(filed, last_error=text)
        self._changed(filed)
        return filed

    def _failed(self, report: Report, error: Exception, *, sent: bool) -> Report:
        """Store the outcome of a failed lookup (`sent` False) or send (`sent` True)."""
        can_read = self.tracker.can_read
        verdict = after_failure(error, sent=sent, is_comment=report.is_comment, can_read=can_read)
        if verdict.state is ReportState.PENDING:
            wait = verdict.retry_after or self._backoff(report)
            return self._wait(report, verdict.text, wait, unconfirmed=verdict.unconfirmed)
        return self._store(
            replace(
                report,
                state=verdict.state,
                last_error=verdict.text,
                unconfirmed=verdict.unconfirmed,
                updated=self._now(),
            )
        )

    def _wait(self, report: Report, text: str, wait: float, *, unconfirmed: bool) -> Report:
        now = self._now()
        waiting = replace(
            report,
            state=ReportState.PENDING,
            last_error=text,
            unconfirmed=unconfirmed,
            next_attempt=now + wait,
            updated=now,
        )
        self._wake.set()  # the loop may be asleep with no due time: let it plan this one
        return self._store(waiting)

    def _attention(self, report: Report, text: str) -> Report:
        stuck = replace(
            report, state=ReportState.NEEDS_ATTENTION, last_error=text, updated=self._now()
        )
        return self._store(stuck)

    def _backoff(self, report: Report) -> float:
        failures = self._failures.get(report.ref, 0) + 1
        self._failures[report.ref] = failures
        return float(min(self.timing.max_retry_s, self.timing.first_retry_s * 2 ** (failures - 1)))

    def _store(self, report: Report) -> Report:
        self.db.update(report)
        self._changed(report)
        return report

    def _changed(self, report: Report) -> None:
        self.changed.emit(report)
