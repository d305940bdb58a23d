"""`watch --notify` and `run --wait --notify`: when the run ends, the terminal gets the same
notification the app sends (the `[notify]` method, a bell, tmux's passthrough), on the terminal
rather than stdout; against the simulator, in-process, with no real waiting."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from qa_tui.core.notify.notice import duration_text
from qa_tui.sim.server import render_config
from tests.support.notify import TMUX_ENV, FakeTerminal
from tests.support.sim_cli import (
    IN_PROCESS_BASE,
    SimCli,
    cli,
    first_bugbug_start,
    make_sim_cli,
    seed_where,
)


def world_ending(tmp_path: Path, ending: str, notify: str) -> SimCli:
    """The simulator, with a first API-started run that ends as `ending`, and `[notify]`."""
    text = render_config(IN_PROCESS_BASE) + f"\n[notify]\n{notify}\n"
    return make_sim_cli(tmp_path, seed=seed_where(first_bugbug_start, ending), config_text=text)


def with_terminal(world: SimCli, env: dict[str, str]) -> FakeTerminal:
    terminal = FakeTerminal()
    world.services = replace(world.services, notify_out=terminal.write, environ=env)
    return terminal


def test_run_wait_notify_tells_the_terminal_the_run_passed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = world_ending(tmp_path, "passed", 'method = "osc9"')
    terminal = with_terminal(world, {"TERM": "xterm-256color"})
    argv = ["run", "web", "Login with email", "--wait", "--notify", "--json"]
    code, out, err = cli(world, capsys, *argv)
    assert code == 0, err
    took = duration_text(json.loads(out)["run"]["duration_s"])
    assert terminal.writes == [
        f"\x1b]9;qa-tui: Passed: Login with email · web test · {took}\x1b\\\x07".encode()
    ]
    assert "\x1b" not in out  # stdout stays the script's


def test_watch_notify_in_tmux_wraps_the_sequence_and_rings_the_bell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = world_ending(tmp_path, "failed", 'method = "auto"')
    terminal = with_terminal(world, {**TMUX_ENV, "LC_TERMINAL": "iTerm2"})
    code, out, err = cli(world, capsys, "run", "web", "Login with email")
    assert code == 0, err
    assert terminal.writes == []
    code, out, err = cli(world, capsys, "watch", out.strip(), "--notify", "--json")
    assert code == 1, err
    run = json.loads(out)["run"]
    body = " · ".join(p for p in ("web test", duration_text(run["duration_s"]), run["error"]) if p)
    inner = f"\x1b]9;qa-tui: Failed: Login with email · {body}\x1b\\"
    wrapped = "\x1bPtmux;" + inner.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    assert terminal.writes == [(wrapped + "\x07").encode()]


def test_watch_without_notify_writes_nothing_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = world_ending(tmp_path, "passed", 'method = "osc9"')
    terminal = with_terminal(world, {})
    code, _, err = cli(world, capsys, "run", "web", "Login with email", "--wait")
    assert code == 0, err
    assert terminal.writes == []


@pytest.mark.parametrize("method", ["osc777", "bell"])
def test_a_timeout_is_told_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    world = world_ending(tmp_path, "passed", f'method = "{method}"')
    terminal = with_terminal(world, {})
    argv = ["run", "web", "Login with email", "--wait", "--notify", "--timeout", "1", "--json"]
    code, out, err = cli(world, capsys, *argv)
    assert code == 4, err
    if method == "bell":
        assert terminal.writes == [b"\x07"]
        return
    status = json.loads(out)["run"]["status"]
    title = f"Still {status}: Login with email"
    expected = f"\x1b]777;notify;qa-tui: {title};web: gave up waiting after 1s\x1b\\\x07"
    assert terminal.writes == [expected.encode()]


def test_notify_without_wait_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = world_ending(tmp_path, "passed", 'method = "osc9"')
    code, _, err = cli(world, capsys, "run", "web", "Login with email", "--notify")
    assert code == 2
    assert "--notify tells the terminal when the run ends: it needs --wait" in err
    assert world.sent == []  # nothing was started
