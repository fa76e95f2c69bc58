"""“Place the rest automatically”: approved booths into free cells, grouped by industry. Pure Python.

All free booth cells of all halls form one line in reading order (halls in order, then rows, then
columns). Industries take their turn in the order of their letter (GB/T 4754 sections A–T); each
industry's booths start where the previous industry's ended and take the next free cells, double
booths first (on two side-by-side free cells of one row), then standard booths, which also fill
the single cells a double booth had to skip. So the booths of one industry stand next to each
other in reading order, apart from booths placed by hand earlier. A booth that finds no room
after its industry's start looks back from the beginning of the line; one that finds none at
all is reported.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, groupby

from eventsapp.booths.floorplan import HallGrid


@dataclass(frozen=True)
class BoothToPlace:
    booth_id: int
    group: str  # the organization's industry letter
    double: bool = False
    order: str = ""  # within an industry: the organization's name, so results are stable


@dataclass(frozen=True)
class Placement:
    booth_id: int
    hall: str
    row: int
    col: int


@dataclass
class AutoPlacement:
    placements: list[Placement] = field(default_factory=list)
    not_placed: list[int] = field(default_factory=list)  # booth ids with no room left


class _Line:
    """The booth cells of all halls in reading order, and which are free."""

    def __init__(self, halls: Sequence[HallGrid], taken: Iterable[tuple[str, int, int]]):
        self.cells = [(grid, row, col) for grid in halls for row, col in grid.booth_cells]
        taken = set(taken)
        self.free = [(grid.name, row, col) not in taken for grid, row, col in self.cells]

    def pairs_with_next(self, position: int) -> bool:
        """A double booth fits at this position: it and the next cell are free, side by side in one row."""
        if position + 1 >= len(self.cells) or not (self.free[position] and self.free[position + 1]):
            return False
        grid, row, col = self.cells[position]
        next_grid, next_row, next_col = self.cells[position + 1]
        return next_grid is grid and next_row == row and next_col == col + 1

    def find(self, start: int, double: bool) -> int | None:
        fits = self.pairs_with_next if double else self.free.__getitem__
        for position in chain(range(start, len(self.cells)), range(0, start)):
            if fits(position):
                return position
        return None

    def take(self, position: int, double: bool) -> None:
        for taken in (position, position + 1) if double else (position,):
            self.free[taken] = False


def place_automatically(halls: Sequence[HallGrid], taken: Iterable[tuple[str, int, int]],
                        booths: Iterable[BoothToPlace]) -> AutoPlacement:
    """Where each booth goes. ``taken`` lists the cells (hall name, row, col) booths already stand on."""
    line = _Line(halls, taken)
    result = AutoPlacement()
    start = 0
    ordered = sorted(booths, key=lambda booth: (booth.group, not booth.double, booth.order, booth.booth_id))
    for _group, members in groupby(ordered, key=lambda booth: booth.group):
        end = start
        for booth in members:
            position = line.find(start, booth.double)
            if position is None:
                result.not_placed.append(booth.booth_id)
                continue
            line.take(position, booth.double)
            grid, row, col = line.cells[position]
            result.placements.append(Placement(booth.booth_id, grid.name, row, col))
            if position >= start:
                end = max(end, position + (2 if booth.double else 1))
        start = end
    return result
