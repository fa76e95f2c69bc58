"""The migrations are the schema's only source: they must build exactly what the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from eventsapp import create_app
from eventsapp.config import ConfigurationError, TestConfig, check_production_settings, normalize_database_url
from eventsapp.extensions import db


def test_models_and_migrations_agree(ctx):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       db.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again_from_empty(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "event" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_production_refuses_to_start_without_a_real_secret_key():
    with pytest.raises(ConfigurationError):
        check_production_settings({"APP_ENV": "production", "SECRET_KEY": "dev-only-not-secret"})
    with pytest.raises(ConfigurationError):
        create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                    "APP_ENV": "production", "SECRET_KEY": "short"})
    check_production_settings({"APP_ENV": "production", "SECRET_KEY": "x" * 48})


def test_postgres_urls_use_the_psycopg_driver():
    assert normalize_database_url("postgresql://postgres@127.0.0.1:5432/test") == \
        "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"
