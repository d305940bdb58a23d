"""Opening the app: on the user's config (`qa-tui`), or on the built-in simulator (`qa-tui demo`).

Textual and the simulator are imported only here, inside the functions, so headless commands
stay light. Over SSH the app draws less: no animations and a lower frame rate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from qa_tui.cli.allocator import settle_for_the_day
from qa_tui.core import paths
from qa_tui.core.config.tables import Config, ConfigError, ConfigFileMissing, load_config
from qa_tui.core.config.views import ViewBook

if TYPE_CHECKING:
    from qa_tui.core.actions.writes import ProviderWrites
    from qa_tui.core.engine import Engine
    from qa_tui.ui.keymap import UserKeys

NO_CONFIG_HELP = """\
qa-tui: no config file at {path}
  Make one from the commented example:  {init}
  Or point at one:                      qa-tui --config PATH
  Or try it with no account:            qa-tui demo"""


def _draw_less_over_ssh() -> None:
    """Set before Textual is imported: it reads these at import time."""
    if os.environ.get("SSH_CONNECTION"):
        os.environ.setdefault("TEXTUAL_FPS", "15")
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


DEMO_PREVIEWS = (
    (
        "https://pr-41.preview.shop.example",
        "feat/one-click",
        41,
        "4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
    ),
    (
        "https://pr-42.preview.shop.example",
        "fix/login-loop",
        42,
        "42ab5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b",
    ),
)
"""The preview deploys (URL, branch, PR, commit) the demo triggers on Bug0 as it opens."""
DEMO_REPOSITORY = ("acme", "shop")
"""The GitHub repository of the demo's commits (the simulator's GitHub has every repository)."""


async def trigger_demo_previews(writes: ProviderWrites, show: Callable[[], None]) -> None:
    """Bug0 has no API to list runs: its rows are the runs triggered from here. The demo triggers
    a couple so its table shows all three providers, each on a commit, so that the simulated
    Bug0 posts their results on the simulated GitHub and the rows end (the first fails, the
    second passes); a failure (a `--faults bug0:...`) skips them, and so does `--read-only` (the
    triggers are writes, through the one door to them). `show()` is called after each trigger,
    so each row appears as soon as its run exists."""
    from qa_tui.core.actions.launch import Bug0Start
    from qa_tui.core.errors import ProviderError
    from qa_tui.core.providers.bug0 import Bug0Source

    owner, repo = DEMO_REPOSITORY
    for source in writes.sources.values():
        if isinstance(source, Bug0Source) and writes.refusal(source.name) is None:
            for url, branch, pr, sha in DEMO_PREVIEWS:
                request = Bug0Start(
                    url=url,
                    git_branch=branch,
                    pr_number=str(pr),
                    git_commit_sha=sha,
                    owner=owner,
                    repo=repo,
                )
                trigger = writes.start_new(source.name, request)
                try:
                    await asyncio.wait_for(trigger, timeout=3.0)
                except (ProviderError, TimeoutError):
                    break
                show()


Prepare = Callable[["ProviderWrites", Callable[[], None]], Awaitable[None]]
"""Work run beside the app as it opens, given the door to the providers' writes (and their
sources) and a way to make the engine poll now."""


def prepare_alongside(prepare: Prepare, engine: Engine) -> asyncio.Task[None]:
    """Run `prepare(engine.writes, …)` beside the app rather than before it, so the first table is not
    held up (the demo's Bug0 triggers wait seconds for their turn in Bug0's 10-a-minute budget);
    once it is done, the engine polls at once so what it made shows up."""

    async def prepare_then_show() -> None:
        await prepare(engine.writes, engine.refresh_now)
        engine.refresh_now()

    return asyncio.create_task(prepare_then_show())


async def run_app(
    config: Config,
    *,
    subtitle: str = "",
    prepare: Prepare | None = None,
    read_only: bool = False,
    keys: UserKeys | None = None,
    theme: str | None = None,
    remember_theme: Callable[[str], None] | None = None,
    views: ViewBook | None = None,
) -> int:
    """Build the providers, the engine and the app; run it; close everything after.
    `prepare(writes, show)` runs as the app opens (the demo triggers its Bug0 runs there: at Bug0's
    10 requests a minute the second one waits seconds for its turn, the table must not)."""
    from qa_tui.core.actions.writes import WritePolicy
    from qa_tui.core.bugs.outbox import Outbox
    from qa_tui.core.bugs.triage import TriageDefaults
    from qa_tui.core.engine import Engine
    from qa_tui.core.history import RunCache
    from qa_tui.core.history.service import open_history
    from qa_tui.core.notify.center import NotifyCenter
    from qa_tui.core.providers.registry import build_sources, build_tracker
    from qa_tui.core.runs.store import RunStore
    from qa_tui.ui.app import QaTuiApp
    from qa_tui.ui.shots.graphics import detect

    detect()  # asks the terminal how it draws pictures: only possible before Textual reads input
    team = None
    if config.team is not None:  # redis is imported only for a config that asks for it
        from qa_tui.core.team.link import TeamLink

        team = TeamLink(config.team, config.providers, config.tracker)
    sources = build_sources(config, budget_for=team.budget_for if team else None)
    shared = team.tracker_budget(config.tracker) if team and config.tracker else None
    tracker = build_tracker(config, budget=shared)
    outbox = Outbox(tracker) if tracker is not None else None  # paths.data_dir()/outbox.sqlite
    cache = RunCache(paths.cache_dir() / "runs.sqlite")
    intervals = {p.name: p.poll_interval_s for p in config.providers if p.poll_interval_s}
    history = open_history(config.history)  # None with [history] enabled = false
    engine = Engine(
        sources,
        RunStore(),
        cache=cache,
        history=history,
        poll_intervals=intervals,
        team=team,
        writes=WritePolicy.from_config(config, flag=read_only),  # --read-only
    )
    app = QaTuiApp(
        engine,
        subtitle=subtitle,
        tracker=tracker,
        outbox=outbox,
        bug_defaults=TriageDefaults.from_config(config.tracker),
        notify=NotifyCenter.open(  # the watch list in the data dir (watch.sqlite)
            config.notify, paths.data_dir(), os.environ, history=history
        ),
        team=team,
        keys=keys,
        theme=theme,
        remember_theme=remember_theme,
        views=views if views is not None else ViewBook(config.views),
    )
    preparing = prepare_alongside(prepare, engine) if prepare is not None else None
    try:
        code = await app.run_async()
    finally:
        if preparing is not None:
            preparing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await preparing
        for source in sources:
            await source.aclose()
        if tracker is not None:
            await tracker.aclose()
        if team is not None:
            await team.aclose()  # hands the leases over: another instance polls at once
        engine.settle()  # the last batches to the cache and the history, then to disk
        cache.close()
        if history is not None:
            history.close()
    return code or 0


def _load(path: Path) -> Config | int:
    try:
        return load_config(path)
    except ConfigFileMissing:
        from qa_tui.cli.headless import init_command

        print(NO_CONFIG_HELP.format(path=path, init=init_command(path)), file=sys.stderr)
        return 2
    except ConfigError as error:
        print(f"qa-tui: {error}", file=sys.stderr)
        return 2


def run_tui(args: argparse.Namespace) -> int:
    """`qa-tui [--config PATH]`."""
    path = Path(args.config).expanduser() if args.config else paths.config_file()
    config = _load(path)
    if isinstance(config, int):
        return config
    from qa_tui.core.config.tables import warn_if_world_readable

    warning = warn_if_world_readable(path)
    if warning:
        print(f"qa-tui: warning: {warning}", file=sys.stderr)
    try:  # the config's [[views]] and those saved from the app in views.toml beside it
        views = ViewBook.beside(path, config.views)
    except ConfigError as error:
        print(f"qa-tui: {error}", file=sys.stderr)
        return 2
    settle_for_the_day()
    _draw_less_over_ssh()
    _ask_the_terminal_in_background()
    return _run_checked(config, path, args, views)


def _run_checked(config: Config, path: Path, args: argparse.Namespace, views: ViewBook) -> int:
    """`[keys]` and `[ui] theme` need Textual to be checked: a bad one exits 2 naming the file
    and the key, before the app opens. The theme last picked in the palette (ui-state.toml beside
    the config) wins over `[ui] theme`."""
    from textual.theme import BUILTIN_THEMES

    from qa_tui.cli.keys_cmd import user_keys_or_explain
    from qa_tui.core.config.ui_state import save_theme, state_file_for

    keys = user_keys_or_explain(config, path)
    if keys is None:
        return 2
    theme = config.ui.theme
    if theme is not None and theme not in BUILTIN_THEMES:
        known = ", ".join(sorted(BUILTIN_THEMES))
        print(f"qa-tui: {ConfigError(str(path), 'ui.theme', f'one of {known}')}", file=sys.stderr)
        return 2
    state = state_file_for(path)
    theme = opening_theme(config, path)

    def remember(name: str) -> None:
        with contextlib.suppress(OSError):  # a preference: not worth an error
            save_theme(state, name)

    return asyncio.run(
        run_app(
            config,
            subtitle=str(path),
            read_only=getattr(args, "read_only", False),
            keys=keys,
            theme=theme,
            remember_theme=remember,
            views=views,
        )
    )


def opening_theme(config: Config, path: Path) -> str | None:
    """The theme the app opens in: the one last picked in the palette (ui-state.toml beside the
    config at `path`) when Textual has it, else `[ui] theme`."""
    from textual.theme import BUILTIN_THEMES

    from qa_tui.core.config.ui_state import saved_theme, state_file_for

    picked = saved_theme(state_file_for(path))
    return picked if picked in BUILTIN_THEMES else config.ui.theme


def _ask_the_terminal_in_background() -> None:
    """How this terminal draws pictures is asked on a thread while the app is imported and the
    simulator starts: a terminal that does not answer (tmux among them) costs its timeouts
    (bench/README.md). `graphics.detect()` in `run_app` waits for the answer before Textual reads input.
    Call after `_draw_less_over_ssh()`: the thread imports Textual.

    Textual itself is imported here first, on the calling thread: its modules import one
    another in circles, and two threads importing them at once can each hold half of a circle
    (Python then hands one of them a module not yet initialized: `cannot import name 'Styles'
    from partially initialized module 'textual.css.styles'`, and qa-tui exited at start, about
    one start in ten on a busy machine). What is left on the thread is textual-image and the
    terminal's answers."""
    # the whole of Textual's core, on this one thread (see above)
    import textual.app
    import textual.widget  # noqa: F401

    def ask() -> None:
        from qa_tui.ui.shots.graphics import detect

        detect()

    threading.Thread(target=ask, name="graphics-detect", daemon=True).start()


