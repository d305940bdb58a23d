"""Bugnet, the bug tracker qa-tui files bugs into (a tracker, not a `RunSource`).

Facts and their confidence are in shared/providers.md §4. `BugnetClient` says what to ask Bugnet;
how each request is sent (the two auth worlds, login and re-login, the `{ok, data}` envelope, secrets
kept out of errors) is `BugnetCalls` in `calls.py`, the tolerant readers of its answers are in
`wire.py`, and the bug draft with its client reference in `draft.py`. Quirks this module absorbs:

- Create-bug field names differ between Bugnet's own pages: both `steps_to_reproduce` /
  `expected_behavior` / `actual_behavior` and the short `steps` / `expected` / `actual` are sent.
- The bug list's shape is undocumented: `data` may be a list, or an object holding `bugs`, `items`,
  `results` or `data`; a `total` is read from there or from a `pagination` object beside or inside
  `data` [tolerant]. Bad items are skipped and counted.
- [INF] paths: bug detail/update, comments, labels, similar bugs. Update tries PATCH, then PUT on a
  404/405. Similar bugs tries `POST …/bugs/similar`, and when that is missing (404/405, remembered)
  searches `?search=` for the title and its significant words and ranks titles client-side.
- Public submit enforces the SDK's length limits by truncation; it has no expected/actual fields,
  so those are folded into the description. It sends what both official SDKs always send
  (non-empty `platform`, `game_version`, `os_info`, `device_info`: `device_fields`), so a server
  that requires them, as a game's would, takes the report.
- Reports carry a client reference line (`qa-tui-ref: <ref>`) in their description so an ambiguous
  send can be resolved by `find_by_reference` before any retry. With only an API key there is no
  read access at all: lookups raise `Unsupported` and the caller must say so.
- Secrets never reach a repr or an error message (see `calls.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr, ValidationError

from qa_tui import __version__
from qa_tui.core.errors import BadPayload, NotFound, RequestRejected
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import as_dict, parse_one
from qa_tui.core.providers.bugnet.calls import AuthMode, BugnetCalls
from qa_tui.core.providers.bugnet.draft import BugDraft, reference_line, with_reference
from qa_tui.core.providers.bugnet.wire import (
    Bug,
    BugPage,
    Comment,
    Label,
    Project,
    SimilarBug,
    items_of,
    read_many,
    read_similar,
    significant_words,
    title_similarity,
    total_in,
)

DEFAULT_BASE_URL = "https://api.bugnet.io"
"""The service root; the client appends `/api/...` as the SDKs do."""
DEFAULT_REQUESTS_PER_MINUTE = 120
"""Bugnet's documented limit for authenticated routes, per IP (shared by every project)."""
PUBLIC_LIMITS = {
    "title": 300, "platform": 50, "game_version": 50, "os_info": 100, "device_info": 200,
    "steam_id": 30, "reporter_name": 100,
}  # fmt: skip
"""Length limits of `POST /api/bugs/submit` (from the SDKs): longer values are truncated."""


def device_fields(draft: BugDraft) -> dict[str, str]:
    """What both Bugnet SDKs send with every report, never empty: the platform, qa-tui's version
    as the `game_version`, and the run's OS and browser (`unknown` when the provider said none)."""
    return {
        "platform": draft.platform or "web",
        "game_version": f"qa-tui {__version__}",
        "os_info": draft.os_info or "unknown",
        "device_info": draft.device_info or "unknown",
    }


