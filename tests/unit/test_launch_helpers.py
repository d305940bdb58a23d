"""Starting runs: variables from the command line and a text box, names to ids, the git checkout."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from qa_tui.core.actions.gitinfo import GitInfo, Runner, owner_and_repo, read_git
from qa_tui.core.actions.launch import (
    AssignmentError,
    BugBrainStart,
    Choice,
    looks_like_id,
    parse_assignments,
    pick,
    split_assignments,
)
from qa_tui.core.errors import NotFound, RequestRejected


def test_variables_keep_everything_after_the_first_equals_sign() -> None:
    assert parse_assignments(["A=1", "URL=https://x.test/?q=a=b", "EMPTY="]) == {
        "A": "1",
        "URL": "https://x.test/?q=a=b",
        "EMPTY": "",
    }


@pytest.mark.parametrize("bad", ["NOEQUALS", "=value", " =x"])
def test_a_variable_without_a_key_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(AssignmentError, match="KEY=VALUE"):
        parse_assignments([bad])


def test_a_text_box_of_variables_splits_only_where_a_new_key_starts() -> None:
    assert split_assignments("A=1, B=hello, world, C=3\nD=4") == [
        "A=1",
        "B=hello, world",
        "C=3",
        "D=4",
    ]
    assert split_assignments("   ") == []


def test_a_name_picks_the_exact_match_first_then_a_case_blind_one() -> None:
    choices = [Choice("1", "Login"), Choice("2", "login flow"), Choice("3", "LOGIN FLOW 2")]
    assert pick("Login", choices, "test", "web").id == "1"
    assert pick("LOGIN FLOW", choices, "test", "web").id == "2"
    assert pick("3", choices, "test", "web").id == "3"


def test_an_ambiguous_or_unknown_name_says_so() -> None:
    twins = [Choice("1", "Smoke"), Choice("2", "Smoke")]
    with pytest.raises(RequestRejected, match="2 suites are named 'Smoke'"):
        pick("Smoke", twins, "suite", "web")
    with pytest.raises(NotFound, match="no test named 'Checkout'"):
        pick("Checkout", [], "test", "web")


def test_uuids_are_ids_and_names_are_not() -> None:
    assert looks_like_id("2f1c0d9e-8a4b-4c3d-9e2f-1a2b3c4d5e6f")
    assert not looks_like_id("Login with email")


def test_bugbrain_options_only_the_blocking_endpoint_takes_need_it() -> None:
    assert not BugBrainStart("tp_1").needs_full_start
    assert BugBrainStart("tp_1", environment="staging").needs_full_start
    assert BugBrainStart("tp_1", variables={"A": "1"}).needs_full_start
    assert BugBrainStart("tp_1", sync=True).needs_full_start


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("git@github.com:acme/shop.git", ("acme", "shop")),
        ("https://github.com/acme/shop", ("acme", "shop")),
        ("https://github.com/acme/shop.git/", ("acme", "shop")),
        ("ssh://git@github.com/acme/shop.git", ("acme", "shop")),
        ("ssh://git@ssh.github.com:443/acme/shop.git", ("acme", "shop")),
        ("not a url", (None, None)),
        ("/work/main", (None, None)),  # a local path: no owner "work" nor repo "main"
        ("file:///srv/git/shop.git", (None, None)),
        ("git@gitlab.com:acme/shop.git", (None, None)),
        ("https://git.example.com/acme/shop.git", (None, None)),
    ],
)
def test_owner_and_repo_come_only_from_a_github_remote_url(
    remote: str, expected: tuple[str | None, str | None]
) -> None:
    assert owner_and_repo(remote) == expected


def fake_git(answers: dict[str, str | None]) -> Runner:
    def runner(args: Sequence[str], cwd: Path | None) -> str | None:
        return answers.get(" ".join(args))

    return runner


def test_a_checkout_prefills_commit_branch_owner_and_repo() -> None:
    runner = fake_git(
        {
            "rev-parse HEAD": "abc123",
            "rev-parse --abbrev-ref HEAD": "feature/checkout",
            "config --get remote.origin.url": "git@github.com:acme/shop.git",
        }
    )
    info = read_git(env={}, runner=runner)
    assert info == GitInfo("abc123", "feature/checkout", "acme", "shop", None, "origin")


def test_a_checkout_whose_remotes_are_not_on_github_prefills_nothing() -> None:
    """GIVEN a clone of a local path (origin `/work/main`) and a GitLab remote WHEN read THEN
    nothing: not its commit or branch either, which GitHub has never seen."""
    runner = fake_git(
        {
            "rev-parse HEAD": "abc123",
            "rev-parse --abbrev-ref HEAD": "main",
            "config --get remote.origin.url": "/work/main",
            "remote -v": "gitlab\tgit@gitlab.com:acme/shop.git (fetch)\norigin\t/work/main (fetch)",
        }
    )
    assert read_git(env={}, runner=runner) == GitInfo()


def test_another_remote_on_github_is_used_when_origin_is_not() -> None:
    runner = fake_git(
        {
            "rev-parse HEAD": "abc123",
            "rev-parse --abbrev-ref HEAD": "main",
            "config --get remote.origin.url": "/work/main",
            "remote -v": "origin\t/work/main (fetch)\norigin\t/work/main (push)\n"
            "github\thttps://github.com/acme/shop.git (fetch)",
        }
    )
    info = read_git(env={}, runner=runner)
    assert (info.owner, info.repo, info.remote, info.commit) == ("acme", "shop", "github", "abc123")


def test_a_detached_ci_checkout_takes_branch_and_pr_from_github_actions() -> None:
    runner = fake_git({"rev-parse HEAD": "abc123", "rev-parse --abbrev-ref HEAD": "HEAD"})
    env = {
        "GITHUB_HEAD_REF": "fix/login",
        "GITHUB_REF": "refs/pull/42/merge",
        "GITHUB_REPOSITORY": "acme/shop",
    }
    info = read_git(env=env, runner=runner)
    assert (info.commit, info.branch, info.pr_number) == ("abc123", "fix/login", "42")
    assert (info.owner, info.repo, info.remote) == ("acme", "shop", "GITHUB_REPOSITORY")


def test_no_git_at_all_leaves_every_field_empty(tmp_path: Path) -> None:
    assert read_git(tmp_path, env={}, runner=lambda args, cwd: None) == GitInfo()


def test_the_real_git_outside_a_checkout_is_tolerated(tmp_path: Path) -> None:
    info = read_git(tmp_path, env={})
    assert info.commit is None and info.branch is None
