"""What `run`, `watch` and `doctor` share: the services they are handed, and small helpers.

`Services` is how tests drive these commands with no real waiting and no real network: a
`ManualClock` (shared with the simulator), an in-process transport, an in-memory trigger log and a
fake git checkout. The command line passes the defaults (the real clock and network).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qa_tui.core.actions.gitinfo import GitInfo, read_git
from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.config.tables import Config, GitHubConfig, ProviderConfig
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.registry import TransportFor, build_source, build_statuses
from qa_tui.core.providers.triggers import TriggerLog
from qa_tui.core.textsafe import terminal_safe


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class Services:
    """The outside world, passed in."""

    clock: Clock = SYSTEM_CLOCK
    transport_for: TransportFor | None = None
    """Provider name → transport (tests: the simulator in-process); None: the real network."""
    triggers: TriggerLog | None = None
    """Where Bug0 triggers are recorded (None: the trigger log in the data dir)."""
    git: Callable[[], GitInfo] = field(default=read_git)
    """The current git checkout's facts, to prefill Bug0 triggers."""
    live: Callable[[], bool] = field(default=_stderr_is_tty)
    """True when progress may redraw one line in place (stderr is a terminal)."""
    notify_out: Callable[[str], None] | None = None
    """Where `--notify` writes its terminal notification (None: the controlling terminal)."""
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    """The environment `--notify` reads: $TMUX, the terminal's name, SSH_CONNECTION."""


def say(message: str) -> None:
    """One diagnostic line on stderr, terminal-safe (it may carry provider text)."""
    print(f"qa-tui: {terminal_safe(message)}", file=sys.stderr, flush=True)


def find_provider(config: Config, wanted: str) -> ProviderConfig | str:
    """The provider named `wanted`, or the only one of that kind (`bugbug`, `bugbrain`, `bug0`),
    else a one-line complaint naming what there is: a kind several providers share names them.
    A name wins over a kind, so a provider called `bugbug` is still reachable by its name."""
    named = [p for p in config.providers if p.name == wanted]
    if named:
        return named[0]
    of_kind = [p for p in config.providers if p.kind == wanted.casefold()]
    if len(of_kind) == 1:
        return of_kind[0]
    if of_kind:
        candidates = ", ".join(p.name for p in of_kind)
        return (
            f"{wanted!r} is ambiguous: {len(of_kind)} providers are {wanted.casefold()} "
            f"({candidates}); name one of them"
        )
    names = ", ".join(f"{p.name} ({p.kind})" for p in config.providers)
    return f"no provider named {wanted!r} in the config (configured: {names})"


def choose_providers(config: Config, wanted: Sequence[str] | None) -> Config | str:
    """The config narrowed to the providers `--provider` names (each a name or an unambiguous
    kind, in the config's order), or the complaint about the first that names none. No
    `--provider` at all: every provider."""
    if not wanted:
        return config
    chosen: set[str] = set()
    for each in wanted:
        found = find_provider(config, each)
        if isinstance(found, str):
            return found
        chosen.add(found.name)
    kept = [p for p in config.providers if p.name in chosen]
    return config.model_copy(update={"providers": kept})


def open_source(
    provider: ProviderConfig, services: Services, github: GitHubConfig | None = None
) -> RunSource:
    """The RunSource for one provider, on the given clock and transport; a Bug0 one reads its
    results on GitHub as `github` (the config's `[github]`) says."""
    statuses = None
    if provider.kind == "bug0":
        statuses = build_statuses(
            github or GitHubConfig(), clock=services.clock, transport_for=services.transport_for
        )
    return build_source(
        provider,
        clock=services.clock,
        transport=services.transport_for(provider.name) if services.transport_for else None,
        triggers=services.triggers or TriggerLog(),
        statuses=statuses,
    )


def write_json_object(value: dict[str, Any]) -> None:
    """One JSON object on stdout; provider strings exactly as sent (a lone surrogate escaped)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace") + b"\n")
    sys.stdout.buffer.flush()
