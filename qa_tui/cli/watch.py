"""`qa-tui watch PROVIDER:RUN_ID`: follow one run to its end, for scripts and CI.

Progress goes to stderr: one line redrawn in place on a terminal, plain lines (one per change)
otherwise. The final summary goes to stdout (`--json`: one object). Transient provider failures
(network, 5xx, 429, unreadable answers) are retried within `--timeout`; the status reported is the
provider's last word. `--notify` tells the terminal when it ends, as the app does
(cli/notify_end.py).

Exit codes: 0 passed, 1 failed, 2 usage or config error (also: bad credentials, no such run),
3 ended without a verdict (error, stopped, cancelled, skipped) or a provider failure that is not
transient, 4 no final status: the time ran out, or the run's status cannot be read at all. A Bug0
run is followed through the commit status Bug0 posts on GitHub: 4 when none appeared before the
time ran out, and at once for a trigger that carried no commit (or with no GitHub token).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qa_tui.cli.headless import config_path, load_or_explain, run_as_json
from qa_tui.cli.services import Services, find_provider, open_source, say, write_json_object
from qa_tui.core import paths
from qa_tui.core.actions.watch import TRANSIENT_ERRORS, Outcome, Watcher, WatchResult
from qa_tui.core.config.tables import Config
from qa_tui.core.errors import AuthFailed, NotFound, ProviderError, Unsupported
from qa_tui.core.history.db import FILE_NAME as HISTORY_FILE
from qa_tui.core.history.db import RunHistory
from qa_tui.core.history.eta import Estimate, estimate_for, eta_of, load_durations
from qa_tui.core.model import ProviderKind, Run, RunStatus
from qa_tui.core.notify.settings import NotifyConfig
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bug0 import NO_READ_API
from qa_tui.core.textsafe import clip, terminal_safe

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_ENDED, EXIT_NO_STATUS = 0, 1, 2, 3, 4
EXIT_CODES = {
    Outcome.PASSED: EXIT_PASSED,
    Outcome.FAILED: EXIT_FAILED,
    Outcome.ENDED: EXIT_ENDED,
    Outcome.TIMEOUT: EXIT_NO_STATUS,
    Outcome.NO_STATUS: EXIT_NO_STATUS,
}
DEFAULT_TIMEOUT_S = 3600.0
JUNIT_ATTEMPTS = 3


@dataclass(frozen=True)
class WatchOptions:
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    """None: wait for as long as it takes."""
    interval_s: float = 5.0
    json: bool = False
    junit: Path | None = None
    notify: NotifyConfig | None = None
    """`--notify`: the `[notify]` settings to tell the terminal with at the end."""


def options_from(args: argparse.Namespace, config: Config | None = None) -> WatchOptions:
    timeout = getattr(args, "timeout", None)
    timeout_s = DEFAULT_TIMEOUT_S if timeout is None else (float(timeout) or None)
    junit = getattr(args, "junit", None)
    settings = config.notify if config is not None else NotifyConfig()
    return WatchOptions(
        timeout_s=timeout_s,
        interval_s=float(getattr(args, "interval", None) or 5.0),
        json=bool(getattr(args, "json", False)),
        junit=Path(junit).expanduser() if junit else None,
        notify=settings if getattr(args, "notify", False) else None,
    )


def describe(run: Run) -> str:
    """`running (paused) 3/8` — the status, the raw word when it differs, the progress."""
    raw = terminal_safe(run.provider_status)
    text = run.status.value if raw in ("", run.status.value) else f"{run.status.value} ({raw})"
    return f"{text} {run.progress.done}/{run.progress.total}" if run.progress else text


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class ProgressLine:
    """Progress on stderr: a live line on a terminal, one plain line per change otherwise."""

    def __init__(
        self, services: Services, estimate: Callable[[Run], Estimate | None] | None = None
    ) -> None:
        """`estimate`: a running run's expected duration, from the run history (the time
        left is printed beside the time so far); None: no history to go by."""
        self.clock = services.clock
        self.estimate = estimate
        self.live = services.live()
        self.started = self.clock.monotonic()
        self._last: tuple[object, ...] | None = None
        self._drawn = False

    def update(self, run: Run) -> None:
        name = clip(terminal_safe(run.name), 40)
        line = f"{run.provider}:{terminal_safe(run.id)} {name}: {describe(run)}"
        eta = eta_of(self.estimate(run), run, self.clock.now()) if self.estimate else None
        if self.live:
            elapsed = _elapsed(self.clock.monotonic() - self.started)
            elapsed += f" · {eta}" if eta else ""
            width = shutil.get_terminal_size((80, 24)).columns - 1
            sys.stderr.write(f"\r\x1b[2K{clip(f'{line}  [{elapsed}]', width)}")
            sys.stderr.flush()
            self._drawn = True
            return
        seen = (run.status, run.provider_status, run.progress)
        if seen != self._last:
            self._last = seen
            print(f"{line} ({eta})" if eta else line, file=sys.stderr, flush=True)

    def problem(self, error: ProviderError, wait_s: float) -> None:
        self.end_line()
        say(f"{error.provider}: {error.kind.value}: {error.message} (retrying in {wait_s:.0f}s)")

    def end_line(self) -> None:
        if self._drawn:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self._drawn = False


def run_ref(run: Run) -> str:
    """`web:1c2d…`: how `run` prints a run and `watch` takes one."""
    return f"{run.provider}:{run.id}"


def summary_json(result: WatchResult, code: int, now: datetime) -> dict[str, Any]:
    return {
        "outcome": result.outcome.value,
        "exit_code": code,
        "waited_s": round(result.waited_s, 3),
        "transient_errors": result.transient_errors,
        "last_error": result.last_error,
        "run": run_as_json(result.run, now),
    }


def print_summary(result: WatchResult, code: int, options: WatchOptions, now: datetime) -> None:
    if options.json:
        write_json_object(summary_json(result, code, now))
        return
    run = result.run
    head = {
        Outcome.TIMEOUT: f"timeout after {_elapsed(result.waited_s)}: still ",
        Outcome.NO_STATUS: "no status: ",
    }.get(result.outcome, "")
    name = terminal_safe(run.name)
    print(f"{head}{describe(run)}  {run.provider}:{terminal_safe(run.id)}  {name}")
    for label, value in (("url", run.url), ("error", run.error), ("note", run.note)):
        if value:
            print(f"  {label}: {terminal_safe(value)}")
    if result.transient_errors:
        print(f"  rode out {result.transient_errors} provider error(s); last: {result.last_error}")


async def save_junit(source: RunSource, run: Run, path: Path) -> None:
    """Write the run's JUnit report to `path`, or say on stderr why not (never changes the exit)."""
    if not source.capabilities.junit:
        say(f"{source.name}: no JUnit report from {source.kind.value}; nothing written to {path}")
        return
    for attempt in range(1, JUNIT_ATTEMPTS + 1):
        try:
            report = await source.fetch_junit(run)
        except TRANSIENT_ERRORS as error:
            if attempt == JUNIT_ATTEMPTS:
                say(f"{source.name}: JUnit report not fetched ({error.message}); nothing written")
                return
            continue
        except (NotFound, Unsupported) as error:
            say(f"{source.name}: no JUnit report for this run ({error.message})")
            return
        try:
            paths.write_private(path, report)  # 0600, as everything qa-tui writes
        except OSError as error:
            say(f"cannot write the JUnit report to {path}: {error.strerror or error}")
            return
        say(f"JUnit report saved to {path}")
        return


