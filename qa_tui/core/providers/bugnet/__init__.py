"""Bugnet, the bug tracker qa-tui files bugs into: a tracker, not a `RunSource`.

`draft.py` is the bug report as the user writes it (validation, the client reference that keeps a
report from being filed twice), `wire.py` reads Bugnet's partly undocumented answers tolerantly,
`calls.py` is how every request is sent (the two auth worlds, re-login, the `{ok, data}` envelope,
secrets kept out of errors) and `client.py` is `BugnetClient`, what qa-tui asks Bugnet. No class
here inherits from another of this package.
"""

from qa_tui.core.providers.bugnet.calls import AuthMode, BugnetCalls
from qa_tui.core.providers.bugnet.client import (
    DEFAULT_BASE_URL,
    DEFAULT_REQUESTS_PER_MINUTE,
    PUBLIC_LIMITS,
    BugnetClient,
    device_fields,
)
from qa_tui.core.providers.bugnet.draft import (
    CATEGORIES,
    PRIORITIES,
    TITLE_MAX,
    BugDraft,
    DraftInvalid,
    reference_line,
    with_reference,
)
from qa_tui.core.providers.bugnet.wire import Bug, BugPage, Comment, Label, Project, SimilarBug

__all__ = [
    "CATEGORIES",
    "DEFAULT_BASE_URL",
    "DEFAULT_REQUESTS_PER_MINUTE",
    "PRIORITIES",
    "PUBLIC_LIMITS",
    "TITLE_MAX",
    "AuthMode",
    "Bug",
    "BugDraft",
    "BugPage",
    "BugnetCalls",
    "BugnetClient",
    "Comment",
    "DraftInvalid",
    "Label",
    "Project",
    "SimilarBug",
    "device_fields",
    "reference_line",
    "with_reference",
]
