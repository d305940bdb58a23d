"""The command line: cheap --version, one-line usage and config errors with exit 2, Ctrl-C → 130."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa_tui import __version__
from qa_tui.cli import main as cli_main
from qa_tui.cli.main import main
from tests.unit.test_config import BAD_CONFIGS

REPO = Path(__file__).resolve().parents[2]
MINIMAL = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "tok-SECRET-1"\n'


def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m qa_tui ARGS` in a fresh interpreter, from the repo root."""
    return subprocess.run(
        [sys.executable, "-m", "qa_tui", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"qa-tui {__version__}"


def test_version_imports_nothing_heavy() -> None:
    """`qa-tui --version` must stay instant: no textual, rich, httpx or pydantic imported."""
    code = (
        "import sys; from qa_tui.cli.main import main; rc = main(['--version']); "
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'textual', 'rich', 'httpx', 'pydantic', 'qa_tui.sim'}); print(heavy)"
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
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("tui", "demo", "runs", "sim"):
        assert command in out


BAD_ARGS = [
    (["runs", "--limit", "0"], "--limit"),
    (["runs", "--limit", "many"], "--limit"),
    (["runs", "--status", "green"], "--status"),
    (["runs", "--bogus"], "--bogus"),
    (["sim", "--port", "99999"], "--port"),
    (["nosuchcommand"], "nosuchcommand"),
    (["runs", "--limit", "-3"], "--limit"),
    (["runs", "--limit", "1.5"], "--limit"),
    (["runs", "--status", ""], "--status"),
    (["runs", "stray"], "stray"),
    (["sim", "--port", "-1"], "--port"),
    (["sim", "--seed", "x"], "--seed"),
    (["sim", "--faults", "bugbug:nope=1"], "nope"),
    (["sim", "--faults", "nosuch:down"], "nosuch"),
    (["sim", "--faults", "bugbug:error_rate=2"], "error_rate"),
    (["demo", "--port", "70000"], "--port"),
    (["demo", "--seed", "seven"], "--seed"),
    (["demo", "--faults", "bugbug:nope=1"], "nope"),
    (["watch"], "PROVIDER:RUN_ID"),
    (["watch", "nocolon", "--config", "{config}"], "nocolon"),
    (["watch", "mobile:1", "--config", "{config}"], "'mobile'"),
    (["watch", "web:1", "--timeout", "-5", "--config", "{config}"], "--timeout"),
    (["run"], "PROVIDER"),
    (["run", "mobile", "T", "--config", "{config}"], "'mobile'"),
    (["run", "web", "T", "--var", "novalue", "--config", "{config}"], "novalue"),
    (["run", "web", "--config", "{config}"], "TARGET"),
    (["doctor", "--bogus"], "--bogus"),
    (["runs", "--config", "{config}", "--provider", "mobile"], "'mobile'"),
]


@pytest.mark.parametrize(("argv", "named"), BAD_ARGS, ids=[" ".join(a) for a, _ in BAD_ARGS])
def test_a_bad_argument_is_exit_2_with_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], named: str
) -> None:
    """Arguments that need a config get a valid one: only the argument itself is wrong."""
    config = tmp_path / "ok.toml"
    config.write_text(MINIMAL, encoding="utf-8")
    config.chmod(0o600)
    argv = [str(config) if a == "{config}" else a for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert named in lines[0]


CONFIG_ERRORS = [
    ("unknown key", MINIMAL + 'colour = "red"\n', "providers[0].colour"),
    ("missing token", MINIMAL.replace('token = "tok-SECRET-1"\n', ""), "providers[0].token"),
    (
        "unset variable",
        MINIMAL.replace("tok-SECRET-1", "${QA_TUI_NOT_SET_ANYWHERE}"),
        "providers[0].token",
    ),
    ("duplicate name", MINIMAL + MINIMAL, "providers[1].name"),
    ("wrong type", MINIMAL + "timeout_s = true\n", "providers[0].timeout_s"),
    ("bad kind", MINIMAL.replace('"bugbug"', '"bugbash"'), "providers[0].kind"),
    ("insecure http", MINIMAL + 'base_url = "http://ci.example.com"\n', "providers[0].base_url"),
    ("tracker without auth", MINIMAL + '[tracker]\nproject = "game"\n', "tracker.token"),
    ("toml syntax", MINIMAL + "name = = 1\n", "line 5"),
]


CONFIG_ERRORS += [(f"config table: {what}", text, key) for what, text, key, _ in BAD_CONFIGS]
"""Every invalid config of the unit table (tests/unit/test_config.py) through the command line too."""


@pytest.mark.parametrize(("what", "text", "key"), CONFIG_ERRORS, ids=[c[0] for c in CONFIG_ERRORS])
def test_a_config_error_is_exit_2_with_one_line_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str, text: str, key: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["runs", "--json", "--config", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert str(path) in lines[0] and key in lines[0]
    assert "tok-SECRET-1" not in captured.err and "tok-123" not in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    "argv",
    [["tui"], ["runs"], ["doctor"], ["watch", "web:1"], ["run", "web", "T"]],
    ids=lambda argv: argv[0],
)
def test_every_command_that_reads_the_config_refuses_a_bad_one_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + 'colour = "red"\n', encoding="utf-8")
    assert main([*argv, "--config", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and "providers[0].colour" in lines[0]


def test_a_config_error_through_the_real_binary_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + "tokken = 'x'\n", encoding="utf-8")
    done = run_module("runs", "--json", "--config", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert f"{path}: providers[0].tokken: unknown key (did you mean 'token'?)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_config_says_where_it_looked_and_how_to_make_one(
    hermetic_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "--json"]) == 2
    err = capsys.readouterr().err
    assert str(hermetic_dirs / "config.toml") in err  # QA_TUI_CONFIG, set by the hermetic fixture
    assert "qa-tui sim --write-config" in err and "qa-tui config init" in err


def test_an_unknown_provider_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    path.chmod(0o600)
    assert main(["runs", "--config", str(path), "--provider", "mobile"]) == 2
    err = capsys.readouterr().err
    assert "'mobile'" in err and "web" in err


def test_ctrl_c_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import qa_tui.cli.headless as headless

    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(headless, "run_runs", interrupted)
    assert main(["runs", "--json"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_no_command_means_the_tui() -> None:
    assert cli_main._with_default_command([]) == ["tui"]
    assert cli_main._with_default_command(["--config", "c.toml"]) == ["tui", "--config", "c.toml"]
    assert cli_main._with_default_command(["--version"]) == ["--version"]
    assert cli_main._with_default_command(["runs", "--json"]) == ["runs", "--json"]
