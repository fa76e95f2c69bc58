"""The rate limits of the suite stay in this process's memory whatever apps the tests make and whatever
REDIS_URL says: the limiter is process-wide and takes the storage of the app made last, so one app made
from the environment would share the live server's sign-up and login counters with every other run
using that Redis (the cause of the browser journey's sign-up page timing out on PostgreSQL in CI)."""
from __future__ import annotations

import pytest
from limits.storage import MemoryStorage

from eventsapp import create_app
from eventsapp.config import Config
from eventsapp.extensions import limiter
from tests.apps import make_app

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_configured(monkeypatch):
    """As if REDIS_URL was set when the suite started (Config reads it once, on import)."""
    monkeypatch.setattr(Config, "RATELIMIT_STORAGE_URI", REDIS)


def test_an_app_made_from_the_environment_takes_the_limits_of_every_app_to_redis(redis_configured, tmp_path):
    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    assert type(limiter.storage).__name__ == "RedisStorage"
    make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/b.db")  # back to memory for the tests after this
    assert isinstance(limiter.storage, MemoryStorage)


def test_an_app_a_test_makes_keeps_the_limits_in_memory_even_with_redis_configured(redis_configured, tmp_path):
    make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    assert isinstance(limiter.storage, MemoryStorage)
