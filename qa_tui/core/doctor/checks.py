"""`doctor`: is each configured provider, and the tracker, usable right now, and if not, why?

Each one gets the cheapest authenticated call its client offers (`check()`): BugBug lists one
test, BugBrain lists one execution of the project, Bugnet asks `/api/health` and then one bug of
the project. The failure is sorted into what the user must fix:

- `unreachable`: no answer at all (DNS, refused, timed out, dropped): the host or the network;
- `bad credentials`: 401 (and 403 from BugBug, whose token belongs to one project);
- `wrong project`: the project id or slug is unknown (404, 400) or the key has no access to it
  (403) on the project-scoped services;
- `rate limited`, `error` (5xx, an unreadable answer, a missing endpoint: often a wrong base_url).

Bug0 has no read endpoint, so its key and project cannot be checked without triggering a run:
doctor only proves the host answers and says `unverified` (not a failure). Its results are read
from the commit statuses Bug0 posts on GitHub: with a Bug0 provider (or a `[github]` table),
a `github` line says which token is used (`[github] token`, else `gh auth token`) and whether
GitHub takes it (`GET /rate_limit`, which GitHub does not count), or that there is none (`no
token`: not a failure, Bug0 itself works; its runs stay triggered).

Rate-limit headroom is reported when the provider sends `X-RateLimit-*` (BugBrain, Bugnet).
Nothing here ever prints a secret: every configured secret is blanked out of every message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import Config
from qa_tui.core.errors import (
    AuthFailed,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    RequestRejected,
)
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.providers.github import NAME as GITHUB
from qa_tui.core.providers.github import GitHubApi, GitHubToken, find_token
from qa_tui.core.providers.github.session import github_http
from qa_tui.core.providers.github.token import AskGh, ask_gh
from qa_tui.core.providers.registry import (
    GITHUB as GITHUB_TRANSPORT,
)
from qa_tui.core.providers.registry import (
    TransportFor,
    base_url_for,
    build_source,
    build_tracker,
)
from qa_tui.core.providers.triggers import TriggerLog

PROJECT_SCOPED = frozenset({"bugbrain", "bug0", "bugnet"})


class Verdict(StrEnum):
    """One line's verdict; every one but `ok`, `unverified` and `no token` makes doctor fail."""

    OK = "ok"
    UNVERIFIED = "unverified"
    NO_TOKEN = "no token"
    """GitHub only: no token to read Bug0's results with (Bug0 itself works)."""
    BAD_CREDENTIALS = "bad credentials"
    WRONG_PROJECT = "wrong project"
    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate limited"
    ERROR = "error"

    @property
    def failed(self) -> bool:
        return self not in (Verdict.OK, Verdict.UNVERIFIED, Verdict.NO_TOKEN)


@dataclass(frozen=True)
class Diagnosis:
    """What doctor found about one provider (or the tracker)."""

    name: str
    kind: str
    base_url: str
    verdict: Verdict
    detail: str
    limit: int | None = None
    """The provider's own request limit (`X-RateLimit-Limit`), when it says."""
    remaining: int | None = None
    """Requests left in the provider's current window (`X-RateLimit-Remaining`), when it says."""


def classify(kind: str, error: ProviderError) -> Verdict:
    """The verdict a failed check means for a provider of `kind`."""
    if isinstance(error, NetworkError):
        return Verdict.UNREACHABLE
    if isinstance(error, RateLimited):
        return Verdict.RATE_LIMITED
    if isinstance(error, AuthFailed):
        if error.status_code == 403 and kind in PROJECT_SCOPED:
            return Verdict.WRONG_PROJECT
        return Verdict.BAD_CREDENTIALS
    if isinstance(error, NotFound | RequestRejected) and kind in PROJECT_SCOPED:
        return Verdict.WRONG_PROJECT
    return Verdict.ERROR


def _explain(kind: str, verdict: Verdict, error: ProviderError) -> str:
    code = f" (HTTP {error.status_code})" if error.status_code else ""
    if verdict is Verdict.ERROR and isinstance(error, NotFound):
        return f"{error.message}{code}: the API is not where base_url points"
    return f"{error.message}{code}"


