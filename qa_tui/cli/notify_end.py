"""`watch --notify` and `run --wait --notify`: when the run followed from a shell ends, the
terminal is told the way the app tells it (the `[notify]` method, a bell, tmux passthrough;
a desktop notification on a local session), so a long run can be left to finish in a pane.

The bytes go to the controlling terminal (`/dev/tty`, else stderr when it is a terminal), not
stdout, which a script may be reading; with neither (a CI log) nothing is written.
"""

from __future__ import annotations

from qa_tui.cli.services import Services
from qa_tui.core.actions.watch import Outcome, WatchResult
from qa_tui.core.notify.delivery import Delivery, controlling_terminal
from qa_tui.core.notify.notice import Notice, NoticeKind, duration_text, run_notice
from qa_tui.core.notify.plain import plain
from qa_tui.core.notify.settings import NotifyConfig


def ended_notice(result: WatchResult) -> Notice:
    """What the run's end says: its result, or that the wait ran out, or that no status comes."""
    run = result.run
    if result.outcome in (Outcome.PASSED, Outcome.FAILED, Outcome.ENDED):
        return run_notice(run, NoticeKind.RUN_ENDED)
    name = plain(run.name, 60) or plain(run.id, 60)
    if result.outcome is Outcome.TIMEOUT:
        waited = duration_text(result.waited_s)
        return Notice(
            NoticeKind.RUN_ENDED,
            f"Still {run.status.value}: {name}",
            f"{plain(run.provider, 30)}: gave up waiting after {waited}",
            run.key,
            run.status,
        )
    return Notice(
        NoticeKind.RUN_ENDED,
        f"No status: {name}",
        f"{plain(run.provider, 30)} cannot report how it ended",
        run.key,
        run.status,
    )


def tell_the_terminal(result: WatchResult, settings: NotifyConfig, services: Services) -> None:
    write = services.notify_out or controlling_terminal()
    Delivery(settings, services.environ).send(ended_notice(result), write)
