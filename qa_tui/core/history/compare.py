"""A failed run against the last passing run of the same test on the same target. Pure.

Steps are lined up by what they do (their names, e.g. `click`, `goto`; a BugBrain execution's
tests by name) with difflib, so one step added early does not make every later step "differ":

- the **first divergence** is the first step, in the failed run's order, whose status differs
  from its green twin, or whose action differs (a step replaced), or that one run has and the
  other does not;
- steps **added** (only this run has them) and **removed** (only the green run has them), apart
  from the green run's steps after this run stopped at its failure: those were **not reached**;
- each lined-up pair's **duration delta** (this run's time minus the green run's);
- the **facts** that differ: the target (BugBug profile, BugBrain environment, Bug0 URL), the
  environment the provider reports (browser and OS), who triggered it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from qa_tui.core.model import ProviderKind, Run, RunDetail, RunStatus, Step

TARGET_WORDS = {ProviderKind.BUGBUG: "profile", ProviderKind.BUGBRAIN: "environment"}
"""What a provider's target is called (Bug0's is the URL it tested)."""
ENVIRONMENT_WORDS = {ProviderKind.BUGBUG: "browser"}


@dataclass(frozen=True)
class StepPair:
    """One step of either run, lined up: `this` or `green` is None when only one run has it."""

    this: Step | None
    green: Step | None

    @property
    def name(self) -> str:
        step = self.this or self.green
        return step.name if step is not None else ""

    @property
    def delta_s(self) -> float | None:
        if self.this is None or self.green is None:
            return None
        if self.this.duration_s is None or self.green.duration_s is None:
            return None
        return self.this.duration_s - self.green.duration_s


@dataclass(frozen=True)
class Divergence:
    """Where the failed run first went another way than the green one."""

    number: int
    """1-based, in the failed run's steps (the green run's for a step only it has)."""
    name: str
    why: str
    """`passed → failed`, `click instead of type`, `not in the green run`, …"""
    error: str | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    this: str
    green: str


@dataclass(frozen=True)
class Comparison:
    green: Run
    pairs: tuple[StepPair, ...]
    first_divergence: Divergence | None
    added: tuple[str, ...]
    removed: tuple[str, ...]
    not_reached: tuple[str, ...]
    facts: tuple[Fact, ...]


def _numbered(step: Step) -> str:
    return f"{step.index + 1}. {step.name}"


def _facts(this: Run, green: Run) -> tuple[Fact, ...]:
    kind = this.provider_kind
    pairs = [
        (TARGET_WORDS.get(kind, "URL"), this.target, green.target),
        (ENVIRONMENT_WORDS.get(kind, "runs on"), this.environment, green.environment),
        ("triggered by", this.triggered_by, green.triggered_by),
    ]
    return tuple(
        Fact(label, one or "—", other or "—") for label, one, other in pairs if one != other
    )


def compare(failed: RunDetail, green: RunDetail) -> Comparison:
    """`failed` (the run open in the detail view) against `green` (its last green run)."""
    mine, theirs = list(failed.steps.items), list(green.steps.items)
    matcher = difflib.SequenceMatcher(
        None, [s.name for s in mine], [s.name for s in theirs], autojunk=False
    )
    stopped = bool(mine) and mine[-1].status in (RunStatus.FAILED, RunStatus.ERROR)
    pairs: list[StepPair] = []
    added: list[str] = []
    removed: list[str] = []
    not_reached: list[str] = []
    divergence: Divergence | None = None

    def diverge(step: Step, why: str, error: str | None = None) -> None:
        nonlocal divergence
        if divergence is None:
            divergence = Divergence(step.index + 1, step.name, why, error)

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for one, other in zip(mine[i1:i2], theirs[j1:j2], strict=True):
                pairs.append(StepPair(one, other))
                if one.status is not other.status:
                    why = f"{other.status.value} in the green run, {one.status.value} here"
                    diverge(one, why, one.error)
            continue
        if op == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                here = mine[i1 + k] if i1 + k < i2 else None
                there = theirs[j1 + k] if j1 + k < j2 else None
                pairs.append(StepPair(here, there))
                if here is not None and there is not None:
                    diverge(here, f"{here.name} here, {there.name} in the green run", here.error)
                elif here is not None:
                    added.append(_numbered(here))
                    diverge(here, "not in the green run", here.error)
                elif there is not None:
                    removed.append(_numbered(there))
            continue
        if op == "delete":
            for one in mine[i1:i2]:
                pairs.append(StepPair(one, None))
                added.append(_numbered(one))
                diverge(one, "not in the green run", one.error)
            continue
        for other in theirs[j1:j2]:  # insert: only the green run has these
            pairs.append(StepPair(None, other))
            if stopped and i1 == len(mine):
                not_reached.append(_numbered(other))
            else:
                removed.append(_numbered(other))
                diverge(other, "in the green run, not here")
    return Comparison(
        green=green.run,
        pairs=tuple(pairs),
        first_divergence=divergence,
        added=tuple(added),
        removed=tuple(removed),
        not_reached=tuple(not_reached),
        facts=_facts(failed.run, green.run),
    )