def secrets_of(config: Config, *more: str) -> list[str]:
    """Every secret value in the config (and `more`: the GitHub CLI's token), longest first (so
    none is blanked only in part)."""
    values = [p.token.get_secret_value() for p in config.providers] + list(more)
    if config.github.token is not None:
        values.append(config.github.token.get_secret_value())
    if config.tracker is not None:
        for secret in (config.tracker.token, config.tracker.password, config.tracker.api_key):
            if secret is not None:
                values.append(secret.get_secret_value())
    return sorted((v for v in values if v), key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


async def _diagnose(
    name: str,
    kind: str,
    base_url: str,
    budget: RequestBudget,
    check: Callable[[], Awaitable[str]],
    close: Callable[[], Awaitable[None]],
) -> Diagnosis:
    try:
        detail = await check()
    except ProviderError as error:
        verdict = classify(kind, error)
        return Diagnosis(name, kind, base_url, verdict, _explain(kind, verdict, error))
    except Exception as error:  # a client bug must not hide the other lines
        return Diagnosis(name, kind, base_url, Verdict.ERROR, f"unexpected {type(error).__name__}")
    finally:
        await close()
    verdict = Verdict.UNVERIFIED if kind == "bug0" else Verdict.OK
    return Diagnosis(
        name, kind, base_url, verdict, detail, budget.provider_limit, budget.provider_remaining
    )


def reads_github(config: Config) -> bool:
    """Whether doctor says a word about GitHub: a Bug0 provider reads its results there, or
    the config has a `[github]` table."""
    return "github" in config.model_fields_set or any(p.kind == "bug0" for p in config.providers)


async def diagnose_github(
    config: Config,
    token: GitHubToken,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport_for: TransportFor | None = None,
) -> Diagnosis:
    """Which token reads Bug0's results, and whether GitHub takes it (`GET /rate_limit`)."""
    github = config.github
    if token.value is None:
        detail = f"{token.why_none}; until then Bug0 runs stay triggered, their results unread"
        return Diagnosis(GITHUB, GITHUB, github.api_url, Verdict.NO_TOKEN, detail)
    budget = RequestBudget(github.requests_per_minute, clock=clock)
    transport = transport_for(GITHUB_TRANSPORT) if transport_for else None
    http = github_http(
        github, token.value.get_secret_value(), budget=budget, clock=clock, transport=transport
    )
    api = GitHubApi(http)
    window: list[int | None] = [None, None]

    async def check() -> str:
        core = (await api.rate_limit()).core
        window[:] = [core.limit, core.remaining]
        return (
            f"token from {token.origin} accepted; Bug0's results are read from the commit "
            "statuses on GitHub (a repository the token cannot read answers 404 when its status "
            "is read)"
        )

    found = await _diagnose(GITHUB, GITHUB, github.api_url, budget, check, http.aclose)
    if found.verdict is Verdict.BAD_CREDENTIALS:
        return Diagnosis(
            found.name, found.kind, found.base_url, found.verdict,
            f"GitHub refused the token from {token.origin}: {found.detail}",
        )  # fmt: skip
    return Diagnosis(
        found.name, found.kind, found.base_url, found.verdict, found.detail, window[0], window[1]
    )


async def diagnose(
    config: Config,
    *,
    clock: Clock = SYSTEM_CLOCK,
    transport_for: TransportFor | None = None,
    ask: AskGh = ask_gh,
) -> list[Diagnosis]:
    """Check every provider and the tracker at once; one `Diagnosis` each, in config order,
    then GitHub's when Bug0's results are read there (`ask`: how `gh` is asked for its token)."""
    checks: list[Awaitable[Diagnosis]] = []
    triggers = TriggerLog(":memory:")  # doctor never triggers: no record is ever written
    for provider in config.providers:
        source = build_source(
            provider,
            clock=clock,
            transport=transport_for(provider.name) if transport_for else None,
            triggers=triggers,
        )
        base = base_url_for(provider)
        checks.append(
            _diagnose(
                provider.name, provider.kind, base, source.budget, source.check, source.aclose
            )
        )
    tracker = build_tracker(config, clock=clock, transport_for=transport_for)
    if tracker is not None and config.tracker is not None:
        checks.append(
            _diagnose(
                "tracker",
                config.tracker.kind,
                config.tracker.base_url,
                tracker.budget,
                tracker.check,
                tracker.aclose,
            )
        )
    token = find_token(config.github, ask) if reads_github(config) else None
    if token is not None:
        checks.append(diagnose_github(config, token, clock=clock, transport_for=transport_for))
    try:
        found = await asyncio.gather(*checks)
    finally:
        triggers.close()
    found_token = token.value.get_secret_value() if token and token.value else ""
    secrets = secrets_of(config, *([found_token] if found_token else []))
    return [
        Diagnosis(
            d.name,
            d.kind,
            scrub(d.base_url, secrets),
            d.verdict,
            scrub(d.detail, secrets),
            d.limit,
            d.remaining,
        )
        for d in found
    ]
