"""The probe's requests, a few GETs per provider through its own budget, and what they met.

BugBug: the newest test runs (10 a page, then 100 to tell a fixed page size from a cap), the
same list from the middle of that page's starts (does the range hold?), and the newest suite
runs (does `ordering` hold there?). BugBrain: the newest executions (a total? a cap?), the next
offset when there is no total to tell, and one active execution's status (`progress`?). Bugnet:
health, a few bugs, and one bug that does not exist (what an error body looks like). Bug0 has no
read API: nothing is sent beyond doctor's reachability GET, and the report says so.

Each report lists what it met with what qa-tui does about it, in plain words (`met`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import Config, ProviderConfig
from qa_tui.core.doctor.checks import secrets_of
from qa_tui.core.errors import NotFound, ProviderError, Unsupported
from qa_tui.core.http.paging import (
    NEXT_ABSOLUTE,
    NEXT_OTHER_HOST,
    NEXT_RELATIVE,
    OFFSET,
    PAGE_NUMBERS,
)
from qa_tui.core.http.session import ProviderHttp, shared_tls_context
from qa_tui.core.http.wire import as_dict
from qa_tui.core.probe import readings
from qa_tui.core.probe.record import Exchange, RecordingTransport, redact_json, redact_url
from qa_tui.core.providers.bugbrain.wire import Execution
from qa_tui.core.providers.bugbug.wire import V2SuiteRun, V2TestRun
from qa_tui.core.providers.bugnet import BugnetClient
from qa_tui.core.providers.registry import TRACKER, TransportFor, build_tracker, provider_http
from qa_tui.core.runs.status import BUGBRAIN_STATUSES, BUGBUG_STATUSES

NO_SUCH_BUG = "00000000-0000-4000-8000-000000000000"
"""A bug id no tracker holds: its 404 shows what Bugnet's error bodies look like."""
NO_SUCH_EXECUTION = "exec_000000000000"
"""An execution id no project holds: its 404 shows what BugBrain's error bodies look like."""
BUGNET_STATUSES = ("open", "in_progress", "closed")


@dataclass
class ProbeReport:
    """What one provider's (or the tracker's) answers turned out to speak."""

    name: str
    kind: str
    status: str
    """`ok`, `unverified` (Bug0: nothing to read) or `failed` (`detail` says why)."""
    detail: str = ""
    shape: dict[str, Any] = field(default_factory=dict)
    met: list[str] = field(default_factory=list)
    """One line per thing met, and what qa-tui does about it."""
    exchanges: list[Exchange] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.name, "kind": self.kind, "status": self.status}
        if self.detail:
            found["detail"] = self.detail
        found["shape"] = self.shape
        found["met"] = self.met
        return found


def _common(report: ProbeReport, items: Sequence[Mapping[str, Any]], dates: Sequence[str]) -> None:
    """What every run provider's report says: rate-limit headers and how dates are written."""
    headers = readings.rate_headers_in(e.response_headers for e in report.exchanges)
    report.shape["rate_limit_headers"] = headers
    if headers:
        report.met.append(
            f"rate-limit headers {', '.join(headers)}: the request budget follows them"
        )
    else:
        report.met.append("no rate-limit headers: the budget keeps to requests_per_minute")
    style = readings.date_style(item.get(key) for item in items for key in dates)
    if style is not None:
        report.shape["dates"] = style
        if style.startswith("no-zone"):
            report.met.append("dates carry no zone: read as UTC")


def _statuses(report: ProbeReport, words: Sequence[str], known: Sequence[str]) -> None:
    report.shape["unknown_statuses"] = readings.unknown_statuses(words, known)
    case = readings.status_case(words)
    if case is not None:
        report.shape["status_case"] = case
        if case != "lower":
            report.met.append(f"status words in {case} case: read in any case")
    if report.shape["unknown_statuses"]:
        shown = ", ".join(report.shape["unknown_statuses"])
        report.met.append(
            f"status words no doc lists: {shown}: shown as sent, counted as unknown, "
            "and such runs are polled while young"
        )


def _fields(report: ProbeReport, unknown: list[str]) -> None:
    report.shape["unknown_fields"] = unknown
    if unknown:
        report.met.append(f"fields qa-tui does not read: {', '.join(unknown)} (ignored)")


