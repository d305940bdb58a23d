"""The `[notify]` table: defaults when it is left out, and a bad key named with its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_tui.cli.main import main
from qa_tui.core.config.tables import NotifyConfig, load_config
from qa_tui.core.errors import ConfigError
from qa_tui.core.notify.settings import Method

MINIMAL = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "tok-123"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    return path


def test_without_a_notify_table_every_default_applies(tmp_path: Path) -> None:
    notify = load_config(write(tmp_path, "")).notify
    assert notify == NotifyConfig()
    assert (notify.method, notify.watched, notify.new_failure, notify.suite_finished) == (
        Method.AUTO,
        True,
        True,
        False,
    )
    assert (notify.unhealthy_minutes, notify.quiet_start, notify.desktop) == (10.0, True, True)


def test_every_key_can_be_set(tmp_path: Path) -> None:
    text = (
        '[notify]\nmethod = "osc777"\ndesktop = false\nwatched = false\nnew_failure = false\n'
        "suite_finished = true\nunhealthy_minutes = 2.5\nquiet_start = false\n"
    )
    notify = load_config(write(tmp_path, text)).notify
    assert notify == NotifyConfig(
        method=Method.OSC777,
        desktop=False,
        watched=False,
        new_failure=False,
        suite_finished=True,
        unhealthy_minutes=2.5,
        quiet_start=False,
    )


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('methd = "osc9"', "notify.methd", "unknown key (did you mean 'method'?)"),
        (
            'method = "osc8"',
            "notify.method",
            "expected 'auto', 'osc9', 'osc777', 'osc99', 'bell' or 'off'",
        ),
        ("unhealthy_minutes = -1", "notify.unhealthy_minutes", "expected a number of at least 0"),
        ('watched = "yes"', "notify.watched", "expected true or false"),
        ("quiet_start = 1", "notify.quiet_start", "expected true or false"),
    ],
)
def test_a_bad_key_is_named_with_its_path(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path, f"[notify]\n{text}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert (raised.value.key, raised.value.expected) == (key, expected)


@pytest.mark.parametrize(
    "command", [["--config", "{path}"], ["watch", "web:r1", "--notify", "--config", "{path}"]]
)
def test_the_app_and_watch_exit_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = write(tmp_path, '[notify]\nmethod = "desktop"\n')
    code = main([part.format(path=path) for part in command])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}: notify.method: expected 'auto'" in err
