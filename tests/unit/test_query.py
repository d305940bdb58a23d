"""The filter language users type after `/`, and the table's ordering."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qa_tui.core.model import RunKind, RunStatus
from qa_tui.core.runs.query import QueryError, SortKey, View, parse_query, visible_keys
from qa_tui.core.runs.store import Row, RunStore
from tests.support.fakes import T0, make_run


def _store() -> RunStore:
    store = RunStore()
    store.apply(
        [
            make_run("p1", RunStatus.PASSED, name="checkout flow", minutes_ago=5),
            make_run("f1", RunStatus.FAILED, name="login", minutes_ago=10, error="ASSERT_FAILED"),
            make_run("x1", RunStatus.RUNNING, raw="paused", name="search", minutes_ago=1),
            make_run(
                "e1",
                RunStatus.ERROR,
                provider="plans",
                kind=RunKind.EXECUTION,
                name="plan tp_1",
                minutes_ago=300,
            ),
        ]
    )
    return store


def _ids(text: str, **view: object) -> list[str]:
    keys = visible_keys(_store(), View(query=parse_query(text), **view), T0)  # type: ignore[arg-type]
    return [run_id for _, run_id in keys]


def test_free_words_match_name_and_error_case_insensitively() -> None:
    assert _ids("CHECKOUT") == ["p1"]
    assert _ids("assert_failed") == ["f1"]


def test_status_matches_normalized_and_raw_words() -> None:
    assert sorted(_ids("status:failed,error")) == ["e1", "f1"]
    assert _ids("status:paused") == ["x1"]


def test_status_means_the_status_shown_and_raw_the_providers_word() -> None:
    """GIVEN a BugBrain execution that broke (its word `failed`, shown `! error`), a BugBug
    failed run, a paused run and a Bug0 trigger
    WHEN filtering by `status:` and `raw:`
    THEN `status:failed` lists only what the STATUS column calls failed; `raw:failed` the
    provider's word; a paused run is running; a trigger is triggered, not queued."""
    store = RunStore()
    broke = make_run("b1", RunStatus.ERROR, raw="failed", provider="plans", kind=RunKind.EXECUTION)
    store.apply(
        [
            broke,
            make_run("f1", RunStatus.FAILED, raw="failed"),
            make_run("x1", RunStatus.RUNNING, raw="paused"),
            make_run("q1", RunStatus.QUEUED),
            make_run("t1", RunStatus.QUEUED, raw="triggered", kind=RunKind.TRIGGER),
        ]
    )

    def ids(text: str) -> list[str]:
        return sorted(k[1] for k in visible_keys(store, View(query=parse_query(text)), T0))

    assert ids("status:failed") == ["f1"]
    assert ids("status:error") == ["b1"]
    assert ids("raw:failed") == ["b1", "f1"]
    assert ids("status:running") == ["x1"]
    assert ids("status:paused") == ["x1"]
    assert ids("status:queued") == ["q1"]
    assert ids("status:triggered") == ["t1"]
    assert ids("-status:triggered,queued") == ["b1", "f1", "x1"]


