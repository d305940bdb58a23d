"""The flaky rule and incidents: passed and failed on one target within the window is flaky; on
two different targets it is not; an outage is one incident, not many flaky tests."""

from __future__ import annotations

from qa_tui.core.history.fingerprint import fingerprint
from qa_tui.core.history.flaky import find_flaky, triage
from qa_tui.core.history.incidents import group_incidents
from qa_tui.core.history.index import HistoryIndex
from qa_tui.core.history.results import Result
from qa_tui.core.model import RunKind, RunStatus

T = 1_800_000_000.0
OUTAGE = "503 Service Unavailable from GET https://staging.example/api?sid={n} after {n}0 ms"


def result(
    run_id: str,
    status: RunStatus,
    *,
    test: str = "checkout",
    target: str = "Mobile",
    at: float = 0.0,
    error: str | None = None,
    provider: str = "web",
) -> Result:
    return Result(
        provider=provider,
        run_id=run_id,
        kind=RunKind.TEST,
        name=f"Test {test}",
        test=test,
        target=target,
        status=status,
        ended=T + at,
        error=error,
        fingerprint=fingerprint(error) if error else None,
    )


PASSED, FAILED, ERROR = RunStatus.PASSED, RunStatus.FAILED, RunStatus.ERROR


def test_passed_and_failed_on_two_different_targets_is_not_flaky() -> None:
    """GIVEN a test that always passes on Default and always fails on Mobile THEN not flaky:
    that is a problem of the Mobile target, not a flaky test."""
    results = [result(f"p{i}", PASSED, target="Default", at=i * 60) for i in range(5)]
    results += [result(f"f{i}", FAILED, target="Mobile", at=i * 60 + 30) for i in range(5)]
    assert find_flaky(results) == []


def test_passed_and_failed_on_the_same_target_is_flaky_with_its_rate() -> None:
    results = [result("a", PASSED), result("b", FAILED, at=60), result("c", PASSED, at=120)]
    results += [result("d", PASSED, target="Default", at=30)]
    (flaky,) = find_flaky(results)
    assert (flaky.provider, flaky.target, flaky.name, flaky.test_id) == (
        "web",
        "Mobile",
        "Test checkout",
        "checkout",
    )
    assert (flaky.runs, flaky.passed, flaky.failed) == (3, 2, 1)
    assert round(flaky.flake_rate, 3) == 0.333
    assert flaky.last_seen == T + 120


def test_an_error_is_not_the_test_failing() -> None:
    """GIVEN a pass and an `error` (the run broke: not the test's answer) THEN not flaky."""
    assert find_flaky([result("a", PASSED), result("b", ERROR, at=60)]) == []


def test_an_outage_is_one_incident_and_not_flaky_tests() -> None:
    """GIVEN eight tests passing, then failing within twenty minutes with one error (ids and
    numbers differing), then passing again THEN one incident of eight runs, no flaky test."""
    results = []
    for n in range(8):
        test = f"t{n}"
        results.append(result(f"{test}-before", PASSED, test=test, at=-3600))
        error = OUTAGE.format(n=1000 + n * 37)
        results.append(result(f"{test}-down", FAILED, test=test, at=n * 150, error=error))
        results.append(result(f"{test}-after", PASSED, test=test, at=7200))
    flaky, incidents = triage(results)
    assert flaky == []
    (incident,) = incidents
    assert incident.count == 8 and len(incident.tests) == 8
    assert incident.first_seen.timestamp() == T and incident.last_seen.timestamp() == T + 1050
    assert incident.error == OUTAGE.format(n=1000)


def test_incidents_need_three_runs_within_the_window_of_each_other() -> None:
    error = OUTAGE.format(n=1)
    two = [result(f"r{i}", FAILED, test=f"t{i}", at=i * 60, error=error) for i in range(2)]
    assert group_incidents(two) == []
    spread = [result(f"s{i}", FAILED, test=f"t{i}", at=i * 3600, error=error) for i in range(4)]
    assert group_incidents(spread) == []
    chain = [result(f"c{i}", FAILED, test=f"t{i}", at=i * 1500, error=error) for i in range(5)]
    (long_outage,) = group_incidents(chain)  # two hours, never 30 minutes without a failure
    assert long_outage.count == 5
    other = [result(f"o{i}", FAILED, at=i, error=f"Element not found: #x{i}") for i in range(3)]
    assert group_incidents(other) == []  # three different selectors: three failures


def test_an_incident_keeps_its_id_as_later_failures_join_it() -> None:
    error = OUTAGE.format(n=5)
    early = [result(f"r{i}", FAILED, test=f"t{i}", at=i * 60, error=error) for i in range(3)]
    later = [*early, result("r9", FAILED, test="t9", at=600, error=error)]
    assert group_incidents(early)[0].id == group_incidents(later)[0].id


def test_the_index_draws_the_strip_and_the_badge_as_the_rule_says() -> None:
    """GIVEN twelve results of one series, two failed THEN its strip is the last ten, oldest
    first, and it is flaky at 2 of 12; a series on another target is not."""
    index = HistoryIndex()
    statuses = [PASSED] * 12
    statuses[3] = statuses[9] = FAILED
    index.add(result(f"r{i}", s, at=i * 600) for i, s in enumerate(statuses))
    index.add(
        [result("d1", PASSED, target="Default", at=5), result("d1", PASSED, target="Default")]
    )
    cell = index.cell(("web", "checkout", "Mobile"), T + 7200)
    assert cell is not None and cell.strip == tuple(statuses[2:])
    assert cell.flake_rate is not None and round(cell.flake_rate, 3) == round(2 / 12, 3)
    steady = index.cell(("web", "checkout", "Default"), T + 7200)
    assert steady is not None and steady.strip == (PASSED,) and steady.flake_rate is None
    assert index.cell(("web", "checkout", "Nowhere"), T) is None


def test_the_badge_goes_once_the_failures_leave_the_window() -> None:
    index = HistoryIndex(flaky_window_s=3600)
    index.add([result("a", FAILED), result("b", PASSED, at=60)])
    now = T + 120
    cell = index.cell(("web", "checkout", "Mobile"), now)
    assert cell is not None and cell.flake_rate == 0.5
    later = index.cell(("web", "checkout", "Mobile"), T + 3630)
    assert later is not None and later.flake_rate is None and later.strip == (FAILED, PASSED)


def test_an_incident_failure_does_not_make_the_index_call_a_test_flaky() -> None:
    index = HistoryIndex()
    error = OUTAGE.format(n=2)
    index.add([result("before", PASSED, at=-600)])
    index.add(result(f"down{i}", FAILED, test="checkout" if i == 0 else f"t{i}", at=i * 60,
                     error=error) for i in range(3))  # fmt: skip
    cell = index.cell(("web", "checkout", "Mobile"), T + 600)
    assert cell is not None and cell.strip == (PASSED, FAILED) and cell.flake_rate is None
    (incident,) = index.incidents()
    assert incident.count == 3
