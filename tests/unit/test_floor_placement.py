"""“Place the rest automatically”: a pure function over grids and booths."""
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsapp.booths.floorplan import HallGrid, footprint
from eventsapp.booths.placement import BoothToPlace, place_automatically


def cells_of(result, booths):
    doubles = {booth.booth_id for booth in booths if booth.double}
    return {placement.booth_id: [(placement.hall, row, col) for row, col in
                                 footprint(placement.row, placement.col, placement.booth_id in doubles)]
            for placement in result.placements}


def test_booths_of_one_industry_stand_together_in_reading_order_industries_in_letter_order():
    hall = HallGrid("A", rows=2, cols=4)
    booths = [BoothToPlace(1, "J"), BoothToPlace(2, "I"), BoothToPlace(3, "J"), BoothToPlace(4, "C"),
              BoothToPlace(5, "I")]
    result = place_automatically([hall], [], booths)
    assert [(p.booth_id, p.row, p.col) for p in result.placements] == [
        (4, 1, 1), (2, 1, 2), (5, 1, 3), (1, 1, 4), (3, 2, 1)]
    assert result.not_placed == []


def test_double_booths_take_two_free_cells_side_by_side_and_singles_fill_the_gaps():
    # Row 1: 1 2 | 4 5 (column 3 an aisle); a double cannot start at column 2.
    hall = HallGrid("A", rows=1, cols=5, aisle_cols=frozenset({3}))
    booths = [BoothToPlace(1, "I", double=True), BoothToPlace(2, "I", double=True)]
    result = place_automatically([hall], [], booths)
    assert {(p.booth_id, p.col) for p in result.placements} == {(1, 1), (2, 4)}


def test_doubles_skip_a_lone_free_cell_which_a_standard_booth_of_the_same_industry_then_takes():
    hall = HallGrid("A", rows=1, cols=6)
    taken = [("A", 1, 2)]  # a booth placed by hand
    booths = [BoothToPlace(1, "I", double=True), BoothToPlace(2, "I")]
    result = place_automatically([hall], taken, booths)
    assert {p.booth_id: p.col for p in result.placements} == {1: 3, 2: 1}


def test_halls_are_filled_in_order_and_booths_that_do_not_fit_are_reported():
    small_a, small_b = HallGrid("A", rows=1, cols=2), HallGrid("B", rows=1, cols=1)
    booths = [BoothToPlace(n, "I") for n in range(1, 5)] + [BoothToPlace(9, "J", double=True)]
    result = place_automatically([small_a, small_b], [], booths)
    assert [(p.hall, p.col) for p in result.placements] == [("A", 1), ("A", 2), ("B", 1)]
    assert result.not_placed == [4, 9]


def test_a_double_never_spans_two_halls_or_two_rows():
    hall_a, hall_b = HallGrid("A", rows=2, cols=1), HallGrid("B", rows=1, cols=1)
    result = place_automatically([hall_a, hall_b], [], [BoothToPlace(1, "I", double=True)])
    assert result.placements == [] and result.not_placed == [1]


def test_occupied_cells_are_left_alone_and_an_industry_continues_after_the_previous_one():
    hall = HallGrid("A", rows=1, cols=6)
    result = place_automatically([hall], [("A", 1, 1), ("A", 1, 4)],
                                 [BoothToPlace(1, "C"), BoothToPlace(2, "C"), BoothToPlace(3, "D")])
    assert {p.booth_id: p.col for p in result.placements} == {1: 2, 2: 3, 3: 5}


def test_an_industry_that_finds_no_room_after_its_start_uses_free_cells_earlier_in_the_line():
    hall = HallGrid("A", rows=1, cols=4)
    # C's double must skip the lone cell 1, J's booth then finds room only back at cell 1.
    result = place_automatically([hall], [("A", 1, 2)], [BoothToPlace(1, "C", double=True), BoothToPlace(2, "J")])
    assert {p.booth_id: p.col for p in result.placements} == {1: 3, 2: 1}


def test_nothing_to_place_or_nowhere_to_place():
    assert place_automatically([HallGrid("A", 2, 2)], [], []).placements == []
    assert place_automatically([], [], [BoothToPlace(1, "A")]).not_placed == [1]


grids = st.builds(
    lambda name, rows, cols, aisle_rows, aisle_cols, blocked: HallGrid(
        name, rows, cols, frozenset(r for r in aisle_rows if r <= rows), frozenset(c for c in aisle_cols if c <= cols),
        frozenset((r, c) for r, c in blocked if r <= rows and c <= cols)),
    st.sampled_from(["A"]), st.integers(1, 8), st.integers(1, 8), st.sets(st.integers(1, 8), max_size=2),
    st.sets(st.integers(1, 8), max_size=2), st.sets(st.tuples(st.integers(1, 8), st.integers(1, 8)), max_size=6))


@settings(max_examples=200, deadline=None)
@given(grid=grids, second=grids,
       specs=st.lists(st.tuples(st.sampled_from("CIJP"), st.booleans()), max_size=40),
       taken_count=st.integers(0, 5))
def test_placements_never_overlap_stay_on_booth_cells_and_account_for_every_booth(grid, second, specs, taken_count):
    second = HallGrid("B", second.rows, second.cols, second.aisle_rows, second.aisle_cols, second.blocked)
    taken = [("A", row, col) for row, col in grid.booth_cells[:taken_count]]
    booths = [BoothToPlace(number, group, double) for number, (group, double) in enumerate(specs, start=1)]
    result = place_automatically([grid, second], taken, booths)

    by_name = {"A": grid, "B": second}
    used = [cell for cells in cells_of(result, booths).values() for cell in cells]
    assert len(used) == len(set(used)), "two booths on one cell"
    assert not set(used) & set(taken), "a booth on an occupied cell"
    assert all(by_name[hall].is_placeable(row, col) for hall, row, col in used)
    placed = {p.booth_id for p in result.placements}
    assert placed.isdisjoint(result.not_placed) and placed | set(result.not_placed) == {b.booth_id for b in booths}
    # A standard booth is left out only when no cell at all is free.
    free = [(name, r, c) for name, g in by_name.items() for r, c in g.booth_cells
            if (name, r, c) not in set(used) | set(taken)]
    if any(not booth.double for booth in booths if booth.booth_id in result.not_placed):
        assert free == []


def test_groups_are_contiguous_when_nothing_gets_in_the_way():
    hall = HallGrid("A", rows=5, cols=10, aisle_cols=frozenset({5}))
    booths = [BoothToPlace(n, group) for n, group in enumerate("IJCIJCIJCCIIJ", start=1)]
    result = place_automatically([hall], [], booths)
    positions = {p.booth_id: hall.booth_cells.index((p.row, p.col)) for p in result.placements}
    for group in "CIJ":
        spots = sorted(positions[b.booth_id] for b in booths if b.group == group)
        assert spots == list(range(spots[0], spots[0] + len(spots)))
