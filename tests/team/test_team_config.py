"""`[team]` in the config: what is accepted, and one-line errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_tui.core.config.tables import ConfigError, load_config

MINIMAL = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "tok-123"\n'


def load(tmp_path: Path, team: str) -> object:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + "[team]\n" + team, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "rediss://redis.example.com:6380/0", "unix:///run/redis.sock"],
)
def test_redis_urls_that_are_accepted(tmp_path: Path, url: str) -> None:
    load(tmp_path, f'redis_url = "{url}"\n')


@pytest.mark.parametrize(
    ("team", "key", "expected"),
    [
        ('redis_url = "http://x"\n', "team.redis_url", "redis://, rediss:// or unix://"),
        ('redis_url = "redis://redis.example.com"\n', "team.redis_url", "unencrypted"),
        ('redis_url = "redis://localhost"\nlease_s = 1\n', "team.lease_s", "at least 3"),
        ('redis_url = "redis://localhost"\nleas_s = 5\n', "team.leas_s", "did you mean"),
        ("lease_s = 5\n", "team.redis_url", "required"),
    ],
)
def test_bad_team_keys_name_the_file_and_key(
    tmp_path: Path, team: str, key: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, team)
    assert raised.value.key == key
    assert expected in str(raised.value)
    assert "config.toml" in str(raised.value)


def test_a_password_from_the_url_is_never_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, 'redis_url = "redis://:hunter2-secret@redis.example.com:6379"\n')
    assert "hunter2" not in str(raised.value)
