"""`qa-tui serve`: what it serves, and the warning when it is reachable from elsewhere."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from qa_tui.cli import serve
from qa_tui.cli.main import main
from qa_tui.sim.config_text import render_config


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])
def test_loopback_hosts(host: str) -> None:
    assert serve.is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "build-box.example"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not serve.is_loopback(host)


def served_command(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, list[str]]:
    seen: list[str] = []

    def fake_serve(command: str, host: str, port: int, url: str, token: object) -> int:
        seen.append(command)
        return 0

    monkeypatch.setattr(serve, "_serve", fake_serve)
    return main(argv), seen


def test_each_tab_runs_the_tui_on_the_same_config_and_loopback_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(render_config("http://127.0.0.1:1"))
    config.chmod(0o600)
    code, seen = served_command(monkeypatch, ["serve", "--config", str(config)])
    assert code == 0
    assert shlex.split(seen[0]) == [sys.executable, "-m", "qa_tui", "tui", "--config", str(config)]
    assert "WARNING" not in capsys.readouterr().err


def test_bound_elsewhere_it_warns_that_the_page_carries_the_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(render_config("http://127.0.0.1:1"))
    code, _ = served_command(monkeypatch, ["serve", "--host", "0.0.0.0", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 0
    assert "WARNING: listening on 0.0.0.0" in err and "credentials" in err
    assert "SSH tunnel" in err


def test_a_broken_config_is_said_once_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[[providers]]\nkind = 'nope'\n")
    code, seen = served_command(monkeypatch, ["serve", "--config", str(config)])
    assert code == 2 and seen == []
    assert "c.toml: providers[0]" in capsys.readouterr().err


def test_the_demo_serves_one_simulator_to_every_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    code, seen = served_command(monkeypatch, ["serve", "--demo", "--seed", "3"])
    assert code == 0
    command = shlex.split(seen[0])
    assert command[:4] == [sys.executable, "-m", "qa_tui", "demo"]
    url = command[command.index("--sim-url") + 1]
    assert url.startswith("http://127.0.0.1:") and command[-2:] == ["--seed", "3"]
