"""The dialect switches themselves: every switch's default is today's reading, a spec parses or
says what is wrong with it, the help lists everything, and the simulator says what it speaks."""

from __future__ import annotations

import typing
from dataclasses import fields

import pytest

from qa_tui.sim import ScenarioSpec
from qa_tui.sim.dialects import (
    HARDEST_BUGBUG,
    SWITCHES,
    Dialect,
    DialectError,
    help_text,
    parse_dialect,
)
from tests.sim.conftest import client_for, spoken_app

REQUIRED = {
    "bugbug.next": ("absolute", "relative", "null", "other-host"),
    "bugbug.page_size": ("honoured", "fixed", "capped"),
    "bugbug.steps_runs": ("json", "array", "opaque", "empty"),
    "bugbug.suite_ordering": ("honoured", "ignored"),
    "bugbug.suite_page_size": ("honoured", "ignored"),
    "bugbug.time_range": ("honoured", "ignored"),
    "status_case": ("lower", "upper", "title"),
    "status_words": ("documented", "extra"),
    "dates": ("documented", "no-zone", "micros", "offset"),
    "retry_after": ("seconds", "http-date"),
    "rate_headers": ("documented", "absent", "x-ratelimit", "ratelimit"),
    "bugbrain.total": ("present", "absent"),
    "bugbrain.limit": ("honoured", "capped"),
    "bugbrain.auth": ("both", "bearer", "x-api-key"),
    "bugbrain.progress": ("present", "absent"),
    "bugnet.envelope": ("ok-data", "bare"),
    "bugnet.errors": ("ok-false", "error-object", "detail", "text"),
}
"""The keys and values the lead's client tests and `doctor --probe` use, exactly."""


def test_every_key_and_value_the_clients_use_is_a_switch_with_the_same_default() -> None:
    switches = {s.key: s.values for s in SWITCHES}
    for key, values in REQUIRED.items():
        assert switches[key] == values, key
    assert switches["bugnet.list"][0] == "pagination"


def test_each_field_of_a_dialect_is_one_switch_whose_first_value_is_its_default() -> None:
    hints = typing.get_type_hints(Dialect)
    assert [f.name for f in fields(Dialect)] == [s.field for s in SWITCHES]
    for switch in SWITCHES:
        assert typing.get_args(hints[switch.field]) == switch.values
        assert getattr(Dialect(), switch.field) == switch.values[0]
    assert ScenarioSpec().dialect == Dialect()


def test_an_empty_spec_is_the_default_dialect_and_says_nothing() -> None:
    assert parse_dialect("") == parse_dialect(" , ") == Dialect()
    assert Dialect().to_spec() == ""


def test_a_spec_sets_the_switches_it_names_and_keeps_the_others() -> None:
    dialect = parse_dialect("bugbug.next=relative, status_case=upper")
    assert dialect.bugbug_next == "relative" and dialect.status_case == "upper"
    assert dialect.bugbug_page_size == "honoured"
    assert dialect.to_spec() == "bugbug.next=relative,status_case=upper"
    assert parse_dialect(dialect.to_spec()) == dialect


def test_the_hardest_bugbug_preset_is_null_links_fixed_pages_and_no_time_filter() -> None:
    assert parse_dialect("hardest-bugbug") == HARDEST_BUGBUG
    assert HARDEST_BUGBUG.to_spec() == (
        "bugbug.next=null,bugbug.page_size=fixed,bugbug.time_range=ignored"
    )
    with_upper = parse_dialect("hardest-bugbug,status_case=upper,bugbug.next=other-host")
    assert with_upper.bugbug_next == "other-host" and with_upper.status_case == "upper"
    assert with_upper.bugbug_page_size == "fixed"


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("bugbug.nxt=null", "unknown dialect key 'bugbug.nxt' (valid keys: bugbug.next,"),
        (
            "bugbug.next=sideways",
            "bugbug.next: unknown value 'sideways' (valid: absolute, relative",
        ),
        ("dates=", "dates: unknown value '' (valid: documented, no-zone, micros, offset)"),
        ("hardest", "'hardest': expected KEY=VALUE or a preset (hardest-bugbug)"),
        ("dates=micros,dates=offset", "dates is given twice"),
    ],
)
def test_a_bad_spec_names_the_bad_key_or_value_and_lists_the_valid_ones(
    spec: str, named: str
) -> None:
    with pytest.raises(DialectError) as caught:
        parse_dialect(spec)
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_help_lists_every_switch_its_values_its_default_and_the_fact_it_reads() -> None:
    text = help_text()
    lines = text.splitlines()
    for switch in SWITCHES:
        at = lines.index(switch.key)
        assert lines[at + 1].startswith("  reads §")
        block = "\n".join(lines[at + 1 : at + 40])
        assert f"  * {switch.values[0]} " in block
        for value in switch.values[1:]:
            assert f"    {value} " in block
    assert "hardest-bugbug = bugbug.next=null,bugbug.page_size=fixed" in text
    assert max(len(line) for line in lines) <= 100


async def test_the_control_api_says_which_dialect_is_spoken() -> None:
    async with client_for(spoken_app("hardest-bugbug,status_case=title")) as client:
        answer = (await client.get("/_sim/dialect")).json()
    assert answer["spec"] == (
        "bugbug.next=null,bugbug.page_size=fixed,bugbug.time_range=ignored,status_case=title"
    )
    assert answer["dialect"]["bugbug.next"] == "null"
    assert answer["dialect"]["dates"] == "documented"
    assert set(answer["dialect"]) == {s.key for s in SWITCHES}


async def test_the_default_dialect_is_reported_as_nothing_changed() -> None:
    async with client_for(spoken_app("")) as client:
        answer = (await client.get("/_sim/dialect")).json()
    assert answer["spec"] == ""
    assert answer["dialect"] == Dialect().as_dict()
