"""What a game's Bugnet SDK reports besides bugs: play sessions, performance snapshots, session
replays and reads of the capture settings, kept in memory so a test (or ``GET /_sim/truth``, under
``bugnet_sdk``) can read back exactly what arrived. The routes are in :mod:`qa_tui.sim.bugnet.sdk`.

Nothing here holds a credential: the API key a request carried is checked and dropped. A session
token is the game's own id for one play session (a UUID the SDK makes), not a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa_tui.sim.common import iso_millis

DEFAULT_SETTINGS = {"screenshot_capture": True, "session_capture": False, "auto_file_errors": True}
"""What ``GET /api/bugs/settings`` answers unless a test changes :attr:`Telemetry.settings`."""


@dataclass
class GameSession:
    """One play session, from ``POST /api/sessions/start`` to ``/api/sessions/end``."""

    token: str
    started: float
    platform: str | None = None
    game_version: str | None = None
    device_info: str | None = None
    os_info: str | None = None
    ended: float | None = None
    """When the first end arrived (a crash report ends a session, and shutdown ends it again)."""
    crashed: bool = False
    """True once any end said so: a later clean end does not undo a crash."""
    ends: int = 0
    """How many ends arrived."""

    def to_json(self) -> dict[str, Any]:
        return {
            "session_token": self.token,
            "platform": self.platform,
            "game_version": self.game_version,
            "device_info": self.device_info,
            "os_info": self.os_info,
            "started_at": iso_millis(self.started),
            "ended_at": iso_millis(self.ended),
            "duration_sec": None if self.ended is None else round(self.ended - self.started, 3),
            "crashed": self.crashed,
            "ends": self.ends,
        }


@dataclass
class PerfSnapshot:
    """One ``POST /api/perf/snapshot``: frame rate, frame time and memory, maybe for a bug."""

    id: str
    at: float
    fps: float
    frame_time_ms: float
    memory_used_mb: float
    bug_report_id: str | None = None
    custom_metrics: dict[str, Any] | None = None
    """Decoded from the JSON-encoded string the SDK sends."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bug_report_id": self.bug_report_id,
            "fps": self.fps,
            "frame_time_ms": self.frame_time_ms,
            "memory_used_mb": self.memory_used_mb,
            "custom_metrics": self.custom_metrics,
            "created_at": iso_millis(self.at),
        }


@dataclass
class SessionReplay:
    """One ``POST /api/session-replays`` upload (the file itself is counted, not kept)."""

    id: str
    at: float
    bug_report_id: str
    duration_sec: int
    file_name: str
    content_type: str
    size: int
    metadata: dict[str, Any] = field(default_factory=dict)
    events: int | None = None
    """Entries in the file when it is a JSON list (the Pygame SDK's input events); None for a GIF."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bug_report_id": self.bug_report_id,
            "duration_sec": self.duration_sec,
            "metadata": self.metadata,
            "file_name": self.file_name,
            "content_type": self.content_type,
            "size": self.size,
            "events": self.events,
            "created_at": iso_millis(self.at),
        }


@dataclass
class Telemetry:
    """Everything the SDK routes recorded, in arrival order."""

    settings: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    """The project's capture settings; a test may change them before the SDK starts."""
    settings_reads: int = 0
    sessions: dict[str, GameSession] = field(default_factory=dict)
    perf_snapshots: list[PerfSnapshot] = field(default_factory=list)
    replays: list[SessionReplay] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "settings": dict(self.settings),
            "settings_reads": self.settings_reads,
            "sessions": [s.to_json() for s in self.sessions.values()],
            "perf_snapshots": [p.to_json() for p in self.perf_snapshots],
            "session_replays": [r.to_json() for r in self.replays],
        }
