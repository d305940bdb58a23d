"""Quiet over SSH: the real app under a pseudo-terminal writes only the cells that changed.

qa-tui lives in a tmux pane over SSH all day, so what it writes to the terminal is what crosses
the link. Each story runs the real app (`qa-tui --config ...`) at 120x35 against the simulator
over real loopback, replays every byte it writes through a terminal emulator that remembers
which cells each byte wrote (tests/support/pty_terminal.py), and checks what reached the
terminal: nothing when nothing changes, and no cell written again with what it already held
(but for the few cells between two changes that cost less to rewrite than to skip).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_tui.sim import ScenarioClock, ScenarioSpec
from qa_tui.sim.server import RunningSim, render_config, start_in_thread
from qa_tui.ui.terminal_writer import JOIN_GAP
from tests.support.binary import command, environment
from tests.support.pty_terminal import PtyTerminal, Written

QUIET_S = 1.5
"""How long the app must have written nothing before a story starts watching it."""


def world(*, active: int = 0) -> ScenarioSpec:
    """Finished runs of BugBug and BugBrain (more than a screen holds), `active` BugBug runs
    still running, none new."""
    return ScenarioSpec(
        bugbug_test_runs_finished=30,
        bugbug_test_runs_active=active,
        bugbug_suite_runs_finished=1,
        bugbug_suite_runs_active=0,
        bugbrain_finished=30,
        bugbrain_active=0,
        bugnet_bugs=0,
        new_run_every_s=None,
        active_span_s=(600.0, 600.0),
    )


def polling_fast(config: str) -> str:
    """The simulator's config, each polled provider asked every half second."""
    lines = []
    for line in config.splitlines():
        lines.append(line)
        if line in ('kind = "bugbug"', 'kind = "bugbrain"'):
            lines.append("poll_interval_s = 0.5")
    return "\n".join(lines) + "\n"


def open_app(sim: RunningSim, tmp_path: Path) -> PtyTerminal:
    config = tmp_path / "config.toml"
    config.write_text(polling_fast(render_config(sim.base_url)))
    config.chmod(0o600)
    env = environment(
        {"TERM": "xterm-256color", "COLORTERM": "truecolor", "QA_TUI_GRAPHICS": "half-blocks"}
    )
    for name in ("NO_COLOR", "TMUX", "TEXTUAL_FPS"):
        env.pop(name, None)
    return PtyTerminal([*command(), "--config", str(config)], env, cwd=tmp_path)


@pytest.fixture
def manual_sim() -> Iterator[RunningSim]:
    """A simulator whose runs move only when the test advances its clock."""
    with start_in_thread(scenario=world(active=1), clock=ScenarioClock.manual_at()) as sim:
        yield sim


def shows_rows(lines: list[str]) -> bool:
    return sum(1 for line in lines if line.startswith(("✓ ", "✗ ", "! ", "● "))) >= 5


def line_of(lines: list[str], text: str) -> int:
    return next(y for y, line in enumerate(lines) if text in line)


def rewritten_unchanged(cells: list[Written]) -> list[Written]:
    """Cells written with what they already held, but for those between two changed cells of
    one stretch of writing no more than JOIN_GAP apart (cheaper to rewrite than to skip)."""
    stretches: list[list[Written]] = []
    for cell in cells:
        last = stretches[-1][-1] if stretches else None
        if last is not None and last.y == cell.y and cell.x == last.x + 1:
            stretches[-1].append(cell)
        else:
            stretches.append([cell])
    wasted: list[Written] = []
    for stretch in stretches:
        changed = [i for i, cell in enumerate(stretch) if cell.changed]
        if not changed:
            wasted += stretch
            continue
        wasted += stretch[: changed[0]] + stretch[changed[-1] + 1 :]
        for before, after in itertools.pairwise(changed):
            if after - before - 1 > JOIN_GAP:
                wasted += stretch[before + 1 : after]
    return wasted


def describe(cells: list[Written]) -> str:
    return ", ".join(f"({c.y},{c.x}) {c.after.data!r}" for c in cells[:20])


def test_an_idle_dashboard_writes_nothing_for_5_seconds(tmp_path: Path) -> None:
    with start_in_thread(scenario=world(), clock=ScenarioClock.manual_at()) as sim:
        terminal = open_app(sim, tmp_path)
        try:
            terminal.wait_for("the table's rows", shows_rows)
            terminal.wait_until_quiet(QUIET_S)
            written = terminal.watch(5.0)
            assert written == 0, f"an idle dashboard wrote {written} bytes in 5 s"
        finally:
            terminal.close()


def test_a_status_change_rewrites_only_the_cells_that_changed(
    manual_sim: RunningSim, tmp_path: Path
) -> None:
    terminal = open_app(manual_sim, tmp_path)
    try:
        lines = terminal.wait_for("the running run", lambda s: shows_rows(s) and _running(s))
        terminal.wait_until_quiet(QUIET_S)
        y = line_of(lines, "● running")
        name_x = lines[line_of(lines, "STATUS")].index("NAME")
        name = lines[y][name_x : name_x + 20]
        mark = terminal.mark()
        manual_sim.sim.advance(900.0)  # the run ends
        lines = terminal.wait_for("the run ended", lambda s: not _running(s))
        terminal.wait_until_quiet(QUIET_S)
        cells = terminal.cells_since(mark)
        assert any(cell.changed and cell.y == y for cell in cells), "its row did not change"
        assert lines[y][name_x : name_x + 20] == name
        on_its_line = [c for c in cells if c.y == y and name_x <= c.x < name_x + len(name)]
        assert on_its_line == [], f"its name was written again: {describe(on_its_line)}"
        wasted = rewritten_unchanged(cells)
        assert wasted == [], f"{len(wasted)} cells written unchanged: {describe(wasted)}"
    finally:
        terminal.close()


def test_a_running_duration_rewrites_only_its_own_cells(tmp_path: Path) -> None:
    realtime = world(active=1)
    with start_in_thread(scenario=realtime, clock=ScenarioClock.realtime()) as sim:
        terminal = open_app(sim, tmp_path)
        try:
            lines = terminal.wait_for(
                "the running run's duration", lambda s: shows_rows(s) and _running(s)
            )
            terminal.wait_until_quiet(0.3)  # a second's tick writes again within the second
            y = line_of(lines, "● running")
            header = lines[line_of(lines, "STATUS")]
            started, trigger = header.index("STARTED"), _next_column(header, "DURATION")
            duration = lines[y][header.index("DURATION") : trigger].strip()
            mark = terminal.mark()
            terminal.wait_for(
                "the duration to tick",
                lambda s: s[y][header.index("DURATION") : trigger].strip() != duration,
            )
            terminal.wait_until_quiet(0.3)
            cells = terminal.cells_since(mark)
            elsewhere = [c for c in cells if c.y == y and not started <= c.x < trigger]
            assert elsewhere == [], f"its line was written outside its times: {describe(elsewhere)}"
            wasted = rewritten_unchanged(cells)
            assert wasted == [], f"{len(wasted)} cells written unchanged: {describe(wasted)}"
        finally:
            terminal.close()


def _next_column(header: str, title: str) -> int:
    """Where the column after `title` starts in the header (its line's end when it is the last)."""
    after = header.index(title) + len(title)
    rest = header[after:].lstrip(" ▾▴")
    return len(header) - len(rest) if rest.strip() else len(header)


def _running(lines: list[str]) -> bool:
    return any(line.startswith("● running") for line in lines)