def test_a_negated_word_keeps_the_runs_without_it() -> None:
    assert sorted(_ids("-checkout")) == ["e1", "f1", "x1"]
    assert _ids("-checkout -login -search") == ["e1"]
    assert _ids("login -checkout") == ["f1"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("statu:failed", "no field statu: (did you mean status:?)"),
        ("status:faild", "no status faild (did you mean failed?)"),
        ("-provider:nowhere", "no provider nowhere"),
        ("provider:web,nowhere", "provider: is one of web, plans, bugbug, bugbrain, bug0"),
        ("mode:cloud", "mode: is one of server, local, recording"),
    ],
)
def test_an_unknown_field_status_or_provider_says_so(text: str, says: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(text, providers=["web", "plans"])
    assert says in str(raised.value)
    assert f"'{text}'" in str(raised.value)


def test_a_word_with_a_colon_that_is_no_field_name_is_a_word() -> None:
    query = parse_query("https://pr-42.preview 12:30 -http://x")
    assert query.words == ("https://pr-42.preview", "12:30")
    assert query.not_words == ("http://x",)
    assert query.terms == ()


def test_any_provider_name_is_taken_when_the_caller_names_none() -> None:
    assert parse_query("provider:elsewhere").terms[0].values == ("elsewhere",)


@pytest.mark.parametrize("sort", list(SortKey))
def test_a_reversed_sort_is_the_same_order_the_other_way_round(sort: SortKey) -> None:
    """Reversed, the rows come in the opposite order of their sort values (ties newest first)."""
    store = RunStore()
    store.apply(
        [
            make_run("a", RunStatus.PASSED, name="alpha", provider="web", minutes_ago=1,
                     duration_s=30.0),
            make_run("b", RunStatus.FAILED, name="beta", provider="plans", minutes_ago=2,
                     duration_s=90.0),
            make_run("c", RunStatus.RUNNING, name="alphabet", provider="previews",
                     minutes_ago=3, duration_s=10.0),
        ]
    )  # fmt: skip
    usual = [k[1] for k in visible_keys(store, View(sort=sort), T0)]
    reverse = [k[1] for k in visible_keys(store, View(sort=sort, reverse=True), T0)]
    assert reverse == usual[::-1]
    if sort is SortKey.NAME:
        assert usual == ["a", "c", "b"]  # alpha, alphabet, beta


def test_provider_kind_since_and_negation() -> None:
    assert _ids("provider:plans") == ["e1"]
    assert _ids("kind:execution") == ["e1"]
    assert "e1" not in _ids("since:2h")
    assert "p1" not in _ids("-status:passed")


def test_failed_only_toggle_shows_failed_and_errored_runs() -> None:
    keys = visible_keys(_store(), View(query=parse_query("", failed_only=True)), T0)
    assert sorted(run_id for _, run_id in keys) == ["e1", "f1"]


@pytest.mark.parametrize("text", ["since:yesterday", "kind:banana", "status:"])
def test_a_bad_term_is_an_error_naming_the_term(text: str) -> None:
    with pytest.raises(QueryError, match=text.split(":")[0]):
        parse_query(text)


def test_since_reads_units() -> None:
    assert parse_query("since:90m").since == timedelta(minutes=90)


def test_newest_first_by_default_and_status_sort_puts_running_first() -> None:
    assert _ids("") == ["x1", "p1", "f1", "e1"]
    assert _ids("", sort=SortKey.STATUS)[0] == "x1"


def test_test_runs_of_a_suite_follow_their_suite_run() -> None:
    store = RunStore()
    store.apply(
        [
            make_run("s1", kind=RunKind.SUITE, minutes_ago=10),
            make_run("t1", parent_id="s1", minutes_ago=9),
            make_run("t2", parent_id="s1", minutes_ago=8),
            make_run("solo", minutes_ago=1),
        ]
    )
    keys = visible_keys(store, View(), T0)
    assert [run_id for _, run_id in keys] == ["solo", "s1", "t1", "t2"]


def test_a_run_with_no_time_yet_is_the_newest_not_the_oldest() -> None:
    """GIVEN a re-run BugBug has created but not queued (`initialized`: no queued, started or
    ended time) THEN it sorts above every timed run, where the user expects a new run."""
    store = _store()
    store.apply([make_run("new", RunStatus.QUEUED, raw="initialized", started=None)])
    keys = visible_keys(store, View(), T0)
    assert [run_id for _, run_id in keys][:2] == ["new", "x1"]


def test_a_word_filter_reads_each_runs_current_text() -> None:
    """GIVEN a run searched once WHEN its provider renames it (a new run value)
    THEN the filter matches the new name, not the remembered one."""
    query = parse_query("checkout")
    first = make_run("r1", name="checkout flow")
    assert query.matches(Row(first), T0)
    renamed = first.model_copy(update={"name": "login flow"})
    assert not query.matches(Row(renamed), T0)
    assert query.matches(Row(first), T0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "checkout",
        "checkout login",
        "status:failed",
        "-status:failed,passed",
        "status:paused",
        "provider:plans",
        "provider:bugbug -kind:suite",
        "kind:test since:2h",
        "since:30m login status:running,queued",
        "-checkout -search",
        "raw:completed,paused",
        "status:failed -raw:completed",
    ],
)
@pytest.mark.parametrize("failed_only", [False, True])
def test_a_filters_one_pass_predicate_agrees_with_matching_row_by_row(
    text: str, failed_only: bool
) -> None:
    """GIVEN any filter WHEN it is turned into one function for a pass over many rows
    THEN it keeps exactly the rows `matches` keeps."""
    import random

    rng = random.Random(text)
    query = parse_query(text, failed_only=failed_only)
    match = query.predicate(T0)
    for i in range(300):
        run = make_run(
            f"r{i}",
            rng.choice(list(RunStatus)),
            provider=rng.choice(["web", "plans"]),
            raw=rng.choice([None, "paused", "completed"]),
            minutes_ago=rng.choice([1, 20, 45, 200]),
            name=rng.choice(["checkout login", "login", "search"]),
            kind=rng.choice([RunKind.TEST, RunKind.SUITE]),
            started=rng.choice([None, T0 - timedelta(minutes=rng.randrange(300))]),
        )
        assert match(run) == query.matches(Row(run), T0), (text, run)
