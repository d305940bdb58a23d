"""`qa-tui sim --dialect`: the list of switches, a bad one refused, a chosen one served."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from qa_tui.cli.main import main
from qa_tui.sim.credentials import BUGBUG_TOKEN
from qa_tui.sim.dialects import SWITCHES
from tests.support.sim_process import sim_process

REPO = Path(__file__).resolve().parents[2]


def test_dialect_help_lists_every_key_and_its_values_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sim", "--dialect", "help"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    for switch in SWITCHES:
        assert switch.key in lines
        for value in switch.values:
            assert f" {value} " in out
    assert "hardest-bugbug" in out


@pytest.mark.parametrize(
    ("spec", "named"),
    [("bugbug.next=sideways", "'sideways'"), ("bugbug.nxt=null", "'bugbug.nxt'")],
)
def test_a_bad_dialect_exits_2_with_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], spec: str, named: str
) -> None:
    assert main(["sim", "--port", "0", "--dialect", spec]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("qa-tui sim: error: --dialect: ") and named in err


def test_the_simulator_serves_the_dialect_it_was_started_with() -> None:
    """The real binary: `qa-tui sim --port 0 --dialect hardest-bugbug`, then Ctrl-C."""
    with sim_process("--dialect", "hardest-bugbug") as sim:
        base = sim.base
        assert "Dialect   bugbug.next=null,bugbug.page_size=fixed" in sim.banner
        spoken = httpx.get(f"{base}/_sim/dialect", timeout=30).json()
        page = httpx.get(
            f"{base}/bugbug/api/v2/testruns/?page_size=5",
            headers={"Authorization": f"Token {BUGBUG_TOKEN}"},
            timeout=30,
        ).json()
    assert spoken["spec"] == "bugbug.next=null,bugbug.page_size=fixed,bugbug.time_range=ignored"
    assert page["next"] is None and len(page["results"]) == 25 < page["count"]
