"""What services post on commits, derived from the clock (nothing moves on its own).

Bug0's GitHub integration (shared/provider-docs/bug0-run-tests.md: "Git commit SHA for status
updates") posts a commit status on the commit a trigger carried, when the trigger also names the
repository (``owner``, ``repo``). The docs show no context name or description: the simulator's
reading is a context ``Bug0 / E2E`` [INF], ``pending`` a few seconds after the trigger
("Running N tests on URL"), then ``success``, ``failure`` or ``error`` with a description and a
``target_url`` to Bug0's report. Beside it, as on any real commit, another CI's status
(``ci/build``, which may fail while Bug0 passes) and a GitHub Actions check run (``lint``).

Each run reported on a commit (:class:`ReportedRun`) gets its outcome dealt in turn from
:data:`OUTCOMES` (the demo's first preview fails, its second passes), unless the commit was
planned (:meth:`GitHubWorld.plan`: a test picks Bug0's outcome, the other CI's, whether Bug0
reports as a check run instead, or never reports at all, and a description). Several runs on one
commit (a re-run) post under one context: the latest word of each context is what GitHub shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qa_tui.sim.common import iso_seconds
from qa_tui.sim.scenario import rng_for

BUG0_CONTEXT = "Bug0 / E2E"
DECOY_CONTEXT = "ci/build"
"""Another CI's status on the same commits: its verdict is not Bug0's."""
DECOY_CHECK = "lint"
"""A GitHub Actions check run on the same commits."""
OUTCOMES = ("failure", "success", "success", "error", "success", "failure")
"""Bug0's outcome for the n-th run reported, dealt in turn (unless the commit is planned)."""
PENDING_AFTER_S = (2.0, 5.0)
ENDS_AFTER_S = (25.0, 50.0)
TESTS = (
    "checkout > pay with card",
    "login > magic link",
    "cart > apply coupon",
    "search > filters",
)


@dataclass(frozen=True)
class ReportedRun:
    """A run a service reports on a commit: one of Bug0's triggers that carried a commit and a
    repository (handed in by the simulator's app, which knows the Bug0 world)."""

    run_id: str
    at: float
    """Scenario time it was triggered."""
    owner: str
    repo: str
    sha: str
    url: str | None = None
    """The URL it tested (the trigger's ``url``)."""
    report_path: str = ""
    """Where Bug0's report of it is served, from the simulator's root (``/bug0/app/runs/ID``)."""


@dataclass(frozen=True)
class CommitPlan:
    """What a test decided for one commit (any field None: the usual dice)."""

    bug0: str | None = None
    """``success``, ``failure``, ``error``, or ``never`` (Bug0 posts nothing: the integration is
    not connected to that repository)."""
    decoy: str | None = None
    """The other CI's outcome: ``success`` or ``failure``."""
    via: str = "status"
    """How Bug0 reports: ``status`` (a commit status) or ``check run``."""
    description: str | None = None
    """Bug0's description of its result, as given (a hostile text, say)."""
    ends_after_s: float | None = None
    """Seconds after the trigger Bug0 posts its result (pending at a quarter of it), instead of
    :data:`ENDS_AFTER_S`' dice: a test on the wall clock need not wait half a minute."""


@dataclass(frozen=True)
class Posted:
    """One word a service posted on a commit."""

    context: str
    state: str
    """A status's state (``pending``...), or a check run's ``queued``/``in_progress``/``completed``."""
    at: float
    description: str | None = None
    target_url: str | None = None
    conclusion: str | None = None
    started: float | None = None


