"""Whichever reading of the docs a server speaks, what a user relies on holds: `runs --json`
lists every run once, `incidents` finds the planted outage exactly, `flaky` the planted flaky
tests, and `doctor --probe` names what it met. One world per reading (tests/dialects/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.dialects.conftest import PROVIDER_NAMES, World

EXPECTED_SHAPES: dict[str, tuple[str, str, Any]] = {
    "default": ("web", "pagination", "next-absolute"),
    "bugbug.next=relative": ("web", "pagination", "next-relative"),
    "bugbug.next=null": ("web", "pagination", "page-numbers"),
    "bugbug.next=other-host": ("web", "pagination", "next-other-host"),
    "bugbug.page_size=fixed": ("web", "page_size", "fixed 25"),
    "bugbug.page_size=capped": ("web", "page_size", "capped 50"),
    "bugbug.steps_runs=array": ("web", "steps_runs", "array"),
    "bugbug.steps_runs=opaque": ("web", "steps_runs", "opaque"),
    "bugbug.steps_runs=empty": ("web", "steps_runs", "absent"),
    "bugbug.suite_ordering=ignored": ("web", "suite_ordering", "ignored"),
    "bugbug.suite_page_size=ignored": ("web", "suite_page_size", "ignored"),
    "bugbug.time_range=ignored": ("web", "time_range", "ignored"),
    "bugbug.duration=seconds": ("web", "steps_runs", "json"),
    "bugbug.duration=suffixed": ("web", "steps_runs", "json"),
    "status_case=upper": ("plans", "status_case", "upper"),
    "status_case=title": ("web", "status_case", "title"),
    "status_words=extra": ("tracker", "unknown_statuses", ["triaged"]),
    "dates=no-zone": ("plans", "dates", "no-zone"),
    "dates=micros": ("plans", "dates", "Z+micros"),
    "dates=offset": ("web", "dates", "offset+micros"),
    "retry_after=http-date": ("web", "pagination", "next-absolute"),
    "rate_headers=absent": ("plans", "rate_limit_headers", []),
    "rate_headers=x-ratelimit": (
        "web",
        "rate_limit_headers",
        ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    ),
    "rate_headers=ratelimit": (
        "plans",
        "rate_limit_headers",
        ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
    ),
    "bugbrain.total=absent": ("plans", "total", "absent"),
    "bugbrain.limit=capped": ("plans", "limit", "capped 20"),
    "bugbrain.auth=bearer": ("plans", "auth", "bearer"),
    "bugbrain.auth=x-api-key": ("plans", "auth", "x-api-key"),
    "bugbrain.progress=absent": ("plans", "progress", "absent"),
    "bugbrain.errors=error-string": ("plans", "errors", "error-string"),
    "bugbrain.errors=detail": ("plans", "errors", "detail"),
    "bugbrain.async_status=200": ("plans", "pagination", "offset"),
    "bugnet.envelope=bare": ("tracker", "envelope", "bare"),
    "bugnet.errors=error-object": ("tracker", "errors", "error-object"),
    "bugnet.errors=detail": ("tracker", "errors", "detail"),
    "bugnet.errors=text": ("tracker", "errors", "text"),
    "bugnet.list=nested": ("tracker", "list", "object:bugs"),
    "bugnet.list=array-only": ("tracker", "list", "array"),
    "bugnet.update=patch": ("tracker", "envelope", "ok-data"),
    "bugnet.update=put": ("tracker", "envelope", "ok-data"),
    "bugnet.similar=absent": ("tracker", "envelope", "ok-data"),
    "hardest-bugbug": ("web", "pagination", "page-numbers"),
}
"""What `doctor --probe` must name in each world: (provider, shape key, value). A reading the
probe cannot see with GETs alone (a POST's answer, a 429's header) is checked elsewhere in the
matrix; its line here names what must still read as usual."""


def test_every_case_of_the_matrix_says_what_the_probe_must_name(world: World) -> None:
    assert world.case in EXPECTED_SHAPES


def test_runs_json_lists_every_run_exactly_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a server speaking this reading WHEN `qa-tui runs --json` lists everything THEN
    every run the server holds is listed, and none twice."""
    code, runs, err = world.qa_tui(capsys, "runs", "--json", "--limit", "2000")
    assert code == 0, err
    listed = Counter((run["provider"], run["id"]) for run in runs)
    assert [key for key, n in listed.items() if n > 1] == []
    truth = {(PROVIDER_NAMES[r["provider"]], r["id"]) for r in world.truth()["runs"]}
    assert set(listed) == truth
    assert all(run["status"] != "unknown" or run["provider_status"] for run in runs)


def test_incidents_finds_the_planted_outage_exactly(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN an outage planted across eight BugBug tests and two BugBrain plans WHEN
    `qa-tui incidents --json` reads the history THEN it is one incident of exactly its runs,
    named by the outage's error (a bare error code never groups runs of different tests)."""
    code, incidents, err = world.qa_tui(capsys, "incidents", "--json", "--since", "24h")
    assert code == 0, err
    triage = world.truth()["triage"]
    outage = {r["id"] for r in triage["runs"] if r["role"] == "outage"}
    assert [sorted(r["id"] for r in incident["runs"]) for incident in incidents] == [sorted(outage)]
    assert triage["outage_error_host"] in incidents[0]["error"]


def test_flaky_finds_the_planted_flaky_tests_and_no_local_run(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN one test flaky on one target per provider, and local runs in the user's own browser
    that fail often WHEN `qa-tui flaky --json` syncs the history THEN exactly the planted
    series are flaky, with their counts (the local runs count for nothing)."""
    code, flaky, err = world.qa_tui(capsys, "flaky", "--json", "--since", "7d")
    assert code == 0, err
    triage = world.truth()["triage"]
    planted = {(PROVIDER_NAMES[f["provider"]], f["target"]) for f in triage["flaky"]}
    assert {(f["provider"], f["target"]) for f in flaky} == planted
    for item in flaky:
        runs = [
            r
            for r in triage["runs"]
            if r["role"] == "flaky" and PROVIDER_NAMES[r["provider"]] == item["provider"]
        ]
        assert item["runs"] == len(runs)


def test_doctor_probe_names_what_it_met_and_writes_nothing(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a server speaking this reading WHEN `qa-tui doctor --probe --json` runs THEN the
    report names it, and the server saw no write (no trigger, no bug, no run started)."""
    before = world.truth()
    code, report, err = world.qa_tui(capsys, "doctor", "--probe", "--json")
    assert code == 0, (err, report)
    name, key, value = EXPECTED_SHAPES[world.case]
    reports = {r["name"]: r for r in [*report["providers"], report["tracker"]]}
    assert reports[name]["shape"][key] == value, reports[name]
    after = world.truth()
    assert after["bug0_triggers"] == before["bug0_triggers"] == []
    assert len(after["bugnet_bugs"]) == len(before["bugnet_bugs"])
    assert {r["id"] for r in after["runs"]} == {r["id"] for r in before["runs"]}
