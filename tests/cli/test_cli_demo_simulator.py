"""The demo's simulator runs in a child process on a socket the demo bound, and goes with it."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from qa_tui.cli.demo_sim import start_demo_simulator


def _answers(base_url: str) -> bool:
    """True once the simulator answers (a request made earlier waits in the socket's backlog)."""
    response = httpx.get(f"{base_url}/_sim/truth", timeout=30.0)
    return response.status_code == 200 and "runs" in response.json()


def test_the_demo_simulator_serves_at_once_on_the_port_the_demo_bound(tmp_path: Path) -> None:
    sim = start_demo_simulator(0, 7, None, tmp_path)
    try:
        assert sim.base_url.startswith("http://127.0.0.1:")
        assert _answers(sim.base_url)  # asked before the child could have been ready
    finally:
        assert sim.stop() is None  # it was still serving: nothing to report
    assert sim.process.returncode == 0  # it stopped because the demo closed its stdin


def test_a_simulator_that_ended_on_its_own_is_reported_with_how_it_ended(tmp_path: Path) -> None:
    sim = start_demo_simulator(0, 7, None, tmp_path)
    assert _answers(sim.base_url)
    sim.process.send_signal(signal.SIGTERM)
    sim.process.wait(10)
    assert sim.stop() == "exit status -15"  # it printed nothing: its exit status says how


def test_what_an_ended_simulator_printed_last_is_in_the_report(tmp_path: Path) -> None:
    sim = start_demo_simulator(0, 7, None, tmp_path)
    assert _answers(sim.base_url)
    lines = [f"line {n}" for n in range(12)]
    sim.log_path.write_text("\n".join([*lines, "OSError: out of file descriptors"]))
    sim.process.send_signal(signal.SIGTERM)
    sim.process.wait(10)
    why = sim.stop()
    assert why is not None
    assert why.splitlines() == [*lines[-7:], "OSError: out of file descriptors"]  # the last 8


def test_faults_given_to_the_demo_reach_its_simulator(tmp_path: Path) -> None:
    sim = start_demo_simulator(0, 7, "bugbug:down", tmp_path)
    try:
        assert _answers(sim.base_url)
        with httpx.Client(timeout=30.0) as client:
            try:
                response = client.get(f"{sim.base_url}/bugbug/api/v1/testruns/")
                down = response.status_code >= 500
            except httpx.TransportError:
                down = True  # "down" drops the connection
        assert down
    finally:
        sim.stop()
