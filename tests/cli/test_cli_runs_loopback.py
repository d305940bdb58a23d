"""`qa-tui runs --json` and `qa-tui sim` for real: the simulator on a loopback port, the config it
writes, and the command line a user would type."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from qa_tui.cli.main import main
from qa_tui.core.config.tables import load_config
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.registry import build_sources
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.support.sim_process import sim_process

REPO = Path(__file__).resolve().parents[2]
REQUIRED = (
    "provider",
    "provider_kind",
    "id",
    "kind",
    "name",
    "status",
    "provider_status",
    "progress",
    "started",
    "ended",
    "duration_s",
    "url",
    "error",
)
STATUSES = {"queued", "running", "passed", "failed", "error", "stopped", "skipped", "unknown"}


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    with start_in_thread(port=0, seed=7) as running:
        yield running


@pytest.fixture
def config_path(sim: RunningSim, tmp_path: Path) -> Path:
    path = tmp_path / "sim.toml"
    path.write_text(render_config(sim.base_url), encoding="utf-8")
    path.chmod(0o600)
    return path


def runs_json(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["runs", "--json", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def created(run: dict[str, Any]) -> datetime | None:
    """When the run counts as of, as the table orders runs: started, else queued, else ended."""
    when = run["started"] or run["queued"] or run["ended"]
    return datetime.fromisoformat(when) if when else None


def test_runs_json_lists_the_simulators_runs_newest_first(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, runs, err = runs_json(capsys, "--config", str(config_path))

    assert code == 0, err
    assert err == ""
    assert {r["provider"] for r in runs} == {"web", "plans"}  # no Bug0 runs triggered yet
    for run in runs:
        assert set(REQUIRED) <= set(run)
        assert run["status"] in STATUSES
        assert isinstance(run["provider_status"], str) and run["provider_status"]
        assert run["progress"] is None or set(run["progress"]) == {"done", "total"}
    stamps = [created(r) for r in runs if created(r) is not None]
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]
    kinds = {(r["provider_kind"], r["kind"]) for r in runs}
    assert ("bugbug", "test") in kinds and ("bugbrain", "execution") in kinds


def test_limit_status_and_provider_narrow_the_listing(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, runs, _ = runs_json(capsys, "--config", str(config_path), "--limit", "3")
    assert code == 0
    for provider in ("web", "plans"):
        assert 0 < sum(r["provider"] == provider for r in runs) <= 3

    code, runs, _ = runs_json(capsys, "--config", str(config_path), "--status", "failed")
    assert code == 0
    assert runs and all(r["status"] == "failed" for r in runs)

    code, runs, _ = runs_json(capsys, "--config", str(config_path), "--provider", "plans")
    assert code == 0
    assert runs and {r["provider"] for r in runs} == {"plans"}


def test_a_provider_with_a_bad_token_fails_alone_with_exit_1(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config_path.read_text(encoding="utf-8")
    from qa_tui.sim.credentials import BUGBUG_TOKEN

    bad = tmp_path / "bad-token.toml"
    bad.write_text(text.replace(BUGBUG_TOKEN, "0" * 40), encoding="utf-8")
    bad.chmod(0o600)

    code, runs, err = runs_json(capsys, "--config", str(bad))

    assert code == 1
    assert runs and {r["provider"] for r in runs} == {"plans"}
    [line] = err.strip().splitlines()
    assert line.startswith("qa-tui: web: auth: ")
    assert "0" * 40 not in err


def test_bug0_runs_triggered_from_this_machine_are_listed(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def trigger() -> str:
        sources = build_sources(load_config(config_path), triggers=TriggerLog())
        try:
            [bug0] = [s for s in sources if isinstance(s, Bug0Source)]
            run = await bug0.trigger(url="https://preview.example.com", git_branch="main")
            return run.id
        finally:
            for source in sources:
                await source.aclose()

    triggered_id = asyncio.run(trigger())

    code, runs, _ = runs_json(capsys, "--config", str(config_path), "--provider", "previews")

    assert code == 0
    [run] = runs
    assert run["id"] == triggered_id
    assert (run["kind"], run["status"], run["provider_kind"]) == ("trigger", "queued", "bug0")
    assert run["note"]


def test_qa_tui_sim_serves_writes_a_private_config_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """The real binary: `qa-tui sim --port 0 --write-config PATH`, then `runs`, then Ctrl-C."""
    config = tmp_path / "c.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    with sim_process("--write-config", str(config)) as sim:
        assert "listening on http://127.0.0.1:" in sim.banner and "/bugbug" in sim.banner
        assert config.stat().st_mode & 0o777 == 0o600
        assert {p.name for p in load_config(config).providers} == {"web", "plans", "previews"}

        listing = subprocess.run(
            [sys.executable, "-m", "qa_tui", "runs", "--json", "--config", str(config)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listing.returncode == 0, listing.stderr
        assert len(json.loads(listing.stdout)) > 0


def test_a_bad_fault_spec_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--port", "0", "--faults", "bugbog:error_rate=2"]) == 2
    err = capsys.readouterr().err
    assert "--faults" in err and len(err.strip().splitlines()) == 1


def test_a_runs_test_id_is_what_it_ran_and_its_target_id_what_it_ran_against(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN the simulator's BugBug runs WHEN `runs --json` lists them THEN a test run's
    `test_id` is its test's id and its `target_id` is the id of the run profile it ran on,
    beside that profile's name as `target` (issue 22: `target_id` was the test's id)."""
    code, runs, err = runs_json(capsys, "--config", str(config_path), "--provider", "web")
    assert code == 0, err
    tests = [r for r in runs if r["kind"] == "test"]
    profiles = {r["target"]: r["target_id"] for r in tests if r["target"]}
    assert tests and all(r["test_id"] and r["test_id"] != r["target_id"] for r in tests)
    assert len(profiles) >= 2 and all(
        name and profile_id and name != profile_id for name, profile_id in profiles.items()
    )


def test_qa_tui_sim_with_projects_serves_a_whole_org_and_writes_its_config(tmp_path: Path) -> None:
    """The real binary: `qa-tui sim --projects 12 --write-config PATH` serves six BugBug projects,
    four BugBrain projects on two keys and two Bug0 projects, and `runs` over that config lists
    runs of every project that can be listed."""
    config = tmp_path / "org.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    with sim_process("--projects", "12", "--write-config", str(config)):
        providers = load_config(config).providers
        kinds = [p.kind for p in providers]
        assert (kinds.count("bugbug"), kinds.count("bugbrain"), kinds.count("bug0")) == (6, 4, 2)
        assert len({p.token.get_secret_value() for p in providers if p.kind == "bugbrain"}) == 2
        listing = subprocess.run(
            [sys.executable, "-m", "qa_tui", "runs", "--json", "--config", str(config)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listing.returncode == 0, listing.stderr
        listed = {run["provider"] for run in json.loads(listing.stdout)}
        assert listed == {p.name for p in providers if p.kind != "bug0"}


def test_too_few_projects_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--port", "0", "--projects", "2"]) == 2
    err = capsys.readouterr().err
    assert "--projects" in err and len(err.strip().splitlines()) == 1
