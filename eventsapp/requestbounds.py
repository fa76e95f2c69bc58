"""Numbers from a URL or a query string that the database cannot hold are treated as absent.

Ids are INTEGER columns on SQLite and PostgreSQL (at most 2**31 - 1 on PostgreSQL; SQLite refuses
Python ints beyond 64 bits). A number beyond that in a URL would reach the database and fail there
with a 500; here it is a 404 (paths) or the default value (query strings, e.g. ?page=).
"""
from __future__ import annotations

from flask import Request, has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)


def fits_database_integer(value: object) -> bool:
    """A whole number (not true/false) that an INTEGER column can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and DB_INT_MIN <= value <= DB_INT_MAX


def is_database_id(value: object) -> bool:
    """A value that can be a row id: a whole number from 1 to 2**31 - 1."""
    return fits_database_integer(value) and value >= 1


def database_id(value: object) -> int:
    """A form field's ``coerce``: the value as a row id; a ValueError (the field's error) otherwise."""
    number = int(value)
    if not is_database_id(number):
        raise ValueError(f"{value!r} is not an id")
    return number


def is_ascii_digits(text: str) -> bool:
    """Only 0-9: ``str.isdigit`` also accepts '²' or '٣', which ``int()`` then refuses (a 500)."""
    return text.isascii() and text.isdigit()


def digits_up_to(limit: int) -> str:
    """A regular expression for the numbers 0 to ``limit`` written in digits, e.g. 0–2147483647."""
    text = str(limit)
    choices = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        lowest = 1 if position == 0 and len(text) > 1 else 0  # as long as the limit: no leading 0
        if int(digit) > lowest:
            choices.append(f"{text[:position]}[{lowest}-{int(digit) - 1}][0-9]{{{len(text) - position - 1}}}")
    choices.append(text)
    return "(?:" + "|".join(choices) + ")"


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:...>`` in every route: 0 to 2**31 - 1. A longer number does not match the route at all,
    so it is a 404 (not a 405 because another route of the same path takes another method)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = DB_INT_MAX,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if max is not None and not signed and not fixed_digits:
            self.regex = digits_up_to(max)


class BoundedMultiDict(ImmutableMultiDict):
    """``request.args.get(name, default, type=int)`` gives the default for numbers no INTEGER holds."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        value = super().get(key, default, type)
        if type is int and value is not default and not fits_database_integer(value):
            return default
        return value


class BoundedRequest(Request):
    parameter_storage_class = BoundedMultiDict


def page_number() -> int:
    """The ``?page=`` of a list: 1 unless a whole number from 1 to 2**31 - 1 was asked for."""
    if not has_request_context():
        return 1
    page = request.args.get("page", 1, type=int)
    return page if is_database_id(page) else 1
