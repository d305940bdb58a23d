"""How every request reaches Bugnet: the credentials, its two auth worlds and its envelope.

`BugnetClient` (in `client.py`) says *what* to ask Bugnet; this module is the one path every request
takes, and absorbs shared/providers.md §4.1:

- Two auth worlds. Dashboard routes take `Authorization: Bearer <session token>`, from config or from
  `POST /api/auth/login` (kept in memory only; one re-login on a 401, under a lock so racing calls
  log in once). SDK routes take `X-API-Key` and imply the project. The `ProviderHttp` carries no
  auth: each request gets its own headers. With only an API key, dashboard calls raise
  `Unsupported` before anything is sent.
- Envelope `{ok, data}` / `{ok:false, error}`: `data` is unwrapped; a 2xx that says `ok:false` is a
  `RequestRejected` with Bugnet's text; a body with no envelope is read as the data [tolerant].
- Secrets (token, password, API key, the login token) never reach a repr or an error message: a
  server that echoes one into its error text has it blanked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import SecretStr

from qa_tui.core.errors import AuthFailed, BadPayload, ProviderError, RequestRejected, Unsupported
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import as_dict, first_present


class AuthMode(StrEnum):
    """How the client authenticates, so the UI can say e.g. "submitting via public API key"."""

    SESSION = "session"
    LOGIN = "login"
    API_KEY = "api-key"


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(value) if value else None


class BugnetCalls:
    """Sends Bugnet requests with the right credentials and reads its envelope. Every method may
    raise a `ProviderError`."""

    def __init__(
        self,
        http: ProviderHttp,
        *,
        token: str | SecretStr | None = None,
        email: str | None = None,
        password: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
    ) -> None:
        self.http = http
        self._token = _secret(token)
        self._email = email
        self._password = _secret(password)
        self._api_key = _secret(api_key)
        self._session: SecretStr | None = self._token
        self._login_lock = asyncio.Lock()
        if self._token is not None:
            self.auth_mode = AuthMode.SESSION
        elif email and self._password is not None:
            self.auth_mode = AuthMode.LOGIN
        elif self._api_key is not None:
            self.auth_mode = AuthMode.API_KEY
        else:
            raise ValueError("Bugnet needs a token, an email and password, or an api_key")

    def __repr__(self) -> str:
        return f"BugnetCalls(auth={self.auth_mode.value!r}, base_url={self.http.base_url!r})"

    __str__ = __repr__

    @property
    def can_read(self) -> bool:
        """False with only an API key: no dashboard route can be called then."""
        return self.auth_mode is not AuthMode.API_KEY

    def describe_auth(self) -> str:
        """A short phrase for the UI: how reports will be filed."""
        return {
            AuthMode.SESSION: "session token",
            AuthMode.LOGIN: f"login as {self._email}",
            AuthMode.API_KEY: "public API key (submit only)",
        }[self.auth_mode]

    # --- one request --------------------------------------------------------------------------

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
                if isinstance(error, dict):  # `{ok:false, error:{code, message}}` [INF]
                    error = error.get("message") or error.get("code")
                raise RequestRejected(self.http.provider, str(error or "Bugnet said not ok"))
            return body if whole else body.get("data")
        return {"data": body} if whole else body

    async def send(
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
        """One request with exactly `headers` for auth (none for the open routes)."""
        try:
            response = await self.http.request(
                method, path, params=params, json_body=body, idempotent=idempotent, headers=headers
            )
            return self._unwrap(self.http.decode_json(response), whole)
        except ProviderError as exc:
            raise self._scrub(exc) from None

    async def dashboard(
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
                return await self.send(
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

    async def public(self, method: str, path: str, *, body: Any = None) -> Any:
        """An SDK call with the project's `X-API-Key`; `Unsupported` when none is configured."""
        if self._api_key is None:
            raise Unsupported(self.http.provider, "no public API key is configured")
        headers = {"X-API-Key": self._api_key.get_secret_value()}
        return await self.send(method, path, headers=headers, body=body)

    # --- the session token --------------------------------------------------------------------

    async def _bearer(self) -> str:
        async with self._login_lock:
            if self._session is None:
                await self._login_locked()
            assert self._session is not None
            return self._session.get_secret_value()

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
            await self.send("POST", "/api/auth/login", body=body),
            "login answer",
        )
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise BadPayload(self.http.provider, "login answer has no token")
        self._session = SecretStr(token)
        user = data.get("user")
        who = first_present(user, ("display_name", "email")) if isinstance(user, dict) else None
        return str(who or self._email)
