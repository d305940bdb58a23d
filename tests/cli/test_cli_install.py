"""qa-tui as an installed user has it: built into a wheel, installed outside the checkout, with
the example config inside the package, so `qa-tui config example` and `qa-tui config init` work
with no checkout to copy from; `config init` writes a private file and never overwrites one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.binary import REPO, qa_tui

EXAMPLE = (REPO / "config.example.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built the way `pip install .` and `pipx install .` build it."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "--wheel-dir", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300, cwd=out,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [found] = out.glob("qa_tui-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The wheel installed into a folder of its own, outside the checkout (its dependencies are
    the test interpreter's); yields that folder, whose bin/qa-tui is the installed command."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300, cwd=target,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    yield target


def run_installed(site: Path, *argv: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """The installed `qa-tui` (its console script), from a folder that is not the checkout."""
    env = {**os.environ, "PYTHONPATH": str(site)}

    def set_umask() -> None:
        os.umask(umask)

    return subprocess.run(
        [str(site / "bin" / "qa-tui"), *argv],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=set_umask,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_wheel_holds_the_example_config_and_the_qa_tui_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert archive.read("qa_tui/config.example.toml").decode("utf-8") == EXAMPLE
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "qa-tui = qa_tui.cli.main:main" in archive.read(entry_points).decode()
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_the_wheel_holds_every_stylesheet_beside_its_screen(wheel: Path) -> None:
    """Each screen's .tcss ships beside its module: an installed qa-tui missing one would fail
    the moment that screen opens."""
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.endswith(".tcss")}
    in_the_tree = {p.relative_to(REPO).as_posix() for p in (REPO / "qa_tui").rglob("*.tcss")}
    assert len(in_the_tree) > 10
    assert shipped == in_the_tree


def test_the_installed_command_prints_and_writes_the_example_with_no_checkout(
    installed: Path, hermetic_dirs: Path
) -> None:
    imported = subprocess.run(
        [sys.executable, "-c", "import qa_tui; print(qa_tui.__file__)"],
        env={**os.environ, "PYTHONPATH": str(installed)},
        cwd=installed,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.stdout.startswith(str(installed))  # the installed copy, not the checkout

    printed = run_installed(installed, "config", "example")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == EXAMPLE

    config = hermetic_dirs / "xdg" / "qa-tui" / "config.toml"
    written = run_installed(installed, "config", "init", "--config", str(config))
    assert written.returncode == 0, written.stderr
    assert str(config) in written.stdout
    assert config.read_text(encoding="utf-8") == EXAMPLE


def test_config_init_writes_a_private_file_in_a_private_folder_whatever_the_umask(
    hermetic_dirs: Path,
) -> None:
    config = hermetic_dirs / "config-home" / "qa-tui" / "config.toml"  # QA_TUI_CONFIG's place
    done = qa_tui("config", "init", env={"QA_TUI_CONFIG": str(config)}, umask=0o022)

    assert done.returncode == 0, done.stderr
    assert config.read_text(encoding="utf-8") == EXAMPLE
    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700 and mode(config.parent.parent) == 0o700


def test_config_init_never_overwrites_a_config_that_is_there(hermetic_dirs: Path) -> None:
    config = hermetic_dirs / "mine.toml"
    config.write_text("# my own config\n", encoding="utf-8")

    done = qa_tui("config", "init", "--config", str(config))

    assert done.returncode == 1
    assert f"{config} exists; it was not overwritten" in done.stderr
    assert config.read_text(encoding="utf-8") == "# my own config\n"
    assert done.stdout == ""
