"""Bugnet, the bug tracker qa-tui files bugs into (a tracker, not a `RunSource`).

Facts and their confidence are in shared/providers.md §4. Quirks this module absorbs:

- Two auth worlds. Dashboard routes take `Authorization: Bearer <session token>`, from config or from
  `POST /api/auth/login` (kept in memory only; one re-login on a 401). The public submit route takes
  `X-API-Key` and implies the project. The `ProviderHttp` carries no auth: each request gets its own.
- Envelope `{ok, data}` / `{ok:false, error}`: `data` is unwrapped; a 2xx that says `ok:false` is a
  `RequestRejected` with Bugnet's text; a body with no envelope is read as the data [tolerant].
- Create-bug field names differ between Bugnet's own pages: both `steps_to_reproduce` /
  `expected_behavior` / `actual_behavior` and the short `steps` / `expected` / `actual` are sent.
- The bug list's shape is undocumented: `data` may be a list, or an object holding `bugs`, `items`,
  `results` or `data`; a `total` is read from there or from a `pagination` object beside or inside
  `data` [tolerant]. Bad items are skipped and counted.
- [INF] paths: bug detail/update, comments, labels, similar bugs. Update tries PATCH, then PUT on a
  404/405. Similar bugs tries `POST …/bugs/similar`, and when that is missing (404/405, remembered)
  searches `?search=` for the title and its significant words and ranks titles client-side.
- Public submit enforces the SDK's length limits by truncation; it has no expected/actual fields,
  so those are folded into the description.
- Reports carry a client reference line (`qa-tui-ref: <ref>`) in their description so an ambiguous
  send can be resolved by `find_by_reference` before any retry. With only an API key there is no
  read access at all: lookups raise `Unsupported` and the caller must say so.
- Secrets (token, password, API key, the login token) never reach a repr or an error message.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from qa_tui.core.errors import (
    AuthFailed,
    BadPayload,
    NotFound,
    ProviderError,
    QaTuiError,
    RequestRejected,
    Unsupported,
)
from qa_tui.core.http import ProviderHttp
from qa_tui.core.wire import WireModel, as_dict, first_present, parse_each, parse_one

DEFAULT_BASE_URL = "https://api.bugnet.io"
"""The service root; the client appends `/api/...` as the SDKs do."""
DEFAULT_REQUESTS_PER_MINUTE = 120
"""Bugnet's documented limit for authenticated routes, per IP (shared by every project)."""
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
        return _read_many(Comment, value)[0]

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


def _read_many(model: type[T], raw: Any) -> tuple[list[T], int]:
    """Each item on its own: the readable ones, and how many were skipped."""
    parsed = parse_each(model, raw)
    return parsed.items, parsed.skipped


