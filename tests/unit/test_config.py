"""Config: what a user writes becomes a valid `Config`, or one line naming the file and the key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qa_tui.core.config.tables import (
    Config,
    ConfigFileMissing,
    NotifyConfig,
    expand_env,
    is_loopback,
    load_config,
    warn_if_world_readable,
)
from qa_tui.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"
EXAMPLE_ENV = {
    "BUGBUG_TOKEN": "bugbug-secret-111",
    "BUGBRAIN_TOKEN": "bugbrain-secret-222",
    "BUG0_API_KEY": "bug0-secret-333",
    "BUGNET_TOKEN": "bugnet-secret-444",
    "REDIS_PASSWORD": "redis-secret-555",
}
MINIMAL = '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "tok-123"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def example_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in EXAMPLE_ENV.items():
        monkeypatch.setenv(name, value)
    return EXAMPLE_ENV


def test_the_example_config_loads_with_its_variables_set(example_env: dict[str, str]) -> None:
    """GIVEN config.example.toml and the variables it names WHEN loaded THEN every table is there."""
    config = load_config(EXAMPLE)
    assert [(p.name, p.kind) for p in config.providers] == [
        ("web", "bugbug"),
        ("plans", "bugbrain"),
        ("preview", "bug0"),
    ]
    assert config.providers[0].token.get_secret_value() == example_env["BUGBUG_TOKEN"]
    assert config.tracker is not None
    assert config.tracker.project == "my-cool-game"
    assert config.tracker.token is not None
    assert config.tracker.token.get_secret_value() == example_env["BUGNET_TOKEN"]
    assert config.notify == NotifyConfig()  # the example shows every default
    assert config.team is not None and config.team.lease_s == 10
    assert config.team.password is not None
    assert config.team.password.get_secret_value() == example_env["REDIS_PASSWORD"]


def test_the_example_documents_every_key_of_every_table() -> None:
    """Every field of every section appears in config.example.toml (set or commented out)."""
    from qa_tui.core.config.tables import (
        GitHubConfig,
        HistoryConfig,
        NotifyConfig,
        ProviderConfig,
        TeamConfig,
        TrackerConfig,
    )

    text = EXAMPLE.read_text(encoding="utf-8")
    models = (ProviderConfig, TrackerConfig, NotifyConfig, TeamConfig, HistoryConfig, GitHubConfig)
    for model in models:
        for key in model.model_fields:
            assert f"\n{key} = " in text or f"\n# {key} = " in text, key


def test_defaults_follow_the_kind(tmp_path: Path) -> None:
    """Budgets and auth styles default per kind; timeouts, TLS and http safety have safe defaults."""
    config = load_config(
        write(
            tmp_path,
            MINIMAL
            + '[[providers]]\nname = "plans"\nkind = "bugbrain"\ntoken = "k"\nproject_id = "p"\n'
            + '[[providers]]\nname = "pr"\nkind = "bug0"\ntoken = "k"\nproject_id = "p"\n',
        )
    )
    web, plans, pr = config.providers
    assert (web.requests_per_minute, plans.requests_per_minute, pr.requests_per_minute) == (
        60,
        30,
        10,
    )
    assert (plans.auth_style, pr.auth_style) == ("bearer", "api-key")
    assert web.base_url is None
    assert (web.timeout_s, web.verify_tls, web.allow_insecure_http) == (15.0, True, False)
    assert config.tracker is None


def test_the_tracker_has_bugnet_defaults(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, MINIMAL + '[tracker]\nproject = "game"\napi_key = "sk_live_x"\n')
    )
    assert config.tracker is not None
    assert config.tracker.base_url == "https://api.bugnet.io"
    assert config.tracker.requests_per_minute == 120
    assert (config.tracker.default_priority, config.tracker.default_category) == ("medium", "other")
    assert config.tracker.labels == []


def test_an_explicit_auth_style_and_plain_http_to_loopback_are_accepted(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[[providers]]\nname = "b"\nkind = "bugbrain"\ntoken = "k"\nproject_id = "p"\n'
            'auth_style = "x-api-key"\nbase_url = "http://127.0.0.1:8765/bugbrain/api/v1"\n',
        )
    )
    assert config.providers[0].auth_style == "x-api-key"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.1", "::1"])
def test_loopback_hosts_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "localhost.example.com", "0.0.0.0"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


# --- ${VAR} --------------------------------------------------------------------------------------


def test_variables_are_replaced_in_any_string_value_and_dollar_dollar_escapes() -> None:
    raw = {"a": "x-${ONE}-${TWO}", "b": ["${ONE}", 3], "c": {"d": "$${ONE} and $$ and $x"}}
    env = {"ONE": "1", "TWO": "2"}
    assert expand_env(raw, "f.toml", env=env) == {
        "a": "x-1-2",
        "b": ["1", 3],
        "c": {"d": "${ONE} and $$ and $x"},
    }


def test_a_value_from_the_environment_is_not_expanded_again() -> None:
    assert expand_env({"a": "${ONE}"}, "f", env={"ONE": "${TWO}", "TWO": "no"}) == {"a": "${TWO}"}


def test_an_unset_variable_names_the_key_path_and_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QA_TUI_TEST_UNSET", raising=False)
    path = write(
        tmp_path,
        MINIMAL + MINIMAL.replace('"web"', '"two"').replace("tok-123", "${QA_TUI_TEST_UNSET}"),
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "providers[1].token"
    assert "QA_TUI_TEST_UNSET" in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_variable_set_to_an_empty_string_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_TUI_TEST_EMPTY", "")
    config = load_config(write(tmp_path, MINIMAL.replace("tok-123", "a${QA_TUI_TEST_EMPTY}b")))
    assert config.providers[0].token.get_secret_value() == "ab"


# --- errors: one line, the file, the key ---------------------------------------------------------

BAD_CONFIGS: list[tuple[str, str, str, str]] = [
    # (what, TOML, key path, words expected in the message)
    ("unknown key", MINIMAL + 'tokn = "x"\n', "providers[0].tokn", "did you mean 'token'"),
    ("missing token", MINIMAL.replace('token = "tok-123"\n', ""), "providers[0].token", "missing"),
    ("missing kind", MINIMAL.replace('kind = "bugbug"\n', ""), "providers[0].kind", "missing"),
    (
        "bad kind",
        MINIMAL.replace('"bugbug"', '"bugbugg"'),
        "providers[0].kind",
        "'bugbug', 'bugbrain' or 'bug0'",
    ),
    ("token not a string", MINIMAL.replace('"tok-123"', "123"), "providers[0].token", "a string"),
    ("timeout a string", MINIMAL + 'timeout_s = "5"\n', "providers[0].timeout_s", "a number"),
    (
        "zero budget",
        MINIMAL + "requests_per_minute = 0\n",
        "providers[0].requests_per_minute",
        "greater than 0",
    ),
    ("infinite timeout", MINIMAL + "timeout_s = inf\n", "providers[0].timeout_s", "finite"),
    ("tls not a bool", MINIMAL + 'verify_tls = "no"\n', "providers[0].verify_tls", "true or false"),
    ("empty name", MINIMAL.replace('"web"', '""'), "providers[0].name", "empty"),
    ("duplicate name", MINIMAL + MINIMAL, "providers[1].name", "duplicate provider name 'web'"),
    (
        "bugbrain without project",
        MINIMAL + '[[providers]]\nname = "b"\nkind = "bugbrain"\ntoken = "k"\n',
        "providers[1].project_id",
        "required",
    ),
    (
        "bad auth style",
        '[[providers]]\nname = "z"\nkind = "bug0"\ntoken = "k"\nproject_id = "p"\nauth_style = "bearer"\n',
        "providers[0].auth_style",
        "api-key, service-token",
    ),
    (
        "insecure http",
        MINIMAL + 'base_url = "http://qa.example.com"\n',
        "providers[0].base_url",
        "allow_insecure_http",
    ),
    ("not a url", MINIMAL + 'base_url = "app.bugbug.io"\n', "providers[0].base_url", "http"),
    (
        "credentials in the url",
        MINIMAL + 'base_url = "https://ci:tok-123@app.bugbug.io"\n',
        "providers[0].base_url",
        "must not hold credentials",
    ),
    ("no providers", "", "providers", "at least one [[providers]]"),
    ("providers not tables", "providers = 3\n", "providers", "a list"),
    ("unknown section", MINIMAL + "[colours]\ntheme = 'dark'\n", "colours", "unknown key"),
    (
        "ui read_only not a bool",
        MINIMAL + "[ui]\nread_only = 'yes'\n",
        "ui.read_only",
        "true or false",
    ),
    (
        "production not a bool",
        MINIMAL + "production = 'no'\n",
        "providers[0].production",
        "true or false",
    ),
    ("keys not text", MINIMAL + "[keys]\n'runs.stop' = 3\n", "keys.runs.stop", "string"),
    (
        "tracker without auth",
        MINIMAL + '[tracker]\nproject = "g"\n',
        "tracker.token",
        "email + password",
    ),
    ("tracker without project", MINIMAL + '[tracker]\ntoken = "t"\n', "tracker.project", "missing"),
    (
        "tracker email alone",
        MINIMAL + '[tracker]\nproject = "g"\nemail = "a@b.c"\n',
        "tracker.password",
        "required",
    ),
    (
        "tracker bad priority",
        MINIMAL + '[tracker]\nproject = "g"\ntoken = "t"\ndefault_priority = "urgent"\n',
        "tracker.default_priority",
        "'low', 'medium', 'high' or 'critical'",
    ),
    (
        "tracker labels",
        MINIMAL + '[tracker]\nproject = "g"\ntoken = "t"\nlabels = "qa"\n',
        "tracker.labels",
        "a list",
    ),
    (
        "tracker insecure",
        MINIMAL + '[tracker]\nproject = "g"\ntoken = "t"\nbase_url = "http://bugs.example.com"\n',
        "tracker.base_url",
        "unencrypted",
    ),
    ("bad ${", MINIMAL.replace("tok-123", "${not closed"), "providers[0].token", "$${"),
    (
        "github unknown key",
        MINIMAL + "[github]\ntokn = 'x'\n",
        "github.tokn",
        "did you mean 'token'",
    ),
    ("github token a number", MINIMAL + "[github]\ntoken = 5\n", "github.token", "a string"),
    (
        "github insecure",
        MINIMAL + '[github]\napi_url = "http://ghe.example.com/api/v3"\n',
        "github.api_url",
        "unencrypted",
    ),
    (
        "github not a url",
        MINIMAL + '[github]\napi_url = "api.github.com"\n',
        "github.api_url",
        "http",
    ),
    (
        "github credentials in the url",
        MINIMAL + '[github]\napi_url = "https://x:tok-123@api.github.com"\n',
        "github.api_url",
        "must not hold credentials",
    ),
    (
        "github zero budget",
        MINIMAL + "[github]\nrequests_per_minute = 0\n",
        "github.requests_per_minute",
        "greater than 0",
    ),
    (
        "status context on bugbug",
        MINIMAL + 'status_context = "*bug0*"\n',
        "providers[0].status_context",
        "only a bug0 provider",
    ),
    (
        "empty status context",
        '[[providers]]\nname = "z"\nkind = "bug0"\ntoken = "k"\nproject_id = "p"\nstatus_context = " "\n',
        "providers[0].status_context",
        "must not be empty",
    ),
    (
        "github token unset",
        MINIMAL + '[github]\ntoken = "${QA_TUI_NO_SUCH_VAR}"\n',
        "github.token",
        "QA_TUI_NO_SUCH_VAR",
    ),
]


@pytest.mark.parametrize(
    ("what", "text", "key", "words"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS]
)
def test_a_bad_config_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, what: str, text: str, key: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert caught.value.key == key, message
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message, message
    assert "\n" not in message
    assert "tok-123" not in message


def test_github_defaults_to_github_com_and_the_gh_fallback_with_the_bug0_context(
    tmp_path: Path,
) -> None:
    """GIVEN a config with a Bug0 provider and no [github] table WHEN loaded THEN GitHub is
    api.github.com at 60 a minute with no token of its own (gh's is looked for later), and the
    provider reads the statuses matching `*bug0*`; a GHE table keeps its own api_url."""
    bug0 = '[[providers]]\nname = "z"\nkind = "bug0"\ntoken = "k"\nproject_id = "p"\n'
    config = load_config(write(tmp_path, bug0))
    assert config.github.api_url == "https://api.github.com"
    assert (config.github.token, config.github.requests_per_minute) == (None, 60.0)
    assert config.providers[0].status_context is None  # the source reads it as *bug0*
    ghe = bug0 + 'status_context = "Bug0*"\n[github]\napi_url = "https://ghe.example/api/v3"\n'
    config = load_config(write(tmp_path, ghe))
    assert config.github.api_url == "https://ghe.example/api/v3"
    assert config.providers[0].status_context == "Bug0*"
    assert "github" in config.model_fields_set


def test_a_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "timeout_s = = 3\n")
    with pytest.raises(ConfigError, match=r"TOML syntax error: .*line 5") as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_its_own_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileMissing, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[[providers]]\nname = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


# --- secrets -------------------------------------------------------------------------------------


def test_repr_and_str_of_a_config_never_show_a_secret(
    example_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in ("email", "password", "api_key"):
        text = text.replace(f"# {key} = ", f"{key} = ")
    env = {**example_env, "BUGNET_PASSWORD": "hunter2-secret", "BUGNET_API_KEY": "sk_live_secret"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(write(tmp_path, text))
    shown = repr(config) + str(config) + repr(config.providers) + repr(config.tracker)
    shown += config.model_dump_json()
    for secret in env.values():
        assert secret not in shown


@pytest.mark.parametrize("key", ["token", "password", "api_key"])
def test_a_bad_secret_value_is_never_echoed(tmp_path: Path, key: str) -> None:
    """A secret of the wrong type (here a table holding the value) is reported without its value."""
    text = MINIMAL + f'[tracker]\nproject = "g"\n{key} = ["p4ssw0rd-literal"]\n'
    if key == "password":
        text += 'email = "a@b.c"\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert caught.value.key == f"tracker.{key}"
    assert "p4ssw0rd-literal" not in str(caught.value)


def test_a_secret_in_a_literal_field_is_not_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even an enum error does not repeat a token pasted into the wrong place."""
    monkeypatch.setenv("QA_TUI_TEST_TOKEN", "tok-from-env")
    text = MINIMAL + '[tracker]\nproject = "g"\ntoken = "t"\nkind = "${QA_TUI_TEST_TOKEN}"\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert caught.value.key == "tracker.kind"
    assert "tok-from-env" not in str(caught.value)


# --- file permissions ----------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_config_readable_by_others_is_warned_about(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    path.chmod(0o644)
    warning = warn_if_world_readable(path)
    assert warning is not None
    assert "chmod 600" in warning and "0644" in warning
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert warn_if_world_readable(path) is None


def test_a_config_can_be_built_in_code_too() -> None:
    config = Config.model_validate(
        {
            "providers": [
                {"name": "web", "kind": "bugbug", "token": "t", "base_url": "https://x.test"}
            ]
        }
    )
    assert config.providers[0].base_url == "https://x.test"
