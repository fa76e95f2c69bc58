"""The migrations are the schema's only source: they must build exactly what the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from eventsapp.config import normalize_database_url
from eventsapp.extensions import db
from tests.apps import make_app
from tests.local_services import new_postgres_database

STALLED = "The process running the job stopped before it finished."


def test_models_and_migrations_agree(ctx, real_commits):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       db.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again_from_empty(tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "event" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_sqlite_migrations_that_rebuild_a_table_keep_the_rows_pointing_at_it(tmp_path):
    """Batch mode copies a table and drops the old one: with foreign keys enforced during the migration,
    the drop cascaded and deleted every member of every organization (and their booths)."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    with app.app_context():
        upgrade(revision="a1278e910153")  # just before a migration that rebuilds the organization table
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO user_account (id, email, display_name, password_hash, role, created_at) "
                "VALUES (1, 'a@example.cn', 'A', 'x', 'employer', '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO organization (id, name_zh, name_en, credit_code, industry, size, city, website, "
                "description, status, status_reason, created_at, updated_at) VALUES (1, '甲公司', 'A Ltd', "
                "'91330100MA27XXXX0X', 'I', '20_99', '杭州', '', '', 'verified', '', '2026-01-01', '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO organization_member (id, organization_id, user_id, role, created_at) "
                "VALUES (1, 1, 1, 'owner', '2026-01-01')")
        upgrade()
        downgrade(revision="a1278e910153")
        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM organization_member").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on afterwards
        db.engine.dispose()


def test_postgres_urls_use_the_psycopg_driver():
    assert normalize_database_url("postgresql://postgres@127.0.0.1:5432/test") == \
        "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_upgrading_issues_the_badges_pages_used_to_issue_when_shown(tmp_path):
    """Badges are issued where people become entitled now: the data migration gives everyone already
    entitled theirs (crew before booth staff before candidates), and keeps the badges already issued."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    rows = [
        "INSERT INTO user_account (id, email, display_name, password_hash, role, created_at) VALUES "
        + ", ".join(f"({n}, 'u{n}@example.cn', 'U{n}', 'x', 'candidate', '2026-01-01')" for n in range(1, 7)),
        "INSERT INTO event (id, slug, kind, status, title_zh, title_en, description_zh, description_en, timezone, "
        "venue_name_zh, venue_name_en, venue_address, venue_halls, capacity, starts_at, ends_at, created_at, "
        "updated_at) VALUES (1, 'fair', 'fair', 'published', '招聘会', 'Fair', '', '', 'Asia/Shanghai', '', '', '', "
        "'', 10, '2027-03-01 01:00:00', '2027-03-01 08:00:00', '2026-01-01', '2026-01-01')",
        "INSERT INTO organization (id, name_zh, name_en, credit_code, industry, size, city, website, description, "
        "status, status_reason, created_at, updated_at) VALUES (1, '甲公司', 'A Ltd', '91330100MA27XXXX0X', 'I', "
        "'20_99', '杭州', '', '', 'verified', '', '2026-01-01', '2026-01-01')",
        "INSERT INTO organization_member (id, organization_id, user_id, role, created_at) VALUES "
        "(1, 1, 1, 'owner', '2026-01-01'), (2, 1, 2, 'staff', '2026-01-01')",
        "INSERT INTO booth (id, event_id, organization_id, booth_type, interviewers, note, status, status_reason, "
        "created_at) VALUES (1, 1, 1, 'standard', 2, '', 'approved', '', '2026-01-01')",
        "INSERT INTO event_crew (id, event_id, user_id, role, created_at) VALUES (1, 1, 2, 'judge', '2026-01-01')",
        "INSERT INTO registration (id, event_id, user_id, status, queued_at, created_at, updated_at, decision_reason) "
        "VALUES (1, 1, 2, 'confirmed', '2026-01-01', '2026-01-01', '2026-01-01', ''), "
        "(2, 1, 3, 'confirmed', '2026-01-01', '2026-01-01', '2026-01-01', ''), "
        "(3, 1, 4, 'waitlisted', '2026-01-01', '2026-01-01', '2026-01-01', ''), "
        "(4, 1, 5, 'confirmed', '2026-01-01', '2026-01-01', '2026-01-01', '')",
        "INSERT INTO badge (id, event_id, holder_id, role, registration_id, number, code, issued_at, revoked_reason) "
        "VALUES (1, 1, 5, 'candidate', 4, 'AAAAAAA', 'kept-code', '2026-01-02', '')",
    ]
    with app.app_context():
        upgrade(revision="d300c5a0b726")
        with db.engine.begin() as connection:
            for row in rows:
                connection.exec_driver_sql(row)
        upgrade()
        with db.engine.connect() as connection:
            badges = connection.exec_driver_sql(
                "SELECT holder_id, role, registration_id, booth_id, code FROM badge WHERE revoked_at IS NULL "
                "ORDER BY holder_id").all()
        assert [(holder, role, registration, booth) for holder, role, registration, booth, _ in badges] == [
            (1, "employer", None, 1), (2, "judge", None, None), (3, "candidate", 2, None), (5, "candidate", 4, None)]
        assert badges[-1].code == "kept-code" and len({badge.code for badge in badges}) == 4
        db.engine.dispose()


@pytest.fixture
def empty_database(app, tmp_path):
    """An empty database of the suite's engine: a new PostgreSQL database beside the suite's, or a SQLite file."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path}/m.db"
        return
    with new_postgres_database(url, "migrate") as empty:
        yield empty


