"""Dialects: the readings of the loose parts of the provider docs that the simulator can speak.

qa-tui's clients and this simulator were written from the same reading of shared/providers.md,
so a test of one against the other cannot see where a real server reads a fact differently.
Every fact there marked [INF], every gap, and every place where the docs allow more than one
reading is a *switch* here; a :class:`Dialect` picks one value for each. The FIRST value of every
switch is the default, and it is what the simulator spoke before dialects existed, so
``Dialect()`` changes nothing. ``ScenarioSpec.dialect`` carries it; ``qa-tui sim --dialect
KEY=VALUE,...`` picks it (``--dialect help`` prints :func:`help_text`); ``GET /_sim/dialect``
reports it.

Where each switch is handled (each place says which doc fact it reads):

* in the handlers, where the reading changes what is served: BugBug paging, ordering, time
  filters, ``stepsRuns`` (``bugbug_api.py``, ``bugbug.py``), the extra status words
  (``bugbug_world.py``, ``bugbrain_world.py``, ``bugnet_world.py``), the Bugnet list shape and
  routes (``bugnet_routes.py``, ``bugnet_extras.py``), rate-limit headers where no doc promises
  them (``bugbug_api.py``, ``bug0.py``);
* in :mod:`qa_tui.sim.dialect_wire`, where the reading only changes how an answer is written:
  status case, date format, durations, envelopes, error bodies, rate-limit and ``Retry-After``
  headers, BugBrain's auth header, ``limit``, ``total`` and ``progress``.

``/_sim/truth`` is the simulator's own account and always speaks the default reading (lower-case
words, its own date format), whatever the dialect.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

BugbugNext = Literal["absolute", "relative", "null", "other-host"]
BugbugPageSize = Literal["honoured", "fixed", "capped"]
BugbugStepsRuns = Literal["json", "array", "opaque", "empty"]
Honoured = Literal["honoured", "ignored"]
BugbugDuration = Literal["django", "seconds", "suffixed"]
StatusCase = Literal["lower", "upper", "title"]
StatusWords = Literal["documented", "extra"]
Dates = Literal["documented", "no-zone", "micros", "offset"]
RetryAfter = Literal["seconds", "http-date"]
RateHeaders = Literal["documented", "absent", "x-ratelimit", "ratelimit"]
Presence = Literal["present", "absent"]
BugbrainLimit = Literal["honoured", "capped"]
BugbrainAuth = Literal["both", "bearer", "x-api-key"]
BugbrainErrors = Literal["error-object", "error-string", "detail"]
BugbrainAsyncStatus = Literal["202", "200"]
BugnetEnvelope = Literal["ok-data", "bare"]
BugnetErrors = Literal["ok-false", "error-object", "detail", "text"]
BugnetList = Literal["pagination", "nested", "array-only"]
BugnetUpdate = Literal["patch-and-put", "patch", "put"]

PREPARING, PROVISIONING, TRIAGED = "preparing", "provisioning", "triaged"
"""The words no doc lists that ``status_words=extra`` uses: a BugBug run's phase before
``running``, a BugBrain execution's instead of ``pending``, a Bugnet bug's status."""
OTHER_HOST = "http://bugbug-internal.invalid:8000"
"""Where ``bugbug.next=other-host`` links point: a name that never resolves (RFC 6761)."""
BUGBUG_FIXED_PAGE, BUGBUG_PAGE_CAP, BUGBUG_SUITE_PAGE = 25, 50, 20
BUGBRAIN_LIMIT_CAP = 20


class DialectError(ValueError):
    """A dialect spec that cannot be understood; the message names the key or value."""


@dataclass(frozen=True)
class Dialect:
    """One reading of every loose fact. Field ``a_b`` is switch ``a.b``; see :data:`SWITCHES`."""

    bugbug_next: BugbugNext = "absolute"
    bugbug_page_size: BugbugPageSize = "honoured"
    bugbug_steps_runs: BugbugStepsRuns = "json"
    bugbug_suite_ordering: Honoured = "honoured"
    bugbug_suite_page_size: Honoured = "honoured"
    bugbug_time_range: Honoured = "honoured"
    bugbug_duration: BugbugDuration = "django"
    status_case: StatusCase = "lower"
    status_words: StatusWords = "documented"
    dates: Dates = "documented"
    retry_after: RetryAfter = "seconds"
    rate_headers: RateHeaders = "documented"
    bugbrain_total: Presence = "present"
    bugbrain_limit: BugbrainLimit = "honoured"
    bugbrain_auth: BugbrainAuth = "both"
    bugbrain_progress: Presence = "present"
    bugbrain_errors: BugbrainErrors = "error-object"
    bugbrain_async_status: BugbrainAsyncStatus = "202"
    bugnet_envelope: BugnetEnvelope = "ok-data"
    bugnet_errors: BugnetErrors = "ok-false"
    bugnet_list: BugnetList = "pagination"
    bugnet_update: BugnetUpdate = "patch-and-put"
    bugnet_similar: Presence = "present"

    def cased(self, word: str) -> str:
        """A status word as this dialect writes it (``status_case``)."""
        if self.status_case == "upper":
            return word.upper()
        if self.status_case == "title":
            return word[:1].upper() + word[1:]
        return word

    @property
    def extra_words(self) -> bool:
        """Runs pass through phases no doc names (``status_words=extra``)."""
        return self.status_words == "extra"

    @property
    def rate_headers_everywhere(self) -> bool:
        """Providers whose docs promise no rate-limit headers send them too."""
        return self.rate_headers in ("x-ratelimit", "ratelimit")

    def as_dict(self) -> dict[str, str]:
        """Every switch by its key (``bugbug.next``), with its value."""
        return {s.key: getattr(self, s.field) for s in SWITCHES}

    def to_spec(self) -> str:
        """The ``KEY=VALUE,...`` of the switches that differ from the default ('' for none)."""
        return ",".join(
            f"{s.key}={getattr(self, s.field)}" for s in SWITCHES if not s.default_in(self)
        )


@dataclass(frozen=True)
class Switch:
    """One switch: its key, its values (the first is the default), the doc fact it reads and
    what each value means."""

    key: str
    values: tuple[str, ...]
    reads: str
    meanings: tuple[str, ...]

    @property
    def field(self) -> str:
        return self.key.replace(".", "_")

    def default_in(self, dialect: Dialect) -> bool:
        return bool(getattr(dialect, self.field) == self.values[0])


def _switch(key: str, kind: object, reads: str, *meanings: str) -> Switch:
    values = tuple(str(v) for v in get_args(kind))
    if len(values) != len(meanings):
        raise AssertionError(f"{key}: one meaning per value")
    return Switch(key, values, reads, meanings)


SWITCHES: tuple[Switch, ...] = (
    _switch(
        "bugbug.next",
        BugbugNext,
        "§1.1 pagination: `next` is only a nullable URI; no public client follows it [INF]",
        "an absolute URL of this server, as DRF builds it",
        "a path-absolute reference (/bugbug/api/v2/testruns/?page=2&...), as behind a prefix",
        "always null (and `previous` too): only `count` and full pages say there is more",
        f"an absolute URL naming {OTHER_HOST} (same path and query): the host a server behind "
        "a proxy sees; it never resolves",
    ),
    _switch(
        "bugbug.page_size",
        BugbugPageSize,
        "§1.1 pagination: the server may ignore `page_size` [INF]",
        "as asked (default 20, at most 100)",
        f"always {BUGBUG_FIXED_PAGE}, whatever is asked",
        f"as asked, at most {BUGBUG_PAGE_CAP}",
    ),
    _switch(
        "bugbug.steps_runs",
        BugbugStepsRuns,
        "§6.1 gap: V2TestRun.stepsRuns is typed string; examples show '[]' and 'stepsrun_123'",
        "a string holding the JSON list of the step runs so far",
        "a real JSON array of the step runs so far",
        "an opaque string (stepsrun_<hex>)",
        "the string '[]' even when steps ran",
    ),
    _switch(
        "bugbug.suite_ordering",
        Honoured,
        "§1.3 and §1.1: `ordering` on the suite-run list is unverified; lists are strictly "
        "ordered only with ordering=-started [3P]",
        "`ordering` is applied",
        "`ordering` is ignored: oldest first",
    ),
    _switch(
        "bugbug.suite_page_size",
        Honoured,
        "§1.3: `page_size` on the suite-run list comes from a client only [C]",
        "`page_size` as for every list (bugbug.page_size)",
        f"`page_size` is ignored: pages of {BUGBUG_SUITE_PAGE}",
    ),
    _switch(
        "bugbug.time_range",
        Honoured,
        "§1.2, §1.3: started_after/started_before; a third party paged with them [3P]",
        "started_after/started_before filter both run lists",
        "started_after/started_before are ignored on both run lists",
    ),
    _switch(
        "bugbug.duration",
        BugbugDuration,
        "§6.2 gap: `duration` is a string: HH:MM:SS.ffffff in the wild, '120.5' and '15s' in "
        "3P examples",
        "Django's [D ]HH:MM:SS[.ffffff] (00:01:03.800006)",
        "decimal seconds (63.800006)",
        "seconds with an s (63.800006s)",
    ),
    _switch(
        "status_case",
        StatusCase,
        "§1.9, §3.1, §4.4: every status word is shown lower-case; no doc says the case is kept",
        "lower-case, as documented (running)",
        "upper-case (RUNNING, IN_PROGRESS); filters accept this and the documented words",
        "first letter capital (Running, In_progress); filters accept this and the documented words",
    ),
    _switch(
        "status_words",
        StatusWords,
        "§1.7 (some words unexplained), §3.1 (pending = initializing), §4.4 (bug statuses "
        "unknown beyond open/in_progress/closed)",
        "only documented words",
        "BugBug runs pass through `preparing` before `running`, BugBrain executions through "
        "`provisioning` instead of `pending`, some Bugnet bugs are `triaged`; runs still end "
        "with a documented word",
    ),
    _switch(
        "dates",
        Dates,
        "§1.2 date-time, §3.1 'ISO 8601 Z', §4: no format shown for Bugnet [INF]",
        "each provider's own (BugBug DRF with Z, BugBrain seconds with Z, Bugnet milliseconds "
        "with Z)",
        "no zone at all (2025-06-02T12:00:00)",
        "microseconds and Z everywhere (2025-06-02T12:00:00.000000Z)",
        "+00:00 instead of Z",
    ),
    _switch(
        "retry_after",
        RetryAfter,
        "§2.1, §3, §4.1: 429s are documented, `Retry-After` never; RFC 9110 allows two forms",
        "delay-seconds (Retry-After: 5)",
        "an HTTP-date (IMF-fixdate) naming when to retry (the window's end)",
    ),
    _switch(
        "rate_headers",
        RateHeaders,
        "§3 (BugBrain) and §4.1 (Bugnet) document X-RateLimit-* with a unix Reset; §1.1 and "
        "§2.1 document none",
        "X-RateLimit-* where the docs say (BugBrain, Bugnet; and on the rpm fault's 429s)",
        "no rate-limit headers anywhere",
        "X-RateLimit-* on every provider (BugBug counts a 600/min window it never enforces)",
        "the IETF draft's RateLimit-Limit/-Remaining/-Reset, Reset in SECONDS until the window "
        "ends, on every provider",
    ),
    _switch(
        "bugbrain.total",
        Presence,
        "§3.1 shows pagination {limit, offset, total}; Gen B's list shape is not shown",
        "`pagination.total` is sent",
        "no `pagination.total`: only a full page says there is more",
    ),
    _switch(
        "bugbrain.limit",
        BugbrainLimit,
        "§3.1: `limit` default 20, max 100 (Gen A); Gen B's limits are not stated",
        "`limit` as asked (1..100)",
        f"at most {BUGBRAIN_LIMIT_CAP} per page whatever is asked (pagination.limit says so)",
    ),
    _switch(
        "bugbrain.auth",
        BugbrainAuth,
        "§3 and gap §6.8: Gen A `Authorization: Bearer`, Gen B `x-api-key` or Bearer",
        "either header",
        "only `Authorization: Bearer`; x-api-key alone gets BugBrain's 401",
        "only `x-api-key`; Bearer alone gets BugBrain's 401",
    ),
    _switch(
        "bugbrain.progress",
        Presence,
        "§3.1: the running status shape {progress:{current,total,percent}} is Gen A's only",
        "a running execution's status has `progress`",
        "no `progress` (counts only once it ends)",
    ),
    _switch(
        "bugbrain.errors",
        BugbrainErrors,
        "§3 and gap §6.8: the error body shape is not documented for either generation",
        '{"error": {"code", "message"}}',
        '{"error": "message"}',
        '{"detail": "message"}',
    ),
    _switch(
        "bugbrain.async_status",
        BugbrainAsyncStatus,
        "§3.1: POST /executions/async's success status is not given [INF]",
        "202 Accepted",
        "200 OK",
    ),
    _switch(
        "bugnet.envelope",
        BugnetEnvelope,
        "§4.1: success is {ok:true, data:...} (the SDKs read data.id)",
        "{ok: true, data: ...}",
        "the data itself, no envelope (and a list's pagination goes with the envelope)",
    ),
    _switch(
        "bugnet.errors",
        BugnetErrors,
        "§4.1: errors are {ok:false, error:'<message>'}; only the api-reference page says so",
        '{"ok": false, "error": "message"}',
        '{"ok": false, "error": {"code", "message"}}',
        '{"detail": "message"}',
        "the message as text/plain",
    ),
    _switch(
        "bugnet.list",
        BugnetList,
        "§4.2 and gap §6.12: the bug list's response shape (total/next) is not documented",
        "{ok, data: [bugs], pagination: {page, limit, total, pages}}",
        "{ok, data: {bugs: [bugs], page, limit, total}} (the list nested with its counts)",
        "{ok, data: [bugs]}: no counts; only a full page says there is more",
    ),
    _switch(
        "bugnet.update",
        BugnetUpdate,
        "§4.3 and gap §6.11: the bug update method may be PATCH or PUT [INF]",
        "PATCH and PUT both update a bug",
        "only PATCH (PUT is 405)",
        "only PUT (PATCH is 405)",
    ),
    _switch(
        "bugnet.similar",
        Presence,
        "§4.3 and gap §6.11: the similar-bugs path is a low-confidence guess [INF]",
        "POST .../bugs/similar answers",
        "POST .../bugs/similar is 404 (search with ?search= instead)",
    ),
)

HARDEST_BUGBUG = Dialect(bugbug_next="null", bugbug_page_size="fixed", bugbug_time_range="ignored")
"""BugBug at its least helpful for a client that walks a run list back in time."""
PRESETS: dict[str, Dialect] = {"hardest-bugbug": HARDEST_BUGBUG}
_BY_KEY = {s.key: s for s in SWITCHES}


def parse_dialect(text: str) -> Dialect:
    """``KEY=VALUE,...`` (and preset names) into a :class:`Dialect`; '' is the default.

    A preset sets its switches; a ``KEY=VALUE`` after it overrides one. Raises
    :class:`DialectError` naming the bad key or value and listing the valid ones.
    """
    dialect, given = Dialect(), set[str]()
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        key, eq, value = (part.strip() for part in item.partition("="))
        if not eq:
            if key not in PRESETS:
                raise DialectError(
                    f"{item!r}: expected KEY=VALUE or a preset ({', '.join(PRESETS)}); "
                    "try --dialect help"
                )
            preset = PRESETS[key]
            chosen: dict[str, Any] = {
                s.field: getattr(preset, s.field) for s in SWITCHES if not s.default_in(preset)
            }
            dialect = replace(dialect, **chosen)
            continue
        switch = _BY_KEY.get(key)
        if switch is None:
            raise DialectError(f"unknown dialect key {key!r} (valid keys: {', '.join(_BY_KEY)})")
        if value not in switch.values:
            raise DialectError(
                f"{key}: unknown value {value!r} (valid: {', '.join(switch.values)})"
            )
        if key in given:
            raise DialectError(f"{key} is given twice")
        given.add(key)
        chosen = {switch.field: value}
        dialect = replace(dialect, **chosen)
    return dialect


def help_text(width: int = 100) -> str:
    """Every switch, its values, which is the default (marked ``*``), and which doc fact it
    reads, wrapped at `width` columns."""
    lines = [
        "Dialects: the readings of the loose provider docs the simulator can speak.",
        "Usage: qa-tui sim --dialect KEY=VALUE[,KEY=VALUE...]  (a preset may come first)",
        "* marks each switch's default: what the simulator spoke before dialects existed.",
        "§ numbers are sections of shared/providers.md; GET /_sim/dialect shows the one served.",
        "",
        "Presets:",
    ]
    lines += [f"  {name} = {preset.to_spec()}" for name, preset in PRESETS.items()]
    for s in SWITCHES:
        lines += ["", s.key, *textwrap.wrap(f"reads {s.reads}", width, initial_indent="  ",
                                            subsequent_indent="    ")]  # fmt: skip
        column = max(len(v) for v in s.values)
        for n, (value, meaning) in enumerate(zip(s.values, s.meanings, strict=True)):
            head = f"  {'*' if n == 0 else ' '} {value.ljust(column)}  "
            lines += textwrap.wrap(
                meaning, width, initial_indent=head, subsequent_indent=" " * len(head)
            )
    return "\n".join(lines) + "\n"
