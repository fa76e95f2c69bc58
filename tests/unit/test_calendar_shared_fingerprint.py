"""With Redis configured, the events' fingerprint (the public feeds' ETag) is one value for every node: computed
once, reused for its seconds, computed again by everyone after a commit that changes an event (a generation
raised after the commit), and never the cause of an error when Redis is down. The two-node test
(tests/web/test_two_nodes.py) shows the same across two gunicorn processes."""
from __future__ import annotations

import os
import uuid

import pytest
import redis

from eventsapp.calendars import cache
from tests.apps import make_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture
def shared_app(tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/shared.db", CALENDAR_CACHE_URL=REDIS_URL)
    with app.app_context():
        yield app


@pytest.fixture
def keys() -> tuple[str, str]:
    """Database keys of this test alone: the Redis database may serve a run beside this one."""
    return f"db-{uuid.uuid4().hex}", f"db-{uuid.uuid4().hex}"


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return ("fingerprint", self.calls)


def test_the_fingerprint_is_computed_once_until_an_event_changes(shared_app, keys):
    one, _other = keys
    compute = Counting()
    assert cache.shared()
    first = cache.shared_fingerprint(one, 60, compute)
    assert cache.shared_fingerprint(one, 60, compute) == first and compute.calls == 1
    cache.events_changed(one)
    assert cache.shared_fingerprint(one, 60, compute) == ("fingerprint", 2)
    assert cache.shared_fingerprint(one, 60, compute) == ("fingerprint", 2)


def test_each_database_has_its_own_fingerprint_and_generation(shared_app, keys):
    one_key, other_key = keys
    one, other = Counting(), Counting()
    cache.shared_fingerprint(one_key, 60, one)
    cache.shared_fingerprint(other_key, 60, other)
    cache.events_changed(other_key)
    cache.shared_fingerprint(one_key, 60, one)
    cache.shared_fingerprint(other_key, 60, other)
    assert (one.calls, other.calls) == (1, 2)


def test_without_redis_the_database_answers_every_time(tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/down.db",
                   CALENDAR_CACHE_URL="redis://127.0.0.1:9/0")  # nothing listens on port 9
    compute = Counting()
    with app.app_context():
        assert cache.shared_fingerprint("db", 60, compute) == ("fingerprint", 1)
        cache.events_changed("db")  # logged, not raised: the change is committed already
        assert cache.shared_fingerprint("db", 60, compute) == ("fingerprint", 2)


def test_no_seconds_means_no_sharing_either(shared_app, keys):
    compute = Counting()
    cache.shared_fingerprint(keys[0], 0, compute)
    cache.shared_fingerprint(keys[0], 0, compute)
    assert compute.calls == 2
