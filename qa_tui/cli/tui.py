"""Opening the app: on the user's config (`qa-tui`), or on the built-in simulator (`qa-tui demo`).

Textual and the simulator are imported only here, inside the functions, so headless commands
stay light. Over SSH the app draws less: no animations and a lower frame rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from qa_tui.core import paths
from qa_tui.core.config import Config, ConfigError, ConfigFileMissing, load_config

NO_CONFIG_HELP = """\
qa-tui: no config file at {path}
  Make one from the commented example:  cp config.example.toml {path}
  Or point at one:                      qa-tui --config PATH
  Or try it with no account:            qa-tui demo"""


def _draw_less_over_ssh() -> None:
    """Set before Textual is imported: it reads these at import time."""
    if os.environ.get("SSH_CONNECTION"):
        os.environ.setdefault("TEXTUAL_FPS", "15")
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


async def run_app(config: Config, *, subtitle: str = "") -> int:
    """Build the providers, the engine and the app; run it; close everything after."""
    from qa_tui.core.engine import Engine
    from qa_tui.core.history import RunCache
    from qa_tui.core.registry import build_sources
    from qa_tui.core.store import RunStore
    from qa_tui.ui.app import QaTuiApp

    sources = build_sources(config)
    cache = RunCache(paths.cache_dir() / "runs.sqlite")
    engine = Engine(sources, RunStore(), cache=cache)
    app = QaTuiApp(engine, subtitle=subtitle)
    try:
        code = await app.run_async()
    finally:
        for source in sources:
            await source.aclose()
        cache.close()
    return code or 0


def _load(path: Path) -> Config | int:
    try:
        return load_config(path)
    except ConfigFileMissing:
        print(NO_CONFIG_HELP.format(path=path), file=sys.stderr)
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
    from qa_tui.core.config import warn_if_world_readable

    warning = warn_if_world_readable(path)
    if warning:
        print(f"qa-tui: warning: {warning}", file=sys.stderr)
    _draw_less_over_ssh()
    return asyncio.run(run_app(config, subtitle=str(path)))


def run_demo(args: argparse.Namespace) -> int:
    """`qa-tui demo [--port N] [--seed N] [--faults SPEC] [--write-config PATH]`."""
    from qa_tui.sim.faults import FaultSpecError, parse_fault_spec
    from qa_tui.sim.server import render_config, start_in_thread

    try:
        faults = parse_fault_spec(args.faults) if getattr(args, "faults", None) else None
    except FaultSpecError as error:
        print(f"qa-tui demo: --faults: {error}", file=sys.stderr)
        return 2
    port = getattr(args, "port", None) or 0
    seed = args.seed if getattr(args, "seed", None) is not None else 7
    with tempfile.TemporaryDirectory(prefix="qa-tui-demo-") as scratch:
        # The demo's cache and trigger records are its own: the user's real ones stay untouched.
        os.environ["QA_TUI_DATA_DIR"] = str(Path(scratch) / "data")
        os.environ["QA_TUI_CACHE_DIR"] = str(Path(scratch) / "cache")
        sim = start_in_thread(host="127.0.0.1", port=port, seed=seed, faults=faults)
        try:
            text = render_config(sim.base_url)
            config_path = Path(scratch) / "demo.toml"
            config_path.write_text(text)
            written = getattr(args, "write_config", None)
            if written:
                Path(written).write_text(text)
                os.chmod(written, 0o600)
            config = _load(config_path)
            if isinstance(config, int):
                return config
            _draw_less_over_ssh()
            return asyncio.run(run_app(config, subtitle=f"demo · simulator at {sim.base_url}"))
        finally:
            sim.stop()
