"""Bugnet's in-memory world: users and sessions, one project, bugs, comments, labels, activity,
the similar-bug scoring, and what the game SDK reported (:mod:`qa_tui.sim.bugnet.telemetry`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qa_tui.sim.bugnet.telemetry import Telemetry
from qa_tui.sim.common import iso_millis
from qa_tui.sim.credentials import (
    BUGNET_DISPLAY_NAME,
    BUGNET_EMAIL,
    BUGNET_PROJECT,
    BUGNET_TOKEN,
    BUGNET_USER_ID,
)
from qa_tui.sim.dialects import TRIAGED
from qa_tui.sim.scenario import HOSTILE_NAMES, ScenarioSpec, rng_for, token_from, uuid_from

CATEGORIES = ("crash", "visual", "gameplay", "performance", "audio", "ui", "network", "other")
PRIORITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "in_progress", "resolved", "closed", "wont_fix", "duplicate")
SEED_BUGS = (
    ("Add to cart button missing on product page", "ui", "high"),
    ("Checkout fails with a declined payment message", "gameplay", "critical"),
    ("Search returns no results for accented words", "other", "medium"),
    ("Password reset email never arrives", "network", "high"),
    ("Login form accepts an empty password", "other", "critical"),
    ("Wishlist heart icon overlaps the price on mobile", "visual", "low"),
    ("Discount code is applied twice at checkout", "gameplay", "high"),
    ("Profile page takes more than 5 s to load", "performance", "medium"),
    ("Crash when opening order history", "crash", "critical"),
    ("Newsletter signup shows a raw JSON error", "ui", "low"),
    ("Mobile menu does not close after navigation", "ui", "medium"),
    ("Logout leaves the session cookie behind", "network", "high"),
)
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "when",
        "that",
        "this",
        "from",
        "are",
        "was",
        "not",
        "but",
        "has",
        "have",
        "into",
        "than",
    ]
)


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3 and w not in _STOP}


def overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


@dataclass
class User:
    id: str
    email: str
    display_name: str
    password: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "display_name": self.display_name}


@dataclass
class Bug:
    id: str
    title: str
    description: str
    category: str
    priority: str
    status: str
    created: float
    updated: float
    reporter: User | None
    source: str
    """``dashboard`` (bearer create) or ``sdk`` (``/api/bugs/submit``)."""
    steps_to_reproduce: str = ""
    expected_behavior: str = ""
    actual_behavior: str = ""
    platform: str | None = None
    game_version: str | None = None
    player_email: str | None = None
    assignee: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    activity: list[dict[str, Any]] = field(default_factory=list)


class BugnetWorld:
    """Everything the simulated Bugnet knows."""

    def __init__(self, seed: int, spec: ScenarioSpec, t0: float) -> None:
        self.rng = rng_for(seed, "bugnet")
        self.user = User(BUGNET_USER_ID, BUGNET_EMAIL, BUGNET_DISPLAY_NAME, "demo-password")
        self.other = User(uuid_from(self.rng), "alex@qa-tui.dev", "Alex QA")
        self.users = {u.id: u for u in (self.user, self.other)}
        self.sessions: dict[str, User] = {BUGNET_TOKEN: self.user}
        """Dashboard login sessions: bearer token to user."""
        self.telemetry = Telemetry()
        """Game sessions, perf snapshots, replays and settings reads from the SDK routes."""
        self.project = {
            "id": uuid_from(self.rng),
            "name": "qa-tui demo shop",
            "slug": BUGNET_PROJECT,
            "description": "The demo project the simulator serves.",
            "website": "https://shop.example.com",
            "created_at": iso_millis(t0 - 90 * 86_400),
        }
        self.labels: dict[str, dict[str, Any]] = {}
        for name, color in (
            ("regression", "#d73a4a"),
            ("flaky", "#fbca04"),
            ("checkout", "#1d76db"),
            ("qa-tui", "#0e8a16"),
        ):
            self.add_label(name, color)
        self.bugs: dict[str, Bug] = {}
        second = TRIAGED if spec.dialect.extra_words else "open"  # §4.4: the full list is unknown
        for i in range(spec.bugnet_bugs):
            title, category, priority = SEED_BUGS[i % len(SEED_BUGS)]
            if spec.hostile_names and i % 3 == 1:
                title = HOSTILE_NAMES[(i // 3) % len(HOSTILE_NAMES)]
            created = t0 - self.rng.uniform(3600, 30 * 86_400)
            bug = self.add_bug(
                title,
                f"Seen in the nightly run. {title}.",
                category,
                priority,
                reporter=self.users[self.rng.choice(list(self.users))],
                source="dashboard",
                at=created,
                steps_to_reproduce="1. Open the shop\n2. Follow the flow",
            )
            bug.status = ("open", second, "in_progress", "closed")[i % 4]
            bug.assignee = self.other.id if i % 3 == 0 else None
            if i % 4 == 0:
                bug.labels.append(next(iter(self.labels)))

    def login(self, email: str, password: str) -> str | None:
        for user in self.users.values():
            if user.email == email and user.password and user.password == password:
                token = "bn_sess_" + token_from(self.rng, 32)
                self.sessions[token] = user
                return token
        return None

    def new_id(self) -> str:
        return uuid_from(self.rng)

    def add_label(self, name: str, color: str) -> dict[str, Any]:
        label = {"id": self.new_id(), "name": name, "color": color}
        self.labels[label["id"]] = label
        return label

    def add_bug(
        self,
        title: str,
        description: str,
        category: str,
        priority: str,
        *,
        reporter: User | None,
        source: str,
        at: float,
        **fields: Any,
    ) -> Bug:
        bug = Bug(
            self.new_id(),
            title,
            description,
            category,
            priority,
            "open",
            at,
            at,
            reporter,
            source,
            **fields,
        )
        bug.activity.append(self.event("created", reporter, at))
        self.bugs[bug.id] = bug
        return bug

    def event(self, kind: str, actor: User | None, at: float, **changes: Any) -> dict[str, Any]:
        return {
            "id": self.new_id(),
            "type": kind,
            "actor": actor.to_json() if actor else None,
            "created_at": iso_millis(at),
            **({"changes": changes} if changes else {}),
        }

    def similar(self, title: str, description: str, limit: int = 5) -> list[tuple[float, Bug]]:
        """Bugs like ``title``/``description``, best first: 0.7 * title word overlap + 0.3 * overlap
        of all words (overlap = shared words / words of the shorter text); 1.0 for the same title."""
        qt, qa = words(title), words(f"{title} {description}")
        scored = []
        for bug in self.bugs.values():
            if title.strip() and bug.title.strip().lower() == title.strip().lower():
                score = 1.0
            else:
                score = 0.7 * overlap(qt, words(bug.title))
                score += 0.3 * overlap(qa, words(f"{bug.title} {bug.description}"))
            if score >= 0.3:
                scored.append((round(score, 3), bug))
        scored.sort(key=lambda p: (-p[0], -p[1].created))
        return scored[:limit]

    def bug_json(self, bug: Bug, *, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": bug.id,
            "title": bug.title,
            "description": bug.description,
            "category": bug.category,
            "priority": bug.priority,
            "status": bug.status,
            "steps_to_reproduce": bug.steps_to_reproduce,
            "expected_behavior": bug.expected_behavior,
            "actual_behavior": bug.actual_behavior,
            "platform": bug.platform,
            "game_version": bug.game_version,
            "player_email": bug.player_email,
            "assignee": self.users[bug.assignee].to_json() if bug.assignee in self.users else None,
            "reporter": bug.reporter.to_json() if bug.reporter else None,
            "source": bug.source,
            "labels": [self.labels[i] for i in bug.labels if i in self.labels],
            "comment_count": len(bug.comments),
            "created_at": iso_millis(bug.created),
            "updated_at": iso_millis(bug.updated),
            **bug.extra,
        }
        if full:
            body["comments"] = bug.comments
            body["activity"] = bug.activity
        return body
