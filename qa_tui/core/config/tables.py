"""The config file: TOML → `${VAR}` expansion → pydantic models, with one-line errors.

`load_config(path)` either returns a valid `Config` or raises one `ConfigError` naming the file and
the dotted key path (`providers[1].kind`, `tracker.project`) and what was expected. Messages never
echo a value from the file or the environment, so no secret can leak through one.

- `${NAME}` in any string value is replaced from the environment before validation; an unset
  variable is an error naming the key and the variable. `$${` is a literal `${`.
- Unknown keys are errors (extra="forbid"), so a typo never silently drops a setting.
- Plain `http://` to a host other than loopback is refused unless `allow_insecure_http = true`:
  the token would cross the network unencrypted.
- Defaults that depend on the provider kind (requests per minute, auth style) are filled in here;
  a missing `base_url` stays None and the registry uses the provider module's default.
"""

from __future__ import annotations

import ipaddress
import os
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from qa_tui.core.config.errors import (
    KeyedValueError,
    allowed_keys,
    expand_env,
    expected_for,
    key_path,
)
from qa_tui.core.config.views import ViewConfig
from qa_tui.core.errors import ConfigError
from qa_tui.core.notify.settings import NotifyConfig

__all__ = [
    "Config",
    "ConfigError",
    "ConfigFileMissing",
    "GitHubConfig",
    "HistoryConfig",
    "NotifyConfig",
    "ProviderConfig",
    "TeamConfig",
    "TrackerConfig",
    "UiConfig",
    "expand_env",
    "load_config",
    "warn_if_world_readable",
]

DEFAULT_REQUESTS_PER_MINUTE = {"bugbug": 60.0, "bugbrain": 30.0, "bug0": 10.0}
DEFAULT_REQUESTS_PER_HOUR: dict[str, float | None] = {
    "bugbug": None,
    "bugbrain": 500.0,
    "bug0": 100.0,
}
"""The documented hourly limits (BugBug documents none)."""
"""BugBrain and Bug0 document 30/min and 10/min; BugBug documents none, 60/min is a polite pick."""
AUTH_STYLES = {
    "bugbug": ("token",),
    "bugbrain": ("bearer", "x-api-key"),
    "bug0": ("api-key", "service-token"),
}
"""Accepted `auth_style` values per kind; the first one is the default."""
NEEDS_PROJECT_ID = frozenset({"bugbrain", "bug0"})


def check_transport_url(url: str, allow_insecure_http: bool, key: str = "base_url") -> None:
    """Refuse anything but http(s) URLs, and plain http to a non-loopback host unless allowed
    (`key`: the config key the URL is written under, for the error)."""
    scheme, sep, rest = url.partition("://")
    host = host_of(rest)
    if not sep or scheme.lower() not in ("http", "https") or not host:
        raise KeyedValueError(key, "expected an http:// or https:// URL with a host")
    if "@" in rest.split("/", 1)[0]:
        raise KeyedValueError(key, "must not hold credentials (user:password@): put them in token")
    if scheme.lower() == "http" and not allow_insecure_http and not is_loopback(host):
        raise KeyedValueError(
            key,
            "plain http:// to a non-loopback host would send credentials unencrypted; "
            "use https:// or set allow_insecure_http = true",
        )