class Follow:
    """One watch: the progress line, the watcher, and the report at the end."""

    def __init__(
        self,
        source: RunSource,
        options: WatchOptions,
        services: Services,
        estimate: Callable[[Run], Estimate | None] | None = None,
    ) -> None:
        self.source = source
        self.options = options
        self.services = services
        self.progress = ProgressLine(services, estimate)
        self.watcher = Watcher(
            source,
            clock=services.clock,
            timeout_s=options.timeout_s,
            interval_s=options.interval_s,
            on_update=self.progress.update,
            on_problem=self.progress.problem,
        )

    async def find(self, run_id: str) -> Run | int:
        """The run, or the exit code when it cannot be read."""
        try:
            found = await self.watcher.find(run_id)
        except NotFound:
            self.progress.end_line()
            if self.source.kind is ProviderKind.BUG0:
                say(f"{self.source.name}: {run_id!r} was not triggered from here. {NO_READ_API}")
                return EXIT_NO_STATUS
            say(f"{self.source.name}: no run with id {run_id!r}")
            return EXIT_USAGE
        except ProviderError as error:
            self.progress.end_line()
            return provider_failure(error)
        if found is None:
            self.progress.end_line()
            say(f"{self.source.name}: no answer about {run_id} before the timeout")
            return EXIT_NO_STATUS
        return found

    async def report(self, run: Run) -> int:
        """Follow `run` to its end (or the deadline); print the summary; return the exit code."""
        self.progress.update(run)
        try:
            result = await self.watcher.follow(run)
        except ProviderError as error:
            self.progress.end_line()
            return provider_failure(error)
        self.progress.end_line()
        if result.outcome is Outcome.NO_STATUS:
            why = result.run.note or NO_READ_API
            say(f"{self.source.name}: {why}; the final status is unknown (exit 4)")
        elif result.outcome is Outcome.TIMEOUT and self.source.kind is ProviderKind.BUG0:
            seen = (
                "no Bug0 status appeared"
                if result.run.status is RunStatus.QUEUED
                else "Bug0's status did not end"
            )
            say(f"{self.source.name}: {seen} before the timeout ({result.run.note})")
        code = EXIT_CODES[result.outcome]
        terminal = result.outcome in (Outcome.PASSED, Outcome.FAILED, Outcome.ENDED)
        if self.options.junit is not None and terminal:
            await save_junit(self.source, result.run, self.options.junit)
        print_summary(result, code, self.options, self.services.clock.now())
        if self.options.notify is not None:
            from qa_tui.cli.notify_end import tell_the_terminal

            tell_the_terminal(result, self.options.notify, self.services)
        return code


