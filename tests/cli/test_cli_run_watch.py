"""`qa-tui run` and `qa-tui watch` against the simulator, in-process, with no real waiting.

Which way a started run ends is the simulator's seeded dice: each story picks (through the
simulator's own world code, see tests/support/sim_cli.py) a seed whose first API-started run
passes or fails, and stops a run itself to get a stopped one. Exit codes: 0 passed, 1 failed,
2 usage/config, 3 error/stopped/cancelled, 4 no final status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBUG_TOKEN, GITHUB_TOKEN
from qa_tui.sim.server import render_config
from tests.support.sim_cli import (
    CHECKOUT,
    IN_PROCESS_BASE,
    SimCli,
    cli,
    first_bugbrain_start,
    first_bugbug_start,
    make_sim_cli,
    seed_where,
)

REPO = Path(__file__).resolve().parents[2]
BUGBUG_AUTH = {"Authorization": f"Token {BUGBUG_TOKEN}"}
BUGBRAIN_AUTH = {"Authorization": f"Bearer {BUGBRAIN_API_KEY}"}


def bugbug_world(tmp_path: Path, ending: str) -> SimCli:
    return make_sim_cli(tmp_path, seed=seed_where(first_bugbug_start, ending))


def bugbrain_world(tmp_path: Path, ending: str) -> SimCli:
    return make_sim_cli(tmp_path, seed=seed_where(first_bugbrain_start, ending))


# --- how a run ends, and the exit code it gives ---------------------------------------------------

ENDINGS = [
    # provider, what it starts, how the simulator ends it, exit code, first words, true status
    ("web", "Login with email", "passed", 0, "passed ", "passed"),
    ("web", "login with EMAIL", "failed", 1, "failed ", "failed"),
    ("plans", "tp_smoke_web", "passed", 0, "passed (completed) 4/4", "completed"),
    ("plans", "tp_smoke_web", "failed", 1, "failed (completed)", "completed"),
    ("plans", "tp_smoke_web", "failed-execution", 3, "error (failed)", "failed"),
]


@pytest.mark.parametrize(
    ("provider", "target", "ending", "code", "says", "truth"),
    ENDINGS,
    ids=[f"{p} {e} exits {c}" for p, _, e, c, _, _ in ENDINGS],
)
def test_run_wait_exits_with_the_code_of_how_the_run_ended(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    provider: str,
    target: str,
    ending: str,
    code: int,
    says: str,
    truth: str,
) -> None:
    """GIVEN a run the simulator will end as `ending` WHEN `qa-tui run PROVIDER TARGET --wait`
    follows it THEN it exits 0 passed, 1 failed, 3 error, the result line says so and names the
    run as `provider:id`, and the provider holds the run in that state."""
    world = (bugbug_world if provider == "web" else bugbrain_world)(tmp_path, ending)
    exit_code, out, err = cli(world, capsys, "run", provider, target, "--wait")
    assert exit_code == code, err
    assert out.startswith(says)
    run_id = world.newest_api_run() if provider == "web" else world.newest_execution()
    assert f"{provider}:{run_id}" in out
    assert world.truth(run_id) == truth
    assert f"started {provider} " in err


STOPS = [
    ("web", "Login with email", 9, "/bugbug/api/v2/testruns/{id}/stop/", "POST", "stopped "),
    (
        "plans",
        "tp_smoke_web",
        6,
        "/bugbrain/api/v1/executions/{id}",
        "DELETE",
        "stopped (cancelled)",
    ),
]


@pytest.mark.parametrize(
    ("provider", "target", "after_s", "path", "method", "says"),
    STOPS,
    ids=["bugbug stopped", "bugbrain cancelled"],
)
def test_a_run_stopped_elsewhere_mid_watch_exits_3(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    provider: str,
    target: str,
    after_s: float,
    path: str,
    method: str,
    says: str,
) -> None:
    world = (bugbug_world if provider == "web" else bugbrain_world)(tmp_path, "passed")

    def newest() -> str:
        return world.newest_api_run() if provider == "web" else world.newest_execution()

    async def stop_it() -> None:
        auth = BUGBUG_AUTH if provider == "web" else BUGBRAIN_AUTH
        assert await world.post(path.format(id=newest()), auth, method=method) == 200

    world.clock.at(after_s, stop_it)
    code, out, _ = cli(world, capsys, "run", provider, target, "--wait")
    assert code == 3
    assert out.startswith(says)
    assert world.truth(newest()) in ("stopped", "cancelled")


# --- BugBug --------------------------------------------------------------------------------------


def test_run_prints_provider_and_id_and_watch_follows_it_later_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = bugbug_world(tmp_path, "failed")
    code, out, _ = cli(world, capsys, "run", "web", "Login with email")
    assert code == 0
    run_id = world.newest_api_run()
    assert out == f"web:{run_id}\n"
    code, out, err = cli(world, capsys, "watch", out.strip(), "--json")
    assert code == 1, err
    summary = json.loads(out)
    assert summary["outcome"] == "failed" and summary["exit_code"] == 1
    assert summary["run"]["id"] == run_id
    assert summary["run"]["status"] == "failed"
    assert f"web:{run_id} Login with email: failed" in err  # progress lines, not a tty


def test_a_suite_starts_by_name_with_a_profile_by_name_and_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    argv = ["run", "web", "Smoke", "--suite", "--profile", "Staging", "--var", "LANG=de"]
    code, out, err = cli(world, capsys, *argv)
    assert code == 0, err
    suite_run = world.sim.bugbug.suite_runs[out.strip().removeprefix("web:")]
    assert (suite_run.suite.name, suite_run.profile.name) == ("Smoke", "Staging")
    body = next(b for m, p, b in world.sent if m == "POST" and p.endswith("/suiteruns/"))
    assert body == {
        "suiteId": suite_run.suite.id,
        "runProfileId": suite_run.profile.id,
        "variables": [{"key": "LANG", "value": "de"}],
    }


def test_the_junit_report_is_saved_where_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = bugbug_world(tmp_path, "passed")
    report = tmp_path / "report.xml"
    code, _, err = cli(world, capsys, "run", "web", "Sign up", "--wait", "--junit", str(report))
    assert code == 0
    assert report.read_bytes().startswith(b"<?xml")
    assert b"<testsuites" in report.read_bytes()
    assert f"JUnit report saved to {report}" in err


def test_a_run_still_going_at_the_timeout_exits_4_with_its_last_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = bugbug_world(tmp_path, "passed")
    code, out, _ = cli(world, capsys, "run", "web", "Login with email", "--wait", "--timeout", "8")
    assert code == 4
    assert out.startswith("timeout after 8s: still running")


def test_an_unknown_test_name_is_a_usage_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, err = cli(world, capsys, "run", "web", "No such test")
    assert (code, out) == (2, "")
    assert "no test named 'No such test'" in err


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["run", "web", "Sign up", "--url", "https://x.test"], "--url is for bug0 providers"),
        (["run", "plans", "tp_smoke_web", "--suite"], "--suite is for bugbug providers"),
        (["run", "web"], "TARGET is required for bugbug"),
        (["run", "nowhere", "x"], "no provider named 'nowhere'"),
        (["run", "web", "Sign up", "--var", "NOEQUALS"], "expected KEY=VALUE"),
        (["watch", "web-no-colon"], "expected PROVIDER:RUN_ID"),
        (["watch", "web:no-such-run"], "no run with id 'no-such-run'"),
    ],
)
def test_usage_mistakes_exit_2_saying_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], complaint: str
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, err = cli(world, capsys, *argv)
    assert (code, out) == (2, "")
    assert complaint in err


def test_a_provider_can_be_named_by_its_kind_when_it_is_the_only_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, _ = cli(world, capsys, "run", "bugbug", "Sign up")
    assert code == 0 and out.strip() == f"web:{world.newest_api_run()}"  # its name, not the kind


# --- BugBrain ------------------------------------------------------------------------------------


def test_bugbrain_options_go_to_the_non_blocking_full_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    argv = ["run", "plans", "tp_smoke_web", "--environment", "staging", "--var", "USER=qa"]
    code, out, err = cli(world, capsys, *argv, "--timeout", "120", "--json")
    assert code == 0, err
    started = json.loads(out)
    assert (started["status"], started["test_id"]) == ("queued", "tp_smoke_web")
    posts = [(p, b) for m, p, b in world.sent if m == "POST"]
    assert posts == [
        (
            "/bugbrain/api/v1/executions",
            {
                "test_plan_id": "tp_smoke_web",
                "project_id": "proj_qatui_demo",
                "timeout_seconds": 120,
                "wait_for_completion": False,
                "environment": "staging",
                "variables": {"USER": "qa"},
            },
        )
    ]


def test_a_plain_bugbrain_start_uses_the_async_endpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, _ = cli(world, capsys, "run", "plans", "tp_smoke_web")
    assert code == 0 and out.strip() == f"plans:{world.newest_execution()}"
    assert [p for m, p, _ in world.sent if m == "POST"] == ["/bugbrain/api/v1/executions/async"]


def test_a_synchronous_bugbrain_start_blocks_then_watch_finishes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = bugbrain_world(tmp_path, "passed")
    code, out, err = cli(world, capsys, "run", "plans", "tp_smoke_web", "--sync", "--wait")
    assert code == 0, err
    assert out.startswith("passed (completed)")
    body = next(b for m, p, b in world.sent if m == "POST")
    assert body == {
        "test_plan_id": "tp_smoke_web",
        "project_id": "proj_qatui_demo",
        "wait_for_completion": True,
    }


def test_bugbrain_has_no_junit_so_nothing_is_written_and_the_exit_code_stands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = bugbrain_world(tmp_path, "passed")
    report = tmp_path / "report.xml"
    argv = ["run", "plans", "tp_smoke_web", "--wait", "--junit", str(report)]
    code, _, err = cli(world, capsys, *argv)
    assert code == 0
    assert not report.exists()
    assert "no JUnit report from bugbrain" in err


# --- Bug0 ----------------------------------------------------------------------------------------


def test_a_bug0_trigger_sends_every_documented_body_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    argv = ["run", "previews", "--url", "https://preview-pr-42.example", "--git-sha", "abc123"]
    argv += ["--branch", "feature/x", "--pr", "42", "--owner", "your-org", "--repo", "your-repo"]
    code, out, err = cli(world, capsys, *argv)
    assert code == 0, err
    (trigger,) = world.sim.bug0.triggers
    assert trigger.body == {
        "projectId": "665f1c2e9b3a4d5e6f708192",
        "url": "https://preview-pr-42.example",
        "gitCommitSha": "abc123",
        "gitBranch": "feature/x",
        "prNumber": "42",
        "owner": "your-org",
        "repo": "your-repo",
    }
    assert out.strip() == f"previews:{trigger.execution_id}"
    assert "waiting for Bug0's status on GitHub: your-org/your-repo@abc123" in err


def test_a_bug0_trigger_is_prefilled_from_the_git_checkout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, _, err = cli(world, capsys, "run", "previews", "--pr", "7")
    assert code == 0
    (trigger,) = world.sim.bug0.triggers
    assert trigger.body == {
        "projectId": "665f1c2e9b3a4d5e6f708192",
        "gitCommitSha": CHECKOUT.commit,
        "gitBranch": CHECKOUT.branch,
        "prNumber": "7",
        "owner": "acme",
        "repo": "shop",
    }
    assert "from the git checkout: commit 0a1b2c3d4e5f, branch feature/checkout" in err


def test_no_git_sends_only_the_project_and_a_target_picks_another_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, _, err = cli(world, capsys, "run", "previews", "507f1f77bcf86cd799439011", "--no-git")
    assert code == 2  # the simulator's other project: the key has no access (403)
    assert "API key does not have access to this project" in err
    code, _, _ = cli(world, capsys, "run", "previews", "--no-git")
    assert code == 0
    assert world.sim.bug0.triggers[-1].body == {"projectId": "665f1c2e9b3a4d5e6f708192"}


def test_run_wait_refuses_a_bug0_trigger_without_a_commit_before_triggering_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN no git details (--no-git) WHEN `run previews --wait` THEN it exits 2 saying Bug0
    reports results only as a commit status and what the trigger lacks, and nothing is triggered."""
    world = make_sim_cli(tmp_path)
    code, out, err = cli(world, capsys, "run", "previews", "--no-git", "--wait")
    assert (code, out) == (2, "")
    assert "it has no commit, owner or repo" in err
    assert "nothing was triggered" in err
    assert world.sim.bug0.triggers == []


