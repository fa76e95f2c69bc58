"""A hall's map as inline SVG: a pure function from the grid and the booths on it to markup.

The picture scales to the width of the page (viewBox, no fixed size); every booth is a rectangle
in its industry's colour, labelled with its code and a short name, linked to its entry in the
list below the map, with the full name as a tooltip.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from eventsapp.booths.floorplan import HallGrid

CELL = 40  # one grid cell, in SVG units
RULER = 18  # room for the row and column numbers on organizers' maps
MAX_SCALE = 1.4  # at most 56 pixels a cell
FLOOR, CELL_FILL, CELL_LINE, BLOCKED_FILL, NUMBER_FILL = "#f4f0eb", "#ffffff", "#ddd5ce", "#bdb6b0", "#a3958d"

# One colour per GB/T 4754 section, far enough apart to tell neighbours apart.
INDUSTRY_COLORS = {
    "A": "#2ca02c", "B": "#8c564b", "C": "#1f77b4", "D": "#bcbd22", "E": "#ff7f0e", "F": "#e377c2",
    "G": "#17becf", "H": "#ffbb78", "I": "#b3122b", "J": "#393b79", "K": "#c49c94", "L": "#9467bd",
    "M": "#98df8a", "N": "#9edae5", "O": "#dbdb8d", "P": "#e7ba52", "Q": "#ff9896", "R": "#c5b0d5",
    "S": "#7b4173", "T": "#aec7e8",
}

# Legal forms and home-town prefixes add length, not meaning, on a 2 × 4 cm booth label.
_ZH_AFFIXES = re.compile(r"^(浙江省|浙江|杭州市|杭州)|(股份有限公司|有限责任公司|有限公司|集团)$")
_EN_AFFIXES = re.compile(r"^(Zhejiang|Hangzhou)\s+|[\s,]+(Co\.?,?\s*Ltd\.?|Ltd\.?|Limited|Inc\.?|Corp\.?|"
                         r"Corporation|LLC|Group)$", re.IGNORECASE)


@dataclass(frozen=True)
class BoothMark:
    row: int
    col: int
    double: bool
    code: str
    label: str  # the organization's name; shortened to fit here
    title: str  # the tooltip: code, full name, industry
    color: str
    href: str = ""
    state: str = ""  # "match" (outlined) or "dim" while a search is shown, else ""


def text_width(text: str) -> int:
    """Width in half-width units: Chinese characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def short_label(name: str, width: int) -> str:
    """The name without legal form and city prefix, cut with "…" to at most ``width`` half-width units."""
    name = " ".join(name.split())
    shorter = name
    for _ in range(2):  # a prefix and a suffix
        shorter = (_ZH_AFFIXES.sub("", shorter) if re.search(r"[\u4e00-\u9fff]", shorter)
                   else _EN_AFFIXES.sub("", shorter)).strip(" ,")
    name = shorter or name
    if text_width(name) <= width:
        return name
    cut, used = [], 0
    for char in name:
        used += text_width(char)
        if used > width - 1:
            break
        cut.append(char)
    return "".join(cut).rstrip() + "…"


def readable_text_color(fill: str) -> str:
    red, green, blue = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#1d1414" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#ffffff"


def label_width(double: bool) -> int:
    return 15 if double else 7