def _warm_tls_in_background() -> None:
    """Load the CA bundle (tens of milliseconds, mostly outside the GIL) on a thread while the
    simulator and the UI are imported, so building the clients does not wait for it."""

    def warm() -> None:
        from qa_tui.core.http.session import shared_tls_context

        shared_tls_context()

    threading.Thread(target=warm, name="tls-warm-up", daemon=True).start()


def run_demo(args: argparse.Namespace) -> int:
    """`qa-tui demo [--port N] [--seed N] [--faults SPEC] [--write-config PATH]`."""
    _warm_tls_in_background()
    settle_for_the_day()
    _draw_less_over_ssh()
    _ask_the_terminal_in_background()
    from qa_tui.cli.demo_sim import start_demo_simulator
    from qa_tui.sim.config_text import render_config
    from qa_tui.sim.faults import FaultSpecError, parse_fault_spec

    spec = getattr(args, "faults", None)
    try:
        if spec:
            parse_fault_spec(spec)  # said here, before the child would fail on it
    except FaultSpecError as error:
        print(f"qa-tui demo: --faults: {error}", file=sys.stderr)
        return 2
    port = getattr(args, "port", None) or 0
    seed = args.seed if getattr(args, "seed", None) is not None else 7
    with tempfile.TemporaryDirectory(prefix="qa-tui-demo-") as scratch:
        # The demo's cache and trigger records are its own: the user's real ones stay untouched.
        os.environ["QA_TUI_DATA_DIR"] = str(Path(scratch) / "data")
        os.environ["QA_TUI_CACHE_DIR"] = str(Path(scratch) / "cache")
        shared = getattr(args, "sim_url", None)  # `qa-tui serve --demo`: one simulator for all
        try:
            sim = None if shared else start_demo_simulator(port, seed, spec, Path(scratch))
        except OSError as error:
            print(f"qa-tui demo: cannot listen on 127.0.0.1:{port} ({error})", file=sys.stderr)
            return 2
        base_url = shared or (sim.base_url if sim else "")
        try:
            text = render_config(base_url)
            config_path = paths.write_private(Path(scratch) / "demo.toml", text.encode())
            written = getattr(args, "write_config", None)
            if written:
                paths.write_private(Path(written), text.encode())
            config = _load(config_path)
            if isinstance(config, int):
                return config
            subtitle = f"demo · simulator at {base_url}"
            read_only = getattr(args, "read_only", False)
            return asyncio.run(
                run_app(
                    config, subtitle=subtitle, prepare=trigger_demo_previews, read_only=read_only
                )
            )
        finally:
            why = sim.stop() if sim is not None else None
            if why is not None:
                print(f"qa-tui demo: the simulator stopped early:\n{why}", file=sys.stderr)
