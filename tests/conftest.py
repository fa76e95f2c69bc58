"""Fixtures: one app and schema per test session (built by the migrations), left empty by every test.

A test runs inside one database transaction that is rolled back at its end: every session it opens
(its own, each request's, each app context's) works on that one connection, and a session's commit
only releases a savepoint. A test whose writes other connections must see (threads, processes, a
live server, concurrent ``SELECT ... FOR UPDATE``) asks for ``real_commits`` and the tables it
filled are emptied after it instead.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import partial

import pytest
from flask import Flask, current_app
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from limits.storage import MemoryStorage
from sqlalchemy import create_engine, exists, literal, select, text, union_all

from eventsapp.accounts.models import User
from eventsapp.config import normalize_database_url
from eventsapp.extensions import db as _db
from eventsapp.extensions import limiter
from tests import contest_factories
from tests.apps import make_app
from tests.factories import PASSWORD, Factories


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalize_database_url(url)
        _reset_postgres_schema(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


class _OneConnectionSession(FlaskSession):
    """A session on the test's one connection, usable only from the test's own thread. An app a test
    builds for itself (another database) keeps its own engine."""

    owner_app: Flask
    owner_thread: int

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if current_app._get_current_object() is not self.owner_app:
            return super().get_bind(mapper, clause, bind, **kwargs)
        if threading.get_ident() != self.owner_thread:
            raise RuntimeError("this test uses the database from another thread or process: "
                               "ask for the real_commits fixture (see tests/conftest.py)")
        return self.bind


@contextmanager
def _rolled_back(app):
    """Run the body in one transaction that is rolled back: sessions join it with savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
    outer = connection.begin()
    shared = _db.session
    session_class = type("TestSession", (_OneConnectionSession,),
                         {"owner_app": app, "owner_thread": threading.get_ident()})
    _db.session = _db._make_scoped_session({"class_": session_class, "bind": connection,
                                            "join_transaction_mode": "create_savepoint"})
    try:
        yield
    finally:
        left_open = _db.session.registry.registry  # sessions of app contexts still pushed, by context
        for session in list(left_open.values()):
            session.close()
        left_open.clear()
        _db.session = shared
        outer.rollback()
        connection.close()


def _empty_tables(app) -> None:
    """After a test that really committed: one TRUNCATE on PostgreSQL; on SQLite, DELETE from the
    tables that hold rows (found by one query), children before parents."""
    tables = _db.metadata.sorted_tables
    with app.app_context(), _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(connection.dialect.identifier_preparer.format_table(table) for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        filled = set(connection.scalars(union_all(*(
            select(literal(table.name)).where(exists().select_from(table)) for table in tables))))
        for table in reversed(tables):
            if table.name in filled:
                connection.execute(table.delete())


@pytest.fixture
def real_commits():
    """Commits really commit, for tests whose other threads, processes or servers must see the rows;
    the tables are emptied after the test (see ``_database``)."""


@pytest.fixture(autouse=True)
def _database(request, app):
    """Every test starts with empty tables and fresh rate-limit counters, and leaves them so."""
    limiter.reset()
    if "real_commits" in request.fixturenames:
        yield
        _empty_tables(app)
    else:
        with _rolled_back(app):
            yield
    _check_private_rate_limits()
    limiter.reset()


def _check_private_rate_limits() -> None:
    """The limiter is process-wide and takes the storage of the app made last: an app a test makes from
    the environment's Config (REDIS_URL) would move every later test's counters to a shared Redis."""
    if not isinstance(limiter.storage, MemoryStorage):
        pytest.fail(f"this test moved the rate limits to {type(limiter.storage).__name__}: make the app "
                    "with tests.apps.make_app, which keeps them in this process's memory")


@pytest.fixture
def ctx(app):
    """An application context, for calling services directly (no HTTP in the same test)."""
    with app.app_context():
        yield
        _db.session.rollback()


@pytest.fixture
def chinese_by_default(app, monkeypatch):
    """The product's default language (tests otherwise default to the English source strings)."""
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "zh_CN")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factories(app) -> Factories:
    """The test's data builders (tests/factories.py); the fixtures below are its methods."""
    return Factories(app)


@pytest.fixture
def make_user(factories):
    return factories.make_user


@pytest.fixture
def make_candidate(factories):
    return factories.make_candidate


@pytest.fixture
def make_organizer(factories):
    return factories.make_organizer


@pytest.fixture
def make_event(factories):
    return factories.make_event


@pytest.fixture
def make_fair(factories):
    return factories.make_fair


@pytest.fixture
def make_contest(factories):
    return partial(contest_factories.make_contest, factories)


@pytest.fixture
def make_entry(factories):
    return partial(contest_factories.make_entry, factories)


@pytest.fixture
def make_registration(factories):
    return factories.make_registration


@pytest.fixture
def make_registrant(factories):
    return factories.make_registrant


@pytest.fixture
def make_organization(factories):
    return factories.make_organization


@pytest.fixture
def make_staff(factories):
    return factories.make_staff


@pytest.fixture
def make_booth(factories):
    return factories.make_booth


@pytest.fixture
def make_hall(factories):
    return factories.make_hall


@pytest.fixture
def make_opening(factories):
    return factories.make_opening


@pytest.fixture
def matching_fair(factories):
    """Builds a ``MatchingFair`` (tests/factories.py): ``matching_fair(quota=1, hours=1, ...)``."""
    return factories.matching_fair


@pytest.fixture
def login(client):
    def log_in(user: User, password: str = PASSWORD, remember: bool = False):
        response = client.post("/login", data={"email": user.email, "password": password,
                                               "remember": "y" if remember else ""})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return log_in


@pytest.fixture
def organizer(make_organizer, login):
    user = make_organizer(email="organizer@example.org")
    login(user)
    return user