def _describe_pagination(report: ProbeReport, pagination: str | None) -> None:
    report.shape["pagination"] = pagination
    lines = {
        NEXT_OTHER_HOST: "`next` names another host or path: the same page is read from "
        "base_url instead, and the token never goes there",
        NEXT_RELATIVE: "`next` is relative: resolved against the URL it came with",
        PAGE_NUMBERS: "`next` is null while `count` says there is more: pages are counted",
    }
    lines[NEXT_ABSOLUTE] = "`next` links are absolute, on base_url: followed"
    if pagination in lines:
        report.met.append(lines[pagination])
    elif pagination is None:
        report.met.append("every list fitted one page: nothing to tell of its paging")


async def probe_bugbug(report: ProbeReport, http: ProviderHttp) -> None:
    path = "/api/v2/testruns/"
    first = as_dict(
        report.name,
        await http.get_json(path, params={"ordering": "-started", "page": 1, "page_size": 10}),
        "page",
    )
    runs = [r for r in first.get("results") or [] if isinstance(r, dict)]
    count = first.get("count") if isinstance(first.get("count"), int) else None
    pagination = readings.pagination_of(first, report.exchanges[-1].url, http.base_url)
    size = "honoured"
    wider: list[dict[str, Any]] = []
    if len(runs) > 10:
        size = f"fixed {len(runs)}"
    elif count is not None and count > 10:
        wide = as_dict(
            report.name,
            await http.get_json(path, params={"ordering": "-started", "page": 1, "page_size": 100}),
            "page",
        )
        wider = [r for r in wide.get("results") or [] if isinstance(r, dict)]
        served = len(wider)
        if served < min(100, count):
            size = f"fixed {served}" if served <= 10 else f"capped {served}"
    elif count is not None and len(runs) < min(10, count):
        size = f"fixed {len(runs)}"
    report.shape["page_size"] = size
    if size != "honoured":
        report.met.append(
            f"test-run pages hold {size.split()[-1]} ({size}): paged by what is served"
        )
    starts = sorted(s for r in wider or runs if isinstance(s := r.get("started"), str))
    if len(set(starts)) >= 2:
        cutoff = starts[len(starts) // 2]
        ranged = as_dict(
            report.name,
            await http.get_json(
                path,
                params={"ordering": "-started", "started_after": cutoff, "page_size": 100},
            ),
            "page",
        )
        moment = V2TestRun.model_validate({"id": "x", "started": cutoff}).started
        later = [
            V2TestRun.model_validate({"id": "x", "started": r.get("started")}).started
            for r in ranged.get("results") or []
            if isinstance(r, dict)
        ]
        outside = [
            t for t in later if t is not None and moment and t < moment - timedelta(seconds=1)
        ]
        report.shape["time_range"] = "ignored" if outside else "honoured"
        if outside:
            report.met.append(
                "started_after/started_before are ignored: deep runs are refreshed through "
                "status filters, and ranges are filtered here"
            )
    suites_body = as_dict(
        report.name,
        await http.get_json(
            "/api/v2/suiteruns/", params={"ordering": "-started", "page": 1, "page_size": 10}
        ),
        "page",
    )
    suites = [s for s in suites_body.get("results") or [] if isinstance(s, dict)]
    if pagination is None:
        pagination = readings.pagination_of(suites_body, report.exchanges[-1].url, http.base_url)
    suite_starts = [t for s in suites if isinstance(t := s.get("started"), str)]
    if len(suite_starts) >= 2:
        ascending = suite_starts[0] < suite_starts[-1]
        report.shape["suite_ordering"] = "ignored" if ascending else "honoured"
        if ascending:
            report.met.append(
                "suite runs come oldest first whatever `ordering` asks: the newest are read "
                "from the last pages"
            )
    suite_count = suites_body.get("count")
    if isinstance(suite_count, int) and suite_count > 10:
        report.shape["suite_page_size"] = "ignored" if len(suites) > 10 else "honoured"
    _describe_pagination(report, pagination)
    children = [c for s in suites for c in s.get("testRuns") or [] if isinstance(c, dict)]
    every_run = [*runs, *children]
    report.shape["steps_runs"] = shape = readings.steps_runs_of(every_run)
    if shape in ("opaque", "absent"):
        report.met.append(
            f"`stepsRuns` is {shape}: where a failed run failed is read from /screenshots/ "
            "and /stepruns/{id}/ (two requests per failed run, once)"
        )
    unknown = readings.unknown_fields(
        every_run, readings.known_fields(V2TestRun, readings.BUGBUG_TEST_RUN_FIELDS)
    )
    unknown += readings.unknown_fields(
        suites, readings.known_fields(V2SuiteRun, readings.BUGBUG_SUITE_RUN_FIELDS)
    )
    _fields(report, sorted(set(unknown)))
    words = readings.status_words([*every_run, *suites])
    _statuses(report, words, list(BUGBUG_STATUSES))
    modes = sorted({m for r in every_run if isinstance(m := r.get("runMode"), str)} - {"server"})
    if modes:
        report.met.append(
            f"runs in mode {', '.join(modes)}: shown as such (mode: in the filter), kept "
            "out of flaky rates and incidents"
        )
    _common(report, [*every_run, *suites], ("started", "ended", "queued"))


async def probe_bugbrain(report: ProbeReport, http: ProviderHttp, project_id: str) -> None:
    params = {"project_id": project_id, "limit": 100, "offset": 0}
    first = as_dict(report.name, await http.get_json("/executions", params=params), "page")
    executions = [e for e in first.get("data") or [] if isinstance(e, dict)]
    pagination = first.get("pagination")
    total = pagination.get("total") if isinstance(pagination, dict) else None
    report.shape["pagination"] = OFFSET
    report.shape["total"] = "present" if isinstance(total, int) else "absent"
    if not isinstance(total, int):
        report.met.append("no pagination.total: a short page ends a list once the cap is known")
    limit = "honoured"
    got = len(executions)
    if isinstance(total, int) and got < min(100, total):
        limit = f"capped {got}"
    elif not isinstance(total, int) and 0 < got < 100:
        after = as_dict(
            report.name,
            await http.get_json("/executions", params={**params, "offset": got}),
            "page",
        )
        if after.get("data"):
            limit = f"capped {got}"
    report.shape["limit"] = limit
    if limit != "honoured":
        report.met.append(f"`limit` is {limit}: offsets advance by what is served")
    names = http.auth_header_names
    report.shape["auth"] = "bearer" if "Authorization" in names else "x-api-key"
    if report.shape["auth"] == "x-api-key":
        report.met.append(
            "the key is taken in `x-api-key` (not `Authorization: Bearer`): qa-tui switched; "
            'auth_style = "x-api-key" saves one refused request at start'
        )
    active = next(
        (e for e in executions if str(e.get("status", "")).lower() in ("running", "pending")),
        None,
    )
    if active is not None and isinstance(active.get("id"), str):
        status = await http.get_json(f"/executions/{active['id']}/status")
        has = isinstance(status, dict) and isinstance(status.get("progress"), dict)
        report.shape["progress"] = "present" if has else "absent"
        if not has:
            report.met.append("a running execution's status has no progress: none is shown")
    known = readings.known_fields(Execution, readings.BUGBRAIN_EXECUTION_FIELDS)
    _fields(report, readings.unknown_fields(executions, known))
    try:
        await http.get_json(f"/executions/{NO_SUCH_EXECUTION}/status")
    except NotFound:
        report.shape["errors"] = _error_shape(report.exchanges[-1])
    _statuses(report, readings.status_words(executions), list(BUGBRAIN_STATUSES))
    _common(report, executions, ("created_at", "started_at", "completed_at"))


def _error_shape(exchange: Exchange) -> str:
    """How an error body is written: `{ok:false, error}` (Bugnet's docs), `{error:{…}}`,
    `{error:"…"}`, `{detail}` (DRF) or plain text [INF: neither BugBrain's nor the others'
    error bodies are all documented]."""
    body = exchange.json()
    if not isinstance(body, dict):
        return "text"
    error = body.get("error")
    if isinstance(error, dict):
        return "error-object"
    if "ok" in body:
        return "ok-false"
    if isinstance(error, str):
        return "error-string"
    if "detail" in body:
        return "detail"
    return "other"


async def probe_bugnet(report: ProbeReport, client: BugnetClient) -> None:
    health = await client.http.get_json("/api/health")
    report.shape["envelope"] = "ok-data" if isinstance(health, dict) and "ok" in health else "bare"
    if report.shape["envelope"] == "bare":
        report.met.append("answers come without the {ok, data} envelope: read as the data")
    try:
        bugs = await client.list_bugs(limit=5)
    except Unsupported:
        report.met.append("only an API key: bugs can be filed, not read (nothing more to probe)")
        report.shape["rate_limit_headers"] = readings.rate_headers_in(
            e.response_headers for e in report.exchanges
        )
        return
    listed = report.exchanges[-1].json()
    data = listed.get("data", listed) if isinstance(listed, dict) else listed
    report.shape["list"] = (
        "array"
        if isinstance(data, list)
        else f"object:{next((k for k in ('bugs', 'items', 'results', 'data') if k in data), '?')}"
        if isinstance(data, dict)
        else "other"
    )
    try:
        await client.get_bug(NO_SUCH_BUG)
    except (NotFound, ProviderError):
        report.shape["errors"] = _error_shape(report.exchanges[-1])
    if report.shape.get("errors") not in (None, "ok-false"):
        report.met.append(f"error bodies are {report.shape['errors']}: their message is shown")
    words = [bug.status for bug in bugs.bugs if bug.status]
    report.shape["unknown_statuses"] = readings.unknown_statuses(words, BUGNET_STATUSES)
    if report.shape["unknown_statuses"]:
        shown = ", ".join(report.shape["unknown_statuses"])
        report.met.append(f"bug statuses no doc lists: {shown}: shown as sent")
    report.shape["rate_limit_headers"] = readings.rate_headers_in(
        e.response_headers for e in report.exchanges
    )


def _transport(
    transport_for: TransportFor | None, name: str, verify_tls: bool
) -> RecordingTransport:
    inner = transport_for(name) if transport_for else None
    if inner is None:
        inner = httpx.AsyncHTTPTransport(verify=shared_tls_context() if verify_tls else False)
    return RecordingTransport(inner)


async def _run(report: ProbeReport, work: Callable[[], Awaitable[None]]) -> ProbeReport:
    try:
        await work()
    except ProviderError as error:
        code = f" (HTTP {error.status_code})" if error.status_code else ""
        report.status, report.detail = "failed", f"{error.kind.value}: {error.message}{code}"
    except Exception as error:  # one client's bug must not hide the others' reports
        report.status, report.detail = "failed", f"unexpected {type(error).__name__}"
    return report


async def _probe_provider(
    provider: ProviderConfig, transport_for: TransportFor | None, clock: Clock
) -> ProbeReport:
    recorder = _transport(transport_for, provider.name, provider.verify_tls)
    http = provider_http(provider, clock=clock, transport=recorder)
    report = ProbeReport(provider.name, provider.kind, "ok", exchanges=recorder.exchanges)
    try:
        if provider.kind == "bugbug":
            return await _run(report, lambda: probe_bugbug(report, http))
        if provider.kind == "bugbrain":
            project = provider.project_id or ""
            return await _run(report, lambda: probe_bugbrain(report, http, project))
        report.status = "unverified"
        report.met.append(
            "Bug0 has no read API: nothing can be probed without triggering a run (none is)"
        )
        return report
    finally:
        await http.aclose()


async def _probe_tracker(
    config: Config, transport_for: TransportFor | None, clock: Clock
) -> ProbeReport | None:
    if config.tracker is None:
        return None
    recorder = _transport(transport_for, TRACKER, config.tracker.verify_tls)
    client = build_tracker(config, clock=clock, transport_for=lambda _name: recorder)
    if client is None:
        return None
    report = ProbeReport("tracker", config.tracker.kind, "ok", exchanges=recorder.exchanges)
    try:
        return await _run(report, lambda: probe_bugnet(report, client))
    finally:
        await client.aclose()


@dataclass
class Probe:
    """Every provider's report and the tracker's, with the secrets to keep out of any output."""

    providers: list[ProbeReport]
    tracker: ProbeReport | None
    secrets: list[str]

    def as_json(self) -> dict[str, Any]:
        def shown(report: ProbeReport) -> dict[str, Any]:
            found: dict[str, Any] = redact_json(report.as_json(), self.secrets, by_key=False)
            return found

        return {
            "providers": [shown(r) for r in self.providers],
            "tracker": shown(self.tracker) if self.tracker else None,
        }

    @property
    def failed(self) -> bool:
        reports = [*self.providers, *([self.tracker] if self.tracker else [])]
        return any(r.status == "failed" for r in reports)

    def urls(self, report: ProbeReport) -> list[str]:
        return [redact_url(e.url, self.secrets) for e in report.exchanges]


async def probe(
    config: Config, *, clock: Clock = SYSTEM_CLOCK, transport_for: TransportFor | None = None
) -> Probe:
    """Probe every provider and the tracker at once (each within its own budget)."""
    providers = await asyncio.gather(
        *(_probe_provider(p, transport_for, clock) for p in config.providers)
    )
    tracker = await _probe_tracker(config, transport_for, clock)
    return Probe(list(providers), tracker, secrets_of(config))
