"""Fixtures: one app and schema per test session (built by the migrations), emptied after each test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from flask import has_app_context
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from eventsapp import create_app
from eventsapp.accounts.models import Role, User
from eventsapp.accounts.passwords import hash_password
from eventsapp.candidates.models import CandidateProfile, Degree
from eventsapp.config import TestConfig, normalize_database_url
from eventsapp.employers.models import (
    Booth,
    BoothStatus,
    BoothType,
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus
from eventsapp.extensions import db as _db
from eventsapp.extensions import limiter

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


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
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables and fresh rate-limit counters."""
    yield
    with app.app_context():
        _db.session.rollback()
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(table.delete())
        _db.session.commit()
        limiter.reset()


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


def _persist(app, build):
    """Build and commit a row. Inside a test's own app context (``ctx``) it stays attached to
    that session; otherwise it is loaded and detached, so HTTP tests can read its columns."""
    if has_app_context():
        instance = build()
        _db.session.add(instance)
        _db.session.commit()
        return instance
    with app.app_context():
        instance = build()
        _db.session.add(instance)
        _db.session.commit()
        _db.session.refresh(instance)
        _db.session.expunge(instance)
        return instance


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.CANDIDATE, email: str | None = None, display_name: str = "测试 Test",
             locale: str | None = None, email_verified: bool = False) -> User:
        return _persist(app, lambda: User(
            email=email or f"user{next(counter)}@example.org", display_name=display_name, role=role,
            password_hash=_PASSWORD_HASH, locale=locale,
            email_verified_at=datetime.now(UTC) if email_verified else None))
    return make


def local(year, month, day, hour=9, minute=0, zone="Asia/Shanghai"):
    from zoneinfo import ZoneInfo
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def make_event(app):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> Event:
        number = next(counter)
        starts = overrides.pop("starts_at", datetime.now(UTC).replace(microsecond=0) + timedelta(days=30))
        agenda = overrides.pop("agenda", [])
        values = dict(slug=f"event-{number}", kind=EventKind.FAIR, status=EventStatus.PUBLISHED,
                      title_zh=f"招聘会 {number}", title_en=f"Job fair {number}", timezone="Asia/Shanghai",
                      starts_at=starts, ends_at=starts + timedelta(hours=7), capacity=100,
                      venue_name_zh="杭州国际博览中心", venue_name_en="Hangzhou International Expo Center",
                      venue_halls="A, B")
        values.update(overrides)
        if values["status"] != EventStatus.DRAFT:  # as publish_event does; pass published_at=None for a draft
            values.setdefault("published_at", starts - timedelta(days=60))  # cancelled before publication
        if values["kind"] == EventKind.TALENT_DAY and "talent_day_year" not in values:
            values["talent_day_year"] = values["starts_at"].astimezone(UTC).year
        return _persist(app, lambda: Event(**values, agenda_items=[AgendaItem(**item) for item in agenda]))
    return make


@pytest.fixture
def make_candidate(app, make_user):
    """A candidate account with a profile complete enough to register; ``profile`` overrides fields."""
    def make(email: str | None = None, locale: str | None = None, **profile) -> User:
        user = make_user(Role.CANDIDATE, email=email, locale=locale)
        values = dict(name="李明", name_latin="Li Ming", phone="+8613800138000", birth_year=1998,
                      degree=Degree.MASTER, school="浙江大学", major="计算机科学", graduation_year=2027)
        values.update(profile)
        _persist(app, lambda: CandidateProfile(user_id=user.id, **values))
        return user
    return make


@pytest.fixture
def make_organization(app, make_user):
    """An organization with an owner account (``organization.owner_id``, its address confirmed); verified
    unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(status: OrganizationStatus = OrganizationStatus.VERIFIED, owner: User | None = None,
             **overrides) -> Organization:
        number = next(counter)
        owner = owner or make_user(Role.EMPLOYER, email=f"owner{number}@org{number}.example.com", email_verified=True)
        values = dict(name_zh=f"杭州测试科技有限公司{number}", name_en=f"Hangzhou Test Tech {number}",
                      credit_code=f"91330100TEST{number:06d}", industry=Industry.I,
                      size=OrganizationSize.FROM_100, city="杭州", status=status)
        values.update(overrides)
        organization = _persist(app, lambda: Organization(**values, members=[
            OrganizationMember(user_id=owner.id, role=MemberRole.OWNER)]))
        organization.owner_id = owner.id
        return organization
    return make


@pytest.fixture
def make_staff(app, make_user):
    """An employer account that is staff of the organization."""
    def make(organization: Organization, role: MemberRole = MemberRole.STAFF, email: str | None = None) -> User:
        user = make_user(Role.EMPLOYER, email=email)
        _persist(app, lambda: OrganizationMember(organization_id=organization.id, user_id=user.id, role=role))
        return user
    return make


@pytest.fixture
def make_booth(app):
    def make(event: Event, organization: Organization, status: BoothStatus = BoothStatus.APPROVED,
             **overrides) -> Booth:
        values = dict(event_id=event.id, organization_id=organization.id, booth_type=BoothType.STANDARD,
                      interviewers=2, status=status)
        values.update(overrides)
        return _persist(app, lambda: Booth(**values))
    return make


@pytest.fixture
def login(client):
    def log_in(user: User, password: str = PASSWORD, remember: bool = False):
        response = client.post("/login", data={"email": user.email, "password": password,
                                               "remember": "y" if remember else ""})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return log_in


@pytest.fixture
def organizer(make_user, login):
    user = make_user(Role.ORGANIZER, email="organizer@example.org", display_name="主办方 Organizer")
    login(user)
    return user