class BugnetClient:
    """Bugnet client for one project. Every method may raise a `ProviderError`."""

    def __init__(
        self,
        http: ProviderHttp,
        *,
        project: str,
        token: str | SecretStr | None = None,
        email: str | None = None,
        password: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
    ) -> None:
        self.http = http
        self.budget = http.budget
        self.project = project
        self._calls = BugnetCalls(
            http, token=token, email=email, password=password, api_key=api_key
        )
        self._similar_route_missing = False
        self._update_method = "PATCH"

    def __repr__(self) -> str:
        return (
            f"BugnetClient(project={self.project!r}, auth={self.auth_mode.value!r}, "
            f"base_url={self.http.base_url!r})"
        )

    __str__ = __repr__

    @property
    def auth_mode(self) -> AuthMode:
        """How requests are authenticated, from the credentials configured."""
        return self._calls.auth_mode

    @property
    def can_read(self) -> bool:
        """False with only an API key: no search, similar bugs or reference lookups then."""
        return self._calls.can_read

    def describe_auth(self) -> str:
        """A short phrase for the UI: how reports will be filed."""
        return self._calls.describe_auth()

    async def aclose(self) -> None:
        await self.http.aclose()

    def _bugs_path(self, *parts: str) -> str:
        return "/".join([f"/api/projects/{self.project}/bugs", *parts])

    # --- auth and health --------------------------------------------------------------------

    async def login(self) -> str:
        """`POST /api/auth/login`; keeps the token in memory. Returns who logged in (no secret)."""
        return await self._calls.login()

    async def health(self) -> str:
        """`GET /api/health` (no auth): Bugnet's own status word, e.g. `healthy`."""
        data = await self._calls.send("GET", "/api/health")
        return str(data.get("status", "ok")) if isinstance(data, dict) else "ok"

    async def check(self) -> str:
        """For `doctor`: health, then the cheapest call that proves the configured credentials."""
        status = await self.health()
        if self.auth_mode is AuthMode.API_KEY:
            await self.settings()
            return f"{status}; public API key accepted (submit only)"
        try:
            await self.list_bugs(limit=1)
        except NotFound as exc:
            raise NotFound(
                self.http.provider, f"project {self.project!r} not found", status_code=404
            ) from exc
        return f"{status}; {self.describe_auth()} ok; project {self.project!r} readable"

    async def settings(self) -> dict[str, Any]:
        """`GET /api/bugs/settings` with the API key: the project's SDK capture settings."""
        data = await self._calls.public("GET", "/api/bugs/settings")
        return data if isinstance(data, dict) else {}

    async def list_projects(self) -> list[Project]:
        raw, _ = items_of(await self._calls.dashboard("GET", "/api/projects"), "projects")
        return read_many(Project, raw)[0]

    # --- bugs -------------------------------------------------------------------------------

    async def list_bugs(
        self,
        *,
        status: str | None = None,
        priority: str | None = None,
        category: str | None = None,
        assignee: str | None = None,
        search: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        sort: str | None = None,
    ) -> BugPage:
        """One page of the project's bugs (response shape undocumented: read tolerantly)."""
        params = {
            "status": status,
            "priority": priority,
            "category": category,
            "assignee": assignee,
            "search": search,
            "page": page,
            "limit": limit,
            "sort": sort,
        }
        envelope = await self._calls.dashboard("GET", self._bugs_path(), params=params, whole=True)
        data = envelope.get("data") if isinstance(envelope, dict) else None
        raw, total = items_of(data, "bugs")
        bugs, skipped = read_many(Bug, raw)
        return BugPage(
            bugs=bugs, total=total_in(envelope) if total is None else total, skipped=skipped
        )

    async def get_bug(self, bug_id: str) -> Bug:
        return self._bug(await self._calls.dashboard("GET", self._bugs_path(bug_id)), "bug")

    async def create_bug(self, draft: BugDraft) -> Bug:
        """`POST …/bugs` with a session; sends both spellings of the steps/expected/actual fields."""
        body = {
            "title": draft.title,
            "description": draft.description_with_reference(),
            "category": draft.category,
            "priority": draft.priority,
            **device_fields(draft),
            "steps_to_reproduce": draft.steps_to_reproduce,
            "expected_behavior": draft.expected,
            "actual_behavior": draft.actual,
            "steps": draft.steps_to_reproduce,
            "expected": draft.expected,
            "actual": draft.actual,
        }
        data = await self._calls.dashboard("POST", self._bugs_path(), body=body)
        return self._bug(data, "created bug", draft)

    async def submit_public(self, draft: BugDraft) -> Bug:
        """`POST /api/bugs/submit` with the API key, as the SDKs do; limits enforced by truncation."""
        description = draft.description
        for name, text in (("Expected", draft.expected), ("Actual", draft.actual)):
            if text:
                description = f"{description.rstrip()}\n\n{name}: {text}".lstrip()
        body = {
            "title": draft.title,
            "description": with_reference(description, draft.client_ref),
            "category": draft.category,
            "priority": draft.priority,
            "steps_to_reproduce": draft.steps_to_reproduce,
            **device_fields(draft),
            "reporter_name": "qa-tui",
        }
        body = {k: v[: PUBLIC_LIMITS[k]] if k in PUBLIC_LIMITS else v for k, v in body.items()}
        data = await self._calls.public("POST", "/api/bugs/submit", body=body)
        return self._bug(data, "submitted bug", draft)

    async def submit(self, draft: BugDraft) -> Bug:
        """File a draft the configured way: dashboard create, or public submit with only a key."""
        if self.auth_mode is AuthMode.API_KEY:
            return await self.submit_public(draft)
        return await self.create_bug(draft)

    async def update_bug(self, bug_id: str, fields: Mapping[str, Any]) -> Bug:
        """[INF] PATCH the bug; when PATCH is missing (404/405) use PUT, and remember that."""
        path, body = self._bugs_path(bug_id), dict(fields)
        if self._update_method == "PATCH":
            try:
                data = await self._calls.dashboard("PATCH", path, body=body, idempotent=True)
                return self._bug(data, "updated bug")
            except (NotFound, RequestRejected) as exc:
                if exc.status_code not in (404, 405):
                    raise
        data = await self._calls.dashboard("PUT", path, body=body)
        self._update_method = "PUT"  # only once PUT has worked: a 404 may mean a missing bug
        return self._bug(data, "updated bug")

    async def add_comment(
        self, bug_id: str, body: str, *, internal: bool = False, client_ref: str | None = None
    ) -> Comment:
        """[INF path] Comment on a bug; `client_ref` adds the reference line to the body.

        The comment's `id` is empty when Bugnet answers without one."""
        text = with_reference(body, client_ref)
        sent = {"id": "", "body": text, "internal": internal}
        data = await self._calls.dashboard(
            "POST", self._bugs_path(bug_id, "comments"), body={"body": text, "internal": internal}
        )
        read = read_many(Comment, [{**sent, **data} if isinstance(data, dict) else sent])[0]
        return read[0] if read else Comment(id="", body=text, internal=internal)

    async def find_comment_by_reference(self, bug_id: str, ref: str) -> Comment | None:
        """The comment on `bug_id` carrying the reference line, if the bug detail lists it."""
        bug = await self.get_bug(bug_id)
        return next((c for c in bug.comments if reference_line(ref) in c.body), None)

    async def find_by_reference(self, ref: str, *, title: str | None = None) -> Bug | None:
        """The bug whose description carries `qa-tui-ref: <ref>`, or None.

        Searches `?search=<ref>`; if search does not reach descriptions, `title` widens it. Each
        candidate's description is confirmed (fetching the bug when the list gave a summary).
        """
        queries = [ref] + ([title] if title else [])
        for query in queries:
            for bug in (await self.list_bugs(search=query, limit=50)).bugs:
                description = bug.description
                if description is None:
                    bug = await self.get_bug(bug.id)
                    description = bug.description or ""
                if reference_line(ref) in description:
                    return bug
        return None

    async def similar_bugs(
        self, title: str, description: str = "", *, limit: int = 10
    ) -> list[SimilarBug]:
        """Bugs that may already describe this failure, closest first."""
        if not self._similar_route_missing:
            try:
                data = await self._calls.dashboard(
                    "POST",
                    self._bugs_path("similar"),
                    body={"title": title, "description": description},
                    idempotent=True,
                )
                return read_similar(title, data, limit)
            except (NotFound, RequestRejected) as exc:
                if exc.status_code not in (404, 405):
                    raise
                self._similar_route_missing = True
        seen: dict[str, Bug] = {}
        for query in [title, *significant_words(title)[:3]]:
            for bug in (await self.list_bugs(search=query, limit=50)).bugs:
                seen.setdefault(bug.id, bug)
        ranked = [SimilarBug(bug=b, score=title_similarity(title, b.title)) for b in seen.values()]
        ranked = [s for s in ranked if s.score >= 0.25]
        return sorted(ranked, key=lambda s: s.score, reverse=True)[:limit]

    def _bug(self, data: Any, what: str, draft: BugDraft | None = None) -> Bug:
        raw = as_dict(self.http.provider, data, what)
        if draft is not None:  # a create answer may be just `{id}`: fill in what was sent
            raw = {
                "title": draft.title,
                "priority": draft.priority,
                "category": draft.category,
                "description": draft.description_with_reference(),
                **raw,
            }
        try:
            return Bug.model_validate(raw)
        except ValidationError:
            raise BadPayload(self.http.provider, f"unreadable {what}: no id") from None

    # --- labels -----------------------------------------------------------------------------

    async def list_labels(self) -> list[Label]:
        data = await self._calls.dashboard("GET", f"/api/projects/{self.project}/labels")
        raw, _ = items_of(data, "labels")
        return read_many(Label, raw)[0]

    async def create_label(self, name: str, color: str = "#888888") -> Label:
        body = {"name": name, "color": color}
        data = await self._calls.dashboard(
            "POST", f"/api/projects/{self.project}/labels", body=body
        )
        return parse_one(
            self.http.provider,
            Label,
            {**body, **as_dict(self.http.provider, data, "label")},
            "label",
        )

    async def add_label(self, bug_id: str, label_id: str) -> None:
        await self._calls.dashboard(
            "POST", self._bugs_path(bug_id, "labels"), body={"label_id": label_id}, idempotent=True
        )

    async def apply_labels(self, bug_id: str, names: list[str]) -> list[Label]:
        """Attach labels by name (any case), creating missing ones. Call once the bug is filed."""
        known = {label.name.casefold(): label for label in await self.list_labels()}
        applied = []
        for name in dict.fromkeys(names):
            label = known.get(name.casefold()) or await self.create_label(name)
            await self.add_label(bug_id, label.id)
            applied.append(label)
        return applied