OLD_JOB = ("INSERT INTO background_job (id, kind, params, status, attempts, done, total, step, error, storage_name, "
           "filename, mimetype, created_at) VALUES ({id}, 'year-report', '{{}}', 'failed', 1, 0, 0, '', '{error}', "
           "'', '', '', '2026-12-01')")


def test_upgrading_gives_the_jobs_failed_before_the_codes_theirs(empty_database):
    """Before c17o6e2a9d41 the sweep stored its reason in English: those rows get the code 'stalled' (read in
    either language from then on); any other old reason is an exception's text: 'failed' for users, the text
    kept as the administrators' detail."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="c15s4a7e2b91")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(OLD_JOB.format(id=1, error=STALLED))
            connection.exec_driver_sql(OLD_JOB.format(id=2, error="OSError: disk full"))
            connection.exec_driver_sql(OLD_JOB.format(id=3, error=""))
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, error_code, error, error_params FROM background_job ORDER BY id").all()
        assert [tuple(row) for row in rows] == [(1, "stalled", "", "{}"), (2, "failed", "OSError: disk full", "{}"),
                                                (3, "", "", "{}")]
        downgrade(revision="c15s4a7e2b91")
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, error FROM background_job ORDER BY id").all()
        assert [tuple(row) for row in rows] == [(1, STALLED), (2, "OSError: disk full"), (3, "")]
        db.engine.dispose()


def test_downgrading_writes_every_coded_reason_back_as_text(empty_database):
    """The version before the codes shows ``error`` ("The job failed: ..."): a refusal's reason, a timeout's
    and a failure without detail are written back in English, not left empty."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    coded = [(1, "refused", '{"message": "No published event started in %(year)s: there is no report to write.", '
                            '"values": {"year": 2031}}', ""),
             (2, "refused", '{"message": "The contest no longer exists.", "values": {}}', ""),
             (3, "timeout", '{"minutes": 60}', "JobTimeoutException: Task exceeded maximum timeout value"),
             (4, "failed", "{}", "OSError: disk full"),
             (5, "failed", "{}", ""),
             (6, "stalled", "{}", ""),
             (7, "refused", '{"message": "Broken %(placeholder)s", "values": {}}', ""),
             (8, "quota", "{}", "")]
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            for number, code, params, error in coded:
                connection.execute(text(
                    "INSERT INTO background_job (id, kind, params, status, attempts, done, total, step, error, "
                    "error_code, error_params, storage_name, filename, mimetype, created_at) VALUES (:id, "
                    "'year-report', '{}', 'failed', 1, 0, 0, '', :error, :code, :params, '', '', '', '2026-12-01')"),
                    {"id": number, "code": code, "params": params, "error": error})
        downgrade(revision="c15s4a7e2b91")
        with db.engine.connect() as connection:
            errors = dict(connection.exec_driver_sql("SELECT id, error FROM background_job").all())
        assert errors == {
            1: "No published event started in 2031: there is no report to write.",
            2: "The contest no longer exists.",
            3: "The job ran longer than its limit of 60 minutes and was stopped.",
            4: "OSError: disk full",
            5: "The job failed on the server; an administrator finds the reason in the log.",
            6: STALLED,
            7: "Broken %(placeholder)s",
            8: "quota"}
        db.engine.dispose()


