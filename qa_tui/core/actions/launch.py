"""Starting a run, whatever the provider: one request type per provider, sent by `writes.py`.

The command line (`qa-tui run`) and the app's new-run screen both build a `StartRequest` and hand
it to `ProviderWrites.start_new` (writes.py, through `Engine.start` in the app), so the two
start runs the same way, and both are refused alike on a read-only provider. Provider quirks:

- BugBug starts a test (`POST /testruns/`) or a suite (`POST /suiteruns/`) by id, with an optional
  run profile and `variables` (a list of `{key, value}`). Users know tests by name: `resolve_target`
  and `resolve_profile` turn a name into an id through the lists (`?query=` searches names).
- BugBrain's documented async start (`POST /executions/async`) takes only the plan and project.
  Environment, variables and a timeout exist only on `POST /executions`, which blocks until the
  execution ends unless `wait_for_completion` is false: so a request with any of them (and not
  `sync`) goes there with `wait_for_completion: false` [INF: the docs show the flag, not this use].
  `sync` blocks (up to `timeout_seconds`, default 300) and returns the finished execution.
- Bug0 only triggers (every documented body field is passed on; empty ones are left out); the run
  is recorded locally and never polled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from qa_tui.core.errors import NotFound, ProviderError, RequestRejected
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bugbug import BugBugSource

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_NEXT_ASSIGNMENT = re.compile(r"\s*[,\n]\s*(?=[A-Za-z_][A-Za-z0-9_.\-]*=)")


@dataclass(frozen=True)
class BugBugStart:
    """Start a BugBug test (or suite) by id."""

    target_id: str
    suite: bool = False
    profile_id: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BugBrainStart:
    """Start a BugBrain test plan (`tp_…`)."""

    test_plan_id: str
    sync: bool = False
    """Block until the execution ends (`POST /executions`, up to `timeout_s`)."""
    environment: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    timeout_s: int | None = None

    @property
    def needs_full_start(self) -> bool:
        """True when only `POST /executions` can carry what was asked for."""
        return self.sync or bool(self.environment or self.variables or self.timeout_s)


@dataclass(frozen=True)
class Bug0Start:
    """Trigger a Bug0 run on the configured project; every field is optional."""

    url: str | None = None
    git_commit_sha: str | None = None
    git_branch: str | None = None
    pr_number: str | None = None
    owner: str | None = None
    repo: str | None = None


StartRequest = BugBugStart | BugBrainStart | Bug0Start


class AssignmentError(ValueError):
    """A `KEY=VALUE` that is not one; the message names it."""


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """`["A=1", "B=x=y"]` → `{"A": "1", "B": "x=y"}`; `A=` is the empty string."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AssignmentError(f"expected KEY=VALUE, got {item!r}")
        parsed[key.strip()] = value
    return parsed


def split_assignments(text: str) -> list[str]:
    """One text box of `A=1, B=hello, world, C=3` → `["A=1", "B=hello, world", "C=3"]`: a comma
    (or newline) separates assignments only when a `KEY=` follows it."""
    text = text.strip()
    return [part for part in _NEXT_ASSIGNMENT.split(text) if part] if text else []


def looks_like_id(text: str) -> bool:
    """True for a UUID (BugBug ids are UUIDs)."""
    return bool(_UUID.match(text.strip()))


@dataclass(frozen=True)
class Choice:
    """A test, suite or profile to pick from: its id and its name as BugBug sent it."""

    id: str
    name: str


def pick(target: str, choices: list[Choice], what: str, provider: str) -> Choice:
    """The choice whose id or name is `target`: exact name first, then case-blind; one only."""
    for matches in (
        [c for c in choices if c.id == target],
        [c for c in choices if c.name == target],
        [c for c in choices if c.name.casefold() == target.casefold()],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(c.id for c in matches[:5])
            raise RequestRejected(provider, f"{len(matches)} {what}s are named {target!r}: {ids}")
    near = ", ".join(repr(c.name) for c in choices[:5])
    hint = f" (names containing it: {near})" if near else ""
    raise NotFound(provider, f"no {what} named {target!r}{hint}")


async def resolve_target(source: BugBugSource, target: str, *, suite: bool) -> Choice:
    """A BugBug test or suite by id or name. An id is used as given (no lookup)."""
    if looks_like_id(target):
        return Choice(target.strip(), target.strip())
    what = "suite" if suite else "test"
    listed = await (source.list_suites(target) if suite else source.list_tests(target))
    choices = [Choice(item.id, item.name or "") for item in listed.items]
    return pick(target, choices, what, source.name)


async def resolve_profile(source: BugBugSource, profile: str) -> Choice:
    """A BugBug run profile by id or name."""
    if looks_like_id(profile):
        return Choice(profile.strip(), profile.strip())
    listed = await source.list_profiles()
    choices = [Choice(item.id, item.name or "") for item in listed.items]
    return pick(profile, choices, "run profile", source.name)


class _Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...


@dataclass(frozen=True)
class Catalogue:
    """What a BugBug project offers to start: its tests, suites and run profiles."""

    tests: tuple[Choice, ...] = ()
    suites: tuple[Choice, ...] = ()
    profiles: tuple[Choice, ...] = ()


async def bugbug_catalogue(source: BugBugSource, *, limit: int = 500) -> Catalogue:
    """Tests, suites and profiles, each list sorted by name."""

    def choices(items: Iterable[_Named]) -> tuple[Choice, ...]:
        found = [Choice(item.id, item.name or "") for item in items]
        return tuple(sorted(found, key=lambda c: c.name.casefold()))

    tests = await source.list_tests(limit=limit)
    suites = await source.list_suites(limit=limit)
    profiles = await source.list_profiles(limit=limit)
    return Catalogue(choices(tests.items), choices(suites.items), choices(profiles.items))


def wrong_kind(source: RunSource, request: StartRequest) -> ProviderError:
    kinds = {BugBugStart: "bugbug", BugBrainStart: "bugbrain", Bug0Start: "bug0"}
    return RequestRejected(
        source.name,
        f"{source.name} is a {source.kind.value} provider, not {kinds[type(request)]}",
    )
