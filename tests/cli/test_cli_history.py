"""`qa-tui flaky` and `qa-tui incidents` for real: `qa-tui sim --write-config` on a loopback port,
then the commands a CI script would type, against what the simulator says it planted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa_tui.cli.main import main
from qa_tui.sim import ScenarioSpec
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.support.sim_process import sim_process

REPO = Path(__file__).resolve().parents[2]
PROVIDER_NAMES = {"bugbug": "web", "bugbrain": "plans"}
"""The simulator's config names its providers so."""


def _qa_tui(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa_tui", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flaky_and_incidents_list_what_the_simulator_planted_and_nothing_else(
    tmp_path: Path, hermetic_dirs: Path
) -> None:
    config = tmp_path / "c.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    with sim_process("--write-config", str(config)) as sim:
        truth: dict[str, Any] = httpx.get(f"{sim.base}/_sim/truth", timeout=30).json()["triage"]

        flaky = _qa_tui(env, "flaky", "--json", "--config", str(config))
        incidents = _qa_tui(env, "incidents", "--json", "--config", str(config))
        table = _qa_tui(env, "flaky", "--config", str(config), "--provider", "web")

    assert flaky.returncode == 0, flaky.stderr
    found = json.loads(flaky.stdout)
    planted = {
        (PROVIDER_NAMES[f["provider"]], f["target"]) for f in truth["flaky"]
    }  # one test each, flaky on one target only (its twin on the other target is steady)
    assert {(f["provider"], f["target"]) for f in found} == planted
    for item in found:
        runs = [
            r
            for r in truth["runs"]
            if r["role"] == "flaky" and PROVIDER_NAMES[r["provider"]] == item["provider"]
        ]
        failed = sum(r["outcome"] == "fail" for r in runs)
        assert (item["runs"], item["failed"], item["passed"]) == (
            len(runs),
            failed,
            len(runs) - failed,
        )
        assert item["flake_rate"] == round(failed / len(runs), 3)
        assert item["test_id"] and item["last_seen"].endswith("Z")
    assert {f["test"] for f in found} == {"Checkout with card", "plan tp_mobile_signup"}

    assert incidents.returncode == 0, incidents.stderr
    [incident] = json.loads(incidents.stdout)
    outage = {r["id"] for r in truth["runs"] if r["role"] == "outage"}
    assert {r["id"] for r in incident["runs"]} == outage
    assert incident["count"] == len(outage)
    assert truth["outage_error_host"] in incident["error"] and "503" in incident["error"]
    assert set(incident) == {
        "id",
        "fingerprint",
        "error",
        "count",
        "first_seen",
        "last_seen",
        "runs",
    }

    assert table.returncode == 0
    assert "Checkout with card" in table.stdout and "Mobile" in table.stdout
    assert "tp_mobile_signup" not in table.stdout


@pytest.fixture
def triage_sim() -> Iterator[RunningSim]:
    with start_in_thread(port=0, seed=7, scenario=ScenarioSpec(triage=True)) as running:
        yield running


def test_a_provider_that_fails_is_exit_1_and_the_others_still_count(
    triage_sim: RunningSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    text = render_config(triage_sim.base_url)
    lines = text.splitlines()
    token_line = next(i for i, line in enumerate(lines) if line.startswith("token = "))
    lines[token_line] = 'token = "' + "0" * 40 + '"'  # BugBug's token, refused
    config.write_text("\n".join(lines))
    config.chmod(0o600)

    code = main(["flaky", "--json", "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 1
    assert [f["provider"] for f in json.loads(out)] == ["plans"]
    assert err.splitlines() == ["qa-tui: web: auth: Invalid token."] and "0" * 40 not in err


def test_usage_and_config_errors_are_exit_2(
    triage_sim: RunningSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(render_config(triage_sim.base_url))
    assert main(["flaky", "--config", str(config), "--provider", "nope"]) == 2
    assert "no provider named 'nope'" in capsys.readouterr().err
    assert main(["incidents", "--since", "yesterday", "--config", str(config)]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["incidents", "--config", str(tmp_path / "missing.toml")]) == 2
