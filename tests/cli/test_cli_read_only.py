"""`qa-tui run` on a read-only or production provider, against the simulator in-process: a
refusal is exit 2 and one line on stderr saying why, and the simulator sees no start."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_tui.sim.server import render_config
from tests.support.sim_cli import IN_PROCESS_BASE, cli, make_sim_cli


def with_web(extra: str) -> str:
    """The simulator's config with `extra` lines in the `web` provider's table."""
    text = render_config(IN_PROCESS_BASE)
    head, sep, rest = text.partition('name = "web"\n')
    assert sep, "the simulator's config names a provider web"
    return head + sep + extra + rest


def starts(sent: list[tuple[str, str, object]]) -> list[str]:
    return [path for method, path, _ in sent if method != "GET"]


def test_run_with_read_only_exits_2_saying_read_only_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path)
    code, out, err = cli(world, capsys, "run", "web", "Login with email", "--read-only")
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "qa-tui: run: read-only: web is not written to (--read-only)"
    ]
    assert starts(world.sent) == []


def test_a_provider_marked_read_only_in_the_config_refuses_qa_tui_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path, config_text=with_web("read_only = true\n"))
    code, _, err = cli(world, capsys, "run", "web", "Login with email")
    assert code == 2
    assert "read-only: web is not written to (read_only = true on it)" in err
    assert starts(world.sent) == []
    code, out, _ = cli(world, capsys, "run", "plans", "tp_smoke_web")  # the others still start
    assert code == 0 and out.startswith("plans:")


def test_a_production_provider_starts_only_with_its_name_confirmed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_sim_cli(tmp_path, config_text=with_web("production = true\n"))
    code, _, err = cli(world, capsys, "run", "web", "Login with email")
    assert code == 2 and "production: type 'web' to confirm; nothing was sent" in err
    code, _, err = cli(world, capsys, "run", "web", "Login with email", "--confirm", "plans")
    assert code == 2 and "production: type 'web'" in err
    assert starts(world.sent) == []
    code, out, _ = cli(world, capsys, "run", "web", "Login with email", "--confirm", "web")
    assert code == 0 and out == f"web:{world.newest_api_run()}\n"


def test_ui_read_only_refuses_qa_tui_run_on_every_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = render_config(IN_PROCESS_BASE) + "\n[ui]\nread_only = true\n"
    world = make_sim_cli(tmp_path, config_text=text)
    for provider, target in (("web", "Login with email"), ("plans", "tp_smoke_web")):
        code, _, err = cli(world, capsys, "run", provider, target)
        assert code == 2
        assert f"read-only: {provider} is not written to ([ui] read_only = true)" in err
    assert starts(world.sent) == []


def test_qa_tui_read_only_opens_the_monitor_read_only() -> None:
    """`qa-tui --read-only` is the monitor (`tui`) with the flag its engine's policy is built
    from (cli/tui.py `run_app`: `WritePolicy.from_config(config, flag=read_only)`)."""
    from qa_tui.cli.main import _with_default_command, build_parser

    args = build_parser().parse_args(_with_default_command(["--read-only"]))
    assert args.command == "tui" and args.read_only is True
