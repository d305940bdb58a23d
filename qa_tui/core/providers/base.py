"""What the engine, UI and CLI need from a run provider, whatever the service.

Each provider module (`bugbug`, `bugbrain`, `bug0`) holds its tolerant wire models, its client and
its normalization into `Run`, and exposes one class that satisfies `RunSource`. Capabilities say
what the service can do at all, so the UI can say "not available from provider" instead of
failing: Bug0, for instance, has no read API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from qa_tui.core.budget import RequestBudget
from qa_tui.core.model import ProviderKind, Run, RunDetail, RunStatus


@dataclass(frozen=True)
class Capabilities:
    """What a provider's API supports."""

    list_runs: bool = True
    run_status: bool = True
    stop: bool = True
    rerun: bool = True
    start: bool = True
    steps: bool = True
    artifacts: bool = False
    logs: bool = False
    junit: bool = False
    analysis: bool = False


@dataclass
class RunPage:
    """Runs read from a provider's lists, newest first, and how many items were unreadable."""

    runs: list[Run] = field(default_factory=list)
    skipped: int = 0


@runtime_checkable
class RunSource(Protocol):
    """A provider of runs. Every method may raise a `ProviderError`; none returns raw payloads."""

    name: str
    """The provider's display name from config."""
    kind: ProviderKind
    capabilities: Capabilities
    budget: RequestBudget

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """Up to `limit` runs, newest first (test and suite runs together for BugBug)."""
        ...

    async def refresh_run(self, run: Run) -> Run:
        """The run's current state through the cheapest per-run call (`…/status`)."""
        ...

    async def get_run(self, run_id: str) -> Run:
        """One run by id, with every field the provider has."""
        ...

    async def stop_run(self, run: Run) -> Run:
        """Stop or cancel a running run; returns its state after the request."""
        ...

    async def rerun(self, run: Run) -> Run:
        """Start the same test, suite or plan again; returns the new run."""
        ...

    async def run_detail(self, run: Run) -> RunDetail:
        """Steps, child runs, artifacts and analysis; panes it cannot fill say why."""
        ...

    async def fetch_log(self, run: Run) -> str:
        """The run's log text (raises Unsupported where the provider has none)."""
        ...

    async def fetch_junit(self, run: Run) -> bytes:
        """The run's JUnit XML (raises Unsupported where the provider has none)."""
        ...

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """Bytes of an artifact or screenshot URL the provider gave; past `max_bytes` the file
        is refused while it arrives (`TooLarge`)."""
        ...

    async def check(self) -> str:
        """The cheapest authenticated call, for `doctor`; returns a short description."""
        ...

    async def aclose(self) -> None: ...
