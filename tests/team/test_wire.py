"""Reading runs back from Redis: validated like a provider payload (pure, no Redis)."""

from __future__ import annotations

import json

from qa_tui.core.model import ProviderKind, Run, RunKind, RunStatus
from qa_tui.core.team import wire


def a_run(**changes: object) -> Run:
    base = Run(
        provider="theirs",
        provider_kind=ProviderKind.BUGBRAIN,
        id="ex_1",
        kind=RunKind.EXECUTION,
        name="Checkout",
        status=RunStatus.RUNNING,
        provider_status="running",
    )
    return base.model_copy(update=changes)


def test_a_run_round_trips_under_the_readers_own_provider_name() -> None:
    rejected = wire.Rejected()
    stored = wire.encode_run(a_run())
    assert "theirs" not in stored
    back = wire.decode_run(stored, "plans", ProviderKind.BUGBRAIN, rejected)
    assert back == a_run(provider="plans")
    assert rejected.total == 0


def test_unknown_fields_are_ignored_and_bad_runs_skipped_and_counted() -> None:
    rejected = wire.Rejected()
    good = {**json.loads(wire.encode_run(a_run())), "from_a_newer_version": 1}
    entry = {
        b"v": b"1",
        b"runs": json.dumps(
            [
                good,
                {"id": 3},
                {**good, "provider_kind": "bugbug"},
                {**good, "status": "weird"},
                {**good, "name": "x" * (wire.MAX_RUN_BYTES + 1)},
                "text",
            ]
        ).encode(),
        b"removed": json.dumps(["gone", 7]).encode(),
    }
    runs, removed = wire.decode_entry(entry, "plans", ProviderKind.BUGBRAIN, rejected)
    assert [r.id for r in runs] == ["ex_1"]
    assert removed == ["gone"]
    assert rejected.total == 6


def test_oversized_and_unknown_entries_are_refused_whole() -> None:
    rejected = wire.Rejected()
    big = {b"v": b"1", b"runs": b"[" + b" " * wire.MAX_ENTRY_BYTES + b"]"}
    assert wire.decode_entry(big, "p", ProviderKind.BUGBRAIN, rejected) == ([], [])
    assert wire.decode_entry({b"v": b"2"}, "p", ProviderKind.BUGBRAIN, rejected) == ([], [])
    assert wire.stream_entries([["s", [("not bytes", {})]], "junk"], rejected) == []
    assert rejected.total == 3
