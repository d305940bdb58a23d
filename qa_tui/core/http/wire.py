"""Tolerant reading of provider payloads.

Wire models accept extra fields and keep enum-like values as plain strings (normalization happens
later, keeping the raw text). A list is read item by item: a bad item is skipped and counted, the
good items in the same page still come through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from qa_tui.core.errors import BadPayload


class WireModel(BaseModel):
    """Base for provider payload models: unknown fields are ignored, aliases and names both work."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


M = TypeVar("M", bound=BaseModel)


@dataclass
class Parsed(Generic[M]):
    """Items read from a list payload, and how many were skipped as unreadable."""

    items: list[M] = field(default_factory=list)
    skipped: int = 0


def parse_one(provider: str, model: type[M], raw: Any, what: str) -> M:
    """Read one object or raise BadPayload naming what could not be read (never the payload)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "(root)" for e in exc.errors()})
        raise BadPayload(provider, f"unreadable {what}: bad {', '.join(fields[:5])}") from None


def parse_each(model: type[M], raw_items: Any) -> Parsed[M]:
    """Read each item of a list on its own; skip (and count) items that do not fit the model."""
    parsed: Parsed[M] = Parsed()
    if not isinstance(raw_items, list):
        return parsed
    for raw in raw_items:
        try:
            parsed.items.append(model.model_validate(raw))
        except ValidationError:
            parsed.skipped += 1
    return parsed


def as_dict(provider: str, raw: Any, what: str) -> dict[str, Any]:
    """The payload as a JSON object, or BadPayload."""
    if not isinstance(raw, dict):
        raise BadPayload(provider, f"unreadable {what}: expected an object")
    return raw


def first_present(raw: dict[str, Any], keys: Iterable[str]) -> Any:
    """The value of the first key present (and not null) in `raw`."""
    for key in keys:
        if raw.get(key) is not None:
            return raw[key]
    return None