def test_upgrading_keeps_old_steps_and_round_errors_readable(empty_database):
    """Before c17b3a9e5f12 a job's step was a text in its requester's language and a round's error the
    exception's text ("not queued: ..." when Redis did not take it): the steps are cleared (a running job shows
    "Working…" until its next step), the errors get the code 'not_queued' or 'failed', the text kept as the
    administrators' detail; a downgrade writes them back as the old version stored them."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="c14l6f9b3e82")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO background_job (id, kind, params, status, attempts, done, total, step, error, "
                "error_code, error_params, storage_name, filename, mimetype, created_at) VALUES (1, 'year-report', "
                "'{}', 'running', 1, 1, 3, '正在绘制图表并生成 PDF…', '', '', '{}', '', '', '', '2026-12-01')")
            for name, error in (("outbox", "SMTPServerDisconnected: gone"),
                                ("webhooks", "not queued: ConnectionError: refused"), ("reminders", "")):
                connection.execute(text("INSERT INTO scheduled_job (name, next_run_at, last_error) "
                                        "VALUES (:name, '2026-12-01', :error)"), {"name": name, "error": error})
        upgrade()
        with db.engine.connect() as connection:
            step = connection.exec_driver_sql("SELECT step, step_params FROM background_job").one()
            rounds = connection.exec_driver_sql("SELECT name, last_error_code, last_error, last_error_params "
                                                "FROM scheduled_job ORDER BY name").all()
        assert tuple(step) == ("", "{}")
        assert [tuple(row) for row in rounds] == [
            ("outbox", "failed", "SMTPServerDisconnected: gone", "{}"), ("reminders", "", "", "{}"),
            ("webhooks", "not_queued", "ConnectionError: refused", "{}")]
        assert NEW_COLUMNS <= _columns(NEW_COLUMNS)
        with db.engine.begin() as connection:  # a step as this version writes it: a code the old one cannot show
            connection.exec_driver_sql("UPDATE background_job SET step = 'reading', step_params = '{\"year\": 2026}'")
        downgrade(revision="c14l6f9b3e82")
        with db.engine.connect() as connection:
            errors = dict(connection.exec_driver_sql("SELECT name, last_error FROM scheduled_job").all())
            step = connection.exec_driver_sql("SELECT step FROM background_job").scalar_one()
        assert errors == {"outbox": "SMTPServerDisconnected: gone", "reminders": "",
                          "webhooks": "not queued: ConnectionError: refused"}
        assert step == "" and not NEW_COLUMNS & _columns(NEW_COLUMNS)
        db.engine.dispose()


# The columns c17b3a9e5f12 adds, as (table, column).
NEW_COLUMNS = {("background_job", "step_params"), ("scheduled_job", "last_error_code"),
               ("scheduled_job", "last_error_params"), ("organization", "standing_lost_at")}


def _columns(of: set[tuple[str, str]]) -> set[tuple[str, str]]:
    inspector = inspect(db.engine)
    return {(table, column["name"]) for table in {table for table, _ in of} for column in inspector.get_columns(table)}


def test_every_event_gets_its_counts_row_from_the_trigger_and_older_ones_from_the_backfill(empty_database):
    """c17c4d5e6f70 inserts an event's counts row with the event; c17c5e6f7a81 gives one to each older event
    without one and leaves the counts already there; going down removes the trigger and keeps the rows."""
    from datetime import UTC, datetime, timedelta

    from eventsapp.events.models import Event, EventKind, EventStatus
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    starts = datetime(2027, 3, 1, 2, tzinfo=UTC)

    def add_event(slug: str) -> int:
        event = Event(slug=slug, kind=EventKind.FAIR, status=EventStatus.PUBLISHED, title_zh=slug, title_en=slug,
                      timezone="Asia/Shanghai", starts_at=starts, ends_at=starts + timedelta(hours=7), capacity=10,
                      venue_name_zh="会场", venue_name_en="Hall", venue_halls="A", published_at=starts)
        db.session.add(event)
        db.session.flush()
        event_id = event.id
        db.session.commit()
        db.session.remove()  # no transaction left open (SQLite: nobody else could write)
        return event_id

    def counts() -> dict[int, tuple[int, int]]:
        with db.engine.connect() as connection:
            return {row[0]: (row[1], row[2]) for row in connection.exec_driver_sql(
                "SELECT event_id, confirmed, waitlisted FROM event_place_count")}

    with app.app_context():
        upgrade(revision="c17b3a9e5f12")
        nobody, someone = add_event("nobody"), add_event("someone")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"INSERT INTO event_place_count VALUES ({someone}, 3, 2)")
        assert counts() == {someone: (3, 2)}
        upgrade()
        assert counts() == {nobody: (0, 0), someone: (3, 2)}
        later = add_event("later")
        assert counts()[later] == (0, 0)
        downgrade(revision="c17b3a9e5f12")
        older = add_event("older")
        assert older not in counts() and counts()[later] == (0, 0)
        db.session.remove()
        db.engine.dispose()
