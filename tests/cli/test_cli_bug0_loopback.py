"""Bug0 runs that end, for real: `qa-tui sim` in a process of its own on a loopback port (its
Bug0 and its GitHub slice on the wall clock), and the `qa-tui` binary a CI script would call:
`run previews ... --no-git --wait` exits with Bug0's commit status on the commit, whatever
another CI says there, and `runs --json` then agrees.

Each commit is planned through `POST /_sim/github/commits` to end 3 s after its trigger (the
simulator's own dice take half a minute), so a story waits seconds, on the command's exit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

from qa_tui.sim.credentials import GITHUB_TOKEN
from tests.support.binary import command, environment, qa_tui
from tests.support.sim_process import sim_process

ENDS_AFTER_S = 3.0


def run_on_commit(config: Path, sha: str) -> subprocess.Popen[str]:
    """`qa-tui run previews --url U --git-sha S --owner acme --repo shop --no-git --wait`."""
    argv = ["run", "previews", "--url", f"https://{sha}.preview.shop.example", "--git-sha", sha]
    argv += ["--owner", "acme", "--repo", "shop", "--no-git", "--wait", "--timeout", "120"]
    return subprocess.Popen(
        [*command(), *argv, "--config", str(config)],
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_wait_exits_with_bug0s_status_over_loopback_and_runs_json_agrees(
    tmp_path: Path,
) -> None:
    """GIVEN the simulator serving, a commit on which Bug0 will fail while another CI passes and
    one on which Bug0 will pass while another CI fails WHEN the binary runs
    `run previews --url U --git-sha S --owner acme --repo shop --no-git --wait` on each THEN it
    exits 1 on the first and 0 on the second, saying Bug0's description and report link, and
    `runs --json` lists both with the same statuses; the GitHub token is printed nowhere."""
    config = tmp_path / "sim.toml"
    with sim_process("--write-config", str(config)) as sim:
        for sha, bug0, other_ci in (("f00d0001", "failure", "success"),
                                    ("f00d0002", "success", "failure")):  # fmt: skip
            plan = {"sha": sha, "bug0": bug0, "decoy": other_ci, "ends_after_s": ENDS_AFTER_S}
            answer = httpx.post(f"{sim.base}/_sim/github/commits", json=plan, timeout=10)
            assert answer.status_code == 200, answer.text
        failing, passing = run_on_commit(config, "f00d0001"), run_on_commit(config, "f00d0002")
        failed_out, failed_err = failing.communicate(timeout=120)
        passed_out, passed_err = passing.communicate(timeout=120)
        assert failing.returncode == 1, failed_err
        assert passing.returncode == 0, passed_err
        assert failed_out.startswith("failed (failure)")
        assert passed_out.startswith("passed (success)")
        for out in (failed_out, passed_out):
            assert "note: Bug0 / E2E (commit status on acme/shop@f00d000" in out
            assert f"url: {sim.base}/bug0/app/runs/" in out

        listing = qa_tui("runs", "--json", "--provider", "previews", "--config", str(config))
        assert listing.returncode == 0, listing.stderr
        listed = {run["target"]: run for run in json.loads(listing.stdout)}
        failed = listed["https://f00d0001.preview.shop.example"]
        passed = listed["https://f00d0002.preview.shop.example"]
        assert (failed["status"], failed["provider_status"]) == ("failed", "failure")
        assert (passed["status"], passed["provider_status"]) == ("passed", "success")
        assert f"previews:{failed['id']}" in failed_out
        for printed in (failed_out, failed_err, passed_out, passed_err, listing.stdout):
            assert GITHUB_TOKEN not in printed