def host_of(rest: str) -> str:
    """The host of a URL's part after `scheme://` (no user, port or path; IPv6 unbracketed)."""
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class ProviderConfig(_Section):
    """One `[[providers]]` table: a run provider qa-tui reads runs from."""

    name: str = Field(min_length=1)
    """Unique display name, shown in the table and used by `--provider`."""
    kind: Literal["bugbug", "bugbrain", "bug0"]
    """Which service this is."""
    base_url: str | None = None
    """Service root (the client appends the API paths); None means the kind's default."""
    token: SecretStr
    """API token or key. Write `${VAR}` to read it from the environment."""
    requests_per_minute: float = Field(default=60.0, gt=0)
    """Request budget for this provider (default per kind: BugBug 60, BugBrain 30, Bug0 10)."""
    requests_per_hour: float | None = Field(default=None, gt=0)
    """A second, hourly budget (default per kind: BugBrain 500, Bug0 100, BugBug none)."""
    project_id: str | None = None
    """BugBrain project id / Bug0 project (required for those two kinds)."""
    auth_style: str = "token"
    """BugBrain: "bearer" (default) or "x-api-key"; Bug0: "api-key" (default) or "service-token"."""
    timeout_s: float = Field(default=15.0, gt=0)
    """Seconds before one request is given up as timed out."""
    verify_tls: bool = True
    """Verify the server's TLS certificate. Only turn off for a test server you control."""
    allow_insecure_http: bool = False
    """Allow plain http:// to a non-loopback host (the token then crosses the network unencrypted)."""
    poll_interval_s: float | None = Field(default=None, gt=0)
    """How often the monitor polls this provider; None lets the engine choose."""
    status_context: str | None = None
    """Bug0 only: which of a commit's GitHub statuses and check runs are Bug0's, as a
    case-insensitive glob (`*` any text, `?` one character); None means `*bug0*`."""
    read_only: bool = False
    """Never stop, re-run, start or trigger on this provider (refused, saying "read-only")."""
    production: bool = False
    """Tint its chip and rows, and ask for its name to be typed before any write to it."""

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        """Fill the defaults that depend on `kind` before the fields are validated."""
        if isinstance(data, dict) and data.get("kind") in DEFAULT_REQUESTS_PER_MINUTE:
            kind = data["kind"]
            defaults = {
                "requests_per_minute": DEFAULT_REQUESTS_PER_MINUTE[kind],
                "requests_per_hour": DEFAULT_REQUESTS_PER_HOUR[kind],
                "auth_style": AUTH_STYLES[kind][0],
            }
            return {**defaults, **data}
        return data

    @model_validator(mode="after")
    def _check_kind_rules(self) -> ProviderConfig:
        styles = AUTH_STYLES[self.kind]
        if self.auth_style not in styles:
            raise KeyedValueError(
                "auth_style", f"expected one of {', '.join(styles)} for {self.kind}"
            )
        if self.kind in NEEDS_PROJECT_ID and not self.project_id:
            raise KeyedValueError("project_id", f"required for kind = {self.kind!r}")
        if self.status_context is not None:
            if self.kind != "bug0":
                raise KeyedValueError("status_context", "only a bug0 provider has one")
            if not self.status_context.strip():
                raise KeyedValueError("status_context", "must not be empty (default: *bug0*)")
        if self.base_url is not None:
            check_transport_url(self.base_url, self.allow_insecure_http)
        return self


class TrackerConfig(_Section):
    """The optional `[tracker]` table: where bugs are filed (Bugnet)."""

    kind: Literal["bugnet"] = "bugnet"
    """The tracker service; only Bugnet for now."""
    base_url: str = "https://api.bugnet.io"
    """Service root; the client appends `/api/...`."""
    project: str = Field(min_length=1)
    """Project slug, as in the Bugnet dashboard URL."""
    token: SecretStr | None = None
    """Session token (`Authorization: Bearer`)."""
    email: str | None = None
    """Account email, to log in with `password` when no token is given."""
    password: SecretStr | None = None
    """Account password (use `${VAR}`)."""
    api_key: SecretStr | None = None
    """Project API key (`X-API-Key`) for public submit."""
    requests_per_minute: float = Field(default=120.0, gt=0)
    """Bugnet allows 120/min per IP for authenticated calls, shared by everything on this machine."""
    default_priority: Literal["low", "medium", "high", "critical"] = "medium"
    """Priority pre-filled in the bug form."""
    default_category: Literal[
        "crash", "visual", "gameplay", "performance", "audio", "ui", "network", "other"
    ] = "other"
    """Category pre-filled in the bug form."""
    labels: list[str] = Field(default_factory=list)
    """Labels added to every bug filed from qa-tui."""
    timeout_s: float = Field(default=15.0, gt=0)
    """Seconds before one request is given up as timed out."""
    verify_tls: bool = True
    """Verify the server's TLS certificate."""
    allow_insecure_http: bool = False
    """Allow plain http:// to a non-loopback host."""

    @model_validator(mode="after")
    def _check_auth(self) -> TrackerConfig:
        check_transport_url(self.base_url, self.allow_insecure_http)
        if self.email is not None and self.password is None:
            raise KeyedValueError("password", "required when email is set")
        if self.password is not None and self.email is None:
            raise KeyedValueError("email", "required when password is set")
        if self.token is None and self.password is None and self.api_key is None:
            raise KeyedValueError("token", "expected token, email + password, or api_key")
        return self


