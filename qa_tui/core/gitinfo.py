"""What the current git checkout says, to prefill a Bug0 trigger (commit, branch, owner/repo, PR).

Bug0 posts results to GitHub when it gets `gitCommitSha`, `gitBranch`, `owner`, `repo` (and
`prNumber` for a PR comment). `read_git()` asks `git` itself (a subprocess, a short timeout) and is
tolerant: no git binary, no checkout, a detached HEAD or no remote just leave fields empty. The PR
number is not in a checkout; it is read from GitHub Actions' `GITHUB_REF` (`refs/pull/42/merge`)
when that is set, and a detached HEAD's branch from `GITHUB_HEAD_REF`.
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
_REMOTE = re.compile(r"[:/](?P<owner>[^/:]+)/(?P<repo>[^/]+?)(?:\.git)?/?$")

Runner = Callable[[Sequence[str], Path | None], str | None]
"""Runs `git ARGS` in a folder; returns its trimmed output, or None when it failed."""


@dataclass(frozen=True)
class GitInfo:
    """The checkout's facts; None where there is nothing to say."""

    commit: str | None = None
    branch: str | None = None
    owner: str | None = None
    repo: str | None = None
    pr_number: str | None = None


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
    """`git@github.com:acme/shop.git` or `https://github.com/acme/shop` → ("acme", "shop")."""
    match = _REMOTE.search(remote_url.strip())
    if match is None:
        return None, None
    return match.group("owner"), match.group("repo")


def read_git(
    cwd: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    runner: Runner = run_git,
) -> GitInfo:
    """The checkout at `cwd` (default: the current folder), tolerant of anything missing."""
    environ = os.environ if env is None else env
    commit = runner(["rev-parse", "HEAD"], cwd)
    branch = runner(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    if branch == "HEAD":  # detached: CI checks out a commit
        branch = environ.get("GITHUB_HEAD_REF") or None
    owner = repo = None
    if commit is not None:
        remote = runner(["config", "--get", "remote.origin.url"], cwd)
        owner, repo = owner_and_repo(remote) if remote else (None, None)
    pull = _PULL_REF.match(environ.get("GITHUB_REF", ""))
    return GitInfo(
        commit=commit,
        branch=branch,
        owner=owner,
        repo=repo,
        pr_number=pull.group(1) if pull else None,
    )
