"""A hall as a grid of cells, and booth codes. Pure Python: no Flask, no database.

Rows and columns count from 1, rows top to bottom, columns left to right. A cell can hold a
booth unless its row or its column is an aisle or the cell is blocked (a pillar, a stage, a
door). Booth cells are numbered row by row, left to right, skipping the others, and a booth's
code is ``f"{hall}-{number}"``: "A-12" is the twelfth booth cell of hall A. A double booth
takes its cell and the one to its right and is coded by its first cell.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

Cell = tuple[int, int]

SEPARATORS = re.compile(r"[\s,，、;；]+")
CELL_PATTERN = re.compile(r"^([0-9]{1,3})[:：]([0-9]{1,3})$")
CODE_PATTERN = re.compile(r"^\s*([A-Za-z0-9]+)\s*[-–—]\s*0*([0-9]{1,5})\s*$")


@dataclass(frozen=True)
class HallGrid:
    name: str
    rows: int
    cols: int
    aisle_rows: frozenset[int] = frozenset()
    aisle_cols: frozenset[int] = frozenset()
    blocked: frozenset[Cell] = frozenset()

    def contains(self, row: int, col: int) -> bool:
        return 1 <= row <= self.rows and 1 <= col <= self.cols

    def is_aisle(self, row: int, col: int) -> bool:
        return row in self.aisle_rows or col in self.aisle_cols

    def is_placeable(self, row: int, col: int) -> bool:
        return self.contains(row, col) and not self.is_aisle(row, col) and (row, col) not in self.blocked

    @cached_property
    def booth_cells(self) -> tuple[Cell, ...]:
        """Every cell that can hold a booth, in reading order: cell number n is ``booth_cells[n - 1]``."""
        return tuple((row, col) for row in range(1, self.rows + 1) for col in range(1, self.cols + 1)
                     if self.is_placeable(row, col))

    @cached_property
    def _numbers(self) -> dict[Cell, int]:
        return {cell: number for number, cell in enumerate(self.booth_cells, start=1)}

    def number_of(self, row: int, col: int) -> int | None:
        return self._numbers.get((row, col))

    def cell_of(self, number: int) -> Cell | None:
        return self.booth_cells[number - 1] if 1 <= number <= len(self.booth_cells) else None

    def can_hold_double(self, row: int, col: int) -> bool:
        return self.is_placeable(row, col) and self.is_placeable(row, col + 1)


def footprint(row: int, col: int, double: bool) -> list[Cell]:
    """The cells a booth whose first cell is (row, col) takes."""
    return [(row, col), (row, col + 1)] if double else [(row, col)]


def code_for_cell(grid: HallGrid, row: int, col: int) -> str | None:
    """"A-12" for the twelfth booth cell of hall A; None for an aisle, a blocked cell or outside the grid."""
    number = grid.number_of(row, col)
    return None if number is None else f"{grid.name}-{number}"


class CodeError(ValueError):
    """A booth code that names no booth cell."""


class MalformedCode(CodeError):
    pass


class UnknownHall(CodeError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(name)


class NoSuchCell(CodeError):
    def __init__(self, grid: HallGrid, number: int):
        self.grid, self.number = grid, number
        super().__init__(f"{grid.name}-{number}")


def parse_code(code: str) -> tuple[str, int]:
    """("A", 12) from "A-12" (also "a-12", "A – 012"); hall names are kept upper-case."""
    match = CODE_PATTERN.match(code or "")
    if match is None:
        raise MalformedCode(code)
    return match.group(1).upper(), int(match.group(2))


def code_sort_key(code: str | None) -> tuple:
    """Booth codes in natural order: A-2 before A-10, hall A before hall B, booths without a code last."""
    if not code:
        return (1, "", 0, "")
    try:
        hall, number = parse_code(code)
    except MalformedCode:
        return (0, code.upper(), 0, code)
    return (0, hall, number, code)


def cell_for_code(code: str, grids: Iterable[HallGrid]) -> tuple[HallGrid, int, int]:
    """The hall and the (row, col) a code names; raises a CodeError saying what is wrong with it."""
    hall_name, number = parse_code(code)
    grid = next((grid for grid in grids if grid.name.upper() == hall_name), None)
    if grid is None:
        raise UnknownHall(hall_name)
    cell = grid.cell_of(number)
    if cell is None:
        raise NoSuchCell(grid, number)
    return grid, cell[0], cell[1]


# --- The text organizers type: "3, 7" and "3:4, 3:5" ----------------------------------------------

class BadToken(ValueError):
    """A piece of the text that is not a number (or not a row:column pair)."""

    def __init__(self, token: str):
        self.token = token
        super().__init__(token)


def parse_numbers(text: str) -> list[int]:
    """Sorted distinct numbers from "3, 7,12" (commas, Chinese commas, semicolons or spaces between)."""
    numbers = set()
    for token in SEPARATORS.split(text or ""):
        if not token:
            continue
        if not token.isascii() or not token.isdigit() or len(token) > 3:
            raise BadToken(token)
        numbers.add(int(token))
    return sorted(numbers)


def parse_cells(text: str) -> list[Cell]:
    """Sorted distinct (row, col) pairs from "3:4, 3:5"."""
    cells = set()
    for token in SEPARATORS.split(text or ""):
        if not token:
            continue
        match = CELL_PATTERN.match(token)
        if match is None:
            raise BadToken(token)
        cells.add((int(match.group(1)), int(match.group(2))))
    return sorted(cells)


def format_numbers(numbers: Iterable[int]) -> str:
    return ", ".join(str(number) for number in sorted(set(numbers)))


def format_cells(cells: Iterable[Cell]) -> str:
    return ", ".join(f"{row}:{col}" for row, col in sorted(set(cells)))


def grid_from_text(name: str, rows: int, cols: int, aisle_rows: str = "", aisle_cols: str = "",
                   blocked_cells: str = "") -> HallGrid:
    """A grid from stored text (already checked when it was saved; values outside the grid are ignored)."""
    return HallGrid(name=name, rows=rows, cols=cols,
                    aisle_rows=frozenset(n for n in parse_numbers(aisle_rows) if 1 <= n <= rows),
                    aisle_cols=frozenset(n for n in parse_numbers(aisle_cols) if 1 <= n <= cols),
                    blocked=frozenset(c for c in parse_cells(blocked_cells) if 1 <= c[0] <= rows and 1 <= c[1] <= cols))

