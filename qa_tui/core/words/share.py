"""A run as Markdown a person pastes into a chat or a PR (`Y` in the app, `qa-tui runs
--format markdown`): test, provider, status, link, target, failing step and error, screenshot
link, bug link.

Everything a provider sent is untrusted and is reduced to plain text before it becomes
Markdown: control and format characters are shown escaped (core/textsafe.py), a name is one
line (a newline cannot start a heading or a list), every character Markdown gives a meaning
(`*`, `_`, `[`, `` ` ``, `<`, `#`, `|`, `&` …) is backslash-escaped, so `**x**` or `[click](javascript:…)`
reads as those characters. An error goes in a code fence longer than any run of backticks in
it, so it cannot close the fence. A link is made only of an `http(s)` address, percent-encoded
where Markdown would end it (spaces, parentheses, angle brackets); any other address is
shown as escaped text, never as a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from qa_tui.core.model import Run, RunDetail, RunStatus
from qa_tui.core.textsafe import terminal_safe
from qa_tui.core.words.times import rfc3339

ERROR_LINES = 20
"""The most lines of an error a summary quotes (the rest is said to be cut)."""
ERROR_CHARS = 2000
NAME_CHARS = 200
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&])")
"""What Markdown (CommonMark, GitHub's tables and strikethrough) reads as more than a character
inside a line; a provider string never starts a line here, so `-`, `+`, `1.` need no escape."""
_BACKTICKS = re.compile(r"`+")
_URL_SAFE = "/:?#@!$&'*+,;=%~-._"
"""Characters kept as they are in a link's address; the rest is percent-encoded
(parentheses and brackets included: either could end the link early)."""


def plain(text: str | None, limit: int = NAME_CHARS) -> str:
    """A provider string as one line of Markdown that means nothing but its characters."""
    one_line = " ".join(terminal_safe(text or "").split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return _SPECIAL.sub(r"\\\1", one_line)


def link(label: str, url: str | None) -> str:
    """`[label](address)` for an http(s) address; anything else as plain text (no link)."""
    if not url:
        return plain(label)
    address = url.strip()
    try:
        parts = urlsplit(address)
    except ValueError:
        return f"{plain(label)} ({plain(address)})"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"{plain(label)} ({plain(address)})"
    return f"[{plain(label)}]({quote(terminal_safe(address), safe=_URL_SAFE)})"


def fenced(text: str) -> str:
    """`text` (many lines) in a code fence it cannot close; cut at `ERROR_LINES` lines."""
    lines = [terminal_safe(line) for line in text.strip().splitlines()]
    cut = len(lines) > ERROR_LINES or sum(len(line) for line in lines) > ERROR_CHARS
    lines = lines[:ERROR_LINES]
    body = "\n".join(lines)[:ERROR_CHARS]
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    more = "\n(cut)" if cut else ""
    return f"{fence}text\n{body}{more}\n{fence}"


@dataclass(frozen=True)
class Bug:
    """The bug filed for a run (the outbox's record)."""

    id: str
    url: str | None = None


def _failing_step(run: Run, detail: RunDetail | None) -> tuple[str | None, str | None, str | None]:
    """(the failing step's words, its error, its screenshot address) from the detail's steps
    when there are any, else from what the run itself says."""
    if detail is not None:
        for step in detail.steps.items:
            if step.status in (RunStatus.FAILED, RunStatus.ERROR):
                return f"{step.index + 1}. {step.name}", step.error, step.screenshot_url
    return run.failed_step, None, None


def run_markdown(
    run: Run,
    detail: RunDetail | None = None,
    bug: Bug | None = None,
) -> str:
    """One run as a Markdown block; `detail` adds the failing step's error and screenshot.
    Its time is its end, else its start, else when it was queued (RFC 3339, UTC)."""
    run = detail.run if detail is not None and detail.run.key == run.key else run
    when = rfc3339(run.ended or run.started or run.queued)
    name = plain(run.name) or plain(run.id)
    status = run.status.value
    raw = f" (provider: {plain(run.provider_status, 40)})" if run.provider_status != status else ""
    lines = [f"**{status.upper()}** · {name}", ""]
    test = plain(run.name)
    lines.append(f"- **Test:** {test}" + (f" (id {plain(run.test_id, 80)})" if run.test_id else ""))
    lines.append(
        f"- **Provider:** {plain(run.provider, 60)} ({run.provider_kind.value}),"
        f" {run.kind.value} run {plain(run.id, 80)}"
    )
    lines.append(f"- **Status:** {status}{raw}" + (f" · {when}" if when else ""))
    lines.append(f"- **Link:** {link(run.url or '', run.url)}" if run.url else "- **Link:** none")
    if run.target:
        lines.append(f"- **Target:** {plain(run.target)}")
    step, step_error, screenshot = _failing_step(run, detail)
    if step:
        lines.append(f"- **Failing step:** {plain(step)}")
    error = step_error or run.error
    if screenshot:
        lines.append(f"- **Screenshot:** {link('screenshot', screenshot)}")
    if bug is not None:
        lines.append(f"- **Bug:** {link(bug.id, bug.url) if bug.url else plain(bug.id)}")
    if error and error.strip():
        lines += ["- **Error:**", "", fenced(error)]
    return "\n".join(lines)


def runs_markdown(runs: Iterable[Run]) -> str:
    """Every run's block, one after another (a line between)."""
    blocks = [run_markdown(run) for run in runs]
    return "\n\n".join(blocks) if blocks else "No runs."
