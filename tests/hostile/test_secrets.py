"""Secrets stay secret: no token, key or password in logs (httpx and httpcore at DEBUG included),
errors shown, reprs, screenshots or `runs` output; TLS verified by default; no plain http to the
network unless allowed; a config other users can read is warned about.

The tests search for the actual credential strings the simulator accepts."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from qa_tui.cli.main import main
from qa_tui.core.config.tables import Config, load_config
from qa_tui.core.engine import Engine, EngineSettings
from qa_tui.core.errors import ProviderError
from qa_tui.core.http.budget import RequestBudget
from qa_tui.core.http.session import ProviderHttp, RetryPolicy
from qa_tui.core.providers import bug0, bugbrain, bugbug
from qa_tui.core.providers.bugnet import BugnetClient
from qa_tui.core.providers.registry import build_sources, build_tracker, provider_http
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.core.runs.store import RunStore
from qa_tui.sim import credentials
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs.runs_table import RunsTable
from tests.support.pilot import toasts_on_screen, toasts_since, wait_until

SECRETS = (
    credentials.BUGBUG_TOKEN,
    credentials.BUGBRAIN_API_KEY,
    credentials.BUG0_API_KEY,
    credentials.BUGNET_TOKEN,
    credentials.BUGNET_API_KEY,
    credentials.BUGNET_PASSWORD,
)


def leaked(text: str, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    return [secret for secret in secrets if secret in text]


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    with start_in_thread(port=0, seed=11) as running:
        yield running


@pytest.fixture
def config(sim: RunningSim) -> Config:
    import tomllib

    return Config.model_validate(tomllib.loads(render_config(sim.base_url)))


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "asyncio", "textual"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every record's message, and its raw arguments too (a handler may format them differently)."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


async def test_the_app_against_the_real_socket_leaks_no_secret_anywhere_it_shows_or_logs(
    sim: RunningSim, config: Config, debug_logs: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """GIVEN the app on every provider over loopback, logging at DEBUG, a revoked token and 5xx
    WHEN it runs, shows failures and is screenshotted THEN no credential appears anywhere."""
    sources = build_sources(config, triggers=TriggerLog(tmp_path / "t.sqlite"))
    fast = EngineSettings(active_interval_s=0.1, idle_interval_s=0.1, max_backoff_s=0.2)
    engine = Engine(sources, RunStore(), settings=fast)
    app = QaTuiApp(engine, tick_seconds=0)
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.query_one(RunsTable)
        await wait_until(pilot, lambda: len(table.order) > 10, what="runs listed")
        sim.sim.revoke("bugbug")
        sim.sim.faults.set("bugbrain", error_rate=1.0)
        await wait_until(
            pilot,
            lambda: "auth failed" in str(app.dashboard.health_bar.render()),
            what="auth failed chip",
        )
        dashboard = app.export_screenshot()
        told = toasts_on_screen(app)
        await pilot.press("x", "y", "r", "y", "enter")  # actions that fail and say why
        await wait_until(  # the re-run on the failing provider says why (x: no run to stop)
            pilot,
            lambda: any("failed" in message for message in toasts_since(app, told)),
            what="the failed re-run said why",
        )
        screenshot = dashboard + app.export_screenshot()
        notes = "\n".join(n.message for n in app._notifications)
        sim.sim.restore("bugbug")
        sim.sim.faults.clear()
    for source in sources:
        await source.aclose()
    assert "auth&#160;failed" in dashboard
    assert not leaked(screenshot)
    assert not leaked(notes)
    assert any(r.name.startswith(("httpx", "httpcore")) for r in debug_logs.records)
    assert not leaked(all_log_text(debug_logs))


async def test_logging_in_to_bugnet_with_a_password_leaks_neither_it_nor_the_session_token(
    sim: RunningSim, debug_logs: pytest.LogCaptureFixture
) -> None:
    http = ProviderHttp(
        "bugnet", f"{sim.base_url}/bugnet", budget=RequestBudget(6000), verify_tls=True
    )
    client = BugnetClient(
        http,
        project=credentials.BUGNET_PROJECT,
        email=credentials.BUGNET_EMAIL,
        password=credentials.BUGNET_PASSWORD,
    )
    page = await client.list_bugs(limit=5)
    session = client._calls._session.get_secret_value() if client._calls._session else ""
    assert page.bugs and session
    sim.sim.revoke("bugnet")
    with pytest.raises(ProviderError) as caught:
        await client.list_bugs(limit=5)
    sim.sim.restore("bugnet")
    await client.aclose()
    shown = str(caught.value) + repr(caught.value) + repr(client) + str(client)
    assert not leaked(shown + all_log_text(debug_logs), (*SECRETS, session))


# --- a provider that echoes the credentials it was sent back into its error text --------------


def echoing(status: int) -> httpx.MockTransport:
    """Every answer is `status` with every request header value in each error field."""

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = " ".join(f"{k}={v}" for k, v in request.headers.items())
        body = {"detail": f"rejected: {echoed}", "error": {"message": f"bad: {echoed}"}}
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def session(provider: str, headers: dict[str, str], status: int) -> ProviderHttp:
    return ProviderHttp(
        provider,
        "https://provider.test",
        headers=headers,
        budget=RequestBudget(60000),
        transport=echoing(status),
        retry=RetryPolicy(attempts=1),
    )


async def _error_of(call: Any) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await call
    return caught.value


@pytest.mark.parametrize("status", [401, 400, 404, 500])
async def test_a_credential_echoed_by_a_provider_never_reaches_an_error_message(
    status: int,
) -> None:
    """Providers sometimes repeat the key they refused ("invalid key sk_live_..."): shown errors
    carry the provider's text, so the HTTP layer blanks its own credentials out of it."""
    errors = [
        await _error_of(
            bugbug.BugBugSource(
                "web", session("web", bugbug.auth_headers(credentials.BUGBUG_TOKEN), status)
            ).list_runs(limit=5)
        ),
        await _error_of(
            bugbrain.BugBrainSource(
                "plans",
                session("plans", bugbrain.auth_headers(credentials.BUGBRAIN_API_KEY), status),
                project_id="p1",
            ).list_runs(limit=5)
        ),
        await _error_of(
            bug0.Bug0Source(
                "previews",
                session("previews", bug0.auth_headers(credentials.BUG0_API_KEY), status),
                project_id="p1",
                triggers=TriggerLog(":memory:"),
            ).trigger(url="https://preview.test")
        ),
        await _error_of(
            BugnetClient(
                session("bugnet", {}, status), project="g", token=credentials.BUGNET_TOKEN
            ).list_bugs()
        ),
        await _error_of(
            BugnetClient(
                session("bugnet", {}, status), project="g", api_key=credentials.BUGNET_API_KEY
            ).settings()
        ),
    ]
    for error in errors:
        shown = f"{error} {error!r} {error.message}"
        assert "rejected" in shown or "bad" in shown or str(status) in shown
        assert not leaked(shown), shown


