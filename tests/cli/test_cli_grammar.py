"""One grammar for the commands, through the real `qa-tui` binary against the simulator served
on loopback: a provider is named by its name or its kind everywhere, `run` prints what `watch`
takes, `runs` has `--since`, every time printed is RFC 3339 in UTC to the second, and a running
run's duration counts whichever provider runs it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qa_tui.sim import ScenarioSpec
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from tests.support.binary import qa_tui

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TIME_FIELDS = ("queued", "started", "ended")


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSim]:
    """The world `qa-tui sim` serves: flaky tests and an outage planted among the runs."""
    world = ScenarioSpec(triage=True)  # many commands share it: no documented rate limits
    with start_in_thread(
        port=0, seed=7, scenario=world, enforce_documented_limits=False
    ) as running:
        yield running


@pytest.fixture
def config(sim: RunningSim, tmp_path: Path) -> Path:
    path = tmp_path / "sim.toml"
    path.write_text(render_config(sim.base_url), encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def two_bugbugs(sim: RunningSim, config: Path, tmp_path: Path) -> Path:
    """The simulator's config plus a second BugBug provider, `mobile`, on the same account."""
    text = config.read_text(encoding="utf-8")
    web = text[text.index("[[providers]]") : text.index("[[providers]]", text.index("name"))]
    path = tmp_path / "two.toml"
    path.write_text(text + "\n" + web.replace('name = "web"', 'name = "mobile"'), "utf-8")
    path.chmod(0o600)
    return path


def as_json(*argv: str) -> Any:
    done = qa_tui(*argv)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def table(*argv: str) -> list[dict[str, str]]:
    """A human table's rows as {HEADER: cell}, cut at the header's column starts."""
    done = qa_tui(*argv)
    assert done.returncode == 0, done.stderr
    header, *lines = done.stdout.splitlines()
    starts = [m.start() for m in re.finditer(r"(?:(?<=  )|^)\S", header)]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    names = [header[a:b].strip() for a, b in bounds]
    return [
        {name: line[a:b].strip() for name, (a, b) in zip(names, bounds, strict=True)}
        for line in lines
    ]


def test_runs_flaky_and_incidents_take_a_providers_kind_as_well_as_its_name(config: Path) -> None:
    runs = as_json("runs", "--json", "--provider", "bugbrain", "--config", str(config))
    assert runs and {r["provider"] for r in runs} == {"plans"}

    flaky = as_json("flaky", "--json", "--provider", "bugbrain", "--config", str(config))
    assert {f["provider"] for f in flaky} == {"plans"}
    assert "plan tp_mobile_signup" in {f["test"] for f in flaky}  # the planted flaky plan

    argv = ("incidents", "--json", "--since", "7d", "--provider", "bugbug")
    incidents = as_json(*argv, "--config", str(config))
    assert incidents  # the planted staging outage, as BugBug saw it
    assert {r["provider"] for i in incidents for r in i["runs"]} == {"web"}


@pytest.mark.parametrize(
    "argv",
    [
        ("runs", "--provider", "bugbug"),
        ("flaky", "--provider", "bugbug"),
        ("incidents", "--provider", "bugbug"),
        ("run", "bugbug", "Login with email"),
        ("watch", "bugbug:0fe7d17f"),
    ],
    ids=["runs", "flaky", "incidents", "run", "watch"],
)
def test_a_kind_two_providers_share_exits_2_naming_both(
    two_bugbugs: Path, argv: tuple[str, ...]
) -> None:
    done = qa_tui(*argv, "--config", str(two_bugbugs))

    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "'bugbug' is ambiguous" in line and "web, mobile" in line, line
    assert done.stdout == ""


def test_run_prints_provider_and_id_and_watch_takes_it_as_it_took_the_name_before(
    config: Path,
) -> None:
    started = qa_tui("run", "bugbrain", "tp_smoke_web", "--config", str(config))
    assert started.returncode == 0, started.stderr
    ref = started.stdout.strip()
    assert re.fullmatch(r"plans:exec_\w+", ref), started.stdout
    run_id = ref.removeprefix("plans:")

    for given in (ref, f"bugbrain:{run_id}", f"plans:{ref}"):  # the last: `plans:$(qa-tui run…)`
        argv = ("watch", given, "--timeout", "0.5", "--json", "--config", str(config))
        watched = qa_tui(*argv)
        assert watched.returncode in (0, 1, 3, 4), watched.stderr  # found: passed…or still going
        summary = json.loads(watched.stdout)
        assert (summary["run"]["provider"], summary["run"]["id"]) == ("plans", run_id)


def test_runs_since_lists_only_the_runs_started_within_the_span(config: Path) -> None:
    everything = as_json("runs", "--json", "--config", str(config))
    recent = as_json("runs", "--json", "--since", "90m", "--config", str(config))

    cutoff = datetime.now(UTC) - timedelta(minutes=90, seconds=5)

    def began(run: dict[str, Any]) -> datetime:
        """When it began; a run with no time at all (just triggered) is the newest there is."""
        moment = run["started"] or run["queued"] or run["ended"]
        return datetime.fromisoformat(moment) if moment else datetime.now(UTC)

    assert any(began(r) < cutoff for r in everything)  # the world reaches back hours
    assert recent and all(began(r) >= cutoff for r in recent)
    assert {r["provider"] for r in recent} == {"web", "plans"}

    bad = qa_tui("runs", "--since", "2x", "--config", str(config))
    assert bad.returncode == 2
    assert "--since" in bad.stderr and "90m, 24h, 7d" in bad.stderr


def test_every_time_printed_is_rfc3339_utc_to_the_second(config: Path) -> None:
    c = ("--config", str(config))
    runs = as_json("runs", "--json", *c)
    times = [r[f] for r in runs for f in TIME_FIELDS if r[f] is not None]
    assert {r["provider"] for r in runs} == {"web", "plans"}
    flaky = as_json("flaky", "--json", *c)
    times += [f["last_seen"] for f in flaky]
    incidents = as_json("incidents", "--json", "--since", "7d", *c)
    times += [i[f] for i in incidents for f in ("first_seen", "last_seen")]
    assert flaky and incidents
    tables = [row["STARTED"] for row in table("runs", *c) if row["STARTED"] != "-"]
    tables += [row["LAST SEEN"] for row in table("flaky", *c)]
    tables += [row[f] for row in table("incidents", "--since", "7d", *c) for f in ("FIRST", "LAST")]

    assert len(times) > 50 and len(tables) > 20
    assert [t for t in times + tables if not RFC3339.match(t)] == []


def test_a_running_runs_duration_counts_whatever_its_provider(config: Path) -> None:
    c = ("--config", str(config))
    running = as_json("runs", "--json", "--status", "running", *c)
    rows = table("runs", "--status", "running", *c)

    assert {r["provider"] for r in running} == {"web", "plans"}  # BugBug and BugBrain both
    for run in running:
        assert run["started"] is not None
        assert isinstance(run["duration_s"], float) and run["duration_s"] >= 0, run
    assert {row["PROVIDER"] for row in rows} == {"web", "plans"}
    assert all(re.fullmatch(r"\d+s|\d+m\d\ds", row["DURATION"]) for row in rows), rows