@dataclass
class GitHubWorld:
    """The commits' statuses and check runs, derived from the runs reported and the clock."""

    seed: int
    reported: Callable[[], Sequence[ReportedRun]]
    """Every run reported so far (the Bug0 world's triggers with git fields), in order."""
    plans: dict[str, CommitPlan] = field(default_factory=dict)
    hourly_limit: int = 5000
    """Requests a token may make an hour (GitHub's 5,000); a 304 is not counted."""
    served: list[tuple[str, int]] = field(default_factory=list)
    """(path, status) of every request answered, for tests (304s among them)."""

    def plan(self, sha: str, **plan: Any) -> None:
        """Decide what happens on commit `sha` (see :class:`CommitPlan`)."""
        self.plans[sha] = CommitPlan(**plan)

    def _runs_on(self, owner: str, repo: str, sha: str) -> list[tuple[int, ReportedRun]]:
        return [
            (i, run)
            for i, run in enumerate(self.reported())
            if (run.owner.lower(), run.repo.lower(), run.sha) == (owner.lower(), repo.lower(), sha)
        ]

    def _bug0_words(self, index: int, run: ReportedRun, origin: str) -> list[Posted]:
        plan = self.plans.get(run.sha, CommitPlan())
        outcome = plan.bug0 or OUTCOMES[index % len(OUTCOMES)]
        if outcome == "never":
            return []
        rng = rng_for(self.seed, "github", run.run_id)
        pending_at = run.at + rng.uniform(*PENDING_AFTER_S)
        end_at = run.at + rng.uniform(*ENDS_AFTER_S)
        if plan.ends_after_s is not None:
            pending_at, end_at = run.at + plan.ends_after_s / 4, run.at + plan.ends_after_s
        total = rng.randint(6, 14)
        failed = rng.randint(1, 3)
        link = f"{origin}{run.report_path}" if run.report_path else None
        where = run.url or "the project's URL"
        said = {
            "success": f"{total} of {total} tests passed",
            "failure": f"{failed} of {total} tests failed: {rng.choice(TESTS)}",
            "error": f"Bug0 could not run the tests: {where} did not answer",
        }.get(outcome, outcome)
        said = plan.description if plan.description is not None else said
        start = f"Running {total} tests on {where}"
        if plan.via == "check run":
            return [
                Posted(BUG0_CONTEXT, "queued", run.at + 1.0, start, link, started=None),
                Posted(BUG0_CONTEXT, "in_progress", pending_at, start, link, started=pending_at),
                Posted(BUG0_CONTEXT, "completed", end_at, said, link, outcome, pending_at),
            ]
        return [
            Posted(BUG0_CONTEXT, "pending", pending_at, start, link),
            Posted(BUG0_CONTEXT, outcome, end_at, said, link),
        ]

    def _decoy_words(self, sha: str, first_at: float) -> tuple[list[Posted], list[Posted]]:
        """The other CI's status and the lint check run (posted once per commit)."""
        plan = self.plans.get(sha, CommitPlan())
        rng = rng_for(self.seed, "github-decoy", sha)
        outcome = plan.decoy or ("failure" if rng.random() < 0.5 else "success")
        built = first_at - 20.0
        status = [
            Posted(
                DECOY_CONTEXT, "pending", built - 60.0, "Build started", "https://ci.example/b/1"
            ),
            Posted(DECOY_CONTEXT, outcome, built, f"Build {outcome}", "https://ci.example/b/1"),
        ]
        lint = "success" if rng.random() < 0.7 else "failure"
        check = [Posted(DECOY_CHECK, "completed", built, f"lint: {lint}", None, lint, built - 30)]
        return status, check

    def _posted(
        self, owner: str, repo: str, sha: str, now: float, origin: str
    ) -> tuple[list[Posted], list[Posted]]:
        """(statuses, check runs) posted on the commit by `now`: every word, oldest first."""
        runs = self._runs_on(owner, repo, sha)
        if not runs:
            return [], []
        statuses, checks = self._decoy_words(sha, runs[0][1].at)
        for index, run in runs:
            words = self._bug0_words(index, run, origin)
            via_check = self.plans.get(sha, CommitPlan()).via == "check run"
            (checks if via_check else statuses).extend(words)
        visible = [p for p in statuses if p.at <= now], [p for p in checks if p.at <= now]
        return sorted(visible[0], key=lambda p: p.at), sorted(visible[1], key=lambda p: p.at)

    def combined_status(
        self, owner: str, repo: str, sha: str, now: float, origin: str
    ) -> dict[str, Any]:
        """GitHub's combined status: the latest status of each context, newest first."""
        statuses, _ = self._posted(owner, repo, sha, now, origin)
        latest: dict[str, Posted] = {}
        for posted in statuses:
            latest[posted.context] = posted
        shown = sorted(latest.values(), key=lambda p: p.at, reverse=True)
        states = {p.state for p in shown}
        state = (
            "failure"
            if states & {"failure", "error"}
            else ("pending" if "pending" in states or not shown else "success")
        )
        return {
            "state": state,
            "sha": sha,
            "total_count": len(shown),
            "statuses": [self._status_json(i, p) for i, p in enumerate(shown)],
            "repository": {"full_name": f"{owner}/{repo}", "private": True},
        }

    def check_runs(
        self, owner: str, repo: str, sha: str, now: float, origin: str
    ) -> dict[str, Any]:
        """The commit's check runs, each in its latest state."""
        _, checks = self._posted(owner, repo, sha, now, origin)
        latest: dict[str, Posted] = {}
        for posted in checks:
            latest[posted.context] = posted
        runs = [self._check_json(i, p, sha) for i, p in enumerate(latest.values())]
        return {"total_count": len(runs), "check_runs": runs}

    @staticmethod
    def _status_json(index: int, p: Posted) -> dict[str, Any]:
        return {
            "id": 1000 + index,
            "state": p.state,
            "description": p.description,
            "target_url": p.target_url,
            "context": p.context,
            "created_at": iso_seconds(p.at),
            "updated_at": iso_seconds(p.at),
        }

    @staticmethod
    def _check_json(index: int, p: Posted, sha: str) -> dict[str, Any]:
        completed = p.state == "completed"
        return {
            "id": 2000 + index,
            "head_sha": sha,
            "name": p.context,
            "status": p.state,
            "conclusion": p.conclusion if completed else None,
            "details_url": p.target_url,
            "html_url": f"https://github.example/checks/{2000 + index}",
            "started_at": iso_seconds(p.started) if p.started is not None else None,
            "completed_at": iso_seconds(p.at) if completed else None,
            "output": {"title": p.description, "summary": None},
        }

    def bug0_state(self, owner: str, repo: str, sha: str, now: float) -> str | None:
        """Bug0's latest word on the commit now (None: nothing yet), for tests."""
        statuses, checks = self._posted(owner, repo, sha, now, "")
        mine = [p for p in (*statuses, *checks) if p.context == BUG0_CONTEXT]
        if not mine:
            return None
        last = mine[-1]
        return last.conclusion or last.state
