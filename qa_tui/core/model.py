"""The normalized model: one `Run` whatever the provider, and what hangs off it.

Every value here is frozen: the engine builds new values, the store diffs them, the UI renders them.
Nothing in this module does I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict


def _as_utc(value: datetime) -> datetime:
    """Providers sometimes send times without a zone: those are read as UTC, so all compare."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_as_utc)]
"""A datetime that is always timezone-aware."""


class RunStatus(StrEnum):
    """A run's status, normalized across providers (the raw word is kept in `provider_status`)."""

    QUEUED = "queued"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    STOPPED = "stopped"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """True when the run can no longer change, so it is never polled again."""
        return self in TERMINAL_STATUSES

    @property
    def is_active(self) -> bool:
        """True for queued and running runs: the ones worth polling."""
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)


TERMINAL_STATUSES = frozenset(
    {RunStatus.PASSED, RunStatus.FAILED, RunStatus.ERROR, RunStatus.STOPPED, RunStatus.SKIPPED}
)


class RunKind(StrEnum):
    """What sort of run a row is."""

    TEST = "test"
    SUITE = "suite"
    EXECUTION = "execution"
    TRIGGER = "trigger"


class ProviderKind(StrEnum):
    """The services qa-tui can read runs from."""

    BUGBUG = "bugbug"
    BUGBRAIN = "bugbrain"
    BUG0 = "bug0"


FIELDS_SETS_SHARED = 512
"""Distinct sets of given fields shared at most (each model has a handful: this is a guard)."""
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


class Frozen(BaseModel):
    """Base for every model value: immutable, compared by value.

    Pydantic gives each instance a set of the fields it was given (`model_fields_set`): for a
    `Run`, a set of about twenty names, 0.7 kB, more than a third of the run, identical for
    every run a provider sends. Instances given the same fields share one set (a value is
    never changed in place: pydantic's `model_copy` copies the set before adding to it), so a
    session holding thousands of runs pays for the names once (bench/allday.py)."""

    model_config = ConfigDict(frozen=True)

    def model_post_init(self, context: Any, /) -> None:
        given = self.__pydantic_fields_set__
        shared = _FIELDS_SETS.get(frozenset(given))
        if shared is None:
            if len(_FIELDS_SETS) >= FIELDS_SETS_SHARED:
                return
            shared = _FIELDS_SETS[frozenset(given)] = given
        object.__setattr__(self, "__pydantic_fields_set__", shared)


class Progress(Frozen):
    """How far a run has got: `done` of `total` steps (or tests)."""

    done: int
    total: int

    @property
    def fraction(self) -> float:
        """Progress from 0.0 to 1.0; 0.0 when the total is unknown (zero)."""
        if self.total <= 0:
            return 0.0
        return max(0.0, min(1.0, self.done / self.total))


class Run(Frozen):
    """One run of one provider, normalized. Strings are kept exactly as the provider sent them."""

    provider: str
    """The provider's display name from config (e.g. "web")."""
    provider_kind: ProviderKind
    id: str
    kind: RunKind
    name: str
    status: RunStatus
    provider_status: str
    """The raw status word the provider sent; shown in the table (a paused run reads "paused")."""
    progress: Progress | None = None
    queued: Timestamp | None = None
    started: Timestamp | None = None
    ended: Timestamp | None = None
    duration_s: float | None = None
    url: str | None = None
    error: str | None = None
    parent_id: str | None = None
    """The suite run a test run belongs to, if any."""
    triggered_by: str | None = None
    test_id: str | None = None
    """What the run ran (test id, suite id, test plan id, Bug0 project id): what a re-run starts."""
    target_id: str | None = None
    """The id of what it ran against, as the provider names it: BugBug's run profile id,
    BugBrain's environment (it has no other id), the URL a Bug0 trigger ran on."""
    environment: str | None = None
    """Where it ran, as the provider says (browser, OS, profile), e.g. for a bug report."""
    target: str | None = None
    """What it ran against, by name, as the run history groups results and the TARGET column
    shows it (`target_id` is its id): BugBug's run profile, BugBrain's environment, Bug0's URL."""
    failed_step: str | None = None
    """The step that failed, when the run's own payload says (`4. click`), else None."""
    note: str | None = None
    """A provider caveat shown with the run, e.g. Bug0's "status not available from provider"."""
    mode: str | None = None
    """How it ran when that is not the provider's usual cloud run: BugBug's `runMode` `local`
    (in the user's own browser) or `recording` (None: `server`, or a provider without modes).
    Such runs say nothing of the product on a shared target: the run history keeps them out of
    flaky rates and incidents."""
    pollable: bool = True
    """False when the provider has no way to read this run's status (Bug0)."""

    @property
    def key(self) -> tuple[str, str]:
        """The run's identity across providers: (provider name, run id)."""
        return (self.provider, self.id)


class Step(Frozen):
    """One step of a run (a BugBug step run, a BugBrain test or its step)."""

    index: int
    id: str | None = None
    name: str
    status: RunStatus
    provider_status: str
    duration_s: float | None = None
    error: str | None = None
    screenshot_url: str | None = None


class Artifact(Frozen):
    """A debug artifact, log, report or screenshot a run left behind."""

    id: str
    kind: str
    url: str | None = None
    expires: Timestamp | None = None
    """None means it never expires (BugBug's `expirationTime: null`)."""
    label: str | None = None


class FailureAnalysis(Frozen):
    """A provider's own analysis of why a test failed (BugBrain)."""

    test_id: str | None = None
    test_name: str | None = None
    category: str | None = None
    confidence: float | None = None
    description: str | None = None
    fix_suggestions: tuple[str, ...] = ()
    evidence: dict[str, str] = {}


T = TypeVar("T")


class PaneData(Frozen, Generic[T]):
    """What one detail pane shows: the items, or why the provider cannot fill it."""

    items: tuple[T, ...] = ()
    unavailable: str | None = None
    """Set when the provider cannot fill this pane; the pane says this instead of staying blank."""


class RunDetail(Frozen):
    """Everything the detail view shows about one run."""

    run: Run
    steps: PaneData[Step] = PaneData[Step]()
    children: PaneData[Run] = PaneData[Run]()
    artifacts: PaneData[Artifact] = PaneData[Artifact]()
    analysis: PaneData[FailureAnalysis] = PaneData[FailureAnalysis]()


class HealthState(StrEnum):
    """How a provider is doing, as the header chip shows it."""

    UNKNOWN = "unknown"
    OK = "ok"
    UNVERIFIED = "unverified"
    """Answers nothing that proves the credentials (Bug0 has no read API): as `doctor` says."""
    SLOW = "slow"
    RATE_LIMITED = "rate-limited"
    AUTH_FAILED = "auth failed"
    UNREACHABLE = "unreachable"
    ERROR = "error"


class ProviderHealth(Frozen):
    """One provider's health: state, when it last answered, and its remaining request budget."""

    provider: str
    state: HealthState = HealthState.UNKNOWN
    last_success: Timestamp | None = None
    message: str | None = None
    budget_remaining: float | None = None
    """Requests the provider's budget would allow right now."""
    fix_key: str | None = None
    """The config key to look at when the failure is not the provider's own but the service
    its results are read from (`[github] token` for Bug0): None, the kind's usual key."""
