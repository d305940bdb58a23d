"""The one door to a run provider's writes: stop, re-run, start and trigger go through here.

`ProviderWrites` holds the sources and the `WritePolicy` built from the config and the command
line, and refuses before anything is sent:

- a provider with `read_only = true`, or every provider under `qa-tui --read-only` or
  `[ui] read_only = true`: `ReadOnly`, whose message says "read-only" and why;
- a provider with `production = true`: the write must carry the provider's name as the user
  typed it (`typed=`), else `NotConfirmed`. A caller that forgets to ask is refused, not let
  through, so a new path (marks' bulk actions, the palette) cannot skip the question.

Everything that writes (the app's keys, palette, detail and incidents views through `Engine`,
`qa-tui run`, the demo's Bug0 triggers) calls `stop`, `start_again` or `start_new`;
tests/test_structure.py checks that no module outside the provider packages and this one calls
a provider's write method. Filing a bug in Bugnet is not a run provider's write and does not
pass here.

Provider quirks of starting (formerly `launch.start_run`): BugBug starts a test or a suite by
id; BugBrain's async start takes only the plan, so a request with an environment, variables, a
timeout or `sync` goes to `POST /executions` with `wait_for_completion` [INF: see launch.py];
Bug0 only triggers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qa_tui.core.actions.launch import (
    Bug0Start,
    BugBrainStart,
    BugBugStart,
    StartRequest,
    wrong_kind,
)
from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import Config
from qa_tui.core.errors import RequestRejected
from qa_tui.core.model import Run
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.bugbrain import BugBrainSource, execution_to_run, plan_name
from qa_tui.core.providers.bugbug import BugBugSource


class ReadOnly(RequestRejected):
    """A write refused before it was sent: the provider is read-only. Nothing reached it."""


class NotConfirmed(RequestRejected):
    """A write to a production provider without its name typed to confirm. Nothing was sent."""


@dataclass(frozen=True)
class WritePolicy:
    """Which providers refuse writes, and which want their name typed first."""

    read_only: frozenset[str] = frozenset()
    """Providers with `read_only = true`."""
    production: frozenset[str] = frozenset()
    """Providers with `production = true`."""
    everything_read_only: str | None = None
    """Why every provider is read-only (`--read-only`, `[ui] read_only = true`), or None."""

    @classmethod
    def of(
        cls,
        providers: Iterable[tuple[str, bool, bool]],
        *,
        flag: bool = False,
        ui_read_only: bool = False,
    ) -> WritePolicy:
        """From each provider's (name, read_only, production), `--read-only` and `[ui]`."""
        listed = list(providers)
        why = "--read-only" if flag else "[ui] read_only = true" if ui_read_only else None
        return cls(
            read_only=frozenset(name for name, read_only, _ in listed if read_only),
            production=frozenset(name for name, _, production in listed if production),
            everything_read_only=why,
        )

    @classmethod
    def from_config(cls, config: Config, *, flag: bool = False) -> WritePolicy:
        """`[[providers]] read_only / production`, `[ui] read_only`, and `--read-only` (`flag`)."""
        return cls.of(
            ((p.name, p.read_only, p.production) for p in config.providers),
            flag=flag,
            ui_read_only=config.ui.read_only,
        )

    def refusal(self, provider: str) -> str | None:
        """Why a write to `provider` is refused ("read-only: …"), or None when it may be sent."""
        if self.everything_read_only is not None:
            return f"read-only: {provider} is not written to ({self.everything_read_only})"
        if provider in self.read_only:
            return f"read-only: {provider} is not written to (read_only = true on it)"
        return None

    def is_production(self, provider: str) -> bool:
        return provider in self.production


class ProviderWrites:
    """Sends a write to a provider only when the policy allows it (see the module docstring)."""

    def __init__(
        self,
        sources: Iterable[RunSource],
        policy: WritePolicy | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.sources: Mapping[str, RunSource] = {source.name: source for source in sources}
        self.policy = policy or WritePolicy()
        self.clock = clock

    def refusal(self, provider: str) -> str | None:
        """Why a write to `provider` would be refused (to say so before asking anything)."""
        return self.policy.refusal(provider)

    def needs_typed_name(self, provider: str) -> bool:
        """True when a write to `provider` must carry its name, typed by the user."""
        return self.policy.is_production(provider)

    def _allow(self, provider: str, typed: str | None) -> RunSource:
        why = self.policy.refusal(provider)
        if why is not None:
            raise ReadOnly(provider, why)
        if self.policy.is_production(provider) and (typed or "").strip() != provider:
            raise NotConfirmed(
                provider, f"production: type {provider!r} to confirm; nothing was sent"
            )
        return self.sources[provider]

    async def stop(self, run: Run, *, typed: str | None = None) -> Run:
        """Stop or cancel `run`; returns its state after the request."""
        source = self._allow(run.provider, typed)
        return await source.stop_run(run)

    async def start_again(self, run: Run, *, typed: str | None = None) -> Run:
        """Start `run`'s test, suite or plan again; returns the new run."""
        source = self._allow(run.provider, typed)
        return await source.rerun(run)

    async def start_new(
        self, provider: str, request: StartRequest, *, typed: str | None = None
    ) -> Run:
        """Start what `request` asks on `provider` (a ProviderError when it cannot)."""
        source = self._allow(provider, typed)
        return await _send_start(source, request, self.clock)


async def _send_start(source: RunSource, request: StartRequest, clock: Clock) -> Run:
    """`clock` dates a BugBrain execution whose answer carries no creation time."""
    if isinstance(request, BugBugStart) and isinstance(source, BugBugSource):
        start = source.start_suite if request.suite else source.start_test
        return await start(
            request.target_id, profile_id=request.profile_id, variables=dict(request.variables)
        )
    if isinstance(request, BugBrainStart) and isinstance(source, BugBrainSource):
        if not request.needs_full_start:
            return await source.start_plan(request.test_plan_id)
        started = await source.start_execution(
            request.test_plan_id,
            timeout_seconds=request.timeout_s,
            wait_for_completion=request.sync,
            environment=request.environment or None,
            variables=dict(request.variables) if request.variables else None,
        )
        run = execution_to_run(source.name, started.execution)
        plan = run.test_id or request.test_plan_id
        return run.model_copy(
            update={
                "test_id": plan,
                "name": plan_name(plan, run.id),
                "queued": run.queued or clock.now(),
                "triggered_by": "qa-tui",
            }
        )
    if isinstance(request, Bug0Start) and isinstance(source, Bug0Source):
        return await source.trigger(
            url=request.url,
            git_commit_sha=request.git_commit_sha,
            git_branch=request.git_branch,
            pr_number=request.pr_number,
            owner=request.owner,
            repo=request.repo,
        )
    raise wrong_kind(source, request)