def test_run_wait_without_a_github_token_is_refused_before_triggering_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a config with no [github] token and no GitHub CLI WHEN `run previews --wait` on a
    commit THEN it exits 2 saying how to give qa-tui a token, and nothing is triggered."""
    text = render_config(IN_PROCESS_BASE).replace(f'token = "{GITHUB_TOKEN}"\n', "")
    world = make_sim_cli(tmp_path, config_text=text)
    code, _, err = cli(world, capsys, "run", "previews", "--wait")
    assert code == 2
    assert "[github] token" in err and "gh auth login" in err
    assert world.sim.bug0.triggers == []


def test_watching_a_bug0_run_without_a_commit_says_why_and_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    _, out, _ = cli(world, capsys, "run", "previews", "--no-git")
    code, summary, err = cli(world, capsys, "watch", out.strip())
    assert code == 4
    assert summary.startswith("no status: queued (triggered)")
    assert "this trigger carried no commit, owner or repo" in err
    code, _, err = cli(world, capsys, "watch", "previews:exec_unknown")
    assert code == 4
    assert "'exec_unknown' was not triggered from here" in err


COMMIT = ["--url", "https://pr-7.preview.example", "--git-sha", "c0ffee1234", "--owner", "acme"]
COMMIT += ["--repo", "shop", "--no-git"]
"""`run previews` on one commit of acme/shop, the checkout's details left out."""

