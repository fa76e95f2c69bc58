"""What the benchmark scripts share: a database to fill (never `test`), the schema, bulk inserts."""
from __future__ import annotations

import random
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Connection, Table, create_engine, insert, text
from sqlalchemy.engine import URL, make_url

from eventsapp.config import normalize_database_url
from eventsapp.extensions import db

PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def prepare_database(url_text: str | None, workdir: Path, *, sqlite_file_required: bool = False) -> URL:
    """The URL to fill: a new SQLite file by default, or an emptied PostgreSQL database."""
    if url_text is None:
        return make_url(f"sqlite:///{workdir / 'bench.db'}")
    url = make_url(normalize_database_url(url_text))
    backend = url.get_backend_name()
    if backend == "postgresql":
        reset_postgres(url)
    elif backend == "sqlite":
        if sqlite_file_required and (not url.database or url.database == ":memory:"):
            raise SystemExit("an SQLite benchmark needs a file that gunicorn's workers can open")
        if url.database and Path(url.database).exists() and Path(url.database).stat().st_size:
            raise SystemExit(f"{url.database} already exists; give a new SQLite file")
    else:
        raise SystemExit(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return url


def reset_postgres(url: URL) -> None:
    """Create the database if missing (via the `postgres` maintenance database), then empty `public`."""
    if not url.database or url.database in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to reset database {url.database!r}; name a benchmark database")
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database})
        if not exists:
            quoted = maintenance.dialect.identifier_preparer.quote(url.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    maintenance.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_schema(app: Flask) -> tuple[float, str]:
    """Run the migrations; the seconds taken and the revision reached (the app changes between runs)."""
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    return time.perf_counter() - started, revision


def insert_chunks(connection: Connection, table: Table, rows: list[dict], chunk_rows: int = 5_000) -> None:
    for start in range(0, len(rows), chunk_rows):
        connection.execute(insert(table), rows[start:start + chunk_rows])


def insert_logins(connection: Connection, user_ids: list[int], now) -> dict[int, str]:
    """A login for each account, as logging in makes one: user id → the token its session cookie carries."""
    from eventsapp.accounts.models import LoginSession
    from eventsapp.accounts.services import new_login_token

    tokens, rows = {}, []
    for user_id in user_ids:
        tokens[user_id], digest = new_login_token()
        rows.append({"user_id": user_id, "token_hash": digest, "created_at": now, "user_agent": "benchmark"})
    insert_chunks(connection, LoginSession.__table__, rows)
    return tokens