def provider_failure(error: ProviderError) -> int:
    """A failure that waiting will not fix: bad credentials are a config error, the rest 3."""
    say(f"{error.provider}: {error.kind.value}: {error.message}")
    return EXIT_USAGE if isinstance(error, AuthFailed) else EXIT_ENDED


async def watch_run_id(
    source: RunSource,
    run_id: str,
    options: WatchOptions,
    services: Services,
    estimate: Callable[[Run], Estimate | None] | None = None,
) -> int:
    """Find the run, follow it, report; the source is closed at the end."""
    try:
        follow = Follow(source, options, services, estimate)
        found = await follow.find(run_id)
        return found if isinstance(found, int) else await follow.report(found)
    finally:
        await source.aclose()


def split_ref(ref: str) -> tuple[str, str] | None:
    """`web:1c2d…` → ("web", "1c2d…"); the id may itself contain colons."""
    provider, sep, run_id = ref.partition(":")
    return (provider, run_id) if sep and provider and run_id else None


def run_watch(args: argparse.Namespace, services: Services | None = None) -> int:
    """`qa-tui watch PROVIDER:RUN_ID [--timeout S] [--json] [--junit PATH]`."""
    services = services or Services()
    ref = split_ref(args.ref)
    if ref is None:
        say(
            "watch: expected PROVIDER:RUN_ID (as `qa-tui run` prints it; PROVIDER is a name or "
            f"a kind from the config), got {args.ref!r}"
        )
        return EXIT_USAGE
    config = load_or_explain(config_path(args))
    if config is None:
        return EXIT_USAGE
    provider = find_provider(config, ref[0])
    if isinstance(provider, str):
        say(f"watch: {provider}")
        return EXIT_USAGE
    run_id = _without_repeated_provider(ref[1], (ref[0], provider.name))
    source = open_source(provider, services, config.github)
    estimate = history_estimates(config)
    options = options_from(args, config)
    return asyncio.run(watch_run_id(source, run_id, options, services, estimate))


def history_estimates(config: Config) -> Callable[[Run], Estimate | None] | None:
    """A running run's expected duration from the run history on disk (read once); None with
    the history off, not written yet, or unreadable (the line then says no time left)."""
    path = paths.data_dir() / HISTORY_FILE
    if not config.history.enabled or not path.exists():
        return None
    try:
        db = RunHistory(path)
        try:
            durations = load_durations(db)
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return lambda run: estimate_for(durations, run)


def _without_repeated_provider(run_id: str, names: tuple[str, ...]) -> str:
    """`web:web:1c2d…` → `1c2d…`: `run` used to print the bare id, so scripts wrote
    `watch web:$(qa-tui run web …)`; now that `run` prints `web:1c2d…` such a script hands the
    provider twice, and is still understood."""
    for name in names:
        if run_id.startswith(f"{name}:") and len(run_id) > len(name) + 1:
            return run_id[len(name) + 1 :]
    return run_id
