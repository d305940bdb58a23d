"""What every provider package shares: the simulator context, time formats, request helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from starlette.requests import Request

from qa_tui.sim.faults import FaultPlan
from qa_tui.sim.limits import RateLimiter
from qa_tui.sim.scenario import ScenarioClock, ScenarioSpec


@dataclass
class SimContext:
    """Shared by the four providers: the seed, clock, spec, faults, limits and revoked tokens."""

    seed: int
    clock: ScenarioClock
    spec: ScenarioSpec
    faults: FaultPlan
    limiter: RateLimiter
    enforce_limits: bool = True
    """Enforce the documented limits (BugBrain 30/min, Bug0 10/min, Bugnet 120/30/10 per min)."""
    revoked: set[str] = field(default_factory=set)
    """Providers whose credentials are currently refused (``/_sim/revoke``)."""
    revoked_tokens: set[str] = field(default_factory=set)
    """Single tokens currently refused (``/_sim/revoke`` naming a project of the org, sim/org.py)."""

    def now(self) -> float:
        return self.clock.now()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def iso_drf(ts: float | None) -> str | None:
    """Django REST framework's format: microseconds when non-zero, ``Z`` for UTC."""
    return None if ts is None else _dt(ts).isoformat().replace("+00:00", "Z")


def iso_seconds(ts: float | None) -> str | None:
    """``2025-03-08T10:30:00Z``, as BugBrain's examples show."""
    return None if ts is None else _dt(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(ts: float | None) -> str | None:
    """``2025-03-08T10:30:00.123Z`` (JavaScript's toISOString), used for Bugnet [INF]."""
    if ts is None:
        return None
    d = _dt(ts)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float | None:
    """Parse an ISO 8601 date-time (``Z`` or an offset; naive means UTC); None when invalid."""
    try:
        d = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def django_duration(seconds: float) -> str:
    """Django's ``duration_string``: ``[D ]HH:MM:SS[.ffffff]`` (``00:01:03.800006``)."""
    micros = round(seconds * 1_000_000)
    days, rest = divmod(micros, 86_400 * 1_000_000)
    secs, us = divmod(rest, 1_000_000)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}"
    if us:
        text += f".{us:06d}"
    return f"{days} {text}" if days else text


def prefix_url(request: Request) -> str:
    """The absolute URL of the provider prefix this request came through (``http://h:p/bugbug``)."""
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"


def origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def read_json_object(request: Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is missing, invalid or not an object."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class FormPart:
    """One field of a ``multipart/form-data`` body."""

    data: bytes
    filename: str | None = None
    """Set for a file field."""
    content_type: str = "text/plain"

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


async def read_multipart(request: Request) -> dict[str, FormPart] | None:
    """A ``multipart/form-data`` body by field name (the first of a repeated name wins), or None
    when the body is not one. Read with the standard library's MIME parser, so the simulator needs
    no form-parsing package for the one route that takes a form."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + await request.body())
    if not message.is_multipart() or message.defects:
        return None
    parts: dict[str, FormPart] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes) and name not in parts:
            parts[name] = FormPart(payload, part.get_filename(), part.get_content_type())
    return parts


def int_param(value: str | None, default: int) -> int | None:
    """A query parameter as an int: ``default`` when absent, None when not a number."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return None
