"""How qa-tui reads what Bugnet answers (no I/O), tolerantly: its answers are partly undocumented.

The models read the wire directly: extra fields ignored, numeric ids accepted, an unreadable
timestamp becomes None rather than losing the object (`TextId`, `LooseTime`, shared as types,
not through a base class). Lists may be bare or wrapped in an object (`items_of`, `total_in`);
unreadable items are skipped and counted (`read_many`). The similar-bugs answer is read here
(`read_similar`), with the title similarity used when that route is missing. See `client.py`
for the quirks.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from qa_tui.core.http.wire import WireModel, first_present, parse_each

_STOPWORD_TEXT = (
    "the and for with from that this when after before into not does did was were are has have "
    "had but its can cannot should would could then than there their while"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _id_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _time_or_none(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime | int | float) else None


TextId = Annotated[str, BeforeValidator(_id_text)]
"""An id: numeric ids are accepted and read as text."""
LooseTime = Annotated[datetime | None, BeforeValidator(_time_or_none)]
"""A timestamp, or None when it is unreadable rather than losing the object."""


class Comment(WireModel):
    """A comment on a bug."""

    id: TextId
    body: str = ""
    internal: bool = False
    created_at: LooseTime = None


class Bug(WireModel):
    """A bug as Bugnet reports it. Status, priority and category stay Bugnet's own words."""

    id: TextId
    title: str = ""
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    description: str | None = None
    """None when the answer did not include it (list items may be summaries)."""
    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "web_url"))
    """Only when Bugnet sends one: no web URL pattern for a bug is documented."""
    created_at: LooseTime = None
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


class Label(WireModel):
    """A project label."""

    id: TextId
    name: str = ""
    color: str | None = None


class Project(WireModel):
    """A project the session user can see."""

    id: Annotated[str | None, BeforeValidator(_id_text)] = None
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
