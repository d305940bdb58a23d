"""`qa-tui doctor` tells apart what a user must fix: a bad token, an unreachable host, a wrong
project id, and a healthy setup; one line each, exit 1 when any failed, never a secret."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from qa_tui.cli.services import Services
from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUGBRAIN_API_KEY,
    BUGBRAIN_PROJECT_ID,
    BUGBUG_TOKEN,
    BUGNET_API_KEY,
    BUGNET_PROJECT,
    BUGNET_TOKEN,
    GITHUB_TOKEN,
)
from qa_tui.sim.server import render_config
from tests.support.sim_cli import IN_PROCESS_BASE, SimCli, cli, make_sim_cli

SECRETS = (
    BUGBUG_TOKEN,
    BUGBRAIN_API_KEY,
    BUG0_API_KEY,
    BUGNET_TOKEN,
    BUGNET_API_KEY,
    GITHUB_TOKEN,
)


VERDICTS = (
    "bad credentials",
    "wrong project",
    "rate limited",
    "unverified",
    "unreachable",
    "no token",
)


def parse(out: str) -> dict[str, tuple[str, str]]:
    """Name → (verdict, whole line), from doctor's aligned lines (a verdict may be two words)."""
    found: dict[str, tuple[str, str]] = {}
    for line in out.splitlines():
        verdict = next((v for v in VERDICTS if line.startswith(v)), line.split()[0])
        found[line[len(verdict) :].split()[0]] = (verdict, line)
    return found


def verdicts(out: str) -> dict[str, str]:
    return {name: verdict for name, (verdict, _) in parse(out).items()}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def doctor(world: SimCli, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code, out, err = cli(world, capsys, "doctor")
    for secret in SECRETS:
        assert secret not in out + err
    return code, out, err


def test_a_healthy_setup_is_ok_line_by_line_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, _ = doctor(world, capsys)
    assert code == 0
    assert verdicts(out) == {
        "config": "ok",
        "web": "ok",
        "plans": "ok",
        "previews": "unverified",
        "tracker": "ok",
        "github": "ok",
    }
    lines = {name: line for name, (_, line) in parse(out).items()}
    assert "token from [github] token accepted" in lines["github"]
    assert "rate limit: 5000 of 5000 left" in lines["github"]  # /rate_limit is not counted
    assert "token accepted" in lines["web"]
    assert "rate limit: 29 of 30 left" in lines["plans"]
    assert "cannot be verified without triggering a run" in lines["previews"]
    assert "rate limit:" in lines["tracker"] and f"project '{BUGNET_PROJECT}'" in lines["tracker"]
    assert world.sim.bug0.triggers == []  # doctor never triggers a run


def test_a_bad_token_is_told_apart_from_everything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = render_config(IN_PROCESS_BASE).replace(BUGBUG_TOKEN, "0" * 40)
    world = make_sim_cli(tmp_path, config_text=text)
    world.sim.revoke("bugnet")
    code, out, _ = doctor(world, capsys)
    assert code == 1
    found = verdicts(out)
    assert (found["web"], found["tracker"], found["plans"]) == (
        "bad credentials",
        "bad credentials",
        "ok",
    )
    assert "HTTP 401" in out


def test_an_unreachable_host_is_told_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    text = render_config(IN_PROCESS_BASE).replace(f"{IN_PROCESS_BASE}/bugbrain", f"{dead}/bugbrain")
    world = make_sim_cli(tmp_path, config_text=text)
    in_process = world.services.transport_for
    assert in_process is not None
    real_for_plans = Services(  # "plans" goes over the real network, to a closed port
        clock=world.clock,
        transport_for=lambda name: None if name == "plans" else in_process(name),
    )
    world.services = real_for_plans
    code, out, _ = doctor(world, capsys)
    assert code == 1
    assert verdicts(out)["plans"] == "unreachable"
    assert "could not connect" in out
    assert verdicts(out)["web"] == "ok"


@pytest.mark.parametrize(
    ("project", "why"),
    [("proj_does_not_exist", "Project not found"), ("proj_someone_else", "no access")],
)
def test_a_wrong_project_id_is_told_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], project: str, why: str
) -> None:
    text = render_config(IN_PROCESS_BASE).replace(BUGBRAIN_PROJECT_ID, project)
    text = text.replace(f'project = "{BUGNET_PROJECT}"', 'project = "no-such-game"')
    world = make_sim_cli(tmp_path, config_text=text)
    code, out, _ = doctor(world, capsys)
    assert code == 1
    found = verdicts(out)
    assert (found["plans"], found["tracker"]) == ("wrong project", "wrong project")
    assert why in out
    assert found["web"] == "ok"


