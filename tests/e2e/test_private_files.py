"""Everything qa-tui writes is the user's alone, whatever the umask: the real binary under
`umask 022` (where a plain open() makes 0644 files in 0755 folders) writes its config, then uses
the app in tmux against the simulator (polls, watches a run, files a bug, opens a failed run's
screenshot and saves it) and triggers a Bug0 run from the shell. Then every folder it made is
0700 and every file 0600: the run cache, the history, the watch list, the outbox, the trigger
log (each sqlite file with its -wal and -shm), the screenshot cache, the saved screenshot."""

from __future__ import annotations

import shlex
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_tui.sim import ScenarioSpec
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.e2e.test_tmux_smoke import DEADLINE_S, Terminal, private_terminal, qa_tui_command
from tests.support.binary import qa_tui

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    world = ScenarioSpec(triage=True)
    with start_in_thread(
        port=0, seed=7, scenario=world, enforce_documented_limits=False
    ) as running:
        yield running


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    with private_terminal("private") as term:
        yield term


def modes(root: Path) -> dict[str, int]:
    """Every folder and file under `root` (itself included) → its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_everything_qa_tui_writes_is_private_under_umask_022(
    sim: RunningSim, terminal: Terminal, tmp_path: Path
) -> None:
    home = tmp_path / "user"  # nothing at or below it exists yet: qa-tui makes every folder
    dirs = {
        "QA_TUI_DATA_DIR": str(home / "share" / "qa-tui"),
        "QA_TUI_CACHE_DIR": str(home / "cache" / "qa-tui"),
        "XDG_DOWNLOAD_DIR": str(home / "Downloads"),
    }
    config = home / "config" / "qa-tui" / "config.toml"
    made = qa_tui("config", "init", "--config", str(config), env=dirs, umask=0o022)
    assert made.returncode == 0, made.stderr
    config.write_text(render_config(sim.base_url), encoding="utf-8")  # the simulator's, in place

    exit_file = tmp_path / "exit-code"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in dirs.items())
    command = shlex.join([*qa_tui_command(), "--config", str(config)])
    shell = f"unset COLUMNS LINES; umask 022; {env} {command}; echo EXIT=$? > {exit_file}"
    terminal.tmux("new-session", "-d", "-s", terminal.session, "-x", "120", "-y", "35", shell)
    terminal.wait_for(  # and its keys in the footer: the table has focus
        "the runs table",
        lambda ls: len(ls) > 3 and ls[1].startswith("STATUS") and any("q Quit" in x for x in ls),
    )
    terminal.press("w")  # watch the first run: the watch list
    terminal.wait_for("the watch marker", lambda ls: any("◉" in line for line in ls[2:]))
    terminal.press("/")
    terminal.wait_for("the filter box", lambda ls: any("filter: words" in x for x in ls))
    terminal.press("-l", "status:failed kind:test")
    terminal.press("Enter")
    terminal.wait_for(  # the filter line over the table says what filters it
        "failed tests only", lambda ls: any("FILTER" in x and "kind:test" in x for x in ls[:3])
    )
    terminal.press("g", "b")  # a bug for the first failed test: the outbox
    terminal.wait_for("the bug form", lambda ls: any("File a bug in Bugnet" in x for x in ls))
    terminal.press("C-s")
    terminal.wait_for("the bug on its row", lambda ls: any(" · bug " in x for x in ls[2:]))
    terminal.press("Enter")  # the failed run: its failing step's screenshot, cached
    terminal.wait_for(
        "the failing step's screenshot", lambda ls: sum(x.count("▀") >= 30 for x in ls) >= 8
    )
    terminal.press("Enter")  # full screen, then s: saved to the downloads folder
    terminal.wait_for(
        "the full screenshot",
        lambda ls: "s Save" in ls[-1] and sum(x.count("▀") >= 60 for x in ls) >= 20,
    )
    terminal.press("s")
    downloads = Path(dirs["XDG_DOWNLOAD_DIR"])
    terminal.wait_for("the saved file", lambda ls: downloads.exists() and any(downloads.iterdir()))
    terminal.press("q", "q", "q")
    deadline = time.monotonic() + DEADLINE_S
    while not (exit_file.exists() and exit_file.read_text().strip()):
        assert time.monotonic() < deadline, "\n".join(terminal.screen())
        time.sleep(0.1)  # a process in tmux: nothing to await
    assert exit_file.read_text().strip() == "EXIT=0"

    triggered = qa_tui("run", "previews", "--config", str(config), env=dirs, umask=0o022)
    assert triggered.returncode == 0, triggered.stderr

    found = modes(home)
    names = {Path(name).name for name in found}
    for written in (
        "config.toml",
        "runs.sqlite",
        "history.sqlite",
        "watch.sqlite",
        "outbox.sqlite",
        "triggers.sqlite",
    ):
        assert written in names, sorted(found)
    assert any(name.endswith(".img") for name in names), sorted(found)  # the screenshot cache
    assert any(name.startswith("bugbug-") and name.endswith(".png") for name in names)
    folders = {name: mode for name, mode in found.items() if (home / name).is_dir()}
    files = {name: mode for name, mode in found.items() if name not in folders}
    assert {name: oct(mode) for name, mode in folders.items() if mode != 0o700} == {}
    assert {name: oct(mode) for name, mode in files.items() if mode != 0o600} == {}
