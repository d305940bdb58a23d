"""Bad saved views exit 2 naming the file and the key: in the config's [[views]], and in the
views.toml the app saves beside it (read when the app starts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_tui.cli.main import main

PROVIDER = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "t"\n'


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    ("view", "key", "said"),
    [
        ('name = "x"\nfilter = "statu:failed"', "views[0].filter", "no field statu:"),
        ('name = "x"\nsort = "size"', "views[0].sort", "expected"),
        ('name = "x"\ncolumns = ["name", "colour"]', "views[0].columns", "expected"),
        ('filter = "status:failed"', "views[0].name", "missing"),
        ('name = "x"\nfiltre = "a"', "views[0]", "did you mean 'filter'"),
    ],
)
def test_a_bad_view_in_the_config_exits_2_naming_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], view: str, key: str, said: str
) -> None:
    config = write(tmp_path / "c.toml", f"{PROVIDER}\n[[views]]\n{view}\n")
    assert main(["runs", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and key in err and said in err


def test_two_views_of_one_name_exit_2_naming_the_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(
        tmp_path / "c.toml", f'{PROVIDER}\n[[views]]\nname = "A"\n[[views]]\nname = "a"\n'
    )
    assert main(["runs", "--config", str(config)]) == 2
    assert "views[1].name: duplicate view name" in capsys.readouterr().err


def test_a_bad_views_toml_beside_the_config_stops_the_app_naming_that_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path / "c.toml", f'{PROVIDER}\n[[views]]\nname = "Mine"\n')
    saved = write(tmp_path / "views.toml", '[[views]]\nname = "ok"\n[[views]]\nname = "mine"\n')
    assert main(["--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(saved) in err and "views[1].name: duplicate view name" in err
    write(saved, '[[views]]\nname = "ok"\nsort = "nope"\n')
    assert main(["--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(saved) in err and "views[0].sort" in err


def test_a_views_columns_are_the_tables_columns() -> None:
    """`columns = [...]` takes exactly the runs table's column keys (core cannot import the UI,
    so the two lists are checked against each other here)."""
    from qa_tui.core.config.views import COLUMN_KEYS
    from qa_tui.ui.runs.run_line import COLUMNS

    assert tuple(column.key for column in COLUMNS) == COLUMN_KEYS
