"""The shape of a simulated organisation: how many projects each service has, on which keys.

Project 1 of each service is the demo's own (`web`, `plans`, `previews`, with the credentials of
sim/credentials.py); more projects get names numbered from 2 (`web-2`, `plans-3`) and
credentials derived from their name, deterministic and public like the demo's:

- BugBug: one token per project (its token belongs to one project);
- BugBrain: several projects per API key (`bugbrain_keys`: how many on each key; the first key
  is the demo key); its limit, 30 a minute and 500 an hour, counts the key whatever the project;
- Bug0: one project API key per project; its limit, 10 a minute and 100 an hour, counts the
  project.

BugBug documents no limit; `bugbug_rpm` sets one per token (a benchmark's choice, not a fact).
Nothing here imports the rest of the simulator: the scenario refers to it (`ScenarioSpec.org`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUG0_PROJECT_ID,
    BUGBRAIN_API_KEY,
    BUGBRAIN_PROJECT_ID,
    BUGBUG_TOKEN,
)

NAMES = {"bugbug": "web", "bugbrain": "plans", "bug0": "previews"}
"""The demo config's provider name of each service: the first project's name."""
PROJECTS_PER_KEY = 3
"""`OrgSpec.of_size` puts at most this many BugBrain projects on one key."""
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class Project:
    """One project of one service, as a config names it and the simulator knows it."""

    service: str
    """`bugbug`, `bugbrain` or `bug0`."""
    name: str
    """`web`, `web-2`, `plans-3`: the provider name `--write-config` gives it."""
    token: str
    """Its token (BugBug), its key's API key (BugBrain) or its project API key (Bug0)."""
    project_id: str | None
    """BugBrain's and Bug0's project id (None for BugBug)."""
    key_index: int = 0
    """Which BugBrain key it is on (0: the demo key)."""


def _digits(label: str, count: int, alphabet: str = "0123456789abcdef") -> str:
    raw = hashlib.sha512(f"qa-tui sim org {label}".encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in raw[:count])


def _name(service: str, index: int) -> str:
    return NAMES[service] if index == 0 else f"{NAMES[service]}-{index + 1}"


@dataclass(frozen=True)
class OrgSpec:
    """How many projects each service has (the demo's one each, by default)."""

    bugbug_projects: int = 1
    bugbrain_keys: tuple[int, ...] = (1,)
    """Projects on each BugBrain key, the demo key first."""
    bug0_projects: int = 1
    bugbug_rpm: int | None = None
    """Requests a minute BugBug allows a token (it documents none; None: no limit)."""

    def __post_init__(self) -> None:
        if self.bugbug_projects < 1 or self.bug0_projects < 1:
            raise ValueError("every service has at least one project")
        if not self.bugbrain_keys or min(self.bugbrain_keys) < 1:
            raise ValueError("every BugBrain key has at least one project")

    @classmethod
    def of_size(cls, providers: int) -> OrgSpec:
        """`providers` run providers: half BugBug, a third BugBrain (at most three projects a
        key), the rest Bug0 (12: six, four on two keys, two)."""
        if providers < 3:
            raise ValueError("an organisation has at least 3 projects (one of each service)")
        bugbrain = max(1, round(providers / 3))
        bug0 = max(1, round(providers / 6))
        bugbug = providers - bugbrain - bug0
        keys = math.ceil(bugbrain / PROJECTS_PER_KEY)
        per_key = tuple(bugbrain // keys + (1 if i < bugbrain % keys else 0) for i in range(keys))
        return cls(bugbug_projects=bugbug, bugbrain_keys=per_key, bug0_projects=bug0)

    @property
    def size(self) -> int:
        return self.bugbug_projects + sum(self.bugbrain_keys) + self.bug0_projects

    def bugbug(self) -> list[Project]:
        return [
            Project(
                "bugbug",
                _name("bugbug", i),
                BUGBUG_TOKEN if i == 0 else _digits(f"bugbug {i}", 40),
                None,
            )
            for i in range(self.bugbug_projects)
        ]

    def bugbrain(self) -> list[Project]:
        projects: list[Project] = []
        for key_index, count in enumerate(self.bugbrain_keys):
            key = BUGBRAIN_API_KEY
            if key_index:
                key = "bugbrain_sk_dev_" + _digits(f"bugbrain key {key_index}", 28, BASE58)
            for _ in range(count):
                i = len(projects)
                project_id = BUGBRAIN_PROJECT_ID if i == 0 else f"proj_qatui_{i + 1:02d}"
                projects.append(
                    Project("bugbrain", _name("bugbrain", i), key, project_id, key_index)
                )
        return projects

    def bug0(self) -> list[Project]:
        return [
            Project(
                "bug0",
                _name("bug0", i),
                BUG0_API_KEY if i == 0 else "bug0_sk_demo_" + _digits(f"bug0 key {i}", 12),
                BUG0_PROJECT_ID if i == 0 else _digits(f"bug0 project {i}", 24),
            )
            for i in range(self.bug0_projects)
        ]

    def projects(self) -> list[Project]:
        """Every project, BugBug's first, then BugBrain's (key by key), then Bug0's."""
        return [*self.bugbug(), *self.bugbrain(), *self.bug0()]
