"""The error fingerprint: what differs run to run is normalized away, what names the failure is
kept. Property tests: any two fillings of one error's varying parts get one fingerprint; a
different selector or a different message gets another. Derandomized (the same examples every
run, nothing written to disk): a property test must not flake either."""

from __future__ import annotations

import string
import uuid
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from qa_tui.core.history.fingerprint import fingerprint, fingerprint_for, is_bare_code, normalize

WORD = st.text(alphabet="ghijklmnopqrstuvwxyz", min_size=2, max_size=9)
"""Words with no digit and no hex run: never mistaken for an id, a number or hex."""
SAFE_QUOTED = st.text(alphabet=string.ascii_letters + string.digits + " ", max_size=20)
"""Quoted values that cannot look like a selector (no `#`, `.`, `[`, `//`)."""


def _timestamp(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


KINDS: list[st.SearchStrategy[str]] = [
    st.integers(0, 10**12).map(str),
    st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.integers(1, 2**64).map(lambda n: f"0x{n:x}"),
    st.integers(2**40, 2**64).map(lambda n: f"{n:x}1"),
    st.tuples(WORD, st.integers(0, 10**9)).map(lambda t: f"{t[0][:6]}_{t[1]:08d}ab"),
    st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(_timestamp),
    st.times().map(lambda t: t.isoformat()),
    SAFE_QUOTED.map(lambda q: f"'{q}'"),
    SAFE_QUOTED.map(lambda q: f'"{q}"'),
    st.dictionaries(WORD, st.integers(0, 10**6), max_size=3).map(
        lambda d: "https://shop.example/api/cart?" + "&".join(f"{k}={v}" for k, v in d.items())
    ),
]
"""The kinds of value an error carries that differ from run to run."""

TEMPLATE = st.lists(st.one_of(WORD, st.just(None)), min_size=1, max_size=10)
"""An error's shape: fixed words and slots (None) for varying values."""


def _fill(template: list[str | None], values: list[str]) -> str:
    out, it = [], iter(values)
    for part in template:
        out.append(part if part is not None else next(it))
    return " ".join(out)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(TEMPLATE, st.data())
def test_errors_differing_only_in_what_varies_share_a_fingerprint(
    template: list[str | None], data: st.DataObject
) -> None:
    slots = sum(part is None for part in template)
    kinds = data.draw(st.lists(st.integers(0, len(KINDS) - 1), min_size=slots, max_size=slots))

    def fill() -> str:
        """Each slot takes a value of its own kind: a number stays a number, a UUID a UUID."""
        return _fill(template, [data.draw(KINDS[kind]) for kind in kinds])

    first, second = fill(), fill()
    assert fingerprint(first) == fingerprint(second), (normalize(first), normalize(second))


SELECTOR = st.one_of(
    st.from_regex(r"#[a-z][a-z0-9-]{1,12}", fullmatch=True),
    st.from_regex(r"\.[a-z][a-z0-9-]{1,12}", fullmatch=True),
    st.from_regex(r"(button|input|div)\[(type|name)=[a-z]{1,8}\]", fullmatch=True),
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(SELECTOR, SELECTOR, st.booleans(), st.integers(0, 10**6))
def test_a_different_selector_is_a_different_failure(
    one: str, other: str, quoted: bool, wait: int
) -> None:
    if one == other:
        return
    shown = (lambda s: f'"{s}"') if quoted else (lambda s: s)
    first = f"Timed out after {wait} ms waiting for {shown(one)} to be visible"
    second = f"Timed out after {wait + 1} ms waiting for {shown(other)} to be visible"
    assert fingerprint(first) != fingerprint(second)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(WORD, min_size=1, max_size=8), st.lists(WORD, min_size=1, max_size=8))
def test_a_different_message_is_a_different_failure(one: list[str], other: list[str]) -> None:
    if one == other:
        return
    assert fingerprint(" ".join(one) + " 42") != fingerprint(" ".join(other) + " 43")


def test_the_outage_message_of_two_runs_is_one_failure() -> None:
    """GIVEN the same 503 seen by two runs (session, timestamp, request id, wait all differ)."""
    first = (
        "503 Service Unavailable from GET https://staging.shop.example/api/session?sid=4f9c2a1b"
        f"&ts=1717410000 (request {uuid.uuid4()}, after 30012 ms)"
    )
    second = (
        "ELEMENT_DOES_NOT_EXIST: 503 Service Unavailable from GET "
        "https://staging.shop.example/api/session?sid=77aa0c9e&ts=1717410631 "
        f"(request {uuid.uuid4()}, after 30877 ms)"
    )
    assert fingerprint(first) == fingerprint(second)
    other_endpoint = first.replace("/api/session", "/api/cart")
    assert fingerprint(other_endpoint) != fingerprint(first)
    assert normalize(first) == (
        "<n> Service Unavailable from GET https://staging.shop.example/api/session?… "
        "(request <uuid>, after <n> ms)"
    )


def test_digits_inside_a_selector_are_part_of_it() -> None:
    assert fingerprint("click on #item-3 failed") != fingerprint("click on #item-4 failed")
    assert fingerprint("Order #4412 failed") == fingerprint("Order #4413 failed")


def test_a_bare_code_is_scoped_to_its_test() -> None:
    """GIVEN two tests failing with BugBug's bare ASSERT_FAILED THEN two fingerprints: a code
    alone says what kind of failure, not which."""
    assert is_bare_code("ASSERT_FAILED") and not is_bare_code("ASSERT_FAILED: text")
    assert fingerprint_for("ASSERT_FAILED", "test-a") != fingerprint_for("ASSERT_FAILED", "test-b")
    assert fingerprint_for("ASSERT_FAILED", "test-a") == fingerprint_for("ASSERT_FAILED", "test-a")
    assert fingerprint_for(None, "t") is None and fingerprint_for("  ", "t") is None