VERDICTS = [
    # Bug0's outcome, the other CI's, exit code, the summary's first words
    ("failure", "success", 1, "failed (failure)"),
    ("success", "failure", 0, "passed (success)"),
    ("error", "success", 3, "error"),
]


@pytest.mark.parametrize(
    ("bug0", "other_ci", "code", "says"),
    VERDICTS,
    ids=[f"bug0 {b}, other CI {o}: exit {c}" for b, o, c, _ in VERDICTS],
)
def test_run_wait_on_a_commit_exits_with_bug0s_status_whatever_another_ci_says(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    bug0: str,
    other_ci: str,
    code: int,
    says: str,
) -> None:
    """GIVEN a commit on which Bug0's GitHub integration will post `bug0` while another CI posts
    `other_ci` WHEN `run previews --url U --git-sha S --owner O --repo R --no-git --wait` THEN it
    follows Bug0's status alone: exit 1 for failure, 0 for success (even beside a failing CI), 3
    for error; the summary gives Bug0's description and its report link; `runs --json` then
    lists the run with the same status and link."""
    world = make_sim_cli(tmp_path)
    world.sim.github.plan("c0ffee1234", bug0=bug0, decoy=other_ci)
    exit_code, out, err = cli(world, capsys, "run", "previews", *COMMIT, "--wait")
    assert exit_code == code, err
    assert out.startswith(says)
    (trigger,) = world.sim.bug0.triggers
    link = f"http://127.0.0.1:9/bug0/app/runs/{trigger.execution_id}"
    assert f"url: {link}" in out
    assert "note: Bug0 / E2E (commit status on acme/shop@c0ffee1234)" in out
    assert world.sim.github.bug0_state("acme", "shop", "c0ffee1234", world.scenario.now()) == bug0
    assert "previews:" + trigger.execution_id in out

    listed, listing, err = cli(world, capsys, "runs", "--json", "--provider", "previews")
    assert listed == 0, err
    (run,) = json.loads(listing)
    assert run["id"] == trigger.execution_id
    assert (run["status"], run["provider_status"], run["url"]) == (says.split()[0], bug0, link)
    assert run["target"] == "https://pr-7.preview.example"


