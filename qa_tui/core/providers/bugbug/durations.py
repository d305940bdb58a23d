"""Durations as BugBug writes them: its `duration` strings in every form seen (§6.2)."""

from __future__ import annotations

import re
from typing import Any

_CLOCK = re.compile(
    r"^(?:(?P<days>\d+)\s*(?:days?,?\s*)?)?"
    r"(?:(?P<hours>\d+):)?(?P<minutes>\d{1,2}):(?P<seconds>\d{1,2}(?:\.\d+)?)$"
)
_UNIT = re.compile(r"^(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|sec|secs|m|min|mins|h)$")
_ISO = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "sec": 1,
    "secs": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "h": 3600,
}


def parse_duration(raw: Any) -> float | None:
    """BugBug's `duration` in seconds, or None when it cannot be read.

    Accepts `HH:MM:SS.ffffff`, `D HH:MM:SS` (Django), `D day(s), H:MM:SS` (Python), `MM:SS`,
    plain numbers (`120.5`, also as a JSON number), unit forms (`15s`, `250ms`, `2m`, `1h`) and
    ISO 8601 (`PT1M3S`). Negative or non-finite values read as None.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        seconds = float(raw)
    elif isinstance(raw, str):
        seconds_or_none = _duration_from_text(raw.strip())
        if seconds_or_none is None:
            return None
        seconds = seconds_or_none
    else:
        return None
    if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
        return None
    return seconds


def _duration_from_text(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        pass
    if match := _CLOCK.match(text):
        parts = match.groupdict()
        return (
            int(parts["days"] or 0) * 86400
            + int(parts["hours"] or 0) * 3600
            + int(parts["minutes"]) * 60
            + float(parts["seconds"])
        )
    if match := _UNIT.match(text.lower()):
        return float(match["value"]) * _UNIT_SECONDS[match["unit"]]
    if (match := _ISO.match(text.upper())) and text.upper() not in ("P", "PT"):
        parts = match.groupdict()
        return (
            float(parts["days"] or 0) * 86400
            + float(parts["hours"] or 0) * 3600
            + float(parts["minutes"] or 0) * 60
            + float(parts["seconds"] or 0)
        )
    return None
