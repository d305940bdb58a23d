"""Reading what services reported on commits, politely: `CommitStatuses`.

One reader serves every Bug0 provider (they read the same commits through one token and one
budget). For each commit it keeps the last answer of both endpoints and their ETags, so every
later read is conditional and an unchanged commit costs a 304 that GitHub does not count.

- `read(ref)` reads one commit now (both endpoints) and raises what failed: `qa-tui watch` and
  `run --wait` call it between their own waits and ride out what is transient.
- `read_due(refs)` is the monitor's: it never raises and never waits. A commit is read again
  `every_s` after its last read; after a failure it backs off as the engine does (the interval,
  doubled each failure up to `MAX_BACKOFF_S`, at least GitHub's `Retry-After`); nothing is
  asked while the budget is empty or paused by GitHub's own limit (`X-RateLimit-Remaining: 0`
  pauses it until `X-RateLimit-Reset`). What failed at a commit's last read is kept
  (`error_of`, `trouble`) until a read of it succeeds.
- Without a token nothing is ever sent: every read fails with `AuthFailed` saying how to get one.

GitHub's clock is learnt from each answer's `Date` (`CommitReading.offset_s`: GitHub's time
minus ours), so a caller can tell whether a status was posted after something it timed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import AuthFailed, ProviderError, RateLimited
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.providers.github.api import NAME, Answer, Checks, GitHubApi, Statuses
from qa_tui.core.providers.github.reported import Reported, from_check, from_status

MAX_BACKOFF_S = 120.0
"""The longest wait after failures (the engine's `max_backoff_s`)."""
WAIT_IN_LINE_S = 2.0
"""The longest a read waits for the budget before a request; past it (GitHub said to come back
at its reset, often many minutes away), the read fails as rate limited at once and is tried
again after that wait, so neither the monitor's cycle nor `watch`'s deadline is held."""


@dataclass(frozen=True)
class CommitRef:
    """A commit of a repository on GitHub."""

    owner: str
    repo: str
    sha: str

    def __str__(self) -> str:
        return f"{self.owner}/{self.repo}@{self.sha[:12]}"


@dataclass(frozen=True)
class CommitReading:
    """Everything reported on a commit when it was last read."""

    ref: CommitRef
    reported: tuple[Reported, ...]
    offset_s: float = 0.0
    """GitHub's clock minus ours when it was read (0 when GitHub sent no `Date`)."""


@dataclass
class _Kept:
    """One commit's last answers, ETags, and when it may be read again."""

    statuses: tuple[Reported, ...] = ()
    checks: tuple[Reported, ...] = ()
    statuses_etag: str | None = None
    checks_etag: str | None = None
    offset_s: float = 0.0
    read: bool = False
    next_at: float = 0.0
    backoff_s: float = 0.0
    error: ProviderError | None = None
    """What failed at its last read (None: it was read)."""


@dataclass
class ReadCounts:
    """What the reader has asked GitHub so far (tests and the health panel read it)."""

    requests: int = 0
    not_modified: int = 0


class CommitStatuses:
    """The commit statuses and check runs of the commits Bug0 runs were triggered on."""

    def __init__(
        self,
        api: GitHubApi | None,
        *,
        budget: RequestBudget,
        every_s: float = 10.0,
        clock: Clock = SYSTEM_CLOCK,
        no_token: str = "",
    ) -> None:
        """`api` None: no token was found (`no_token` says why), nothing is ever sent."""
        self.api = api
        self.budget = budget
        self.every_s = every_s
        self.no_token = no_token
        self._clock = clock
        self._kept: dict[CommitRef, _Kept] = {}
        self._users = 0
        self.counts = ReadCounts()

    def __repr__(self) -> str:
        return f"CommitStatuses(commits={len(self._kept)}, token={self.api is not None})"

    @property
    def has_token(self) -> bool:
        return self.api is not None

    def trouble(self, refs: Iterable[CommitRef]) -> ProviderError | None:
        """What failed at the last read of any of `refs` (None: each was read, or not yet):
        refused credentials first, then a rate limit, then the rest."""
        errors = [kept.error for ref in refs if (kept := self._kept.get(ref)) and kept.error]
        ranked = sorted(
            errors, key=lambda e: (not isinstance(e, AuthFailed), not isinstance(e, RateLimited))
        )
        return ranked[0] if ranked else None

    def error_of(self, ref: CommitRef) -> ProviderError | None:
        """What failed at the last read of `ref` (None: it was read, or not yet)."""
        kept = self._kept.get(ref)
        return kept.error if kept is not None else None

    def reading(self, ref: CommitRef) -> CommitReading | None:
        """What was last read of `ref` (None: not read yet)."""
        kept = self._kept.get(ref)
        if kept is None or not kept.read:
            return None
        return CommitReading(ref, kept.statuses + kept.checks, kept.offset_s)

    async def read(self, ref: CommitRef) -> CommitReading:
        """Read `ref` now (conditionally); raise what failed."""
        kept = self._kept.setdefault(ref, _Kept())
        try:
            await self._read(ref, kept)
        except ProviderError as error:
            self._failed(kept, error)
            raise
        self._succeeded(kept)
        reading = self.reading(ref)
        assert reading is not None  # just read
        return reading

    async def read_due(self, refs: Iterable[CommitRef]) -> None:
        """Read each of `refs` that is due, as long as the budget has a token to spare now;
        failures are kept (`error_of`) and back that commit off, never raised."""
        now = self._clock.monotonic()
        due = sorted(
            {ref for ref in refs if self._kept.setdefault(ref, _Kept()).next_at <= now},
            key=lambda ref: self._kept[ref].next_at,
        )
        for ref in due:
            kept = self._kept[ref]
            if self.api is not None and self.budget.wait_time() > 0:
                return  # the rest waits for a token: the budget is the limit
            try:
                await self._read(ref, kept)
            except ProviderError as error:
                self._failed(kept, error)
                continue
            self._succeeded(kept)

    async def _read(self, ref: CommitRef, kept: _Kept) -> None:
        if self.api is None:
            raise AuthFailed(NAME, self.no_token or "no GitHub token")
        self._in_line()
        statuses = await self.api.statuses(ref.owner, ref.repo, ref.sha, kept.statuses_etag)
        self._in_line()
        checks = await self.api.check_runs(ref.owner, ref.repo, ref.sha, kept.checks_etag)
        self._take_statuses(kept, statuses)
        self._take_checks(kept, checks)
        when = statuses.server_time or checks.server_time
        if when is not None:
            kept.offset_s = (when - self._clock.now()).total_seconds()
        kept.read = True

    def _in_line(self) -> None:
        """Raise RateLimited when the budget would hold the next request long (`WAIT_IN_LINE_S`)."""
        wait = self.budget.wait_time()
        if wait > WAIT_IN_LINE_S:
            message = f"GitHub's rate limit is spent: reading again in {wait:.0f}s"
            raise RateLimited(NAME, message, retry_after=wait, status_code=None)

    def _take_statuses(self, kept: _Kept, answer: Answer[Statuses]) -> None:
        self.counts.requests += 1
        kept.statuses_etag = answer.etag
        if answer.body is None:
            self.counts.not_modified += 1
            return
        kept.statuses = tuple(from_status(s) for s in answer.body.items)

    def _take_checks(self, kept: _Kept, answer: Answer[Checks]) -> None:
        self.counts.requests += 1
        kept.checks_etag = answer.etag
        if answer.body is None:
            self.counts.not_modified += 1
            return
        kept.checks = tuple(from_check(c) for c in answer.body.items)

    def _succeeded(self, kept: _Kept) -> None:
        kept.backoff_s = 0.0
        kept.next_at = self._clock.monotonic() + self.every_s
        kept.error = None

    def _failed(self, kept: _Kept, error: ProviderError) -> None:
        kept.backoff_s = min(MAX_BACKOFF_S, kept.backoff_s * 2 if kept.backoff_s else self.every_s)
        wait = kept.backoff_s
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        kept.next_at = self._clock.monotonic() + wait
        kept.error = error

    def join(self) -> None:
        """One more source reads through this reader (it is closed when the last one leaves)."""
        self._users += 1

    async def leave(self) -> None:
        """A source is done with the reader: the last one to leave closes its session."""
        self._users -= 1
        if self._users <= 0:
            await self.aclose()

    async def aclose(self) -> None:
        if self.api is not None:
            await self.api.http.aclose()
