"""One action on many runs (the marks: `space`, `*`): which runs it applies to, the
question asked once, and each run's outcome. Pure, apart from `act_on_each`, which awaits the
same per-run call the single-run key makes (the engine's `stop_run`, `rerun`, …), so a check
on that path (read-only, a budget) covers the marks too: nothing here sends a request itself.

The runs are acted on one after another, not all at once: each request waits its turn in its
provider's budget like any other (a burst of twenty stops would only queue in the bucket, and
one provider's 429 must not fail the rest).

Nothing is dropped silently: a marked run the action does not apply to is named with the
reason (`already passed`, `BugBrain cannot stop runs`), and a request that failed is named
with the provider's words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from qa_tui.core.model import Run
from qa_tui.core.providers.base import Capabilities

FIRST_FEW = 3
"""How many runs the question names before `and N more`."""
NAME_MAX = 40


@dataclass(frozen=True)
class Outcome:
    """What became of one marked run."""

    run: Run
    done: bool
    """True: the action was taken; False: not applicable, or the request failed."""
    words: str
    """`stopped`, `started 3f2c9a1e`, `already passed`, `failed: the provider refused …`."""


def short_name(run: Run, limit: int = NAME_MAX) -> str:
    """The run's name on one line, cut to `limit` characters (plain text is the caller's
    job: provider strings go through textsafe before they reach a screen)."""
    name = " ".join((run.name or run.id).split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


def why_not_stop(run: Run, capabilities: Capabilities) -> str | None:
    """Why `x` cannot stop this run, or None when it can."""
    if not capabilities.stop:
        return f"{run.provider} cannot stop runs"
    if run.status.is_terminal:
        return f"already {run.status.value}"
    return None


def why_not_rerun(run: Run, capabilities: Capabilities) -> str | None:
    """Why `r` cannot start this run again, or None when it can."""
    if not capabilities.rerun:
        return f"{run.provider} cannot re-run"
    return None


def why_not_watch(run: Run, watched: bool) -> str | None:
    """Why `w` does not watch this run: already watched, ended, or a run whose end no one can
    tell (a Bug0 trigger has no status to poll)."""
    if watched:
        return "already watched"
    if not run.pollable:
        return f"{run.provider} gives no status for its runs"
    if run.status.is_terminal:
        return f"already {run.status.value}"
    return None


def split(
    runs: Iterable[Run], why_not: Callable[[Run], str | None]
) -> tuple[list[Run], list[Outcome]]:
    """The runs the action applies to, and an outcome naming the reason for each other one."""
    apply: list[Run] = []
    skipped: list[Outcome] = []
    for run in runs:
        reason = why_not(run)
        if reason is None:
            apply.append(run)
        else:
            skipped.append(Outcome(run, False, reason))
    return apply, skipped


def question(
    verb: str,
    runs: Sequence[Run],
    skipped: Sequence[Outcome],
    *,
    what: str = "marked run",
    how: str = "",
) -> str:
    """The one question before acting: `Stop 5 marked runs?` then `Checkout, Login, Search and
    2 more`, with the runs left out and why; `what` names the runs, `how` ends the question."""
    count = len(runs)
    names = ", ".join(short_name(run) for run in runs[:FIRST_FEW])
    more = f" and {count - FIRST_FEW} more" if count > FIRST_FEW else ""
    noun = what if count == 1 else f"{what}s"
    text = f"{verb} {count} {noun}{how}?\n\n{names}{more}"
    if skipped:
        text += f"\n\nLeft out ({len(skipped)}): " + "; ".join(
            f"{short_name(outcome.run)}: {outcome.words}" for outcome in skipped[:FIRST_FEW]
        )
        if len(skipped) > FIRST_FEW:
            text += f"; and {len(skipped) - FIRST_FEW} more"
    return text


async def act_on_each(
    runs: Sequence[Run],
    act: Callable[[Run], Awaitable[str]],
    failure: Callable[[Exception], str | None],
) -> list[Outcome]:
    """Await `act` on each run in turn; its words are the outcome. An exception `failure` turns
    into words (None: not ours to catch, it is raised) fails that run only."""
    outcomes: list[Outcome] = []
    for run in runs:
        try:
            words = await act(run)
        except Exception as error:
            reason = failure(error)
            if reason is None:
                raise
            outcomes.append(Outcome(run, False, f"failed: {reason}"))
            continue
        outcomes.append(Outcome(run, True, words))
    return outcomes


def report(verb: str, outcomes: Sequence[Outcome]) -> str:
    """Every run's outcome, the ones that went through first: `Stop: 3 done, 2 not`, then one
    line per run."""
    done = [outcome for outcome in outcomes if outcome.done]
    not_done = [outcome for outcome in outcomes if not outcome.done]
    head = f"{verb}: {len(done)} done" + (f", {len(not_done)} not" if not_done else "")
    lines = [f"✓ {short_name(o.run)}: {o.words}" for o in done]
    lines += [f"✗ {short_name(o.run)}: {o.words}" for o in not_done]
    return "\n".join([head, *lines])
