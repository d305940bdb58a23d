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

from qa_tui.sim.credentials import BUGBRAIN_API_KEY, BUGBUG_TOKEN
from tests.support.sim_cli import (
    CHECKOUT,
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
    assert "status not available from provider" in err


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


def test_bug0_refuses_wait_before_triggering_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, err = cli(world, capsys, "run", "previews", "--wait")
    assert (code, out) == (2, "")
    assert "Bug0 runs cannot be waited on" in err
    assert world.sim.bug0.triggers == []


def test_watching_a_bug0_run_says_its_status_is_unknowable_and_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    _, out, _ = cli(world, capsys, "run", "previews")
    code, summary, err = cli(world, capsys, "watch", out.strip())
    assert code == 4
    assert summary.startswith("no status: queued (triggered)")
    assert "Bug0 has no API to read a run" in err
    code, _, err = cli(world, capsys, "watch", "previews:exec_unknown")
    assert code == 4
    assert "'exec_unknown' was not triggered from here" in err


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