def _total_in(holder: Any) -> int | None:
    """`total`, or `pagination.total`, from an object [tolerant: the list shape is undocumented]."""
    if not isinstance(holder, dict):
        return None
    paging = holder.get("pagination")
    total = holder.get("total")
    if total is None and isinstance(paging, dict):
        total = paging.get("total")
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _items_of(data: Any, *keys: str) -> tuple[Any, int | None]:
    """A list payload that may be bare or wrapped in an object (`bugs`/`items`/…, `total`)."""
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict):
        return first_present(data, (*keys, "items", "results", "data")), _total_in(data)
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


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(value) if value else None


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
        self._token = _secret(token)
        self._email = email
        self._password = _secret(password)
        self._api_key = _secret(api_key)
        self._session: SecretStr | None = self._token
        self._login_lock = asyncio.Lock()
        self._similar_route_missing = False
        self._update_method = "PATCH"
        if self._token is not None:
            self.auth_mode = AuthMode.SESSION
        elif email and self._password is not None:
            self.auth_mode = AuthMode.LOGIN
        elif self._api_key is not None:
            self.auth_mode = AuthMode.API_KEY
        else:
            raise ValueError("Bugnet needs a token, an email and password, or an api_key")

    def __repr__(self) -> str:
        return (
            f"BugnetClient(project={self.project!r}, auth={self.auth_mode.value!r}, "
            f"base_url={self.http.base_url!r})"
        )

    __str__ = __repr__

    @property
    def can_read(self) -> bool:
        """False with only an API key: no search, similar bugs or reference lookups then."""
        return self.auth_mode is not AuthMode.API_KEY

    def describe_auth(self) -> str:
        """A short phrase for the UI: how reports will be filed."""
        return {
            AuthMode.SESSION: "session token",
            AuthMode.LOGIN: f"login as {self._email}",
            AuthMode.API_KEY: "public API key (submit only)",
        }[self.auth_mode]

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- plumbing ---------------------------------------------------------------------------

    def _scrub(self, exc: ProviderError) -> ProviderError:
        """Blank any secret a server might have echoed into its error text."""
        for secret in (self._token, self._password, self._api_key, self._session):
            if secret is not None and secret.get_secret_value() in exc.message:
                exc.message = exc.message.replace(secret.get_secret_value(), "***")
                exc.args = (f"{exc.provider}: {exc.message}",)
        return exc

    def _unwrap(self, body: Any, whole: bool) -> Any:
        """`data` from the envelope (or the whole envelope, for a list's sibling `pagination`)."""
        if isinstance(body, dict) and "ok" in body:
            if body.get("ok") is False:
                error = body.get("error")
                raise RequestRejected(self.http.provider, str(error or "Bugnet said not ok"))
            return body if whole else body.get("data")
        return {"data": body} if whole else body

    async def _send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        whole: bool = False,
    ) -> Any:
        try:
            response = await self.http.request(
                method, path, params=params, json_body=body, idempotent=idempotent, headers=headers
            )
            return self._unwrap(self.http.decode_json(response), whole)
        except ProviderError as exc:
            raise self._scrub(exc) from None

    async def _dashboard(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        whole: bool = False,
    ) -> Any:
        """A Bearer call; in login mode a 401 logs in again once and repeats the call."""
        if not self.can_read:
            raise Unsupported(
                self.http.provider, "only a public API key is configured: this needs a session"
            )
        for attempt in (1, 2):
            token = await self._bearer()
            headers = {"Authorization": f"Bearer {token}"}
            try:
                return await self._send(
                    method,
                    path,
                    headers=headers,
                    params=params,
                    body=body,
                    idempotent=idempotent,
                    whole=whole,
                )
            except AuthFailed as exc:
                if self.auth_mode is not AuthMode.LOGIN or exc.status_code != 401 or attempt > 1:
                    raise
                async with self._login_lock:  # a racing call may already have logged in again
                    if self._session is not None and self._session.get_secret_value() == token:
                        self._session = None
        raise AssertionError("unreachable")

    async def _bearer(self) -> str:
        async with self._login_lock:
            if self._session is None:
                await self._login_locked()
            assert self._session is not None
            return self._session.get_secret_value()

    def _public_headers(self) -> dict[str, str]:
        if self._api_key is None:
            raise Unsupported(self.http.provider, "no public API key is configured")
        return {"X-API-Key": self._api_key.get_secret_value()}

    def _bugs_path(self, *parts: str) -> str:
        return "/".join([f"/api/projects/{self.project}/bugs", *parts])

    # --- auth and health --------------------------------------------------------------------

    async def login(self) -> str:
        """`POST /api/auth/login`; keeps the token in memory. Returns who logged in (no secret)."""
        async with self._login_lock:
            return await self._login_locked()

    async def _login_locked(self) -> str:
        if self._email is None or self._password is None:
            raise AuthFailed(self.http.provider, "no email and password configured to log in")
        body = {"email": self._email, "password": self._password.get_secret_value()}
        data = as_dict(
            self.http.provider,
            await self._send("POST", "/api/auth/login", body=body),
            "login answer",
        )
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise BadPayload(self.http.provider, "login answer has no token")
        self._session = SecretStr(token)
        user = data.get("user")
        who = first_present(user, ("display_name", "email")) if isinstance(user, dict) else None
        return str(who or self._email)

    async def health(self) -> str:
        """`GET /api/health` (no auth): Bugnet's own status word, e.g. `healthy`."""
        data = await self._send("GET", "/api/health")
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
        data = await self._send("GET", "/api/bugs/settings", headers=self._public_headers())
        return data if isinstance(data, dict) else {}

    async def list_projects(self) -> list[Project]:
        raw, _ = _items_of(await self._dashboard("GET", "/api/projects"), "projects")
        return _read_many(Project, raw)[0]

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
        envelope = await self._dashboard("GET", self._bugs_path(), params=params, whole=True)
        data = envelope.get("data") if isinstance(envelope, dict) else None
        raw, total = _items_of(data, "bugs")
        bugs, skipped = _read_many(Bug, raw)
        return BugPage(
            bugs=bugs, total=_total_in(envelope) if total is None else total, skipped=skipped
        )

    async def get_bug(self, bug_id: str) -> Bug:
        return self._bug(await self._dashboard("GET", self._bugs_path(bug_id)), "bug")

    async def create_bug(self, draft: BugDraft) -> Bug:
        """`POST …/bugs` with a session; sends both spellings of the steps/expected/actual fields."""
        body = {
            "title": draft.title,
            "description": draft.description_with_reference(),
            "category": draft.category,
            "priority": draft.priority,
            "platform": draft.platform,
            "steps_to_reproduce": draft.steps_to_reproduce,
            "expected_behavior": draft.expected,
            "actual_behavior": draft.actual,
            "steps": draft.steps_to_reproduce,
            "expected": draft.expected,
            "actual": draft.actual,
        }
        data = await self._dashboard("POST", self._bugs_path(), body=body)
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
            "platform": draft.platform,
            "reporter_name": "qa-tui",
        }
        body = {k: v[: PUBLIC_LIMITS[k]] if k in PUBLIC_LIMITS else v for k, v in body.items()}
        data = await self._send(
            "POST", "/api/bugs/submit", headers=self._public_headers(), body=body
        )
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
                data = await self._dashboard("PATCH", path, body=body, idempotent=True)
                return self._bug(data, "updated bug")
            except (NotFound, RequestRejected) as exc:
                if exc.status_code not in (404, 405):
                    raise
        data = await self._dashboard("PUT", path, body=body)
        self._update_method = "PUT"  # only once PUT has worked: a 404 may mean a missing bug
        return self._bug(data, "updated bug")

    async def add_comment(
        self, bug_id: str, body: str, *, internal: bool = False, client_ref: str | None = None
    ) -> Comment:
        """[INF path] Comment on a bug; `client_ref` adds the reference line to the body.

        The comment's `id` is empty when Bugnet answers without one."""
        text = with_reference(body, client_ref)
        sent = {"id": "", "body": text, "internal": internal}
        data = await self._dashboard(
            "POST", self._bugs_path(bug_id, "comments"), body={"body": text, "internal": internal}
        )
        read = _read_many(Comment, [{**sent, **data} if isinstance(data, dict) else sent])[0]
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
                data = await self._dashboard(
                    "POST",
                    self._bugs_path("similar"),
                    body={"title": title, "description": description},
                    idempotent=True,
                )
                return self._ranked(title, data, limit)
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

    def _ranked(self, title: str, data: Any, limit: int) -> list[SimilarBug]:
        """The similar-bugs answer: bugs, or `{bug, score}` items, bare or wrapped [tolerant]."""
        raw, _ = _items_of(data, "similar", "bugs")
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
        data = await self._dashboard("GET", f"/api/projects/{self.project}/labels")
        raw, _ = _items_of(data, "labels")
        return _read_many(Label, raw)[0]

    async def create_label(self, name: str, color: str = "#888888") -> Label:
        body = {"name": name, "color": color}
        data = await self._dashboard("POST", f"/api/projects/{self.project}/labels", body=body)
        return parse_one(
            self.http.provider,
            Label,
            {**body, **as_dict(self.http.provider, data, "label")},
            "label",
        )

    async def add_label(self, bug_id: str, label_id: str) -> None:
        await self._dashboard(
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
