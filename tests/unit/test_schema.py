"""The migrations are the schema's only source: they must build exactly what the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from eventsapp.config import normalize_database_url
from eventsapp.extensions import db
from tests.apps import make_app


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


def test_upgrading_gives_the_jobs_failed_as_stalled_their_code(tmp_path):
    """Before c17o6e2a9d41 the sweep stored its reason in English; those rows get the code (read in either
    language from then on), other old reasons stay as they were written."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    with app.app_context():
        upgrade(revision="c15s4a7e2b91")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO background_job (id, kind, params, status, attempts, done, total, step, error, "
                "storage_name, filename, mimetype, created_at) VALUES "
                "(1, 'year-report', '{}', 'failed', 1, 0, 0, '', "
                "'The process running the job stopped before it finished.', '', '', '', '2026-12-01'), "
                "(2, 'year-report', '{}', 'failed', 1, 0, 0, '', 'OSError: disk full', '', '', '', '2026-12-01')")
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, error_code, error, error_params FROM background_job ORDER BY id").all()
        assert [tuple(row) for row in rows] == [(1, "stalled", "", "{}"), (2, "", "OSError: disk full", "{}")]
        downgrade(revision="c15s4a7e2b91")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT error FROM background_job WHERE id = 1").scalar_one() == \
                "The process running the job stopped before it finished."
        db.engine.dispose()
