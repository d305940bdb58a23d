"""`qa-tui runs`: every provider at once, newest first; failures on stderr and exit 1; JSON keeps
the providers' exact strings while the human table never lets them drive the terminal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

import qa_tui.cli.headless as headless
from qa_tui.cli.main import main
from qa_tui.core.config.tables import Config
from qa_tui.core.errors import AuthFailed
from qa_tui.core.model import Progress, RunStatus
from qa_tui.core.providers.base import RunPage, RunSource
from tests.support.fakes import FakeSource, make_run

CONFIG = (
    '[[providers]]\nname = "web"\nkind = "bugbug"\ntoken = "tok-web-SECRET"\n'
    '[[providers]]\nname = "mobile"\nkind = "bugbug"\ntoken = "tok-mobile-SECRET"\n'
)
HOSTILE_NAME = "login \x1b]52;c;ZXZpbA==\x07 [bold]x[/] \u202eevil\u202c 🎉 \ud800 end"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(CONFIG, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def web() -> FakeSource:
    source = FakeSource("web")
    source.put(
        make_run("w1", RunStatus.PASSED, minutes_ago=30),
        make_run(
            "w2", RunStatus.RUNNING, minutes_ago=1, raw="paused", progress=Progress(done=2, total=5)
        ),
    )
    return source


@pytest.fixture
def mobile() -> FakeSource:
    source = FakeSource("mobile")
    source.put(make_run("m1", RunStatus.FAILED, provider="mobile", minutes_ago=10))
    return source


def use_sources(monkeypatch: pytest.MonkeyPatch, *sources: FakeSource) -> list[str]:
    """Make `runs` use these fakes; returns the provider names it asked for."""
    asked: list[str] = []

    def build(config: Config, **_: object) -> Sequence[RunSource]:  # clock, transport, triggers
        asked.extend(p.name for p in config.providers)
        return [s for s in sources if s.name in asked]

    monkeypatch.setattr(headless, "build_sources", build)
    return asked


def test_runs_json_lists_every_provider_newest_first(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config_file: Path,
    web: FakeSource,
    mobile: FakeSource,
) -> None:
    use_sources(monkeypatch, web, mobile)
    assert main(["runs", "--json", "--config", str(config_file)]) == 0
    captured = capsys.readouterr()
    runs = json.loads(captured.out)
    assert [r["id"] for r in runs] == ["w2", "m1", "w1"]
    first = runs[0]
    assert first["provider"] == "web" and first["provider_kind"] == "bugbug"
    assert (first["status"], first["provider_status"]) == ("running", "paused")
    assert first["progress"] == {"done": 2, "total": 5}
    assert first["started"].startswith("2026-01-01T11:59:00")
    for key in (
        "kind",
        "name",
        "ended",
        "duration_s",
        "url",
        "error",
        "parent_id",
        "triggered_by",
        "note",
    ):
        assert key in first
    assert captured.err == ""


def test_a_failing_provider_is_one_stderr_line_and_exit_1_the_rest_still_printed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config_file: Path,
    web: FakeSource,
    mobile: FakeSource,
) -> None:
    mobile.fail_with = AuthFailed("mobile", "Invalid token.", status_code=401)
    use_sources(monkeypatch, web, mobile)
    assert main(["runs", "--json", "--config", str(config_file)]) == 1
    captured = capsys.readouterr()
    assert [r["id"] for r in json.loads(captured.out)] == ["w2", "w1"]
    assert captured.err.strip() == "qa-tui: mobile: auth: Invalid token."
    assert "SECRET" not in captured.out + captured.err


async def test_a_crashing_client_does_not_hide_the_other_providers(web: FakeSource) -> None:
    class Broken(FakeSource):
        async def list_runs(
            self,
            *,
            limit: int = 100,
            status: RunStatus | None = None,
            since: datetime | None = None,
        ) -> RunPage:
            raise RuntimeError("boom tok-SECRET")

    gathered = await headless.gather_runs([web, Broken("mobile")], limit=10, status=None)
    assert [r.id for r in gathered.runs] == ["w2", "w1"]
    assert gathered.failures == ["mobile: unexpected RuntimeError"]


async def test_limit_and_status_apply_per_provider(web: FakeSource, mobile: FakeSource) -> None:
    gathered = await headless.gather_runs([web, mobile], limit=1, status=None)
    assert [r.id for r in gathered.runs] == ["w2", "m1"]
    gathered = await headless.gather_runs([web, mobile], limit=10, status=RunStatus.PASSED)
    assert [r.id for r in gathered.runs] == ["w1"]


def test_provider_option_asks_only_that_provider(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config_file: Path,
    web: FakeSource,
    mobile: FakeSource,
) -> None:
    asked = use_sources(monkeypatch, web, mobile)
    assert main(["runs", "--json", "--config", str(config_file), "--provider", "mobile"]) == 0
    assert asked == ["mobile"]
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["m1"]


def test_json_keeps_the_providers_exact_characters(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], config_file: Path
) -> None:
    source = FakeSource("web")
    source.put(make_run("h1", name=HOSTILE_NAME, error="line1\nline2"))
    use_sources(monkeypatch, source)
    assert main(["runs", "--json", "--config", str(config_file)]) == 0
    out = capsysbinary.readouterr().out
    [run] = json.loads(out)
    assert run["name"] == HOSTILE_NAME
    assert run["error"] == "line1\nline2"
    assert b"\x1b" not in out and b"\x07" not in out  # JSON escapes make control characters inert
    assert "🎉".encode() in out  # non-ASCII kept as UTF-8, not \\u-escaped


def test_the_human_table_shows_hostile_strings_escaped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    source = FakeSource("web")
    source.put(make_run("h1", name=HOSTILE_NAME, raw="running\x1b[2J"))
    use_sources(monkeypatch, source)
    assert main(["runs", "--config", str(config_file)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\ud800" not in out
    assert "\\x1b]52" in out and "\\u202e" in out
    header, row = out.splitlines()
    assert header.split()[:4] == ["PROVIDER", "KIND", "STATUS", "NAME"]
    assert "running (running\\x1b[2J)" in row


def test_the_human_table_aligns_columns_and_says_when_empty(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config_file: Path,
    web: FakeSource,
) -> None:
    use_sources(monkeypatch, web)
    assert main(["runs", "--config", str(config_file), "--provider", "web"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[1].index("running") == lines[0].index("STATUS")
    assert lines[1].index("paused") > 0 and "2/5" in lines[1]

    use_sources(monkeypatch, FakeSource("web"))
    assert main(["runs", "--config", str(config_file), "--provider", "web"]) == 0
    assert "(no runs)" in capsys.readouterr().out


def test_runs_as_markdown_names_each_runs_facts_and_no_provider_string_is_markdown(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], config_file: Path
) -> None:
    """GIVEN a failed run whose name, error and link are hostile WHEN `runs --format markdown`
    THEN each run is a block with its test, provider, status, link and error, and what the
    provider sent is plain text: no escape, no emphasis, no link to a javascript: address, no
    way out of the error's code fence."""
    source = FakeSource("web")
    hostile = make_run(
        "h1",
        RunStatus.FAILED,
        name="**urgent** [click](javascript:alert(1)) \x1b[2J",
        error="Timeout\n```\n# not a heading",
    )
    source.put(hostile.model_copy(update={"url": "https://app.example/runs/h1 (x)"}))
    source.put(make_run("h2", RunStatus.PASSED, minutes_ago=60))
    use_sources(monkeypatch, source)
    assert main(["runs", "--format", "markdown", "--config", str(config_file)]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "\x1b" not in out
    first, second = out.split("\n\n**PASSED**")
    assert first.startswith("**FAILED** · \\*\\*urgent\\*\\* \\[click\\](javascript:alert(1))")
    assert "- **Provider:** web (bugbug), test run h1" in first
    assert (
        "- **Link:** [https://app.example/runs/h1 (x)](https://app.example/runs/h1%20%28x%29)"
        in first
    )
    assert "````text\nTimeout\n```\n# not a heading\n````" in first
    assert "run h2" in second