def hall_svg(grid: HallGrid, booths: Iterable[BoothMark], *, title: str, organizer: bool = False) -> str:
    """The hall as an <svg> element. Organizers' maps also number the rows, columns and free booth cells."""
    offset = RULER if organizer else 0
    width, height = offset + grid.cols * CELL, offset + grid.rows * CELL
    booths = list(booths)
    standing = {(booth.row, booth.col + step) for booth in booths for step in range(2 if booth.double else 1)}
    # Full width on a phone (CSS: max-width 100%, height auto); on a wide screen a small hall keeps the
    # scale of a big one. A group, not an image: its booths are links, and an image may not hold anything
    # focusable. Attributes, not a style="...": the Content-Security-Policy allows no inline style.
    parts = [f'<svg class="hall-map" viewBox="0 0 {width} {height}" width="{width * MAX_SCALE:g}" '
             f'height="{height * MAX_SCALE:g}" '
             'role="group" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" data-hall="{escape(grid.name)}" '
             'font-family="system-ui, -apple-system, \'PingFang SC\', \'Microsoft YaHei\', \'Noto Sans CJK SC\', '
             'sans-serif">',
             f'<rect x="{offset}" y="{offset}" width="{grid.cols * CELL}" height="{grid.rows * CELL}" '
             f'fill="{FLOOR}"/>']
    if organizer:
        parts.extend(_rulers(grid))
    for row in range(1, grid.rows + 1):
        for col in range(1, grid.cols + 1):
            if (row, col) not in standing:  # a booth covers its cells
                parts.append(_cell(grid, row, col, offset, organizer))
    parts.extend(_booth(booth, offset) for booth in booths)
    parts.append("</svg>")
    return "".join(parts)


def _rulers(grid: HallGrid) -> list[str]:
    style = f'font-size="10" fill="{NUMBER_FILL}" text-anchor="middle"'
    return ([f'<text x="{RULER + (col - 0.5) * CELL:g}" y="13" {style}>{col}</text>' for col in range(1, grid.cols + 1)]
            + [f'<text x="9" y="{RULER + (row - 0.5) * CELL + 4:g}" {style}>{row}</text>'
               for row in range(1, grid.rows + 1)])


def _cell(grid: HallGrid, row: int, col: int, offset: int, numbered: bool) -> str:
    x, y = offset + (col - 1) * CELL, offset + (row - 1) * CELL
    if grid.is_aisle(row, col):
        return ""  # the floor shows through
    if (row, col) in grid.blocked:
        return (f'<rect class="cell-blocked" x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" '
                f'fill="{BLOCKED_FILL}"><title>{row}:{col}</title></rect>')
    rect = (f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" fill="{CELL_FILL}" '
            f'stroke="{CELL_LINE}"/>')
    if not numbered:
        return rect
    return (f'<g class="cell-free" data-row="{row}" data-col="{col}">{rect}<text x="{x + CELL / 2:g}" '
            f'y="{y + CELL / 2 + 3:g}" font-size="9" fill="{NUMBER_FILL}" text-anchor="middle">'
            f'{grid.number_of(row, col)}</text><title>{escape(grid.name)}-{grid.number_of(row, col)} · '
            f'{row}:{col}</title></g>')


def _booth(booth: BoothMark, offset: int) -> str:
    x, y = offset + (booth.col - 1) * CELL, offset + (booth.row - 1) * CELL
    width = CELL * (2 if booth.double else 1)
    ink = readable_text_color(booth.color)
    middle = x + width / 2
    classes = "booth" + (f" booth-{booth.state}" if booth.state else "")
    opacity = ' opacity="0.25"' if booth.state == "dim" else ""
    outline = ' stroke="#1d1414" stroke-width="3"' if booth.state == "match" else ' stroke="#ffffff" stroke-width="1"'
    body = (f'<title>{escape(booth.title)}</title>'
            f'<rect x="{x + 2}" y="{y + 2}" width="{width - 4}" height="{CELL - 4}" rx="3" fill="{booth.color}"'
            f'{outline}/>'
            f'<text x="{middle:g}" y="{y + 16}" font-size="10" font-weight="700" fill="{ink}" '
            f'text-anchor="middle">{escape(booth.code)}</text>'
            f'<text x="{middle:g}" y="{y + 29}" font-size="8" fill="{ink}" text-anchor="middle">'
            f'{escape(short_label(booth.label, label_width(booth.double)))}</text>')
    group = f'<g class="{classes}" data-code="{escape(booth.code)}"{opacity}>{body}</g>'
    return f'<a href="{escape(booth.href)}">{group}</a>' if booth.href else group
