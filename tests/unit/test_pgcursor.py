"""PostgreSQL cursors build their column descriptions only when read, and read the same as psycopg's."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from eventsapp.extensions import db
from eventsapp.pgcursor import LazyDescriptionCursor


@pytest.fixture()
def cursor(ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    driver_connection = db.session.connection().connection.driver_connection
    with driver_connection.cursor() as cursor:
        yield cursor


def test_the_app_uses_them(cursor):
    assert isinstance(cursor, LazyDescriptionCursor)


def test_they_describe_rows_as_psycopg_does(cursor):
    sql = "SELECT 1 AS number, 'x'::varchar(5) AS word, now() AS moment"
    cursor.execute(sql)
    lazy = cursor.description
    with psycopg.Cursor(cursor.connection) as plain:
        plain.execute(sql)
        expected = plain.description
    assert len(lazy) == 3
    assert [tuple(column) for column in lazy] == [tuple(column) for column in expected]
    assert [column.name for column in lazy] == ["number", "word", "moment"]
    assert lazy[1].type_display == "varchar(5)" and lazy[-1].name == "moment"


def test_statements_without_rows_have_no_description(cursor):
    cursor.execute("SET LOCAL statement_timeout = 0")
    assert cursor.description is None
    cursor.execute("SELECT")  # rows of no columns: described, empty
    assert cursor.description is not None and len(cursor.description) == 0


def test_a_description_read_too_late_says_so(cursor):
    cursor.execute("SELECT 1 AS first")
    description = cursor.description
    cursor.execute("SELECT 2 AS second")
    with pytest.raises(RuntimeError, match="another statement"):
        list(description)


def test_sqlalchemy_reads_names_of_statements_it_has_not_cached(ctx):
    row = db.session.execute(text("SELECT 41 + 1 AS answer, 'yes' AS sure")).one()
    assert row._mapping == {"answer": 42, "sure": "yes"}
