"""Apps for tests: the suite's own (tests/conftest.py) and the ones a test builds for itself (an empty
database to migrate, a setting to try), all from ``TestConfig``.

Starting from ``TestConfig`` matters beyond the test itself: the extensions are process-wide, and
``limiter.init_app`` moves the one limiter to the storage of the app made last. An app made from the
environment's ``Config`` takes ``REDIS_URL``: every later test, the live server's included, would then
count sign-ups and logins in a shared Redis, across tests, across runs (the SQLite run, then the
PostgreSQL run) and across runs side by side, instead of in this process's memory.
"""
from __future__ import annotations

from flask import Flask

from eventsapp import create_app
from eventsapp.config import TestConfig


def app_settings(**overrides) -> dict:
    """``TestConfig``'s settings with ``overrides``."""
    return {**{key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}, **overrides}


def make_app(**overrides) -> Flask:
    """An app of the test's own, from ``TestConfig`` with ``overrides`` (e.g. SQLALCHEMY_DATABASE_URI)."""
    return create_app(app_settings(**overrides))