def test_runs_json_reads_bug0s_status_on_github_without_anyone_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a Bug0 run triggered on a commit (no --wait) on which Bug0 passes while another CI
    fails WHEN `runs --json` lists it before Bug0 posts anything, while Bug0's status is pending,
    then once it has ended THEN it reads triggered (queued), running, then passed, with Bug0's
    link."""
    world = make_sim_cli(tmp_path)
    world.sim.github.plan("c0ffee1234", bug0="success", decoy="failure")
    code, out, err = cli(world, capsys, "run", "previews", *COMMIT)
    assert code == 0, err

    def listed() -> dict[str, object]:
        code, listing, err = cli(world, capsys, "runs", "--json", "--provider", "previews")
        assert code == 0, err
        (run,) = json.loads(listing)
        assert isinstance(run, dict)
        return run

    assert (listed()["status"], listed()["provider_status"]) == ("queued", "triggered")
    for seconds, status in ((10, "running"), (60, "passed")):
        world.scenario.advance(seconds)
        world.clock.advance(seconds)
        assert listed()["status"] == status
    assert listed()["url"] == f"http://127.0.0.1:9/bug0/app/runs/{out.strip().split(':')[1]}"


def test_runs_lists_bug0_runs_when_github_refuses_the_token_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN GitHub refusing the token WHEN `runs` lists a Bug0 run on a commit THEN the run is
    listed, triggered, and one line says GitHub refused the token and which key to check (exit 1,
    as for any provider that fails), the token printed nowhere."""
    world = make_sim_cli(tmp_path)
    code, out, _ = cli(world, capsys, "run", "previews", *COMMIT)
    assert code == 0
    world.sim.revoke("github")
    code, listing, err = cli(world, capsys, "runs", "--json", "--provider", "previews")
    assert code == 1
    (run,) = json.loads(listing)
    assert (run["id"], run["status"]) == (out.strip().split(":")[1], "queued")
    assert "previews: GitHub: Bad credentials" in err and "(check [github] token)" in err
    assert GITHUB_TOKEN not in err + listing


