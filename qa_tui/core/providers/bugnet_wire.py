"""Bugnet's payloads and drafts: what qa-tui sends and how it reads what comes back (no I/O).

The client is in `bugnet.py` (its requests go through `bugnet_calls.py`); this module holds the pure
part: the bug draft and its validation, the client reference line, tolerant readers for Bugnet's
(partly undocumented) answers, the similar-bugs answer among them, and the title similarity used
when that route is missing. See `bugnet.py` for the quirks.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from qa_tui.core.errors import QaTuiError
from qa_tui.core.wire import WireModel, first_present, parse_each

CATEGORIES = ("crash", "visual", "gameplay", "performance", "audio", "ui", "network", "other")
PRIORITIES = ("low", "medium", "high", "critical")
TITLE_MAX = 300
REF_PREFIX = "qa-tui-ref: "
PUBLIC_LIMITS = {
    "title": 300, "platform": 50, "game_version": 50, "os_info": 100, "device_info": 200,
    "steam_id": 30, "reporter_name": 100,
}  # fmt: skip
"""Length limits of `POST /api/bugs/submit` (from the SDKs): longer values are truncated."""
_STOPWORD_TEXT = (
    "the and for with from that this when after before into not does did was were are has have "
    "had but its can cannot should would could then than there their while"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def reference_line(ref: str) -> str:
    """The line embedded in a report's description (or comment) so it can be found again."""
    return f"{REF_PREFIX}{ref}"


def with_reference(text: str, ref: str | None) -> str:
    """`text` with the reference line appended once (unchanged when `ref` is None or present)."""
    if not ref or reference_line(ref) in text:
        return text
    return f"{text.rstrip()}\n\n{reference_line(ref)}" if text.strip() else reference_line(ref)


class AuthMode(StrEnum):
    """How the client authenticates, so the UI can say e.g. "submitting via public API key"."""

    SESSION = "session"
    LOGIN = "login"
    API_KEY = "api-key"