class GitHubConfig(_Section):
    """The optional `[github]` table: where Bug0's results are read. Bug0 posts a commit status
    (or a check run) on the commit a trigger carried; qa-tui reads it back from GitHub's API."""

    token: SecretStr | None = None
    """A token that can read the repositories' commit statuses (`${GITHUB_TOKEN}`); None: the
    GitHub CLI's own (`gh auth token`), when `gh` is installed and logged in."""
    api_url: str = "https://api.github.com"
    """GitHub's REST API root; GitHub Enterprise Server: `https://HOST/api/v3`. The token is sent
    here and nowhere else."""
    requests_per_minute: float = Field(default=60.0, gt=0)
    """qa-tui's share of GitHub's 5,000 requests an hour (a 304 to a conditional request is
    not counted by GitHub, nor here)."""
    poll_interval_s: float = Field(default=10.0, gt=0)
    """How often one commit's statuses are read while a Bug0 run on it has no result yet."""
    timeout_s: float = Field(default=15.0, gt=0)
    """Seconds before one request is given up as timed out."""
    verify_tls: bool = True
    """Verify the server's TLS certificate."""
    allow_insecure_http: bool = False
    """Allow plain http:// to a non-loopback host (the token then crosses the network unencrypted)."""

    @model_validator(mode="after")
    def _check_url(self) -> GitHubConfig:
        check_transport_url(self.api_url, self.allow_insecure_http, key="api_url")
        return self


REDIS_SCHEMES = ("redis", "rediss", "unix")


class TeamConfig(_Section):
    """The optional `[team]` table: instances watching the same provider project share one poller
    and one request budget through this Redis (see qa_tui/core/team)."""

    redis_url: SecretStr
    """`redis://host:6379/0`, `rediss://host:6380/0` (TLS) or `unix:///path/redis.sock`. A
    password may be in it (`rediss://:${REDIS_PASSWORD}@host`) or in `password`."""
    password: SecretStr | None = None
    """The Redis password (use `${VAR}`); overrides one in the URL."""
    lease_s: float = Field(default=10.0, ge=3, le=300)
    """The longest a poller that died keeps the others waiting: another takes over within it."""
    key_prefix: str = Field(default="qa-tui", min_length=1, max_length=64)
    """The prefix of every Redis key qa-tui writes (to share one Redis with other programs)."""
    verify_tls: bool = True
    """Verify the Redis server's TLS certificate (rediss://)."""
    allow_insecure: bool = False
    """Allow plain redis:// to a non-loopback host (run data and the password unencrypted)."""

    @model_validator(mode="after")
    def _check_url(self) -> TeamConfig:
        url = self.redis_url.get_secret_value()
        scheme, sep, rest = url.partition("://")
        host = host_of(rest)
        if not sep or scheme.lower() not in REDIS_SCHEMES or (scheme != "unix" and not host):
            raise KeyedValueError(
                "redis_url", "expected a redis://, rediss:// or unix:// URL with a host or path"
            )
        if scheme.lower() == "redis" and not self.allow_insecure and not is_loopback(host):
            raise KeyedValueError(
                "redis_url",
                "plain redis:// to a non-loopback host sends run data and the password "
                "unencrypted; use rediss:// or set allow_insecure = true",
            )
        return self


