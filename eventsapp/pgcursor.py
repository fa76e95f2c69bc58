"""psycopg cursors that build ``description`` only when someone reads it.

psycopg builds one ``Column`` object per result column every time ``cursor.description`` is
read, and SQLAlchemy reads it after every statement just to learn whether rows came back: for
a statement it has run before it takes the column names from its own cache. On a registration
(five statements, about 120 columns) that was a tenth of the request's CPU. These cursors return
a sequence with the same columns, built on first use (SQLAlchemy's first run of a statement,
``text()`` queries, anyone iterating it). Installed as psycopg's documented ``cursor_factory``.
"""
from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg.pq import ExecStatus

_RESULTS_WITH_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _Description(Sequence):
    """The columns of one result, built when first read while that result is the cursor's own."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result) -> None:
        self._cursor, self._result, self._columns = cursor, result, None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:  # psycopg's Column reads the current result
                raise RuntimeError("cursor.description read after the cursor ran another statement")
            self._columns = [psycopg.Column(self._cursor, index) for index in range(self._result.nfields)]
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor):
    @property
    def description(self) -> Sequence[psycopg.Column] | None:
        result = self.pgresult
        # As psycopg's own: columns when the statement returned rows (even none, even no columns).
        if result and (result.nfields or result.status in _RESULTS_WITH_ROWS):
            return _Description(self, result)
        return None
