"""`qa-tui sim`: serve the provider simulator on loopback until Ctrl-C.

Prints the base URL of each provider and the demo credentials, and with `--write-config PATH`
writes a ready-to-use config (mode 0600: it holds the demo credentials) pointing at itself.
It serves the triage world (`ScenarioSpec(triage=True)`, sim/triage.py): flaky tests, an outage,
history for strips, as `qa-tui flaky` and `qa-tui incidents` and the demo show them. With
`--projects N` it serves a whole org (sim/org/projects.py: half BugBug projects, a third BugBrain
projects, at most three on one key, the rest Bug0), and the config it writes has them all.
`--dialect KEY=VALUE,...` picks how its providers read the loose parts of their docs
(sim/dialects/__init__.py); `--dialect help` prints every switch and exits 0, a bad one exits 2.
The simulator package is imported only inside `run_sim`, so other commands never load it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa_tui.sim.dialects import Dialect
    from qa_tui.sim.faults import FaultPlan
    from qa_tui.sim.org.spec import OrgSpec
    from qa_tui.sim.scenario import ScenarioSpec

EXIT_OK, EXIT_USAGE = 0, 2


def triage_world(dialect: Dialect | None = None, org: OrgSpec | None = None) -> ScenarioSpec:
    """The world `qa-tui sim` and `qa-tui demo` serve: the default one, with the triage plants,
    spoken in `dialect` (the default reading when None), and with `org`, that many projects of
    each service."""
    from qa_tui.sim.dialects import Dialect
    from qa_tui.sim.scenario import ScenarioSpec

    return ScenarioSpec(triage=True, dialect=dialect or Dialect(), org=org)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only (0600), even if the file existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def run_sim(args: argparse.Namespace) -> int:
    """Start the simulator, announce it, optionally write its config, serve until interrupted."""
    from qa_tui.sim import server
    from qa_tui.sim.dialects import DialectError, help_text, parse_dialect
    from qa_tui.sim.faults import FaultSpecError, parse_fault_spec

    spec = getattr(args, "dialect", None) or ""
    if spec.strip() == "help":
        print(help_text(), end="")
        return EXIT_OK
    seed = {} if args.seed is None else {"seed": args.seed}
    try:
        faults = parse_fault_spec(args.faults, seed=args.seed) if args.faults else None
    except FaultSpecError as exc:
        print(f"qa-tui sim: error: --faults: {exc}", file=sys.stderr)
        return EXIT_USAGE
    org = None
    if getattr(args, "projects", None) is not None:
        from qa_tui.sim.org.spec import OrgSpec

        try:
            org = OrgSpec.of_size(args.projects)
        except ValueError as exc:
            print(f"qa-tui sim: error: --projects: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        world = triage_world(parse_dialect(spec), org)
    except DialectError as exc:
        print(f"qa-tui sim: error: --dialect: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "listen_fd", None) is not None:
        return _serve_for_the_demo(args.listen_fd, faults, args.seed, world)
    try:
        sim = server.start_in_thread(
            host=args.host, port=args.port, faults=faults, scenario=world, **seed
        )
    except (OSError, RuntimeError) as exc:
        print(
            f"qa-tui sim: error: cannot listen on {args.host}:{args.port} ({exc})", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        if args.write_config:
            path = Path(args.write_config).expanduser()
            try:
                write_private(path, server.render_config(sim.base_url, org))
            except OSError as exc:
                print(f"qa-tui sim: error: cannot write {path}: {exc.strerror}", file=sys.stderr)
                return EXIT_USAGE
            print(f"wrote {path} (mode 0600); try: qa-tui runs --config {path}")
        print(server.banner(sim.base_url), flush=True)
        if world.dialect.to_spec():
            print(f"  Dialect   {world.dialect.to_spec()}  (GET /_sim/dialect)", flush=True)
        print("serving; press Ctrl-C to stop", flush=True)
        threading.Event().wait()  # until Ctrl-C (KeyboardInterrupt lands here)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        sim.stop()
    return EXIT_OK


def _serve_for_the_demo(
    fd: int, faults: FaultPlan | None, seed: int | None, world: ScenarioSpec
) -> int:
    """Serve on the listening socket `qa-tui demo` handed down (fd `fd`) until the demo is gone:
    its end of our stdin closes when it exits, however it exits."""
    from qa_tui.sim import server

    sock = socket.socket(fileno=fd)
    stop = threading.Event()

    def wait_for_the_demo() -> None:
        sys.stdin.buffer.read()  # returns at end of file: the demo closed the pipe or died
        stop.set()

    threading.Thread(target=wait_for_the_demo, name="demo-alive", daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in the demo's terminal: just stop
        seed = 7 if seed is None else seed
        server.serve(faults=faults, stop=stop, sock=sock, seed=seed, scenario=world)
    return EXIT_OK