class DraftInvalid(QaTuiError):
    """A bug draft failed validation; `problems` maps each field to a message for the form."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


class BugDraft(BaseModel):
    """A bug report as the user wrote it, validated before anything is queued or sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    description: str = ""
    category: str = "other"
    priority: str = "medium"
    steps_to_reproduce: str = ""
    expected: str = ""
    actual: str = ""
    platform: str = ""
    os_info: str = ""
    """The OS the run ran on, as the provider said (`Linux`), for Bugnet's `os_info`."""
    device_info: str = ""
    """The browser it ran in (`Chrome 126.0`), for Bugnet's `device_info`."""
    labels: list[str] = Field(default_factory=list)
    client_ref: str | None = None
    """A client reference (uuid) embedded in the description so the report is never filed twice."""

    @field_validator("title")
    @classmethod
    def _title_fits(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a title is required")
        if len(value) > TITLE_MAX:
            raise ValueError(f"the title is {len(value)} characters; Bugnet allows {TITLE_MAX}")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"{value!r} is not a category; use one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("priority")
    @classmethod
    def _known_priority(cls, value: str) -> str:
        if value not in PRIORITIES:
            raise ValueError(f"{value!r} is not a priority; use one of {', '.join(PRIORITIES)}")
        return value

    @classmethod
    def checked(cls, **fields: Any) -> BugDraft:
        """Build a draft, or raise `DraftInvalid` with one plain message per bad field."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            problems: dict[str, str] = {}
            for error in exc.errors():
                key = ".".join(str(p) for p in error["loc"]) or "draft"
                problems.setdefault(key, str(error["msg"]).removeprefix("Value error, "))
            raise DraftInvalid(problems) from None

    def description_with_reference(self) -> str:
        """The description as sent: with the client reference line when there is one."""
        return with_reference(self.description, self.client_ref)


class _Tolerant(WireModel):
    """Public Bugnet models read the wire directly: extra fields ignored, numeric ids accepted,
    an unreadable timestamp becomes None rather than losing the object."""

    @field_validator("id", mode="before", check_fields=False)
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("created_at", mode="before", check_fields=False)
    @classmethod
    def _time_or_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return None
        return value if isinstance(value, datetime | int | float) else None


class Comment(_Tolerant):
    """A comment on a bug."""

    id: str
    body: str = ""
    internal: bool = False
    created_at: datetime | None = None


class Bug(_Tolerant):
    """A bug as Bugnet reports it. Status, priority and category stay Bugnet's own words."""

    id: str
    title: str = ""
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    description: str | None = None
    """None when the answer did not include it (list items may be summaries)."""
    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "web_url"))
    """Only when Bugnet sends one: no web URL pattern for a bug is documented."""
    created_at: datetime | None = None
    comments: list[Comment] = Field(default_factory=list)
    """Filled by `get_bug` when the detail includes them; unreadable comments are dropped."""
    labels: list[str] = Field(default_factory=list)
    """Label names, from names or `{name}` objects [tolerant: the detail shape is undocumented]."""

    @field_validator("title", mode="before")
    @classmethod
    def _no_title(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("comments", mode="before")
    @classmethod
    def _readable_comments(cls, value: Any) -> list[Comment]:
        return read_many(Comment, value)[0]

    @field_validator("labels", mode="before")
    @classmethod
    def _label_names(cls, value: Any) -> list[str]:
        items = value if isinstance(value, list) else []
        names = [i.get("name") if isinstance(i, dict) else i for i in items]
        return [n for n in names if isinstance(n, str)]


class BugPage(BaseModel):
    """One page of `list_bugs`; `skipped` counts unreadable items, `total` is None if not sent."""

    model_config = ConfigDict(frozen=True)

    bugs: list[Bug]
    total: int | None = None
    skipped: int = 0


class SimilarBug(BaseModel):
    """An existing bug that may be the same problem; `score` is 0..1, higher is closer."""

    model_config = ConfigDict(frozen=True)

    bug: Bug
    score: float


class Label(_Tolerant):
    """A project label."""

    id: str
    name: str = ""
    color: str | None = None


class Project(_Tolerant):
    """A project the session user can see."""

    id: str | None = None
    slug: str
    name: str = ""


T = TypeVar("T", bound=BaseModel)


def read_many(model: type[T], raw: Any) -> tuple[list[T], int]:
    """Each item on its own: the readable ones, and how many were skipped."""
    parsed = parse_each(model, raw)
    return parsed.items, parsed.skipped


def total_in(holder: Any) -> int | None:
    """`total`, or `pagination.total`, from an object [tolerant: the list shape is undocumented]."""
    if not isinstance(holder, dict):
        return None
    paging = holder.get("pagination")
    total = holder.get("total")
    if total is None and isinstance(paging, dict):
        total = paging.get("total")
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def items_of(data: Any, *keys: str) -> tuple[Any, int | None]:
    """A list payload that may be bare or wrapped in an object (`bugs`/`items`/…, `total`)."""
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict):
        return first_present(data, (*keys, "items", "results", "data")), total_in(data)
    return None, None


def significant_words(title: str) -> list[str]:
    """Words of a title worth searching for: no stopwords, no short words, most distinctive first."""
    words = [w for w in re.findall(r"\w+", title.lower()) if len(w) >= 3 and w not in _STOPWORDS]
    unique = list(dict.fromkeys(words))
    return sorted(unique, key=len, reverse=True)


def title_similarity(a: str, b: str) -> float:
    """0..1: half word overlap (Jaccard of significant words), half character sequence match."""
    wa, wb = set(significant_words(a)), set(significant_words(b))
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
    ratio = difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()
    return round((jaccard + ratio) / 2, 4)


def read_similar(title: str, data: Any, limit: int) -> list[SimilarBug]:
    """The similar-bugs answer, closest first: bugs, or `{bug, score}` items, bare or wrapped
    [tolerant: the route is inferred]. A missing score is `title_similarity` to `title`."""
    raw, _ = items_of(data, "similar", "bugs")
    found: list[SimilarBug] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        inner = item.get("bug") if isinstance(item.get("bug"), dict) else item
        try:
            bug = Bug.model_validate(inner)
        except ValidationError:
            continue
        score = first_present(item, ("score", "similarity"))
        if not isinstance(score, int | float):
            score = title_similarity(title, bug.title)
        found.append(SimilarBug(bug=bug, score=max(0.0, min(1.0, float(score)))))
    return sorted(found, key=lambda s: s.score, reverse=True)[:limit]
