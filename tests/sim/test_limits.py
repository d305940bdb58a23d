"""Fixed-window counters behind the documented limits and the ``rpm`` fault."""

from __future__ import annotations

from qa_tui.sim.limits import RateLimiter


class Now:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def test_a_window_refuses_past_its_limit_and_opens_again_at_the_reset() -> None:
    now = Now(120.0)
    limiter = RateLimiter(now)
    verdicts = [limiter.hit("k", 2) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert [v.remaining for v in verdicts] == [1, 0, 0]
    assert verdicts[2].reset == 180.0 and verdicts[2].retry_after == 60
    assert verdicts[0].headers() == {
        "X-RateLimit-Limit": "2",
        "X-RateLimit-Remaining": "1",
        "X-RateLimit-Reset": "180",
    }
    now.at = 180.0
    assert limiter.hit("k", 2).allowed


def test_an_hourly_limit_refuses_even_when_the_minute_has_room_and_reports_its_reset() -> None:
    now = Now(3600.0)
    limiter = RateLimiter(now)
    for minute in range(3):
        now.at = 3600.0 + 60 * minute
        assert limiter.hit_all("k", [(10, 60.0), (3, 3600.0)]).allowed
    now.at = 3600.0 + 60 * 3
    refused = limiter.hit_all("k", [(10, 60.0), (3, 3600.0)])
    assert not refused.allowed
    assert refused.limit == 10 and refused.reset == 7200.0
    assert refused.retry_after == 7200 - 3780


def test_a_refused_request_is_counted_in_no_window() -> None:
    limiter = RateLimiter(Now(0.0))
    assert limiter.hit_all("k", [(1, 60.0), (5, 3600.0)]).allowed
    assert not limiter.hit_all("k", [(1, 60.0), (5, 3600.0)]).allowed
    assert limiter.hit("k", 5, 3600.0).remaining == 3
