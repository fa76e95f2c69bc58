"""Column types shared by the models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them UTC-aware.

    SQLite has no time zone type and hands back naive values; PostgreSQL uses
    ``timestamptz``. Either way the application only ever sees aware UTC datetimes,
    and a naive value is refused on the way in instead of being guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; attach a time zone first")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column_type(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as checked strings rather than native enums: portable and easy to migrate.
    return Enum(cls, native_enum=False, length=20, values_callable=lambda members: [m.value for m in members],
                create_constraint=True, name=name)