def test_reprs_of_config_sources_sessions_and_tracker_hold_no_secret(
    config: Config, tmp_path: Path
) -> None:
    tracker = build_tracker(config)
    sources = build_sources(config, triggers=TriggerLog(tmp_path / "t.sqlite"))
    shown = [repr(config), str(config), repr(tracker), str(tracker)]
    for source in sources:
        shown += [repr(source), str(source), repr(getattr(source, "http", None))]
    shown += [repr(provider_http(p)) for p in config.providers]
    assert not leaked("\n".join(shown))


def test_a_url_with_credentials_in_it_is_shown_without_them() -> None:
    http = ProviderHttp("web", "https://ci:s3cr3t-in-url@bugbug.example", budget=RequestBudget(60))
    assert "s3cr3t-in-url" not in repr(http)


async def test_a_network_error_names_the_host_but_not_credentials_in_the_url() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = ProviderHttp(
        "web",
        "https://ci:s3cr3t-in-url@bugbug.example",
        budget=RequestBudget(60000),
        transport=httpx.MockTransport(refuse),
    )
    http.retry = type(http.retry)(attempts=1)
    error = await _error_of(http.get_json("/api/v2/testruns/"))
    assert "bugbug.example" in str(error)
    assert "s3cr3t-in-url" not in str(error)


