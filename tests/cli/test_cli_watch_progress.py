"""watch's progress on stderr: one line redrawn in place on a terminal, plain lines otherwise,
provider text never able to drive the terminal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qa_tui.cli.services import Services
from qa_tui.cli.watch import ProgressLine, describe
from qa_tui.core.clock import ManualClock
from qa_tui.core.errors import ServerError
from qa_tui.core.history.eta import Durations, estimate_for
from qa_tui.core.history.results import series_of
from qa_tui.core.model import Progress, RunStatus
from tests.support.fakes import make_run

HOSTILE = "login \x1b[2J\x1b]52;c;ZXZpbA==\x07 [bold]x[/]"


def test_on_a_terminal_the_line_is_redrawn_in_place_and_cleared_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = ManualClock()
    line = ProgressLine(Services(clock=clock, live=lambda: True))
    line.update(make_run("r1", RunStatus.QUEUED))
    clock.advance(65)
    line.update(make_run("r1", RunStatus.RUNNING, progress=Progress(done=2, total=5)))
    line.problem(ServerError("web", "boom", status_code=503), 10)
    line.update(make_run("r1", RunStatus.PASSED))
    line.end_line()
    line.end_line()  # nothing drawn since: nothing to clear
    err = capsys.readouterr().err
    assert err.count("\r\x1b[2K") == 5  # draw, draw, clear for the problem, draw, clear
    assert err.endswith("passed  [1m05s]\r\x1b[2K")
    assert "web:r1 test r1: running 2/5  [1m05s]" in err
    assert "qa-tui: web: server: boom (retrying in 10s)\n" in err


def test_off_a_terminal_a_plain_line_is_printed_only_when_something_changed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = ProgressLine(Services(clock=ManualClock(), live=lambda: False))
    for status in (RunStatus.RUNNING, RunStatus.RUNNING, RunStatus.PASSED):
        line.update(make_run("r1", status))
    assert capsys.readouterr().err.splitlines() == [
        "web:r1 test r1: running",
        "web:r1 test r1: passed",
    ]


def test_provider_text_in_progress_is_terminal_safe(capsys: pytest.CaptureFixture[str]) -> None:
    line = ProgressLine(Services(clock=ManualClock(), live=lambda: False))
    line.update(make_run("r1", RunStatus.RUNNING, name=HOSTILE, raw="paused\x1b[31m"))
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "running (paused" in err


def test_the_raw_word_is_shown_only_when_it_says_more() -> None:
    assert describe(make_run("r", RunStatus.RUNNING)) == "running"
    assert describe(make_run("r", RunStatus.RUNNING, raw="paused")) == "running (paused)"


def test_the_line_says_the_time_left_from_the_tests_passed_runs_with_a_tilde_under_three(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GIVEN the history knows two passed runs of the test (8 and 12 minutes) WHEN a run of it
    has run 4 minutes THEN the line says `~6m left` (the median, 10, less 4; `~`: fewer than
    3); with a third (10 minutes) the `~` goes."""
    run = make_run("r1", RunStatus.RUNNING, minutes_ago=4)
    assert run.started is not None
    clock = ManualClock(start=run.started + timedelta(minutes=4))
    durations = Durations()
    for number, minutes in ((1, 8), (2, 12)):
        durations.add(series_of(run), float(number), minutes * 60.0)
    line = ProgressLine(
        Services(clock=clock, live=lambda: True), lambda r: estimate_for(durations, r)
    )
    line.update(run)
    assert capsys.readouterr().err.endswith("running  [0s · ~6m left]")
    durations.add(series_of(run), 3.0, 600.0)
    line.update(run)
    assert capsys.readouterr().err.endswith("running  [0s · 6m left]")
