"""Files the simulator serves besides JSON: JUnit XML reports and the small HTML "web app" pages
that ``webappUrl`` points at (step screenshots are painted in screenshots.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """XML 1.0 cannot carry most control characters: they become U+FFFD (as junit-xml does)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


@dataclass(frozen=True)
class JUnitCase:
    name: str
    classname: str
    seconds: float
    outcome: str
    """``passed``, ``failed``, ``error`` or ``skipped``."""
    message: str = ""
    kind: str = ""


def junit_xml(suite: str, cases: list[JUnitCase], timestamp: str) -> bytes:
    """One ``<testsuite>`` inside ``<testsuites>``, the shape CI tools read."""
    failures = sum(c.outcome == "failed" for c in cases)
    errors = sum(c.outcome == "error" for c in cases)
    skipped = sum(c.outcome == "skipped" for c in cases)
    total = sum(c.seconds for c in cases)

    def attr(text: str) -> str:
        return quoteattr(_xml_text(text))

    counts = f'tests="{len(cases)}" failures="{failures}" errors="{errors}"'
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={attr(suite)} {counts} time="{total:.3f}">',
        f'  <testsuite name={attr(suite)} {counts} skipped="{skipped}" '
        f'time="{total:.3f}" timestamp={attr(timestamp)}>',
    ]
    for c in cases:
        head = f'    <testcase classname={attr(c.classname)} name={attr(c.name)} time="{c.seconds:.3f}"'
        if c.outcome in ("failed", "error"):
            tag = "failure" if c.outcome == "failed" else "error"
            body = xml_escape(_xml_text(c.message))
            lines.append(f"{head}>")
            lines.append(
                f"      <{tag} message={attr(c.message)} type={attr(c.kind)}>{body}</{tag}>"
            )
            lines.append("    </testcase>")
        elif c.outcome == "skipped":
            lines.append(f"{head}><skipped/></testcase>")
        else:
            lines.append(f"{head}/>")
    lines += ["  </testsuite>", "</testsuites>", ""]
    return "\n".join(lines).encode("utf-8")


def web_page(title: str, facts: dict[str, str], links: Sequence[tuple[str, str]] = ()) -> str:
    """A tiny HTML page standing in for the provider's web app view of a run (all text escaped)."""
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts.items()
    )
    items = "".join(
        f'<li><a href="{html.escape(url)}">{html.escape(label)}</a></li>' for label, url in links
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><table>{rows}</table><ul>{items}</ul>"
        "<p><small>qa-tui simulator</small></p></body></html>"
    )
