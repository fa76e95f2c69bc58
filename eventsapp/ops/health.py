"""Is this process ready to serve? The database answers, every Redis the settings name answers, and the
database's schema is at the migrations' head (a node started before `flask db upgrade` is not ready)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text

from eventsapp.extensions import db

# The settings that may name a Redis, in the order their failure is reported.
REDIS_SETTINGS = ("REDIS_URL", "RATELIMIT_STORAGE_URI", "JOB_QUEUE_URL", "CALENDAR_CACHE_URL")
REDIS_TIMEOUT_SECONDS = 1.0
_HEADS_KEY = "ops.migration_heads"
_REDIS_KEY = "ops.redis_clients"


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, value in self.checks.items() if value != "ok"]


def migration_heads(app: Flask) -> frozenset[str]:
    """The head revision(s) of the migrations this code ships (read once per process)."""
    heads = app.extensions.get(_HEADS_KEY)
    if heads is None:
        directory = Path(app.extensions["migrate"].directory)
        heads = app.extensions[_HEADS_KEY] = frozenset(ScriptDirectory(str(directory)).get_heads())
    return heads


def redis_urls(config) -> dict[str, str]:
    """Each Redis address the settings name, with the first setting that names it."""
    found: dict[str, str] = {}
    for name in REDIS_SETTINGS:
        url = str(config.get(name) or "")
        if url.startswith(("redis://", "rediss://", "unix://")) and url not in found.values():
            found[name] = url
    return found


def redis_client(app: Flask, url: str):
    from redis import Redis

    clients = app.extensions.setdefault(_REDIS_KEY, {})
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                      socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
    return clients[url]


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        db.session.rollback()
        return "unavailable"
    return "ok"


def check_migrations(app: Flask) -> str:
    try:
        current = frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception:  # noqa: BLE001 - no alembic_version table: never migrated
        db.session.rollback()
        return "not migrated (run flask db upgrade)"
    heads = migration_heads(app)
    if current == heads:
        return "ok"
    return f"database at {', '.join(sorted(current)) or 'nothing'}, code at {', '.join(sorted(heads))}"


def check_redis(app: Flask) -> str:
    from redis.exceptions import RedisError

    for name, url in redis_urls(app.config).items():
        try:
            redis_client(app, url).ping()
        except (RedisError, OSError):
            return f"unavailable ({name})"
    return "ok"


def readiness(app: Flask) -> Readiness:
    result = Readiness()
    result.checks["database"] = check_database()
    if result.checks["database"] == "ok":
        result.checks["migrations"] = check_migrations(app)
    if redis_urls(app.config):
        result.checks["redis"] = check_redis(app)
    db.session.rollback()  # end the read transaction: a readiness probe holds nothing
    return result
