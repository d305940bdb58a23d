"""`qa-tui sim`: serve the provider simulator on loopback until Ctrl-C.

Prints the base URL of each provider and the demo credentials, and with `--write-config PATH`
writes a ready-to-use config (mode 0600: it holds the demo credentials) pointing at itself.
The simulator package is imported only inside `run_sim`, so other commands never load it.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only (0600), even if the file existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def run_sim(args: argparse.Namespace) -> int:
    """Start the simulator, announce it, optionally write its config, serve until interrupted."""
    from qa_tui.sim import server
    from qa_tui.sim.faults import FaultSpecError, parse_fault_spec

    seed = {} if args.seed is None else {"seed": args.seed}
    try:
        faults = parse_fault_spec(args.faults, seed=args.seed) if args.faults else None
    except FaultSpecError as exc:
        print(f"qa-tui sim: error: --faults: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sim = server.start_in_thread(host=args.host, port=args.port, faults=faults, **seed)
    except (OSError, RuntimeError) as exc:
        print(
            f"qa-tui sim: error: cannot listen on {args.host}:{args.port} ({exc})", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        if args.write_config:
            path = Path(args.write_config).expanduser()
            try:
                write_private(path, server.render_config(sim.base_url))
            except OSError as exc:
                print(f"qa-tui sim: error: cannot write {path}: {exc.strerror}", file=sys.stderr)
                return EXIT_USAGE
            print(f"wrote {path} (mode 0600); try: qa-tui runs --config {path}")
        print(server.banner(sim.base_url), flush=True)
        print("serving; press Ctrl-C to stop", flush=True)
        threading.Event().wait()  # until Ctrl-C (KeyboardInterrupt lands here)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        sim.stop()
    return EXIT_OK
