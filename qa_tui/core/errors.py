"""The error tree. Every failure the UI or CLI shows is one of these, never a raw exception.

Messages never contain secrets: clients build them from status codes and provider error text only.
"""

from __future__ import annotations

from enum import StrEnum


class QaTuiError(Exception):
    """Base of every error qa-tui raises on purpose."""


class ConfigError(QaTuiError):
    """The config file is wrong: names the file, the dotted key path and what was expected."""

    def __init__(self, file: str, key: str, expected: str) -> None:
        self.file = file
        self.key = key
        self.expected = expected
        super().__init__(f"{file}: {key}: {expected}" if key else f"{file}: {expected}")


class ErrorKind(StrEnum):
    """How a provider call failed, for the UI to show and the engine to react to."""

    AUTH = "auth"
    NOT_FOUND = "not found"
    RATE_LIMITED = "rate limited"
    SERVER = "server"
    NETWORK = "network"
    BAD_PAYLOAD = "bad payload"
    REJECTED = "rejected"
    UNSUPPORTED = "unsupported"


class ProviderError(QaTuiError):
    """A provider call failed. `kind` classifies it; `message` is safe to show."""

    kind: ErrorKind = ErrorKind.SERVER

    def __init__(self, provider: str, message: str, *, status_code: int | None = None) -> None:
        self.provider = provider
        self.message = message
        self.status_code = status_code
        super().__init__(f"{provider}: {message}")


class AuthFailed(ProviderError):
    """401/403: the credentials are missing, wrong or lack access."""

    kind = ErrorKind.AUTH


class NotFound(ProviderError):
    """404: the run, project or path does not exist."""

    kind = ErrorKind.NOT_FOUND


class RateLimited(ProviderError):
    """429, or the local budget refused to wait that long. `retry_after` is in seconds."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = 429,
    ) -> None:
        super().__init__(provider, message, status_code=status_code)
        self.retry_after = retry_after


class ServerError(ProviderError):
    """5xx or an unexpected status."""

    kind = ErrorKind.SERVER


class NetworkError(ProviderError):
    """The request never got a complete answer: refused, timed out, dropped."""

    kind = ErrorKind.NETWORK
    never_sent: bool = False
    """True when the connection was never made (refused, connect timeout): the server cannot
    have acted on the request. False means it may have (a POST that timed out or was dropped)."""


class BadPayload(ProviderError):
    """The answer could not be read: malformed JSON or a shape no model accepts."""

    kind = ErrorKind.BAD_PAYLOAD


class TooLarge(BadPayload):
    """The answer was bigger than the caller allows (a screenshot past its size limit): it was
    refused while arriving, never read whole."""


class RequestRejected(ProviderError):
    """400/422: the provider refused the request; `message` carries its own error text."""

    kind = ErrorKind.REJECTED


class Unsupported(ProviderError):
    """The provider has no API for this (e.g. reading a Bug0 run's status)."""

    kind = ErrorKind.UNSUPPORTED
