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

import difflib
import ipaddress
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_core import ErrorDetails

from qa_tui.core.errors import ConfigError

__all__ = [
    "Config",
    "ConfigError",
    "ConfigFileMissing",
    "HistoryConfig",
    "ProviderConfig",
    "TrackerConfig",
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


class KeyedValueError(ValueError):
    """A validation failure that knows which key (relative to the model) is wrong."""

    def __init__(self, key: str, expected: str) -> None:
        super().__init__(expected)
        self.key = key
        self.expected = expected


def check_transport_url(url: str, allow_insecure_http: bool) -> None:
    """Refuse anything but http(s) URLs, and plain http to a non-loopback host unless allowed."""
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    if not sep or scheme.lower() not in ("http", "https") or not host:
        raise KeyedValueError("base_url", "expected an http:// or https:// URL with a host")
    if "@" in rest.split("/", 1)[0]:
        raise KeyedValueError(
            "base_url", "must not hold credentials (user:password@): put them in token"
        )
    if scheme.lower() == "http" and not allow_insecure_http and not is_loopback(host):
        raise KeyedValueError(
            "base_url",
            "plain http:// to a non-loopback host would send credentials unencrypted; "
            "use https:// or set allow_insecure_http = true",
        )


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


class Config(_Section):
    """The whole config file."""

    providers: list[ProviderConfig] = Field(min_length=1)
    """Run providers, in the order they are shown."""
    tracker: TrackerConfig | None = None
    """Bug tracker; without it, filing bugs is unavailable."""
    history: HistoryConfig = Field(default_factory=HistoryConfig)
    """The local run history (see `HistoryConfig`)."""

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


_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{")


def expand_env(raw: Any, file: str, key: str = "", env: dict[str, str] | None = None) -> Any:
    """Replace `${NAME}` in every string value (lists and tables walked), `$${` → `${`."""
    environ = dict(os.environ) if env is None else env
    if isinstance(raw, dict):
        return {k: expand_env(v, file, f"{key}.{k}" if key else k, environ) for k, v in raw.items()}
    if isinstance(raw, list):
        return [expand_env(v, file, f"{key}[{i}]", environ) for i, v in enumerate(raw)]
    if not isinstance(raw, str) or "${" not in raw:
        return raw

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name = match.group(1)
        if name is None:
            raise ConfigError(file, key, "bad ${...} reference (write $${ for a literal ${)")
        if name not in environ:
            raise ConfigError(file, key, f"environment variable {name} is not set")
        return environ[name]

    return _VAR.sub(replace, raw)


def key_path(loc: tuple[int | str, ...]) -> str:
    """("providers", 1, "kind") → "providers[1].kind"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _expected(error: ErrorDetails, allowed: list[str]) -> tuple[str, str | None]:
    """(what was expected, the offending sub-key if the error names one)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), KeyedValueError):
        keyed: KeyedValueError = ctx["error"]
        return keyed.expected, keyed.key
    leaf = error["loc"][-1] if error["loc"] else ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(leaf), allowed, n=1)
        return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else ""), None
    if kind == "missing" and leaf == "providers":
        return "expected at least one [[providers]] table", None
    if kind == "literal_error":
        return f"expected {ctx.get('expected', 'one of the allowed values')}", None
    simple = {
        "missing": "required key is missing",
        "finite_number": "expected a finite number",
        "string_type": "expected a string",
        "float_type": "expected a number",
        "int_type": "expected an integer",
        "bool_type": "expected true or false",
        "list_type": "expected a list",
        "model_type": "expected a table",
        "dict_type": "expected a table",
        "too_short": "expected at least one entry" if leaf == "providers" else "must not be empty",
        "string_too_short": "must not be empty",
        "greater_than": f"expected a number greater than {ctx.get('gt', 0):g}",
        "greater_than_equal": f"expected a number of at least {ctx.get('ge', 0):g}",
    }
    return simple.get(kind, str(error["msg"]).removeprefix("Value error, ")), None


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        if part == "providers":
            model = ProviderConfig
        elif part == "tracker":
            model = TrackerConfig
        elif part == "history":
            model = HistoryConfig
    return list(model.model_fields)


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
        expected, sub_key = _expected(error, _allowed_keys(error["loc"]))
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