def test_runs_without_a_github_token_lists_bug0_runs_and_says_so_without_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN no GitHub token at all WHEN `runs` lists a Bug0 run on a commit THEN the run is
    listed, triggered, with a note on how to give qa-tui a token; exit 0 (as doctor: not set up
    is not a failure, Bug0 itself works)."""
    text = render_config(IN_PROCESS_BASE).replace(f'token = "{GITHUB_TOKEN}"\n', "")
    world = make_sim_cli(tmp_path, config_text=text)
    code, _, _ = cli(world, capsys, "run", "previews", *COMMIT)
    assert code == 0
    code, listing, err = cli(world, capsys, "runs", "--provider", "previews")
    assert code == 0, err
    assert "triggered" in listing
    assert "previews: GitHub: no GitHub token: set [github] token" in err
    assert "gh auth login" in err
    assert not [path for _, path, _ in world.sent if path.startswith("/github")]


def test_watch_follows_a_bug0_run_on_a_commit_to_its_end_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    world.sim.github.plan("c0ffee1234", bug0="failure", decoy="success")
    code, out, _ = cli(world, capsys, "run", "previews", *COMMIT)
    assert code == 0
    code, out, err = cli(world, capsys, "watch", out.strip(), "--json")
    assert code == 1, err
    summary = json.loads(out)
    assert summary["outcome"] == "failed"
    assert summary["run"]["status"] == "failed"
    assert summary["run"]["provider_status"] == "failure"
    assert "tests failed" in summary["run"]["error"]


def test_a_commit_bug0_never_reports_on_exits_4_at_the_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a commit Bug0 never posts a status on (its integration is not connected to the
    repository), another CI's status there WHEN `run ... --wait --timeout 300` THEN it exits 4
    at the timeout, saying no Bug0 status appeared, still triggered."""
    world = make_sim_cli(tmp_path)
    world.sim.github.plan("c0ffee1234", bug0="never", decoy="failure")
    code, out, err = cli(world, capsys, "run", "previews", *COMMIT, "--wait", "--timeout", "300")
    assert code == 4, err
    assert out.startswith("timeout after 5m00s: still queued (triggered)")
    assert "no Bug0 status appeared before the timeout" in err
    assert world.clock.monotonic() - 1000.0 >= 300


def test_a_github_token_refused_mid_wait_is_a_credentials_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    world.sim.revoke("github")
    code, _, err = cli(world, capsys, "run", "previews", *COMMIT, "--wait")
    assert code == 2
    assert "github: auth: Bad credentials" in err
    assert len(world.sim.bug0.triggers) == 1  # triggered: GitHub refused only the reading


def test_run_wait_rides_out_github_throttling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN GitHub's secondary limit answering every request 429 with Retry-After: 30 for a
    while WHEN `run ... --wait` follows a commit THEN it waits at least that long each time, says
    it is retrying, and exits with Bug0's verdict once GitHub answers again."""
    world = make_sim_cli(tmp_path)
    world.sim.github.plan("c0ffee1234", bug0="success")
    world.faults.set("github", throttle=1.0, retry_after=30)
    world.clock.at(70, lambda: world.faults.clear("github"))
    code, _, err = cli(world, capsys, "run", "previews", *COMMIT, "--wait")
    assert code == 0, err
    assert "github: rate limited:" in err and "retrying in 30s" in err
    assert all(wait >= 30 for wait in world.clock.slept if wait > 5.0)


def test_run_watch_and_doctor_import_no_ui() -> None:
    """Headless commands start fast: importing them leaves textual and the UI out (rich comes
    in with httpx's own command line when it is installed, so it is not checked here)."""
    code = (
        "import sys, qa_tui.cli.run, qa_tui.cli.watch, qa_tui.cli.doctor; "
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('qa_tui.ui')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
