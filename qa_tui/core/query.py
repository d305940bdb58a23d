"""The filter language and the table's ordering: pure functions over rows.

    checkout status:failed,error provider:web kind:suite since:2h -status:passed

- free words match (case-insensitively) the run's name, id, provider, raw status or error;
- `status:` takes normalized statuses or raw provider words (`status:paused`), comma-separated;
- `provider:`, `kind:` take names, comma-separated; `since:` takes `30s`, `15m`, `2h`, `3d`, `1w`;
- `test:NAME` matches the run's test by name (a part of it) or id (the whole id);
- `mode:local` (or `server`, `recording`) matches how BugBug ran a run (`runMode`);
- `is:flaky` matches runs whose test is flaky on their target (the run history says: see
  `RunFacts`; with no history, nothing is);
- a leading `-` negates a term (`-provider:web`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from qa_tui.core.model import Run, RunKind, RunStatus
from qa_tui.core.store import Row, RunKey

_SINCE = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
FIELDS = ("status", "provider", "kind", "since", "test", "is", "mode")
MODES = ("server", "local", "recording")
"""`mode:` values: BugBug's `runMode` (every other provider's runs are `server` runs)."""
IS_WORDS = ("flaky",)


class RunFacts(Protocol):
    """What the filter knows of a run beyond its fields (the run history)."""

    def is_flaky(self, run: Run) -> bool: ...


class QueryError(ValueError):
    """The filter text cannot be read; the message says which term and why."""


@dataclass(frozen=True)
class Term:
    field: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed filter. The empty query matches everything."""

    words: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    since: timedelta | None = None
    failed_only: bool = False
    """The `f` toggle: only failed and errored runs."""
    facts: RunFacts | None = field(default=None, compare=False)
    """Where `is:flaky` is looked up (None: no history, no run is flaky)."""

    @property
    def uses_facts(self) -> bool:
        """True when the filter asks the history (`is:`): its answer changes as results come."""
        return any(term.field == "is" for term in self.terms)

    def predicate(self, now: datetime) -> Callable[[Run], bool]:
        """`matches` as one function of a run, built once for a pass over many rows: each
        part of the query becomes one small check (a third of the cost per row)."""
        checks: list[Callable[[Run], bool]] = []
        if self.failed_only:
            failed = (RunStatus.FAILED, RunStatus.ERROR)
            checks.append(lambda run: run.status in failed)
        if self.since is not None:
            cutoff = now - self.since
            checks.append(lambda run: (when := run.started or run.queued or run.ended) is not None
                          and when >= cutoff)  # fmt: skip
        checks.extend(_term_check(term, self.facts) for term in self.terms)
        if len(self.words) == 1:
            word = self.words[0]
            checks.append(lambda run: word in _haystack(run))
        elif self.words:
            words = self.words
            checks.append(lambda run: all(w in _haystack(run) for w in words))
        if not checks:
            return lambda run: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda run: first(run) and second(run)
        return lambda run: all(check(run) for check in checks)

    def matches(self, row: Row, now: datetime) -> bool:
        run = row.run
        if self.failed_only and run.status not in (RunStatus.FAILED, RunStatus.ERROR):
            return False
        if self.since is not None:
            when = run.started or run.queued or run.ended
            if when is None or when < now - self.since:
                return False
        for term in self.terms:
            if _term_matches(term, run, self.facts) == term.negated:
                return False
        if self.words:
            haystack = _haystack(run)
            if len(self.words) == 1:
                return self.words[0] in haystack
            return all(word in haystack for word in self.words)
        return True


_HAYSTACKS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {}
"""Each searched run's text, by run key, with the fields it was built from (a run whose fields
changed builds it again). Typing a filter searches every run at each key: a run's text is built
once. The run itself is not kept: a run that left the store (`RunStore.keep`) costs only its
strings here until the next clear."""
_HAYSTACKS_KEPT = 50_000


def _haystack(run: Run) -> str:
    key = (run.provider, run.id)
    parts = (run.name, run.id, run.provider, run.provider_status, run.error or "")
    known = _HAYSTACKS.get(key)
    if known is not None and known[0] == parts:
        return known[1]
    text = "\n".join(parts).casefold()
    if len(_HAYSTACKS) >= _HAYSTACKS_KEPT:
        _HAYSTACKS.clear()
    _HAYSTACKS[key] = (parts, text)
    return text


def _test_matches(values: tuple[str, ...], run: Run) -> bool:
    name, test_id = run.name.casefold(), (run.test_id or "").casefold()
    return any(value in name or value == test_id for value in values)


def _term_matches(term: Term, run: Run, facts: RunFacts | None = None) -> bool:
    # the enums are StrEnums: a member is its own value (and `.value` costs a lookup per row)
    if term.field == "status":
        return run.status in term.values or run.provider_status.casefold() in term.values
    if term.field == "provider":
        return run.provider.casefold() in term.values or run.provider_kind in term.values
    if term.field == "kind":
        return run.kind in term.values
    if term.field == "test":
        return _test_matches(term.values, run)
    if term.field == "is":
        return facts is not None and facts.is_flaky(run)
    if term.field == "mode":
        return (run.mode or "server") in term.values
    return True


def _term_check(term: Term, facts: RunFacts | None = None) -> Callable[[Run], bool]:
    """One term as a check of a run (the same rules as `_term_matches`)."""
    values, negated = term.values, term.negated
    if term.field in ("test", "is", "mode"):
        return lambda run: _term_matches(term, run, facts) is not negated
    if term.field == "status":
        return lambda run: (
            (run.status in values or run.provider_status.casefold() in values) is not negated
        )
    if term.field == "provider":
        return lambda run: (
            (run.provider.casefold() in values or run.provider_kind in values) is not negated
        )
    if term.field == "kind":
        return lambda run: (run.kind in values) is not negated
    return lambda run: not negated