class HistoryConfig(_Section):
    """The optional `[history]` table: the local run history behind strips, flaky badges,
    incidents, the Compare pane and `qa-tui flaky` / `qa-tui incidents`."""

    enabled: bool = True
    """Keep a history of final results (`history.sqlite` in the data dir)."""
    keep_days: float = Field(default=90.0, gt=0)
    """Results older than this many days are dropped."""
    keep_runs: int = Field(default=200_000, gt=0)
    """At most this many results are kept (the oldest go first)."""
    backfill_days: float = Field(default=7.0, ge=0)
    """On first use of a provider, read its older pages back this many days, within its
    budget and after live work (0: only what is seen from now on)."""
    flaky_days: float = Field(default=7.0, gt=0)
    """The window of the flaky badge: passed and failed on the same target within it."""
    incident_window_min: float = Field(default=30.0, gt=0)
    """Failures with one fingerprint this close together (minutes) make one incident."""
    incident_min_runs: int = Field(default=3, ge=2)
    """How many runs an incident needs at least."""


class UiConfig(_Section):
    """The optional `[ui]` table: how the app looks and what it may do."""

    read_only: bool = False
    """Every provider read-only (as `qa-tui --read-only`): nothing is stopped, re-run, started or
    triggered; filing bugs stays allowed."""
    theme: str | None = Field(default=None, min_length=1)
    """A Textual theme by name (`textual-dark`, `nord`, `gruvbox`, …); the app checks the name.
    Picking one in the palette saves it to `ui-state.toml` beside this file, which wins over it."""


class Config(_Section):
    """The whole config file."""

    providers: list[ProviderConfig] = Field(min_length=1)
    """Run providers, in the order they are shown."""
    tracker: TrackerConfig | None = None
    """Bug tracker; without it, filing bugs is unavailable."""
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    """Which runs notify, and how the terminal is told (qa_tui/core/notify)."""
    team: TeamConfig | None = None
    """Team mode: share one poller and one budget per provider project through Redis."""
    history: HistoryConfig = Field(default_factory=HistoryConfig)
    """The local run history (see `HistoryConfig`)."""
    github: GitHubConfig = Field(default_factory=GitHubConfig)
    """Where Bug0's results are read (see `GitHubConfig`); without the table, the defaults and
    the GitHub CLI's token."""
    ui: UiConfig = Field(default_factory=UiConfig)
    """The app's look and safety (see `UiConfig`)."""
    keys: dict[str, str] = Field(default_factory=dict)
    """`[keys]`: an action id → its keys, comma-separated Textual key names
    (`"runs.stop" = "ctrl+k"`); the app checks ids, names and clashes (ui/keymap.py)."""
    views: list[ViewConfig] = Field(default_factory=list)
    """Saved views, on the keys 1…9 in order (core/config/views.py)."""

    @model_validator(mode="after")
    def _unique_views(self) -> Config:
        seen: set[str] = set()
        for index, view in enumerate(self.views):
            if view.name.casefold() in seen:
                raise KeyedValueError(f"views[{index}].name", "duplicate view name")
            seen.add(view.name.casefold())
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        seen: set[str] = set()
        for index, provider in enumerate(self.providers):
            if provider.name in seen:
                raise KeyedValueError(
                    f"providers[{index}].name", f"duplicate provider name {provider.name!r}"
                )
            seen.add(provider.name)
        return self


class ConfigFileMissing(ConfigError):
    """The config file does not exist (the CLI adds how to make one)."""


def load_config(path: Path) -> Config:
    """Read, expand and validate the config file; raise one ConfigError on any problem."""
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigFileMissing(file, "", "no such file") from None
    except OSError as exc:
        raise ConfigError(file, "", f"cannot read ({exc.strerror or type(exc).__name__})") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(file, "", "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "", f"TOML syntax error: {exc}") from None
    expanded = expand_env(raw, file)
    try:
        return Config.model_validate(expanded)
    except ValidationError as exc:
        # An unknown key usually explains a "missing" one (a typo): report it first.
        error = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        expected, sub_key = expected_for(error, allowed_keys(Config, error["loc"]))
        loc = error["loc"]
        key = key_path(loc)
        if sub_key:
            key = f"{key}.{sub_key}" if key else sub_key
        raise ConfigError(file, key, expected) from None


def warn_if_world_readable(path: Path) -> str | None:
    """A warning when other users can read the config file (it may hold tokens), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if os.name != "posix" or not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    return (
        f"{path} is readable by other users (mode {stat.S_IMODE(mode):04o}) "
        f"and may hold tokens; run: chmod 600 {path}"
    )
