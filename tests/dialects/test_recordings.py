"""Recordings replayed: every answer under tests/fixtures/recorded/ (the simulator in every
dialect, and any user's `doctor --probe --record` dropped in beside them) reads through the
clients' parsers, and the probe, served a recording, names what it named when it was made."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa_tui.core.config.tables import load_config
from qa_tui.core.http.wire import parse_each
from qa_tui.core.model import RunStatus
from qa_tui.core.probe.probe import probe
from qa_tui.core.providers.bugbrain.normalize import execution_to_run
from qa_tui.core.providers.bugbrain.wire import Execution
from qa_tui.core.providers.bugbug.normalize import to_run
from qa_tui.core.providers.bugbug.wire import V2SuiteRun, V2TestRun
from qa_tui.core.providers.bugnet.wire import Bug, items_of, read_many
from qa_tui.core.runs.status import BUGBRAIN_STATUSES, BUGBUG_STATUSES
from qa_tui.sim.server import render_config
from tests.support.recordings import FIXTURES, STABLE_HOST

FILES = sorted(
    f
    for f in FIXTURES.rglob("*")
    if f.name.endswith((".json", ".json.gz")) and f.name != "probe.json"
)
CASES = sorted(p.parent.name for p in FIXTURES.glob("*/probe.json"))


def read(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    exchange: dict[str, Any] = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    return exchange


def _known(raw: str | None, vocabulary: dict[str, RunStatus], status: RunStatus) -> bool:
    """A status reads as unknown only when the word is one no doc lists."""
    return status is not RunStatus.UNKNOWN or (raw or "").strip().lower() not in vocabulary


def test_there_are_recordings_of_every_dialect() -> None:
    from tests.dialects.conftest import CASES as MATRIX

    assert {case for case, _ in MATRIX} <= set(CASES)


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(FIXTURES)) for f in FILES])
def test_every_recorded_answer_reads_through_the_clients_parsers(path: Path) -> None:
    exchange = read(path)
    url = httpx.URL(exchange["request"]["url"])
    response = exchange["response"]
    body = response.get("json")
    if response["status"] >= 400 or body is None:
        return  # an error body: the probe's replay below shows it is read as a message
    if url.path.endswith("/api/v2/testruns/"):
        parsed = parse_each(V2TestRun, body["results"])
        assert parsed.skipped == 0
        for wire in parsed.items:
            run = to_run("web", wire)
            assert _known(wire.status, BUGBUG_STATUSES, run.status), wire.status
            assert run.started is None or run.started.tzinfo is not None
    elif url.path.endswith("/api/v2/suiteruns/"):
        suites = parse_each(V2SuiteRun, body["results"])
        assert suites.skipped == 0
        for suite in suites.items:
            assert _known(suite.status, BUGBUG_STATUSES, to_run("web", suite).status)
    elif url.path.endswith("/executions") or url.path.endswith("/status"):
        items = body.get("data", [body]) if isinstance(body, dict) else body
        executions = parse_each(Execution, items)
        assert executions.skipped == 0
        for execution in executions.items:
            run = execution_to_run("plans", execution)
            assert _known(execution.status, BUGBRAIN_STATUSES, run.status), execution.status
    elif url.path.endswith("/bugs"):
        data = body.get("data") if isinstance(body, dict) and "ok" in body else body
        raw, _ = items_of(data, "bugs")
        bugs, skipped = read_many(Bug, raw)
        assert skipped == 0 and all(bug.id for bug in bugs)


def _exchanges(case: str) -> dict[str, list[dict[str, Any]]]:
    """Each provider's recorded exchanges in this case (the default's where the case kept none:
    they were the same)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for folder in (FIXTURES / "default", FIXTURES / case):
        for provider in [p for p in folder.iterdir() if p.is_dir()]:
            found[provider.name] = [read(f) for f in sorted(provider.glob("*.json.gz"))]
    return found


def _replay(exchanges: list[dict[str, Any]]) -> httpx.MockTransport:
    """Answers each request with the recorded answer to the same method, path and query, in
    the order they were recorded (a refused request and its retry share a key)."""
    answers: dict[tuple[str, str], deque[dict[str, Any]]] = defaultdict(deque)
    for exchange in exchanges:
        url = httpx.URL(exchange["request"]["url"])
        key = (exchange["request"]["method"], f"{url.path}?{sorted(url.params.multi_items())}")
        answers[key].append(exchange["response"])

    def answer(request: httpx.Request) -> httpx.Response:
        key = (request.method, f"{request.url.path}?{sorted(request.url.params.multi_items())}")
        queue = answers.get(key)
        assert queue, f"not in the recording: {request.method} {request.url}"
        recorded = queue.popleft() if len(queue) > 1 else queue[0]
        headers = {k: v for k, v in recorded["headers"].items() if k != "content-length"}
        if "json" in recorded:
            return httpx.Response(recorded["status"], json=recorded["json"], headers=headers)
        return httpx.Response(recorded["status"], text=recorded["text"], headers=headers)

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("case", CASES)
def test_the_probe_reads_each_recording_as_it_read_the_server(case: str, tmp_path: Path) -> None:
    config_path = tmp_path / "sim.toml"
    config_path.write_text(render_config(f"http://{STABLE_HOST}"), encoding="utf-8")
    config_path.chmod(0o600)
    recorded = _exchanges(case)
    transports = {name: _replay(exchanges) for name, exchanges in recorded.items()}
    found = asyncio.run(probe(load_config(config_path), transport_for=transports.get))
    expected = json.loads((FIXTURES / case / "probe.json").read_text())
    assert found.as_json() == expected
