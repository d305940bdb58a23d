"""Which GitHub token qa-tui reads Bug0's results with, and where it came from.

`[github] token` when the config has one (a `${VAR}`, as every secret); else the GitHub CLI's
own, `gh auth token --hostname HOST`, when `gh` is installed and logged in to the host
`api_url` names (`api.github.com` is `github.com`; an Enterprise `https://HOST/api/v3` is HOST).
`gh` is asked once, with a short timeout, its answer never printed; a `gh` that is missing,
logged out, slow or broken just leaves no token, and `why` says so. The token is a `SecretStr`:
no repr or message shows it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import SecretStr

from qa_tui.core.config.tables import GitHubConfig

GH_TIMEOUT_S = 5.0
FROM_CONFIG = "[github] token"
FROM_GH = "gh auth token"
HOW_TO_GET_ONE = (
    'set [github] token = "${GITHUB_TOKEN}" (a token that can read commit statuses) '
    "or log in with `gh auth login`"
)

AskGh = Callable[[str], str | None]
"""A host → the GitHub CLI's token for it, or None."""


@dataclass(frozen=True)
class GitHubToken:
    """The token (None: none found), where it came from, and why there is none."""

    value: SecretStr | None
    origin: str = ""
    """`[github] token` or `gh auth token`; "" when there is no token."""
    why_none: str = ""

    def __repr__(self) -> str:
        return f"GitHubToken(origin={self.origin!r}, found={self.value is not None})"


def gh_host(api_url: str) -> str:
    """The host `gh` knows the login by: `github.com` for api.github.com, else the URL's host."""
    host = (urlsplit(api_url).hostname or "").lower()
    return "github.com" if host in ("api.github.com", "github.com") else host


def ask_gh(host: str) -> str | None:
    """`gh auth token --hostname HOST`: the token, or None (no `gh`, logged out, too slow)."""
    gh = shutil.which("gh")
    if gh is None:
        return None
    try:
        done = subprocess.run(
            [gh, "auth", "token", "--hostname", host],
            capture_output=True,
            text=True,
            timeout=GH_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    token = done.stdout.strip() if done.returncode == 0 else ""
    return token if token and " " not in token else None


def find_token(config: GitHubConfig, ask: AskGh = ask_gh) -> GitHubToken:
    """The configured token, else `gh`'s, else none and why."""
    if config.token is not None and config.token.get_secret_value():
        return GitHubToken(config.token, FROM_CONFIG)
    host = gh_host(config.api_url)
    found = ask(host)
    if found:
        return GitHubToken(SecretStr(found), FROM_GH)
    return GitHubToken(None, why_none=f"no GitHub token: {HOW_TO_GET_ONE} ({host})")
