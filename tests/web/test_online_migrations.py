"""Migrations run while the previous version still serves: on PostgreSQL with large tables, upgrading from the
last release to the head never holds back the old version's reads and writes on the busy tables for long.

The database is filled at the previous release's schema (``RELEASE_BASE``), then ``flask db upgrade`` runs
while a probe keeps doing what the old version does on every request: read and write single rows of the busy
tables. Each probe gives up after ``PROBE_LOCK_TIMEOUT`` of waiting for a lock (waiting for the processor does
not count), so a migration that rewrites a table, builds an index without CONCURRENTLY, or keeps a lock for the
length of a backfill or of the later migrations makes the probe fail and names the table."""
from __future__ import annotations

import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from eventsapp.extensions import db
from tests.apps import make_app
from tests.local_services import new_postgres_database

RELEASE_BASE = "c4d8e2a61f07"  # the head of the last release: every migration after it must run online
PROBE_LOCK_TIMEOUT = "1s"
USERS, EVENTS, REGISTRATIONS = 100_000, 5_000, 300_000
BUSY_TABLES = ("user_account", "event", "registration")

FILL = [
    f"""INSERT INTO user_account (email, password_hash, display_name, role, is_active_account, created_at)
        SELECT 'person' || g || '@example.cn', 'x', 'Person ' || g,
               CASE WHEN g % 10 = 0 THEN 'employer' ELSE 'candidate' END, true, now() - g * interval '1 minute'
        FROM generate_series(1, {USERS}) AS g""",
    f"""INSERT INTO event (slug, kind, status, title_zh, title_en, description_zh, description_en, venue_name_zh,
                           venue_name_en, venue_address, venue_halls, timezone, starts_at, ends_at, capacity,
                           created_at, updated_at, published_at)
        SELECT 'event-' || g, CASE WHEN g % 3 = 0 THEN 'conference' ELSE 'fair' END,
               CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END, '招聘会 ' || g, 'Fair ' || g, '', '', '会场',
               'Hall', 'Road 1', '', 'Asia/Shanghai', now() + g * interval '1 hour',
               now() + g * interval '1 hour' + interval '4 hours', 1000, now(), now(),
               CASE WHEN g % 10 = 0 THEN NULL ELSE now() END
        FROM generate_series(1, {EVENTS}) AS g""",
    f"""INSERT INTO registration (event_id, user_id, status, queued_at, created_at, updated_at, decision_reason)
        SELECT (SELECT min(id) FROM event) + (g - 1) / {USERS}, (SELECT min(id) FROM user_account) + (g - 1) % {USERS},
               CASE WHEN g % 7 = 0 THEN 'waitlisted' WHEN g % 11 = 0 THEN 'cancelled' ELSE 'confirmed' END,
               now(), now(), now(), ''
        FROM generate_series(1, {REGISTRATIONS}) AS g""",
    "ANALYZE",
]


class OldVersionProbe(threading.Thread):
    """What the previous version does while the migration runs: one-row reads and writes on the busy tables,
    each in its own short transaction, each allowed to wait for a lock only ``PROBE_LOCK_TIMEOUT``."""

    def __init__(self, url: str):
        super().__init__(name="old-version-probe", daemon=True)
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
        self.stopping = threading.Event()
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.probes = 0
        self.slowest = 0.0

    def run(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text(f"SET lock_timeout = '{PROBE_LOCK_TIMEOUT}'"))
                ids = {table: connection.execute(text(f"SELECT min(id), max(id) FROM {table}")).one()
                       for table in BUSY_TABLES}
                step = 0
                while not self.stopping.is_set():
                    for table in BUSY_TABLES:
                        low, high = ids[table]
                        row_id = low + (step * 7919) % (high - low + 1)
                        self._probe(connection, table, row_id)
                    step += 1
                    time.sleep(0.01)
        except Exception as error:  # the assertion in the test reports it
            self.failed.append(repr(error))

    def _probe(self, connection, table: str, row_id: int) -> None:
        started = time.perf_counter()
        try:
            connection.execute(text(f"SELECT id FROM {table} WHERE id = :id"), {"id": row_id}).all()
            connection.execute(text(f"UPDATE {table} SET created_at = created_at WHERE id = :id"), {"id": row_id})
        except OperationalError as error:
            if "lock timeout" not in str(error):
                raise
            self.blocked.append(f"{table} (probe {self.probes})")
        self.probes += 1
        self.slowest = max(self.slowest, time.perf_counter() - started)


@pytest.fixture
def old_release_database(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("locks of online migrations are a PostgreSQL matter (SQLite has one writer anyway)")
    with new_postgres_database(url, "online") as database:
        yield database


def test_upgrading_from_the_last_release_keeps_the_busy_tables_serving(old_release_database):
    migrating_app = make_app(SQLALCHEMY_DATABASE_URI=old_release_database)
    with migrating_app.app_context():
        upgrade(revision=RELEASE_BASE)
        with db.engine.begin() as connection:
            for statement in FILL:
                connection.execute(text(statement))
        db.engine.dispose()

        probe = OldVersionProbe(old_release_database)
        probe.start()
        while probe.probes == 0 and probe.is_alive():  # serving before the migration starts
            time.sleep(0.01)
        started = time.perf_counter()
        try:
            upgrade()
        finally:
            took = time.perf_counter() - started
            probe.stopping.set()
            probe.join(timeout=30)
            probe.engine.dispose()
            db.engine.dispose()

    assert not probe.failed, probe.failed
    assert probe.probes > 10, "the probe did not run beside the migration"
    assert not probe.blocked, (f"the old version waited more than {PROBE_LOCK_TIMEOUT} for a lock on: "
                               f"{', '.join(probe.blocked)} (upgrade took {took:.1f} s)")
    # The migrated database really is at the head and kept its rows.
    with create_engine(old_release_database).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registration")).scalar() == REGISTRATIONS
