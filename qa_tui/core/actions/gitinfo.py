"""What the current git checkout says, to prefill a Bug0 trigger (commit, branch, owner/repo, PR).

Bug0 posts results to GitHub when it gets `gitCommitSha`, `gitBranch`, `owner`, `repo` (and
`prNumber` for a PR comment), so those are only worth prefilling from a checkout that is on
GitHub: a remote on github.com (origin first, else any other), or GitHub Actions'
`GITHUB_REPOSITORY`. A checkout whose remotes are elsewhere (a local path, GitLab, a company
server) prefills nothing: its owner and repo would be guesses from a path (`/work/main` once
gave owner `work`, repo `main`), and its commit one GitHub has never seen. `read_git()` asks
`git` itself (a subprocess, a short timeout) and is tolerant: no git binary, no checkout, a
detached HEAD or no remote just leave fields empty. The PR number is not in a checkout; it is
read from GitHub Actions' `GITHUB_REF` (`refs/pull/42/merge`) when that is set, and a detached
HEAD's branch from `GITHUB_HEAD_REF`.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_S = 2.0
_PULL_REF = re.compile(r"^refs/pull/(\d+)/")
_REMOTE = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/"  # scheme://[user@]host[:port]/
    r"|(?:[^@/:]+@)?(?P<scp_host>[^/:]+):)"  # or scp-like [user@]host:
    r"(?P<owner>[^/:]+)/(?P<repo>[^/]+?)(?:\.git)?/?$"
)
_REPOSITORY = re.compile(r"^(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)$")

Runner = Callable[[Sequence[str], Path | None], str | None]
"""Runs `git ARGS` in a folder; returns its trimmed output, or None when it failed."""


@dataclass(frozen=True)
class GitInfo:
    """The checkout's facts; None where there is nothing to say (all None: not on GitHub)."""

    commit: str | None = None
    branch: str | None = None
    owner: str | None = None
    repo: str | None = None
    pr_number: str | None = None
    remote: str | None = None
    """Where the GitHub owner and repo came from: a remote's name, or `GITHUB_REPOSITORY`."""


def run_git(args: Sequence[str], cwd: Path | None) -> str | None:
    """`git ARGS` → its output, or None (no git, not a checkout, an error, too slow)."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    output = done.stdout.strip()
    return output if done.returncode == 0 and output else None


def owner_and_repo(remote_url: str) -> tuple[str | None, str | None]:
    """`git@github.com:acme/shop.git` or `https://github.com/acme/shop` → ("acme", "shop");
    (None, None) for a remote that is not on GitHub (a path, another host)."""
    match = _REMOTE.match(remote_url.strip())
    if match is None:
        return None, None
    host = (match.group("host") or match.group("scp_host") or "").lower()
    if host != "github.com" and not host.endswith(".github.com"):  # ssh.github.com, www.
        return None, None
    return match.group("owner"), match.group("repo")


def _github_remote(runner: Runner, cwd: Path | None) -> tuple[str, str, str] | None:
    """(remote name, owner, repo) of the checkout's GitHub remote: origin, else the first
    other remote on GitHub."""
    origin = runner(["config", "--get", "remote.origin.url"], cwd)
    owner, repo = owner_and_repo(origin) if origin else (None, None)
    if owner and repo:
        return "origin", owner, repo
    for line in (runner(["remote", "-v"], cwd) or "").splitlines():
        name, _, rest = line.partition("\t")
        owner, repo = owner_and_repo(rest.rsplit(" (", 1)[0]) if rest else (None, None)
        if owner and repo:
            return name, owner, repo
    return None


def read_git(
    cwd: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    runner: Runner = run_git,
) -> GitInfo:
    """The checkout at `cwd` (default: the current folder), tolerant of anything missing; all
    None unless it is on GitHub (see the module's docstring)."""
    environ = os.environ if env is None else env
    commit = runner(["rev-parse", "HEAD"], cwd)
    if commit is None:
        return GitInfo()
    github = _github_remote(runner, cwd)
    actions = _REPOSITORY.match(environ.get("GITHUB_REPOSITORY", ""))
    if github is None and actions is not None:  # GitHub Actions: the repository it checked out
        github = ("GITHUB_REPOSITORY", actions.group("owner"), actions.group("repo"))
    if github is None:
        return GitInfo()
    remote, owner, repo = github
    branch = runner(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    if branch == "HEAD":  # detached: CI checks out a commit
        branch = environ.get("GITHUB_HEAD_REF") or None
    pull = _PULL_REF.match(environ.get("GITHUB_REF", ""))
    return GitInfo(
        commit=commit,
        branch=branch,
        owner=owner,
        repo=repo,
        pr_number=pull.group(1) if pull else None,
        remote=remote,
    )
