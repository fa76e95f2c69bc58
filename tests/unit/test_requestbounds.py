"""Numbers the database cannot hold never reach it: the route pattern and the query-string reader."""
import re

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from eventsapp.requestbounds import DB_INT_MAX, BoundedMultiDict, database_id, digits_up_to

ROUTE_ID = re.compile(digits_up_to(DB_INT_MAX) + r"\Z")


@given(st.integers(min_value=0, max_value=10**12))
def test_the_route_pattern_takes_exactly_the_numbers_up_to_the_limit(number):
    assert bool(ROUTE_ID.match(str(number))) == (number <= DB_INT_MAX)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=3 * 10**6))
def test_the_pattern_works_for_any_limit(limit, number):
    assert bool(re.fullmatch(digits_up_to(limit), str(number))) == (number <= limit)


def test_query_strings_give_the_default_for_numbers_out_of_range():
    args = BoundedMultiDict(MultiDict({"page": str(10**25), "booth": "2147483647", "low": str(-(2**31) - 1)}))
    assert args.get("page", 1, type=int) == 1
    assert args.get("booth", type=int) == DB_INT_MAX
    assert args.get("low", type=int) is None
    assert args.get("page") == str(10**25)  # as text it is left alone


def test_a_form_id_must_be_a_row_id():
    assert database_id("42") == 42
    for bad in ("0", "-3", str(DB_INT_MAX + 1), "x"):
        try:
            database_id(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
