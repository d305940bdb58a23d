"""The filter language and the table's ordering: pure functions over rows.

    checkout -nightly status:failed,error provider:web kind:suite since:2h -status:passed

- free words match (case-insensitively) the run's name, id, provider, target, raw status or
  error; `-word` keeps the runs that do not contain it;
- `status:` means the status shown (what the STATUS column says, core/runs/shown.py):
  `queued`, `triggered` (Bug0), `running` (a paused run too), `failed`, `error`, ... or a word a
  running run is shown as (`status:paused`); comma-separated. BugBrain's errored execution
  (its own word `failed`) is `status:error`, as `qa-tui runs --status` reads it;
- `raw:` matches the provider's own status word (`raw:failed`, `raw:completed`);
- `provider:` takes provider names or kinds, `kind:` run kinds, comma-separated; `since:` takes
  `30s`, `15m`, `2h`, `3d`, `1w`;
- `test:NAME` matches the run's test by name (a part of it) or id (the whole id);
- `mode:local` (or `server`, `recording`) matches how BugBug ran a run (`runMode`);
- `is:flaky` matches runs whose test is flaky on their target (the run history says: see
  `RunFacts`; with no history, nothing is);
- a leading `-` negates a term (`-provider:web`) or a word (`-checkout`).

A term this language does not know says so (`QueryError`) rather than matching nothing: an
unknown field (`statu:failed`), status, kind, mode, or, when the caller names its providers, an
unknown provider (`provider:nowhere`). A word with a colon whose first part is not a plain name
(`https://...`, `12:30`) is a word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from qa_tui.core.model import ProviderKind, Run, RunKind, RunStatus
from qa_tui.core.runs.newest import moment
from qa_tui.core.runs.shown import STATUS_WORDS, status_matches
from qa_tui.core.runs.store import Row, RunKey

_SINCE = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_FIELD = re.compile(r"^([a-z_]+):(?!//)(.*)$", re.IGNORECASE)
"""`name:value`, where the name is a plain word (`https://x` and `12:30` are words)."""
FIELDS = ("status", "raw", "provider", "kind", "since", "test", "is", "mode")
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
    not_words: tuple[str, ...] = ()
    """`-word`: runs whose text contains none of these."""
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
        if self.not_words:
            not_words = self.not_words
            checks.append(lambda run: not any(w in _haystack(run) for w in not_words))
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
        if self.not_words and any(word in _haystack(run) for word in self.not_words):
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
    parts = (run.name, run.id, run.provider, run.provider_status, run.error or "", run.target or "")
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
        return status_matches(run, term.values)
    if term.field == "raw":
        return run.provider_status.casefold() in term.values
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
        return lambda run: status_matches(run, values) is not negated
    if term.field == "raw":
        return lambda run: (run.provider_status.casefold() in values) is not negated
    if term.field == "provider":
        return lambda run: (
            (run.provider.casefold() in values or run.provider_kind in values) is not negated
        )
    if term.field == "kind":
        return lambda run: (run.kind in values) is not negated
    return lambda run: not negated


def parse_query(
    text: str,
    *,
    failed_only: bool = False,
    facts: RunFacts | None = None,
    providers: Collection[str] | None = None,
) -> Query:
    """Read filter text; raise QueryError naming the bad term and what it could be. `facts`
    answers `is:flaky`; `providers` (the names configured) makes `provider:` check its values
    (None: any name is taken, as a saved filter may name a provider not configured here)."""
    words: list[str] = []
    not_words: list[str] = []
    terms: list[Term] = []
    since: timedelta | None = None
    for token in text.split():
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        field_term = _FIELD.match(body)
        if field_term is None:
            (not_words if negated else words).append(body.casefold())
            continue
        name, value = field_term.group(1).casefold(), field_term.group(2)
        if name not in FIELDS:
            raise QueryError(_unknown(token, "field", name, FIELDS, suffix=":"))
        if not value:
            raise QueryError(f"'{token}': {name}: needs a value")
        if name == "since":
            since = _parse_since(value)
            continue
        values = tuple(v.casefold() for v in value.split(",") if v)
        _check_values(token, name, values, providers)
        terms.append(Term(name, values, negated))
    return Query(
        words=tuple(words),
        terms=tuple(terms),
        not_words=tuple(not_words),
        since=since,
        failed_only=failed_only,
        facts=facts,
    )


def parse_leaving_out_errors(
    text: str,
    *,
    failed_only: bool = False,
    facts: RunFacts | None = None,
    providers: Collection[str] | None = None,
) -> tuple[Query, str, QueryError | None]:
    """`parse_query`, but a term it cannot read is left out rather than failing the whole
    filter: (the query of the terms that read, their text, the first error or None). A typo in
    one term (`statu:failed`) then neither empties the table nor hides what the rest filters."""
    try:
        return (
            parse_query(text, failed_only=failed_only, facts=facts, providers=providers),
            (text),
            None,
        )
    except QueryError as error:
        first = error
    kept = []
    for token in text.split():
        try:
            parse_query(token, providers=providers)
        except QueryError:
            continue
        kept.append(token)
    rest = " ".join(kept)
    query = parse_query(rest, failed_only=failed_only, facts=facts, providers=providers)
    return query, rest, first


def _check_values(
    token: str, name: str, values: tuple[str, ...], providers: Collection[str] | None
) -> None:
    """Raise QueryError when a value of a term with a known set of values is not one of them."""
    known: tuple[str, ...] | None = None
    if name == "status":
        known = STATUS_WORDS
    elif name == "kind":
        known = tuple(kind.value for kind in RunKind)
    elif name == "mode":
        known = MODES
    elif name == "is":
        known = IS_WORDS
    elif name == "provider" and providers is not None:
        known = (*(p.casefold() for p in providers), *(kind.value for kind in ProviderKind))
    if known is None:
        return
    for value in values:
        if value not in known:
            raise QueryError(_unknown(token, name, value, known))


def _unknown(token: str, what: str, value: str, known: Collection[str], suffix: str = "") -> str:
    """`'statu:failed': no field statu: (did you mean status:?); fields: status:, raw:, ...`"""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    guess = f" (did you mean {close[0]}{suffix}?)" if close else ""
    listed = ", ".join(f"{k}{suffix}" for k in known)
    message = f"'{token}': no {what} {value}{suffix}{guess}; "
    if what == "field":
        return message + f"fields: {listed}"
    if what == "status":
        return message + f"status: is one of {listed}; raw:WORD matches a provider's own word"
    if what == "provider":
        return message + f"provider: is one of {listed}"
    return message + f"{what}: is one of {listed}"


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


def sort_function(key: SortKey, *, reverse: bool = False) -> Callable[[Row], tuple[object, ...]]:
    """A key function ordering rows for `key` (`reverse`: the other way round); ties fall back
    to newest first either way."""

    def started(row: Row) -> float:
        return -moment(row.run).timestamp()

    sign = -1 if reverse else 1
    if key is SortKey.STATUS:
        return lambda row: (sign * _STATUS_ORDER.get(row.run.status, 99), started(row))
    if key is SortKey.PROVIDER:
        if reverse:
            return lambda row: (_descending(row.run.provider.casefold()), started(row))
        return lambda row: (row.run.provider.casefold(), started(row))
    if key is SortKey.NAME:
        if reverse:
            return lambda row: (_descending(row.run.name.casefold()), started(row))
        return lambda row: (row.run.name.casefold(), started(row))
    if key is SortKey.DURATION:
        return lambda row: (-sign * (row.run.duration_s or 0.0), started(row))
    if reverse:
        return lambda row: (-started(row),)

    def newest(row: Row) -> tuple[object, ...]:  # the default (ties: the row's key, provider, id)
        return (-moment(row.run).timestamp(),)

    return newest


def _descending(text: str) -> tuple[int, ...]:
    """A sort key putting `text` in reverse alphabetical order (Z to A, `abc` before `ab`)."""
    return (*(-ord(char) for char in text), 1)


@dataclass(frozen=True)
class View:
    """How the table shows the store: filter, order, grouping."""

    query: Query = field(default_factory=Query)
    sort: SortKey = SortKey.STARTED
    reverse: bool = False
    """The sort the other way round (oldest first, A to Z reversed, shortest first...)."""
    group_suites: bool = True
    """Show a suite run's test runs right under it."""


def visible_keys(rows: Iterable[Row], view: View, now: datetime) -> list[RunKey]:
    """The keys the table shows, in order. Test runs of a shown suite run follow their suite run,
    oldest first; ties are broken by key, so the order is the same however it was computed."""
    shown = {row.key: row for row in rows if view.query.matches(row, now)}
    order = sort_function(view.sort, reverse=view.reverse)
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
    return (moment(row.run).timestamp(),)
