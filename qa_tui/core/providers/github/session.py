"""The reader built from `[github]`: its token, its own budget and its HTTP session.

The session is the same layer every provider goes through (core/http): budgeted, classified,
secrets kept out of every message. The budget is GitHub's alone (`requests_per_minute`, a share
of the token's 5,000 an hour), whatever the Bug0 providers' own budgets.
"""

from __future__ import annotations

import httpx

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import GitHubConfig
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.providers.github.api import NAME, RETRY, GitHubApi, auth_headers
from qa_tui.core.providers.github.reader import CommitStatuses
from qa_tui.core.providers.github.token import GitHubToken


def github_http(
    config: GitHubConfig,
    token: str,
    *,
    budget: RequestBudget,
    clock: Clock = SYSTEM_CLOCK,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ProviderHttp:
    """An authenticated session to `api_url` (and nowhere else)."""
    return ProviderHttp(
        NAME,
        config.api_url,
        headers=auth_headers(token),
        budget=budget,
        clock=clock,
        transport=transport,
        timeout_s=config.timeout_s,
        verify_tls=config.verify_tls,
        retry=RETRY,
    )


def commit_statuses(
    config: GitHubConfig,
    token: GitHubToken,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CommitStatuses:
    """The reader every Bug0 source of one config shares (no token: one that sends nothing)."""
    budget = RequestBudget(config.requests_per_minute, clock=clock)
    api = None
    if token.value is not None:
        http = github_http(
            config, token.value.get_secret_value(), budget=budget, clock=clock, transport=transport
        )
        api = GitHubApi(http)
    return CommitStatuses(
        api, budget=budget, every_s=config.poll_interval_s, clock=clock, no_token=token.why_none
    )
