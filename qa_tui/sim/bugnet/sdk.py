"""Bugnet's SDK routes: what a game client sends with the project's API key (shared/providers.md
§4.2; the Pygame SDK ``bugnet-sdk`` 1.0 calls every one of them). What they record is kept in
:class:`~qa_tui.sim.bugnet.telemetry.Telemetry` (``world.telemetry``).

* ``X-API-Key`` authenticates ``POST /api/bugs/submit``, ``GET /api/bugs/settings``,
  ``POST /api/perf/snapshot`` and ``POST /api/session-replays``. ``POST /api/sessions/start`` and
  ``/api/sessions/end`` take the key as ``api_key`` in the JSON body instead, and only there (the
  Godot SDK sends no header; the Pygame SDK sends both). A missing key is 401 ``Missing API key``,
  a wrong or revoked one 401 ``Invalid API key``. Bad input is 400; a ``bug_report_id`` or
  ``session_token`` naming nothing known is 404.
* ``sessions/start`` ``{api_key, session_token, platform?, game_version?, device_info?,
  os_info?}``: 201 with the session; the same token again is 200 with the session as it was
  (a retried start) [INF]. No length limits are enforced: the SDK truncates nothing here.
* ``sessions/end`` ``{api_key, session_token, crashed?: bool}``: 200 with the session. An end may
  come twice (a crash report ends the session, then shutdown ends it again): the first end's time
  is kept and a crash is never undone [INF].
* ``perf/snapshot`` ``{bug_report_id?, fps, frame_time_ms, memory_used_mb, custom_metrics?}``:
  the three figures are non-negative numbers, ``custom_metrics`` a JSON-encoded object (a
  string); 201 with the snapshot, ``custom_metrics`` decoded [INF: the answer is undocumented].
* ``session-replays``: ``multipart/form-data`` with ``bug_report_id``, ``duration_sec`` (a whole
  number), ``metadata`` (a JSON-encoded object) and ``file``; 201 with what was recorded.
* ``bugs/settings`` answers ``{screenshot_capture, session_capture, auto_file_errors}`` and counts
  the read.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from qa_tui.sim.bugnet.api import BugnetApi, bug_fields, fail, ok
from qa_tui.sim.bugnet.telemetry import GameSession, PerfSnapshot, SessionReplay
from qa_tui.sim.common import read_multipart
from qa_tui.sim.credentials import BUGNET_API_KEY

_SESSION_FIELDS = ("platform", "game_version", "device_info", "os_info")
_FIGURES = ("fps", "frame_time_ms", "memory_used_mb")


def _number(value: Any) -> float | None:
    """A JSON number at least 0 (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


def _json_object(text: Any) -> dict[str, Any] | None:
    """The object a JSON-encoded string holds, else None."""
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def sdk_routes(api: BugnetApi) -> list[BaseRoute]:
    ctx, world, body_of = api.ctx, api.world, api.body_of
    telemetry = world.telemetry

    def key_error(key: Any) -> Response | None:
        if not key:
            return fail(401, "Missing API key")
        if key != BUGNET_API_KEY or "bugnet" in ctx.revoked:
            return fail(401, "Invalid API key")
        return None

    def header_key_error(request: Request) -> Response | None:
        return key_error(request.headers.get("x-api-key"))

    def unknown_bug(bug_id: Any) -> Response | None:
        if not isinstance(bug_id, str) or not bug_id:
            return fail(400, "bug_report_id must be a bug id")
        return None if bug_id in world.bugs else fail(404, "Bug not found")

    async def submit(request: Request) -> Response:
        if (refusal := header_key_error(request)) is not None:
            return refusal
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        fields = bug_fields(body, create=True)
        if isinstance(fields, str):
            return fail(400, fields)
        shot = body.get("screenshot")
        if shot is not None and not (isinstance(shot, str) and shot.startswith("data:image/")):
            return fail(400, "screenshot must be a data:image/... URI")
        extra: dict[str, Any] = {
            k: fields.pop(k)
            for k in ("os_info", "device_info", "steam_id", "reporter_name")
            if k in fields
        }
        extra["has_screenshot"] = shot is not None
        fields.pop("status", None)
        bug = world.add_bug(
            fields.pop("title"),
            fields.pop("description", ""),
            fields.pop("category", "other"),
            fields.pop("priority", "medium"),
            reporter=None,
            source="sdk",
            at=ctx.now(),
            extra=extra,
            **fields,
        )
        return ok(world.bug_json(bug), 201)

    async def settings(request: Request) -> Response:
        if (refusal := header_key_error(request)) is not None:
            return refusal
        telemetry.settings_reads += 1
        return ok(dict(telemetry.settings))

    async def session_body(request: Request) -> tuple[dict[str, Any], str] | Response:
        """The body of a start or end whose key is right, with its session token."""
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        if (refusal := key_error(body.get("api_key"))) is not None:
            return refusal
        token = body.get("session_token")
        if not isinstance(token, str) or not token.strip() or len(token) > 100:
            return fail(400, "session_token is required (at most 100 characters)")
        return body, token

    async def session_start(request: Request) -> Response:
        checked = await session_body(request)
        if isinstance(checked, Response):
            return checked
        body, token = checked
        for name in _SESSION_FIELDS:
            if body.get(name) is not None and not isinstance(body[name], str):
                return fail(400, f"{name} must be a string")
        if token in telemetry.sessions:
            return ok(telemetry.sessions[token].to_json())
        session = GameSession(
            token,
            ctx.now(),
            platform=body.get("platform"),
            game_version=body.get("game_version"),
            device_info=body.get("device_info"),
            os_info=body.get("os_info"),
        )
        telemetry.sessions[token] = session
        return ok(session.to_json(), 201)

    async def session_end(request: Request) -> Response:
        checked = await session_body(request)
        if isinstance(checked, Response):
            return checked
        body, token = checked
        crashed = body.get("crashed", False)
        if not isinstance(crashed, bool):
            return fail(400, "crashed must be a boolean")
        session = telemetry.sessions.get(token)
        if session is None:
            return fail(404, "Session not found")
        session.ends += 1
        session.crashed = session.crashed or crashed
        if session.ended is None:
            session.ended = ctx.now()
        return ok(session.to_json())

    async def perf_snapshot(request: Request) -> Response:
        if (refusal := header_key_error(request)) is not None:
            return refusal
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        figures = {name: _number(body.get(name)) for name in _FIGURES}
        for name, value in figures.items():
            if value is None:
                return fail(400, f"{name} must be a number at least 0")
        bug_id = body.get("bug_report_id")
        if bug_id is not None and (refusal := unknown_bug(bug_id)) is not None:
            return refusal
        metrics = body.get("custom_metrics")
        if metrics is not None and (metrics := _json_object(metrics)) is None:
            return fail(400, "custom_metrics must be a JSON-encoded object")
        snapshot = PerfSnapshot(
            world.new_id(),
            ctx.now(),
            bug_report_id=bug_id,
            custom_metrics=metrics,
            **{k: v for k, v in figures.items() if v is not None},
        )
        telemetry.perf_snapshots.append(snapshot)
        return ok(snapshot.to_json(), 201)

    async def session_replay(request: Request) -> Response:
        if (refusal := header_key_error(request)) is not None:
            return refusal
        form = await read_multipart(request)
        if form is None:
            return fail(400, "Request body must be multipart/form-data")
        bug_id = form["bug_report_id"].text() if "bug_report_id" in form else None
        if (refusal := unknown_bug(bug_id)) is not None:
            return refusal
        duration = form["duration_sec"].text() if "duration_sec" in form else ""
        if not duration.isdigit():
            return fail(400, "duration_sec must be a whole number of seconds")
        metadata = _json_object(form["metadata"].text()) if "metadata" in form else {}
        if metadata is None:
            return fail(400, "metadata must be a JSON-encoded object")
        upload = form.get("file")
        if upload is None or upload.filename is None or not upload.data:
            return fail(400, "file is required")
        try:
            events = json.loads(upload.data)
        except ValueError:
            events = None
        replay = SessionReplay(
            world.new_id(),
            ctx.now(),
            str(bug_id),
            int(duration),
            upload.filename,
            upload.content_type,
            len(upload.data),
            metadata,
            len(events) if isinstance(events, list) else None,
        )
        telemetry.replays.append(replay)
        return ok(replay.to_json(), 201)

    return [
        Route("/bugs/submit", submit, methods=["POST"]),
        Route("/bugs/settings", settings),
        Route("/sessions/start", session_start, methods=["POST"]),
        Route("/sessions/end", session_end, methods=["POST"]),
        Route("/perf/snapshot", perf_snapshot, methods=["POST"]),
        Route("/session-replays", session_replay, methods=["POST"]),
    ]
