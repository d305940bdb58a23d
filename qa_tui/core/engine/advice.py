"""What to do about a provider's health: the config key to look at, and a hint.

The header's problem line and the health panel say it under a failing provider, so a refused
token reads "check token of provider web, then `qa-tui doctor`" where the user is looking,
rather than only in doctor's output. Pure: a health state and a kind in, words out.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa_tui.core.model import HealthState

DOCTOR = "qa-tui doctor"

PROJECT_SCOPED = frozenset({"bugbrain", "bug0"})


@dataclass(frozen=True)
class Advice:
    """The config key to fix (None: nothing in the config) and what to do."""

    key: str | None
    hint: str


ELSEWHERE_HINTS = {
    HealthState.AUTH_FAILED: "its results are read on another service, which refused the "
    f"token (or there is none); {DOCTOR} tells which",
    HealthState.RATE_LIMITED: "its results are read on another service, which asked to wait: "
    "qa-tui waits, then goes on",
}


def advice_for(kind: str, state: HealthState, fix_key: str | None = None) -> Advice | None:
    """What a provider of `kind` in `state` asks of the user (None: nothing). `fix_key`: the
    failure is the service its results are read from (`ProviderHealth.fix_key`): that key."""
    if fix_key is not None and state is not HealthState.UNVERIFIED:
        hint = ELSEWHERE_HINTS.get(
            state, f"its results are read on another service, which fails; {DOCTOR}"
        )
        return Advice(fix_key, hint)
    if state is HealthState.AUTH_FAILED:
        key = "token or project_id" if kind in PROJECT_SCOPED else "token"
        return Advice(key, f"the service refused the credentials; {DOCTOR} tells which")
    if state is HealthState.UNREACHABLE:
        return Advice("base_url", f"no answer: check base_url and the network; {DOCTOR}")
    if state is HealthState.ERROR:
        return Advice(
            "base_url", f"the service answered with an error (often a wrong base_url); {DOCTOR}"
        )
    if state is HealthState.RATE_LIMITED:
        return Advice(
            "requests_per_minute",
            "the service asked to wait: qa-tui waits, then goes on; if it keeps happening, "
            "lower requests_per_minute (providers on one key share it)",
        )
    if state is HealthState.SLOW:
        return Advice("timeout_s", "answers take seconds: the service or the network is slow")
    if state is HealthState.UNVERIFIED:
        return Advice(None, "Bug0 has no API to read from: only a trigger proves its key")
    return None
