"""Halls as grids and booth codes: pure functions, no app."""
import pytest

from eventsapp.booths.floorplan import (
    BadToken,
    HallGrid,
    MalformedCode,
    NoSuchCell,
    UnknownHall,
    cell_for_code,
    code_for_cell,
    footprint,
    format_cells,
    format_numbers,
    grid_from_text,
    parse_cells,
    parse_code,
    parse_numbers,
)

# Hall A, 4 rows × 5 columns, row 3 an aisle, column 3 an aisle, cell 1:2 blocked:
#      1   2   3   4   5
#  1   1   X   |   2   3
#  2   4   5   |   6   7
#  3   -   -   -   -   -
#  4   8   9   |  10  11
HALL_A = HallGrid("A", rows=4, cols=5, aisle_rows=frozenset({3}), aisle_cols=frozenset({3}),
                  blocked=frozenset({(1, 2)}))


def test_booth_cells_are_numbered_row_by_row_skipping_aisles_and_blocked_cells():
    assert HALL_A.booth_cells == ((1, 1), (1, 4), (1, 5), (2, 1), (2, 2), (2, 4), (2, 5),
                                  (4, 1), (4, 2), (4, 4), (4, 5))
    assert [code_for_cell(HALL_A, 1, 1), code_for_cell(HALL_A, 1, 4), code_for_cell(HALL_A, 4, 5)] == [
        "A-1", "A-2", "A-11"]


@pytest.mark.parametrize("row, col", [(1, 2), (1, 3), (3, 1), (3, 3), (0, 1), (5, 1), (1, 6), (-1, -1)])
def test_aisles_blocked_cells_and_cells_outside_have_no_code(row, col):
    assert code_for_cell(HALL_A, row, col) is None
    assert not HALL_A.is_placeable(row, col)


def test_cell_for_code_reverses_code_for_cell_for_every_booth_cell():
    other = HallGrid("B2", rows=3, cols=3)
    for grid in (HALL_A, other):
        for row, col in grid.booth_cells:
            assert cell_for_code(code_for_cell(grid, row, col), [HALL_A, other]) == (grid, row, col)


def test_codes_are_read_leniently():
    assert cell_for_code("a-12".replace("12", "6"), [HALL_A]) == (HALL_A, 2, 4)
    assert cell_for_code(" A – 006 ", [HALL_A]) == (HALL_A, 2, 4)
    assert parse_code("b2-7") == ("B2", 7)


@pytest.mark.parametrize("code", ["", "A", "A12", "A-", "-12", "A-1-2", "A-x", "A 12", "甲-1", "A-１２"])
def test_malformed_codes_are_refused(code):
    with pytest.raises(MalformedCode):
        cell_for_code(code, [HALL_A])


def test_a_code_naming_an_unknown_hall_or_a_number_past_the_last_cell_is_refused():
    with pytest.raises(UnknownHall) as unknown:
        cell_for_code("C-1", [HALL_A])
    assert unknown.value.name == "C"
    for number in (0, 12, 99999):
        with pytest.raises(NoSuchCell) as missing:
            cell_for_code(f"A-{number}", [HALL_A])
        assert missing.value.grid is HALL_A and missing.value.number == number


def test_a_double_booth_needs_its_right_neighbour_to_be_a_booth_cell():
    assert footprint(2, 4, double=True) == [(2, 4), (2, 5)]
    assert footprint(2, 4, double=False) == [(2, 4)]
    assert HALL_A.can_hold_double(2, 4) and HALL_A.can_hold_double(2, 1)
    assert not HALL_A.can_hold_double(2, 2)  # column 3 is an aisle
    assert not HALL_A.can_hold_double(1, 1)  # 1:2 is blocked
    assert not HALL_A.can_hold_double(2, 5)  # column 6 is outside


def test_numbers_and_cells_are_parsed_from_what_organizers_type():
    assert parse_numbers("8, 4,4；12 、3") == [3, 4, 8, 12]
    assert parse_numbers("  ") == []
    assert parse_cells("3:4, 3:5，1：2") == [(1, 2), (3, 4), (3, 5)]
    assert format_numbers([8, 4, 4]) == "4, 8"
    assert format_cells([(3, 5), (3, 4)]) == "3:4, 3:5"


@pytest.mark.parametrize("text", ["4, x", "4.5", "-1", "1000", "４", "3-5"])
def test_bad_numbers_name_the_bad_piece(text):
    with pytest.raises(BadToken) as bad:
        parse_numbers(text)
    assert bad.value.token in text


@pytest.mark.parametrize("text", ["3", "3:", ":4", "3:4:5", "a:b", "3;4x", "３:４"])
def test_bad_cells_are_refused(text):
    with pytest.raises(BadToken):
        parse_cells(text)


def test_a_stored_grid_is_read_back():
    grid = grid_from_text("A", 4, 5, "3", "3", "1:2")
    assert grid == HALL_A


def test_booth_codes_sort_naturally():
    from eventsapp.booths.floorplan import code_sort_key
    codes = ["A-10", None, "B-1", "A-2", "a-3", "A-1"]
    assert sorted(codes, key=code_sort_key) == ["A-1", "A-2", "a-3", "A-10", "B-1", None]


def test_booths_sort_naturally_by_code_in_the_database(ctx, make_event, make_organization, make_booth):
    from sqlalchemy import select

    from eventsapp.booths.models import Booth, Hall, booth_code_order
    from eventsapp.extensions import db
    event = make_event()
    hall_a, hall_b = Hall(event_id=event.id, name="A", rows=2, cols=10), Hall(event_id=event.id, name="B", rows=2,
                                                                               cols=10)
    db.session.add_all([hall_a, hall_b])
    db.session.commit()
    for code, hall, col in (("A-10", hall_a, 10), ("B-1", hall_b, 1), ("A-2", hall_a, 2), (None, None, None),
                            ("A-1", hall_a, 1)):
        make_booth(event, make_organization(), code=code, hall_id=hall.id if hall else None, row=1 if hall else None,
                   col=col)
    codes = db.session.scalars(select(Booth.code).where(Booth.event_id == event.id)
                               .order_by(*booth_code_order(), Booth.id)).all()
    assert codes == ["A-1", "A-2", "A-10", "B-1", None]
