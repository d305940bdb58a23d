"""A bug report as the user writes it: the draft, its validation, and its client reference.

What the form, the outbox and triage hold before anything is sent (no I/O). A draft carries a
client reference (a uuid) that `with_reference` writes into its description as one line
(`qa-tui-ref: <ref>`), so a report whose send was ambiguous is found again
(`BugnetClient.find_by_reference`) and never filed twice.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qa_tui.core.errors import QaTuiError

CATEGORIES = ("crash", "visual", "gameplay", "performance", "audio", "ui", "network", "other")
PRIORITIES = ("low", "medium", "high", "critical")
TITLE_MAX = 300
REF_PREFIX = "qa-tui-ref: "


def reference_line(ref: str) -> str:
    """The line embedded in a report's description (or comment) so it can be found again."""
    return f"{REF_PREFIX}{ref}"


def with_reference(text: str, ref: str | None) -> str:
    """`text` with the reference line appended once (unchanged when `ref` is None or present)."""
    if not ref or reference_line(ref) in text:
        return text
    return f"{text.rstrip()}\n\n{reference_line(ref)}" if text.strip() else reference_line(ref)


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