def test_a_config_error_is_exit_2_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path, config_text='[[providers]]\nname = "web"\nkind = "nope"\n')
    code, _, err = cli(world, capsys, "doctor")
    assert code == 2
    assert "providers[0].kind" in err
    assert world.sent == []


def test_a_provider_answering_5xx_is_an_error_not_a_credentials_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    world.faults.set("bugbug", error_rate=1.0)
    code, out, _ = doctor(world, capsys)
    assert code == 1
    assert verdicts(out)["web"] == "error"


def test_providers_on_one_key_are_said_to_share_it_at_the_lowest_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN three BugBrain projects on one key, one of them configured for 60 a minute
    WHEN doctor checks them
    THEN each is ok, and a `shared` line says the three share one key's 30 a minute (the lowest),
    naming the one whose 60 gave way, without printing the key."""
    from dataclasses import replace

    from qa_tui.sim.org.spec import OrgSpec
    from tests.support.sim_cli import small_world

    org = OrgSpec(bugbrain_keys=(3,))
    text = render_config(IN_PROCESS_BASE, org).replace(
        'project_id = "proj_qatui_02"', 'project_id = "proj_qatui_02"\nrequests_per_minute = 60'
    )
    world = make_sim_cli(tmp_path, spec=replace(small_world(), org=org), config_text=text)
    code, out, _ = doctor(world, capsys)
    assert code == 0
    found = verdicts(out)
    assert [found[name] for name in ("plans", "plans-2", "plans-3")] == ["ok", "ok", "ok"]
    shared = [line for line in out.splitlines() if line.startswith("shared")]
    assert len(shared) == 1
    assert "plans, plans-2 and plans-3 share one BugBrain key" in shared[0]
    assert "30 a minute, 500 an hour for all of them together" in shared[0]
    assert "(plans-2 asks 60)" in shared[0]


# --- GitHub, where Bug0's results are read ---------------------------------------------------------

WITHOUT_GITHUB_TOKEN = render_config(IN_PROCESS_BASE).replace(f'token = "{GITHUB_TOKEN}"\n', "")


def test_a_refused_github_token_is_bad_credentials_and_fails_doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a [github] token GitHub refuses WHEN doctor runs THEN the github line says GitHub
    refused the token from [github] token (HTTP 401), the Bug0 line is still unverified, and
    doctor exits 1, printing no token."""
    world = make_sim_cli(tmp_path)
    world.sim.revoke("github")
    code, out, _ = doctor(world, capsys)
    assert code == 1
    assert verdicts(out)["github"] == "bad credentials"
    assert verdicts(out)["previews"] == "unverified"
    line = parse(out)["github"][1]
    assert "GitHub refused the token from [github] token: Bad credentials (HTTP 401)" in line


def test_no_github_token_at_all_says_how_to_get_one_and_is_not_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN no [github] token and no GitHub CLI logged in WHEN doctor runs THEN the github line
    reads `no token`, says to set [github] token or run gh auth login, that Bug0 runs stay
    triggered, asks GitHub nothing, and doctor exits 0 (Bug0 itself works)."""
    world = make_sim_cli(tmp_path, config_text=WITHOUT_GITHUB_TOKEN)
    code, out, _ = doctor(world, capsys)
    assert code == 0
    assert verdicts(out)["github"] == "no token"
    line = parse(out)["github"][1]
    assert "[github] token" in line and "gh auth login" in line and "stay triggered" in line
    assert not [path for _, path, _ in world.sent if path.startswith("/github")]


def test_the_github_cli_token_is_used_when_the_config_has_none_and_doctor_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN no [github] token and a `gh` on PATH logged in to the API's host WHEN doctor runs
    THEN GitHub takes the token `gh auth token --hostname HOST` printed, the line says it came
    from gh auth token, and the token itself is printed nowhere."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(
        "#!/bin/sh\n"
        'if [ "$1 $2 $3 $4" = "auth token --hostname 127.0.0.1" ]; then\n'
        f"  echo {GITHUB_TOKEN}\n  exit 0\nfi\n"
        'echo "no oauth token found for $4" >&2\nexit 1\n'
    )
    gh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    world = make_sim_cli(tmp_path, config_text=WITHOUT_GITHUB_TOKEN)
    code, out, _ = doctor(world, capsys)  # doctor() checks no secret is printed
    assert code == 0
    assert verdicts(out)["github"] == "ok"
    assert "token from gh auth token accepted" in parse(out)["github"][1]
