"""An error's fingerprint: what stays of its text once the parts that differ run to run are gone.

Two failures share a fingerprint when their errors differ only in numbers, ids, UUIDs, hex,
URLs' query strings, quoted values and timestamps: `normalize` replaces each of those with a
placeholder, in this order (a URL's query before its numbers, a UUID before its hex, …):

- a URL's query string and fragment → `?…` (the host and path stay: a different endpoint is a
  different failure);
- timestamps (`2025-06-02T12:00:00Z`, `12:00:03.120`), then UUIDs, then prefixed ids
  (`exec_8f3k2j1l`, `sess-9F8E7D`: letters, a separator, a run of letters and digits with a
  digit), then hex (`0x1f`, runs of eight or more hex digits with a digit) and numbers (one
  placeholder for both: a hex id may happen to hold no letter);
- quoted values (in straight, curly or back quotes) → `<q>`, except a quoted CSS selector or XPath
  (`"#pay-button"`, `'button[type=submit]'`), which names what failed and is kept;
- selectors outside quotes (`#checkout-submit`, `.add-to-cart-btn`, `input[name=email]`) keep their
  digits (`#item-3` is not `#item-4`);
- a provider's code in front of the message (`ELEMENT_DOES_NOT_EXIST: …`) is dropped: it says
  what kind of failure, the message says which; whitespace is collapsed.

The fingerprint is a short hash of that text. An error that is nothing but a code (BugBug's
`ASSERT_FAILED`) says too little to group failures of different tests: `fingerprint_for` then
scopes it to the test (see `is_bare_code`). Pure.
"""

from __future__ import annotations

import hashlib
import re

_QUERY = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s?#'\"<>]+)[?#][^\s'\"<>]*", re.IGNORECASE)
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"
)
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_PREFIXED_ID = re.compile(r"\b[A-Za-z]{2,12}[_-](?=[A-Za-z0-9]*\d)[A-Za-z0-9]{4,}\b")
_HEX = re.compile(r"\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTED = re.compile(
    r"'[^'\n]*'|\"[^\"\n]*\"|\u201c[^\u201d\n]*\u201d|\u2018[^\u2019\n]*\u2019|`[^`\n]*`"
)
_QUOTED_SELECTOR = re.compile(
    r"^(?://\S+|(?:[A-Za-z][\w-]*)?(?:[#.][A-Za-z_][\w-]*|\[[^\]]+\])+(?:\s*[>+~ ]\s*\S+)*)$"
)
_SELECTOR_TOKEN = re.compile(r"(?<![\w/])(?:[A-Za-z][\w-]*)?(?:[#.][A-Za-z_][\w-]*|\[[^\]\s]+\])+")
_CODE_PREFIX = re.compile(r"^[A-Z][A-Z0-9_]{2,}:\s+")
_BARE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_SPACE = re.compile(r"\s+")
_KEEP = "\x00"
"""Marks a kept piece while the rules run (never in provider text once stripped)."""


def is_bare_code(error: str) -> bool:
    """True when an error is only a provider's code (`ELEMENT_DOES_NOT_EXIST`)."""
    return bool(_BARE_CODE.match(error.strip()))


def normalize(error: str) -> str:
    """The error with what differs run to run replaced by placeholders (see the module doc)."""
    text = _CODE_PREFIX.sub("", error.replace(_KEEP, "").strip())
    kept: list[str] = []

    def keep(piece: str) -> str:
        kept.append(piece)
        return f"{_KEEP}{chr(0xE000 + len(kept) - 1)}{_KEEP}"  # no digit: numbers run later

    text = _QUERY.sub(lambda m: keep(m.group(1) + "?…"), text)

    def quoted(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1].strip()
        return keep(match.group(0)) if _QUOTED_SELECTOR.match(inner) else "<q>"

    text = _QUOTED.sub(quoted, text)
    text = _SELECTOR_TOKEN.sub(lambda m: keep(m.group(0)), text)
    text = _TIMESTAMP.sub("<time>", text)
    text = _UUID.sub("<uuid>", text)
    text = _PREFIXED_ID.sub("<id>", text)
    text = _HEX.sub("<n>", text)  # as a number: a hex id may happen to hold no letter
    text = _NUMBER.sub("<n>", text)
    text = re.sub(f"{_KEEP}(.){_KEEP}", lambda m: kept[ord(m.group(1)) - 0xE000], text)
    return _SPACE.sub(" ", text).strip()


def fingerprint(error: str) -> str:
    """A short stable hash of `normalize(error)`."""
    return hashlib.sha1(normalize(error).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def fingerprint_for(error: str | None, test_key: str) -> str | None:
    """The fingerprint history keeps for a failure: None without an error; a bare code is
    scoped to its test (ASSERT_FAILED in two tests is two failures, not one incident)."""
    if not error or not error.strip():
        return None
    if is_bare_code(error):
        return fingerprint(f"{error.strip()} in {test_key}")
    return fingerprint(error)
