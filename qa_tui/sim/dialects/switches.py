"""The dialect switches: each one's key, its values (the first is the default: what the simulator
spoke before dialects existed), the fact of shared/providers.md it reads, and what each value
means. :mod:`qa_tui.sim.dialects` builds a :class:`~qa_tui.sim.dialects.Dialect` from them; the
help of ``qa-tui sim --dialect help`` is written from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

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

OTHER_HOST = "http://bugbug-internal.invalid:8000"
"""Where ``bugbug.next=other-host`` links point: a name that never resolves (RFC 6761)."""
BUGBUG_FIXED_PAGE, BUGBUG_PAGE_CAP, BUGBUG_SUITE_PAGE = 25, 50, 20
BUGBRAIN_LIMIT_CAP = 20


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

    def default_in(self, dialect: object) -> bool:
        """`dialect` (a :class:`~qa_tui.sim.dialects.Dialect`) has this switch's default."""
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
        "`provisioning` instead of `pending` (its documented ?status= words are kept, so "
        "?status=pending finds none), some Bugnet bugs are `triaged`; runs still end with a "
        "documented word",
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
