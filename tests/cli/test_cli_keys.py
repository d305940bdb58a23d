"""`[keys]` and `[ui] theme` as the command line meets them: `qa-tui keys` prints the keymap with
the user's keys, and a key or theme that cannot be used exits 2 naming the file and the key,
from `qa-tui keys` and before the app opens."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa_tui.cli.main import main
from qa_tui.cli.tui import opening_theme
from qa_tui.core.config.tables import load_config
from qa_tui.core.config.ui_state import save_theme, state_file_for

MINIMAL = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "tok-123"\n'


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def test_qa_tui_keys_prints_every_action_id_with_your_keys_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, '[keys]\n"runs.stop" = "ctrl+k"\n"runs.rerun" = "r,ctrl+r"\n')
    assert main(["keys", "--config", str(path)]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines() if line}
    assert rows["runs.stop"][1:3] == ["ctrl+k", "*"]
    assert rows["runs.rerun"][1:3] == ["r,ctrl+r", "*"]
    assert rows["runs.filter"][1] == "slash"  # untouched: its own key, unmarked
    assert rows["app.quit_now"][1] == "ctrl+q"  # Textual's own key, with an id to rebind


BAD_KEYS = [
    ('"runs.stpo" = "x"', "keys.runs.stpo", "no action has this id"),
    ('"runs.stop" = "ctrl+kk"', "keys.runs.stop", "'ctrl+kk' is not a key name"),
    ('"runs.stop" = "r"', "keys.runs.stop", "'r' is also runs.rerun's key in the dashboard"),
]


@pytest.mark.parametrize(("line", "key", "words"), BAD_KEYS, ids=["id", "name", "clash"])
@pytest.mark.parametrize("command", [["keys"], ["tui"]], ids=["keys", "tui"])
def test_a_key_that_cannot_be_used_exits_2_naming_the_file_and_the_key(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    line: str,
    key: str,
    words: str,
) -> None:
    path = config(tmp_path, f"[keys]\n{line}\n")
    assert main([*command, "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"qa-tui: {path}: {key}: ") and words in err[0]


def test_a_theme_textual_does_not_have_exits_2_naming_ui_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, '[ui]\ntheme = "neon-pink"\n')
    assert main(["--config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{path}: ui.theme: one of " in err[0] and "nord" in err[0]


def test_the_theme_picked_last_wins_over_the_config_at_the_next_start(tmp_path: Path) -> None:
    path = config(tmp_path, '[ui]\ntheme = "nord"\n')
    assert opening_theme(load_config(path), path) == "nord"
    save_theme(state_file_for(path), "gruvbox")  # what the app does when one is picked
    assert opening_theme(load_config(path), path) == "gruvbox"
    assert path.read_text(encoding="utf-8").endswith('theme = "nord"\n')  # the config untouched
