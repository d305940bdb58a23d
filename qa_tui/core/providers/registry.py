"""From config to live objects: one `RunSource` per `[[providers]]` table, one Bugnet client.

Each provider gets its own `ProviderHttp` (base URL, the kind's auth headers, timeout, TLS
verification) and a handle on the budget of what its service limits: providers on one BugBrain
key, one Bug0 project or one BugBug token share one budget (core/providers/sharing.py). A missing
`base_url` takes the provider package's `DEFAULT_BASE_URL` (core/providers/endpoints.py). Bug0
sources share one reader of GitHub's commit statuses (`[github]`: its token, else `gh auth
token`; its own budget). Tests and the demo pass `transport_for(name)` to route a provider (or
"tracker", or "github") to the simulator in-process.

The caller owns what is returned: `await source.aclose()` / `await tracker.aclose()` when done.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import Config, GitHubConfig, ProviderConfig
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.providers import bug0, bugbrain, bugbug, bugnet
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.endpoints import base_url_for, default_base_url
from qa_tui.core.providers.github import CommitStatuses, find_token
from qa_tui.core.providers.github.session import commit_statuses
from qa_tui.core.providers.github.token import AskGh, ask_gh
from qa_tui.core.providers.sharing import BudgetPool
from qa_tui.core.providers.triggers import TriggerLog

TransportFor = Callable[[str], httpx.AsyncBaseTransport | None]
"""Provider name (or TRACKER) → the transport to use, None for the real network."""
TRACKER = "tracker"
"""The name `transport_for` is asked with for the bug tracker."""
GITHUB = "github"
"""The name `transport_for` is asked with for GitHub (where Bug0's results are read)."""
BudgetFor = Callable[[ProviderConfig], RequestBudget]
"""A provider's budget made elsewhere (team mode: shared through Redis)."""

__all__ = [
    "GITHUB",
    "TRACKER",
    "BudgetFor",
    "TransportFor",
    "auth_headers",
    "base_url_for",
    "build_source",
    "build_sources",
    "build_statuses",
    "build_tracker",
    "default_base_url",
    "provider_http",
]


def auth_headers(provider: ProviderConfig) -> dict[str, str]:
    """The kind's auth headers for this provider's token and `auth_style`."""
    token = provider.token.get_secret_value()
    if provider.kind == "bugbug":
        return bugbug.auth_headers(token)  # BugBug has one style
    if provider.kind == "bugbrain":
        return bugbrain.auth_headers(token, provider.auth_style)
    return bug0.auth_headers(token, provider.auth_style)


def other_auth_headers(provider: ProviderConfig) -> dict[str, str] | None:
    """BugBrain's other auth generation, tried once after a 401 (the docs name two [INF]):
    the same key to the same host, so nothing new leaves the machine."""
    if provider.kind != "bugbrain":
        return None
    token = provider.token.get_secret_value()
    other = "x-api-key" if provider.auth_style == "bearer" else "bearer"
    return bugbrain.auth_headers(token, other)


def provider_http(
    provider: ProviderConfig,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport: httpx.AsyncBaseTransport | None = None,
    budget: RequestBudget | None = None,
) -> ProviderHttp:
    """The budgeted, authenticated HTTP session for one run provider (`budget`: one made
    elsewhere; by default its own, at the configured rates)."""
    return ProviderHttp(
        provider.name,
        base_url_for(provider),
        headers=auth_headers(provider),
        budget=budget
        or RequestBudget(
            provider.requests_per_minute, per_hour=provider.requests_per_hour, clock=clock
        ),
        clock=clock,
        transport=transport,
        timeout_s=provider.timeout_s,
        verify_tls=provider.verify_tls,
        other_auth=other_auth_headers(provider),
    )


def build_statuses(
    github: GitHubConfig,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport_for: TransportFor | None = None,
    ask: AskGh = ask_gh,
) -> CommitStatuses:
    """The reader of GitHub's commit statuses Bug0 sources share (`ask`: how the GitHub CLI is
    asked for its token when `[github]` has none)."""
    transport = transport_for(GITHUB) if transport_for else None
    return commit_statuses(github, find_token(github, ask), clock=clock, transport=transport)


def build_source(
    provider: ProviderConfig,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport: httpx.AsyncBaseTransport | None = None,
    triggers: TriggerLog | None = None,
    budget: RequestBudget | None = None,
    statuses: CommitStatuses | None = None,
) -> RunSource:
    """The `RunSource` for one `[[providers]]` table (`statuses`: where a Bug0 source reads its
    results; None: nowhere, its runs stay triggered)."""
    http = provider_http(provider, clock=clock, transport=transport, budget=budget)
    if provider.kind == "bugbug":
        return bugbug.BugBugSource(provider.name, http)
    project_id = provider.project_id or ""  # config guarantees it for these kinds
    if provider.kind == "bugbrain":
        return bugbrain.BugBrainSource(provider.name, http, project_id=project_id, clock=clock)
    return bug0.Bug0Source(
        provider.name,
        http,
        project_id=project_id,
        triggers=triggers or TriggerLog(),
        clock=clock,
        statuses=statuses,
        status_context=provider.status_context,
    )


def build_sources(
    config: Config,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport_for: TransportFor | None = None,
    triggers: TriggerLog | None = None,
    budget_for: BudgetFor | None = None,
    ask: AskGh = ask_gh,
) -> list[RunSource]:
    """One source per configured provider, in config order. Bug0 sources share `triggers`
    (default: the trigger log in the data dir) and one reader of GitHub (`build_statuses`);
    `budget_for` makes each one's budget (default: one budget per limit the providers' services
    count, `BudgetPool`)."""
    statuses = None
    if any(p.kind == "bug0" for p in config.providers):
        triggers = triggers if triggers is not None else TriggerLog()
        statuses = build_statuses(config.github, clock=clock, transport_for=transport_for, ask=ask)
    if budget_for is None:
        budget_for = BudgetPool(config.providers, clock=clock).budget_for
    return [
        build_source(
            provider,
            clock=clock,
            transport=transport_for(provider.name) if transport_for else None,
            triggers=triggers,
            budget=budget_for(provider),
            statuses=statuses if provider.kind == "bug0" else None,
        )
        for provider in config.providers
    ]


def build_tracker(
    config: Config,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport_for: TransportFor | None = None,
    budget: RequestBudget | None = None,
) -> bugnet.BugnetClient | None:
    """The Bugnet client for `[tracker]`, or None when no tracker is configured (`budget`: one
    made elsewhere, e.g. shared in team mode)."""
    tracker = config.tracker
    if tracker is None:
        return None
    http = ProviderHttp(
        "bugnet",
        tracker.base_url,
        budget=budget or RequestBudget(tracker.requests_per_minute, clock=clock),
        clock=clock,
        transport=transport_for(TRACKER) if transport_for else None,
        timeout_s=tracker.timeout_s,
        verify_tls=tracker.verify_tls,
    )
    return bugnet.BugnetClient(
        http,
        project=tracker.project,
        token=tracker.token,
        email=tracker.email,
        password=tracker.password,
        api_key=tracker.api_key,
    )
