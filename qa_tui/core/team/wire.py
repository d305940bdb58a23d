"""What goes into Redis and how what comes out of it is read: as untrusted as a provider payload.

Runs are written as the normalized `Run` without the provider's display name (each instance
names its providers in its own config) and read back through the same pydantic model, with the
reader's own name and kind put in: a field this version does not know is ignored, a run whose
kind is not the provider's, a value the model refuses, or anything over the size caps is skipped
and counted in `Rejected`, and the rest of the entry still applies. Nothing here touches Redis.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from qa_tui.core.model import ProviderKind, Run

MAX_RUN_BYTES = 64_000
"""One run's JSON: a provider's longest error text fits many times over."""
MAX_ENTRY_BYTES = 4_000_000
"""One stream entry's runs."""
MAX_RUNS_PER_ENTRY = 500
"""A big batch (the first paint of a large project) is published as several entries."""
MAX_ID_CHARS = 512
"""A run id longer than this is not one any provider sends."""
MAX_SNAPSHOT_RUNS = 50_000
"""A snapshot holding more than this is read only this far."""


@dataclass
class Rejected:
    """What was read from Redis and skipped, by reason (shown by tests and the bench)."""

    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str) -> None:
        self.reasons[reason] += 1

    @property
    def total(self) -> int:
        return sum(self.reasons.values())


def encode_run(run: Run) -> str:
    """A run as stored: its JSON, without the provider's display name."""
    return run.model_dump_json(exclude={"provider"})


def chunks(runs: Sequence[Run]) -> Iterator[Sequence[Run]]:
    """`runs` in pieces of at most `MAX_RUNS_PER_ENTRY` (one stream entry each)."""
    for start in range(0, len(runs), MAX_RUNS_PER_ENTRY):
        yield runs[start : start + MAX_RUNS_PER_ENTRY]


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


def decode_run(
    raw: object, provider: str, kind: ProviderKind, rejected: Rejected, *, parsed: bool = False
) -> Run | None:
    """One stored run (JSON text, or already parsed with `parsed=True`) as this instance's `Run`,
    or None (counted in `rejected`) when it is not a valid one of this provider's kind."""
    if parsed:
        data = raw
    else:
        text = _text(raw)
        if text is None or len(text) > MAX_RUN_BYTES:
            rejected.add("run too large or not text")
            return None
        try:
            data = json.loads(text)
        except ValueError:
            rejected.add("run not JSON")
            return None
    if not isinstance(data, dict):
        rejected.add("run not an object")
        return None
    try:
        run = Run.model_validate({**data, "provider": provider})
    except ValidationError:
        rejected.add("run refused by the model")
        return None
    if run.provider_kind is not kind:
        rejected.add("run of another provider kind")
        return None
    if len(run.id) > MAX_ID_CHARS:
        rejected.add("run id too long")
        return None
    return run


def decode_entry(
    fields: Mapping[bytes, bytes], provider: str, kind: ProviderKind, rejected: Rejected
) -> tuple[list[Run], list[str]]:
    """A change-stream entry: its runs and the ids it removes (bad parts skipped and counted)."""
    if fields.get(b"v") != b"1":
        rejected.add("entry of an unknown version")
        return [], []
    raw_runs, raw_removed = _text(fields.get(b"runs")), _text(fields.get(b"removed", b"[]"))
    if raw_runs is None or raw_removed is None or len(raw_runs) > MAX_ENTRY_BYTES:
        rejected.add("entry too large or not text")
        return [], []
    try:
        items, removed_items = json.loads(raw_runs), json.loads(raw_removed)
    except ValueError:
        rejected.add("entry not JSON")
        return [], []
    if not isinstance(items, list) or not isinstance(removed_items, list):
        rejected.add("entry not lists")
        return [], []
    runs: list[Run] = []
    for item in items[:MAX_RUNS_PER_ENTRY]:
        if len(json.dumps(item)) > MAX_RUN_BYTES:
            rejected.add("run too large or not text")
            continue
        run = decode_run(item, provider, kind, rejected, parsed=True)
        if run is not None:
            runs.append(run)
    if len(items) > MAX_RUNS_PER_ENTRY:
        rejected.add("entry over the run cap")
    removed = [r for r in removed_items[:MAX_RUNS_PER_ENTRY] if _is_id(r)]
    if len(removed) != len(removed_items):
        rejected.add("bad removed id")
    return runs, removed


def decode_request(fields: Mapping[bytes, bytes], rejected: Rejected) -> str | None:
    """A follower's refresh request: the run id it wants, or None (counted) when malformed."""
    run_id = _text(fields.get(b"run"))
    if run_id is None or not _is_id(run_id):
        rejected.add("bad refresh request")
        return None
    return run_id


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS


def stream_entries(reply: object, rejected: Rejected) -> list[tuple[str, dict[bytes, bytes]]]:
    """The (entry id, fields) of an `XREAD` reply (RESP2: [[stream, [[id, fields], ...]], ...]);
    anything of another shape is skipped and counted."""
    out: list[tuple[str, dict[bytes, bytes]]] = []
    for stream in reply if isinstance(reply, list) else ():
        entries = stream[1] if isinstance(stream, list | tuple) and len(stream) == 2 else None
        for entry in entries if isinstance(entries, list) else ():
            if (
                isinstance(entry, list | tuple)
                and len(entry) == 2
                and isinstance(entry[0], bytes)
                and isinstance(entry[1], dict)
            ):
                out.append((entry[0].decode("ascii", "replace"), entry[1]))
            else:
                rejected.add("malformed stream entry")
    return out
