"""Dialects: the readings of the loose parts of the provider docs that the simulator can speak.

qa-tui's clients and this simulator were written from the same reading of shared/providers.md,
so a test of one against the other cannot see where a real server reads a fact differently.
Every fact there marked [INF], every gap, and every place where the docs allow more than one
reading is a *switch* here; a :class:`Dialect` picks one value for each. The FIRST value of every
switch is the default, and it is what the simulator spoke before dialects existed, so
``Dialect()`` changes nothing. ``ScenarioSpec.dialect`` carries it; ``qa-tui sim --dialect
KEY=VALUE,...`` picks it (``--dialect help`` prints :func:`help_text`); ``GET /_sim/dialect``
reports it.

Where each switch is handled (each place says which doc fact it reads):

* in the handlers, where the reading changes what is served: BugBug paging, ordering, time
  filters, ``stepsRuns`` (``bugbug/api.py``, ``bugbug/app.py``), the extra status words
  (``bugbug/world.py``, ``bugbrain/world.py``, ``bugnet/world.py``), the Bugnet list shape and
  routes (``bugnet/app.py``), rate-limit headers where no doc promises
  them (``bugbug/api.py``, ``bug0/app.py``);
* in :mod:`qa_tui.sim.dialects.wire`, where the reading only changes how an answer is written:
  status case, date format, durations, envelopes, error bodies, rate-limit and ``Retry-After``
  headers, BugBrain's auth header, ``limit``, ``total`` and ``progress``.

The switches themselves (keys, values, the fact each reads) are listed in
:mod:`qa_tui.sim.dialects.switches` and re-exported here as :data:`SWITCHES`.

``/_sim/truth`` is the simulator's own account and always speaks the default reading (lower-case
words, its own date format), whatever the dialect.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from typing import Any

from qa_tui.sim.dialects.switches import (
    SWITCHES,
    BugbrainAsyncStatus,
    BugbrainAuth,
    BugbrainErrors,
    BugbrainLimit,
    BugbugDuration,
    BugbugNext,
    BugbugPageSize,
    BugbugStepsRuns,
    BugnetEnvelope,
    BugnetErrors,
    BugnetList,
    BugnetUpdate,
    Dates,
    Honoured,
    Presence,
    RateHeaders,
    RetryAfter,
    StatusCase,
    StatusWords,
)

__all__ = [
    "HARDEST_BUGBUG",
    "PREPARING",
    "PRESETS",
    "PROVISIONING",
    "SWITCHES",
    "TRIAGED",
    "Dialect",
    "DialectError",
    "help_text",
    "parse_dialect",
]

PREPARING, PROVISIONING, TRIAGED = "preparing", "provisioning", "triaged"
"""The words no doc lists that ``status_words=extra`` uses: a BugBug run's phase before
``running``, a BugBrain execution's instead of ``pending``, a Bugnet bug's status."""


class DialectError(ValueError):
    """A dialect spec that cannot be understood; the message names the key or value."""


@dataclass(frozen=True)
class Dialect:
    """One reading of every loose fact. Field ``a_b`` is switch ``a.b``; see :data:`SWITCHES`."""

    bugbug_next: BugbugNext = "absolute"
    bugbug_page_size: BugbugPageSize = "honoured"
    bugbug_steps_runs: BugbugStepsRuns = "json"
    bugbug_suite_ordering: Honoured = "honoured"
    bugbug_suite_page_size: Honoured = "honoured"
    bugbug_time_range: Honoured = "honoured"
    bugbug_duration: BugbugDuration = "django"
    status_case: StatusCase = "lower"
    status_words: StatusWords = "documented"
    dates: Dates = "documented"
    retry_after: RetryAfter = "seconds"
    rate_headers: RateHeaders = "documented"
    bugbrain_total: Presence = "present"
    bugbrain_limit: BugbrainLimit = "honoured"
    bugbrain_auth: BugbrainAuth = "both"
    bugbrain_progress: Presence = "present"
    bugbrain_errors: BugbrainErrors = "error-object"
    bugbrain_async_status: BugbrainAsyncStatus = "202"
    bugnet_envelope: BugnetEnvelope = "ok-data"
    bugnet_errors: BugnetErrors = "ok-false"
    bugnet_list: BugnetList = "pagination"
    bugnet_update: BugnetUpdate = "patch-and-put"
    bugnet_similar: Presence = "present"

    def cased(self, word: str) -> str:
        """A status word as this dialect writes it (``status_case``)."""
        if self.status_case == "upper":
            return word.upper()
        if self.status_case == "title":
            return word[:1].upper() + word[1:]
        return word

    @property
    def extra_words(self) -> bool:
        """Runs pass through phases no doc names (``status_words=extra``)."""
        return self.status_words == "extra"

    @property
    def rate_headers_everywhere(self) -> bool:
        """Providers whose docs promise no rate-limit headers send them too."""
        return self.rate_headers in ("x-ratelimit", "ratelimit")

    def as_dict(self) -> dict[str, str]:
        """Every switch by its key (``bugbug.next``), with its value."""
        return {s.key: getattr(self, s.field) for s in SWITCHES}

    def to_spec(self) -> str:
        """The ``KEY=VALUE,...`` of the switches that differ from the default ('' for none)."""
        return ",".join(
            f"{s.key}={getattr(self, s.field)}" for s in SWITCHES if not s.default_in(self)
        )


HARDEST_BUGBUG = Dialect(bugbug_next="null", bugbug_page_size="fixed", bugbug_time_range="ignored")
"""BugBug at its least helpful for a client that walks a run list back in time."""
PRESETS: dict[str, Dialect] = {"hardest-bugbug": HARDEST_BUGBUG}
_BY_KEY = {s.key: s for s in SWITCHES}


def parse_dialect(text: str) -> Dialect:
    """``KEY=VALUE,...`` (and preset names) into a :class:`Dialect`; '' is the default.

    A preset sets its switches; a ``KEY=VALUE`` after it overrides one. Raises
    :class:`DialectError` naming the bad key or value and listing the valid ones.
    """
    dialect, given = Dialect(), set[str]()
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        key, eq, value = (part.strip() for part in item.partition("="))
        if not eq:
            if key not in PRESETS:
                raise DialectError(
                    f"{item!r}: expected KEY=VALUE or a preset ({', '.join(PRESETS)}); "
                    "try --dialect help"
                )
            preset = PRESETS[key]
            chosen: dict[str, Any] = {
                s.field: getattr(preset, s.field) for s in SWITCHES if not s.default_in(preset)
            }
            dialect = replace(dialect, **chosen)
            continue
        switch = _BY_KEY.get(key)
        if switch is None:
            raise DialectError(f"unknown dialect key {key!r} (valid keys: {', '.join(_BY_KEY)})")
        if value not in switch.values:
            raise DialectError(
                f"{key}: unknown value {value!r} (valid: {', '.join(switch.values)})"
            )
        if key in given:
            raise DialectError(f"{key} is given twice")
        given.add(key)
        chosen = {switch.field: value}
        dialect = replace(dialect, **chosen)
    return dialect


def help_text(width: int = 100) -> str:
    """Every switch, its values, which is the default (marked ``*``), and which doc fact it
    reads, wrapped at `width` columns."""
    lines = [
        "Dialects: the readings of the loose provider docs the simulator can speak.",
        "Usage: qa-tui sim --dialect KEY=VALUE[,KEY=VALUE...]  (a preset may come first)",
        "* marks each switch's default: what the simulator spoke before dialects existed.",
        "§ numbers are sections of shared/providers.md; GET /_sim/dialect shows the one served.",
        "",
        "Presets:",
    ]
    lines += [f"  {name} = {preset.to_spec()}" for name, preset in PRESETS.items()]
    for s in SWITCHES:
        lines += ["", s.key, *textwrap.wrap(f"reads {s.reads}", width, initial_indent="  ",
                                            subsequent_indent="    ")]  # fmt: skip
        column = max(len(v) for v in s.values)
        for n, (value, meaning) in enumerate(zip(s.values, s.meanings, strict=True)):
            head = f"  {'*' if n == 0 else ' '} {value.ljust(column)}  "
            lines += textwrap.wrap(
                meaning, width, initial_indent=head, subsequent_indent=" " * len(head)
            )
    return "\n".join(lines) + "\n"
