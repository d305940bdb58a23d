"""A failure said in words a person reads, for toasts and the outbox: never an exception's name.

A provider's own message (a 4xx's text, "Invalid token.") is already words and is kept. What the
network did is told by what it means for the user, not by the class httpx raised: a connection
never made ("could not be reached"), no answer in time, or a connection that broke before the
answer came (which for a POST means it may have landed). An exception that is not a provider
error at all (a bug in qa-tui, an OS error) gets the same treatment where it is a network error,
and otherwise says it was unexpected, with the text it carries when it carries one.
"""

from __future__ import annotations

from qa_tui.core.errors import NetworkError, ProviderError

_TIMEOUT_WORDS = ("timed out", "timeout")


def in_words(error: BaseException, service: str) -> str:
    """`error` as a clause about `service` ("Bugnet", "web"): "Bugnet could not be reached"."""
    if isinstance(error, NetworkError):
        if error.never_sent:
            return f"{service} could not be reached"
        if any(word in error.message.casefold() for word in _TIMEOUT_WORDS):
            return f"{service} did not answer in time"
        return f"the connection to {service} broke before its answer came"
    if isinstance(error, ProviderError):
        return error.message
    if isinstance(error, TimeoutError):  # before OSError: TimeoutError is one
        return f"{service} did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return f"{service} could not be reached"
    if isinstance(error, ConnectionError):
        return f"the connection to {service} broke before its answer came"
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return (
        f"something unexpected went wrong: {detail}"
        if detail
        else "something unexpected went wrong"
    )


def provider_failure(error: ProviderError) -> str:
    """A provider call's failure for a toast: "web could not be reached", "web: Invalid token."."""
    if isinstance(error, NetworkError):
        return in_words(error, error.provider)
    return f"{error.provider}: {error.message}"