def parse_query(text: str, *, failed_only: bool = False, facts: RunFacts | None = None) -> Query:
    """Read filter text; raise QueryError naming the bad term. `facts` answers `is:flaky`."""
    words: list[str] = []
    terms: list[Term] = []
    since: timedelta | None = None
    for token in text.split():
        negated = token.startswith("-") and ":" in token
        body = token[1:] if negated else token
        name, sep, value = body.partition(":")
        name = name.casefold()
        if not sep or name not in FIELDS:
            words.append(token.casefold())
            continue
        if not value:
            raise QueryError(f"'{token}': {name}: needs a value")
        if name == "since":
            since = _parse_since(value)
            continue
        values = tuple(v.casefold() for v in value.split(",") if v)
        if name == "kind":
            known = {k.value for k in RunKind}
            bad = [v for v in values if v not in known]
            if bad:
                raise QueryError(f"'{token}': kind is one of {', '.join(sorted(known))}")
        if name == "mode" and any(v not in MODES for v in values):
            raise QueryError(f"'{token}': mode is one of {', '.join(MODES)}")
        if name == "is" and any(v not in IS_WORDS for v in values):
            raise QueryError(f"'{token}': is: takes {', '.join(IS_WORDS)}")
        terms.append(Term(name, values, negated))
    return Query(tuple(words), tuple(terms), since, failed_only, facts)


def _parse_since(value: str) -> timedelta:
    match = _SINCE.match(value.casefold())
    if not match:
        raise QueryError(f"'since:{value}': use a number and s, m, h, d or w (e.g. since:2h)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


class SortKey(StrEnum):
    """Columns the table can be sorted by (`s` cycles through them)."""

    STARTED = "started"
    STATUS = "status"
    PROVIDER = "provider"
    NAME = "name"
    DURATION = "duration"


_STATUS_ORDER = {
    status: index
    for index, status in enumerate(
        [
            RunStatus.RUNNING,
            RunStatus.QUEUED,
            RunStatus.FAILED,
            RunStatus.ERROR,
            RunStatus.UNKNOWN,
            RunStatus.STOPPED,
            RunStatus.SKIPPED,
            RunStatus.PASSED,
        ]
    )
}
_NOT_YET = datetime(9999, 1, 1, tzinfo=UTC)
"""Where a run with no time at all sorts: one just created (BugBug `initialized`, a re-run the
provider has not queued yet) is the newest run there is, not the oldest."""


def _started(run: Run) -> datetime:
    return run.started or run.queued or run.ended or _NOT_YET


_TIME_FIELDS = ("started", "queued", "ended", "parent_id")
SORT_FIELDS: dict[SortKey, tuple[str, ...]] = {
    SortKey.STARTED: _TIME_FIELDS,
    SortKey.STATUS: ("status", *_TIME_FIELDS),
    SortKey.PROVIDER: ("provider", *_TIME_FIELDS),
    SortKey.NAME: ("name", *_TIME_FIELDS),
    SortKey.DURATION: ("duration_s", *_TIME_FIELDS),
}
"""The run fields a row's place depends on, per sort (its sort key, its order under its suite
run, which suite run): a run whose new value has the same ones has not moved."""


def sort_function(key: SortKey) -> Callable[[Row], tuple[object, ...]]:
    """A key function ordering rows for `key`; ties fall back to newest first."""

    def started(row: Row) -> float:
        run = row.run
        return -(run.started or run.queued or run.ended or _NOT_YET).timestamp()

    if key is SortKey.STATUS:
        return lambda row: (_STATUS_ORDER.get(row.run.status, 99), started(row))
    if key is SortKey.PROVIDER:
        return lambda row: (row.run.provider.casefold(), started(row))
    if key is SortKey.NAME:
        return lambda row: (row.run.name.casefold(), started(row))
    if key is SortKey.DURATION:
        return lambda row: (-(row.run.duration_s or 0.0), started(row))

    def newest_first(row: Row) -> tuple[object, ...]:  # the default: one call per row
        run = row.run
        return (-(run.started or run.queued or run.ended or _NOT_YET).timestamp(),)

    return newest_first


@dataclass(frozen=True)
class View:
    """How the table shows the store: filter, order, grouping."""

    query: Query = field(default_factory=Query)
    sort: SortKey = SortKey.STARTED
    group_suites: bool = True
    """Show a suite run's test runs right under it."""


def visible_keys(rows: Iterable[Row], view: View, now: datetime) -> list[RunKey]:
    """The keys the table shows, in order. Test runs of a shown suite run follow their suite run,
    oldest first; ties are broken by key, so the order is the same however it was computed."""
    shown = {row.key: row for row in rows if view.query.matches(row, now)}
    order = sort_function(view.sort)
    if not view.group_suites:
        return [key for _, key in sorted((order(row), row.key) for row in shown.values())]
    children: dict[RunKey, list[tuple[tuple[object, ...], RunKey]]] = {}
    top: list[tuple[tuple[object, ...], RunKey]] = []
    for key, row in shown.items():
        parent = _parent(row)
        if parent is not None and parent in shown and _parent(shown[parent]) not in shown:
            children.setdefault(parent, []).append((child_order(row), key))
        else:
            top.append((order(row), key))
    ordered: list[RunKey] = []
    for _, key in sorted(top):
        ordered.append(key)
        ordered.extend(kid for _, kid in sorted(children.get(key, ())))
    return ordered


def _parent(row: Row) -> RunKey | None:
    return (row.run.provider, row.run.parent_id) if row.run.parent_id else None


def child_order(row: Row) -> tuple[object, ...]:
    """How a suite run's test runs are ordered under it: oldest first."""
    return (_started(row.run).timestamp(),)