# --- the command line ----------------------------------------------------------------------


def test_runs_output_for_scripts_and_humans_holds_no_secret_even_when_a_provider_fails(
    sim: RunningSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.toml"
    path.write_text(render_config(sim.base_url), encoding="utf-8")
    path.chmod(0o600)
    assert main(["runs", "--json", "--config", str(path)]) == 0
    first = capsys.readouterr()
    assert json.loads(first.out)
    sim.sim.revoke("bugbrain")
    assert main(["runs", "--config", str(path)]) == 1
    second = capsys.readouterr()
    sim.sim.restore("bugbrain")
    assert "auth" in second.err
    assert not leaked(first.out + first.err + second.out + second.err)


def test_a_config_other_users_can_read_is_warned_about_by_the_cli(
    sim: RunningSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.toml"
    path.write_text(render_config(sim.base_url), encoding="utf-8")
    path.chmod(0o644)
    main(["runs", "--json", "--config", str(path)])
    err = capsys.readouterr().err
    assert "readable by other users" in err and "chmod 600" in err
    assert not leaked(err)
    path.chmod(0o600)
    main(["runs", "--json", "--config", str(path)])
    assert "readable by other users" not in capsys.readouterr().err


# --- TLS and plain http --------------------------------------------------------------------


def _ssl_context(http: ProviderHttp) -> ssl.SSLContext:
    transport = http._client._transport
    pool = transport._pool  # type: ignore[attr-defined]
    context: ssl.SSLContext = pool._ssl_context
    return context


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


PROVIDERS_TOML = (
    '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "t"\n'
    '[[providers]]\nname = "plans"\nkind = "bugbrain"\ntoken = "t"\nproject_id = "p"\n'
    '[[providers]]\nname = "pr"\nkind = "bug0"\ntoken = "t"\nproject_id = "p"\n'
    '[tracker]\nproject = "g"\ntoken = "t"\n'
)


def test_tls_certificates_are_verified_by_default_for_every_provider_and_the_tracker(
    tmp_path: Path,
) -> None:
    config = load_config(_write(tmp_path, PROVIDERS_TOML))
    sessions = [provider_http(p) for p in config.providers]
    tracker = build_tracker(config)
    assert tracker is not None
    for http in [*sessions, tracker.http]:
        context = _ssl_context(http)
        assert context.verify_mode is ssl.CERT_REQUIRED, http
        assert context.check_hostname, http


def test_tls_verification_is_off_only_where_the_config_says_so(tmp_path: Path) -> None:
    text = PROVIDERS_TOML.replace('token = "t"\n', 'token = "t"\nverify_tls = false\n', 1)
    config = load_config(_write(tmp_path, text))
    web, plans, _ = (provider_http(p) for p in config.providers)
    assert _ssl_context(web).verify_mode is ssl.CERT_NONE
    assert _ssl_context(plans).verify_mode is ssl.CERT_REQUIRED


def test_plain_http_to_the_network_needs_an_explicit_yes(tmp_path: Path) -> None:
    insecure = PROVIDERS_TOML.replace(
        'kind = "bugbug"\n', 'kind = "bugbug"\nbase_url = "http://bugbug.internal"\n'
    )
    with pytest.raises(Exception, match="allow_insecure_http"):
        load_config(_write(tmp_path, insecure))
    allowed = insecure.replace(
        'base_url = "http://bugbug.internal"\n',
        'base_url = "http://bugbug.internal"\nallow_insecure_http = true\n',
    )
    assert load_config(_write(tmp_path, allowed)).providers[0].base_url == "http://bugbug.internal"


def test_secret_config_values_are_secret_types() -> None:
    """A secret is a SecretStr from the file on: nothing can print it by accident."""
    from qa_tui.core.config.tables import ProviderConfig, TrackerConfig

    assert ProviderConfig.model_fields["token"].annotation is SecretStr
    for key in ("token", "password", "api_key"):
        assert TrackerConfig.model_fields[key].annotation == SecretStr | None
