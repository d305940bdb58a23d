"""Recordings of the simulator in every dialect, made the way a user makes one of a real
service: `qa-tui doctor --probe --record DIR` (redacted), plus what the probe printed.

    .venv/bin/python -m tests.support.recordings      # rewrites tests/fixtures/recorded/

Each case of the dialect matrix (tests/dialects/conftest.py) becomes
`tests/fixtures/recorded/<case>/`: one gzipped JSON file per exchange (`<provider>/NN-….json.gz`,
the recording format of core/probe/record.py) and `probe.json`, the report the probe gave. A
user's own recording (plain `.json` files, no `probe.json`) can be dropped in beside them:
tests/dialects/test_recordings.py reads every file through the clients' parsers.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

from qa_tui.cli.main import main
from qa_tui.sim import ScenarioClock, ScenarioSpec
from qa_tui.sim.dialects import Dialect
from qa_tui.sim.server import render_config, start_in_thread

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
STABLE_HOST = "127.0.0.1:8765"
"""The simulator's host:port as recordings keep it (each recording served on a port of its own)."""


def recording_world(dialect: Dialect) -> ScenarioSpec:
    """Enough runs for every reading to show (more than a page of 50 test runs, more than ten
    suite runs, active executions), few enough that a recording stays small."""
    return ScenarioSpec(
        bugbug_test_runs_finished=52,
        bugbug_suite_runs_finished=11,
        bugbrain_finished=24,
        bugbrain_active=4,
        bugbug_local_runs=2,
        bugnet_bugs=6,
        new_run_every_s=None,
        dialect=dialect,
    )


def record(case: str, dialect: Dialect, into: Path) -> None:
    with (
        tempfile.TemporaryDirectory() as scratch,
        start_in_thread(
            port=0,
            seed=11,
            scenario=recording_world(dialect),
            clock=ScenarioClock.manual_at(),
            enforce_documented_limits=False,
        ) as sim,
    ):
        config = Path(scratch) / "sim.toml"
        config.write_text(render_config(sim.base_url), encoding="utf-8")
        config.chmod(0o600)
        raw = Path(scratch) / "raw"
        report = Path(scratch) / "probe.json"
        with report.open("w", encoding="utf-8") as written, redirect_stdout(written):
            code = main(
                ["doctor", "--probe", "--json", "--record", str(raw), "--config", str(config)]
            )
        if code != 0:
            raise SystemExit(f"{case}: the probe failed: {report.read_text()}")
        target = into / case
        shutil.rmtree(target, ignore_errors=True)
        host = sim.base_url.split("://", 1)[1]
        for file in sorted(raw.rglob("*.json")):
            where = target / file.relative_to(raw)
            where.parent.mkdir(parents=True, exist_ok=True)
            exchange = json.loads(file.read_text(encoding="utf-8").replace(host, STABLE_HOST))
            exchange["response"]["headers"].pop("date", None)  # the wall clock: not the world's
            text = json.dumps(exchange, indent=2, sort_keys=True)
            where.with_suffix(".json.gz").write_bytes(gzip.compress(text.encode(), mtime=0))
        probed = json.loads(report.read_text())
        (target / "probe.json").write_text(json.dumps(probed, indent=2) + "\n", encoding="utf-8")


def _contents(folder: Path) -> dict[str, bytes]:
    return {
        str(f.relative_to(folder)): gzip.decompress(f.read_bytes())
        for f in sorted(folder.glob("*.json.gz"))
    }


def keep_what_differs(case_dir: Path, default_dir: Path) -> None:
    """A provider's recording that is the default's, byte for byte, is not kept twice: the
    replay reads the default's in its place (`recorded_exchanges`)."""
    for provider in [p for p in case_dir.iterdir() if p.is_dir()]:
        if _contents(provider) == _contents(default_dir / provider.name):
            shutil.rmtree(provider)


def main_() -> None:
    from tests.dialects.conftest import CASES

    for case, dialect in CASES:
        record(case, dialect, FIXTURES)
        if case != "default":
            keep_what_differs(FIXTURES / case, FIXTURES / "default")
        print(f"recorded {case}")


if __name__ == "__main__":
    main_()
