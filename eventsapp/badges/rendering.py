"""Badge PDFs: card data in, PDF bytes out, through one WeasyPrint document per batch.

Each layout places cards on sheets at fixed positions (computed here, in millimetres), with
cut marks on the extensions of the cut lines. The name's font size is computed from the font
files' metrics (see fonts.py), so a long name shrinks instead of overflowing.
"""
from __future__ import annotations

import base64
import contextlib
import io
import multiprocessing
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from PIL import ImageFile
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from eventsapp.badges import fonts
from eventsapp.badges.models import BadgeRole
from eventsapp.badges.roles import ROLE_COLOURS, ROLE_LABELS

# Importing WeasyPrint makes Pillow accept truncated images in the whole process. Badges load no
# raster images, and uploads (logos) must go on refusing damaged files.
ImageFile.LOAD_TRUNCATED_IMAGES = False

@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    page: tuple[float, float]  # mm
    card: tuple[float, float]  # mm
    grid: tuple[int, int]  # columns, rows
    gap: tuple[float, float]  # mm between cards
    shape: str  # "wide" cards (QR beside the text) or "tall" ones (QR below)
    padding: float  # mm inside the card
    name_largest: float  # pt
    name_smallest: float  # pt
    qr: float  # mm
    top: float | None = None  # mm from the page's top edge to the first row; None centres the block

    @property
    def per_sheet(self) -> int:
        return self.grid[0] * self.grid[1]

    @property
    def name_width(self) -> float:
        # A little slack under the full width, for the rounding of WeasyPrint's layout.
        return self.card[0] - 2 * self.padding - 1

    def positions(self) -> list[tuple[float, float]]:
        """Top-left corners of the cards on a sheet, the block centred on the page (or at ``top``)."""
        (page_w, page_h), (card_w, card_h), (cols, rows), (gap_x, gap_y) = self.page, self.card, self.grid, self.gap
        left = (page_w - cols * card_w - (cols - 1) * gap_x) / 2
        top = self.top if self.top is not None else (page_h - rows * card_h - (rows - 1) * gap_y) / 2
        return [(left + col * (card_w + gap_x), top + row * (card_h + gap_y))
                for row in range(rows) for col in range(cols)]


A4 = (210.0, 297.0)
LETTER = (215.9, 279.4)
LAYOUTS = {layout.key: layout for layout in (
    # The single badge sits at the top of the page, as people print it at home.
    Layout("single", _l("Single badge, 90 × 54 mm on A4"), A4, (90, 54), (1, 1), (0, 0), "wide", 4, 24, 7, 22,
           top=20),
    Layout("a4-2x4", _l("A4 sheet, 2 × 4 cards of 90 × 54 mm"), A4, (90, 54), (2, 4), (10, 8), "wide", 4, 24, 7,
           22),
    Layout("a4-a6", _l("A4 sheet, four A6 badges"), A4, (105, 148.5), (2, 2), (0, 0), "tall", 8, 34, 9, 42),
    Layout("letter-4x3", _l("US Letter, 4 × 3 inch badges"), LETTER, (101.6, 76.2), (2, 3), (0, 0), "wide", 5, 30,
           8, 30),
)}
CUT_MARK = 4.0  # mm, drawn from 1 mm beyond each card corner along the cut lines
SHEETS_PER_RUN = 32  # a large batch renders in runs of this many sheets (progress, worker processes)


@dataclass(frozen=True)
class BadgeCard:
    """What one badge shows."""

    number: str
    role: BadgeRole
    name: str
    name_latin: str
    organization: str
    event_title: str
    dates: str
    token: str
    booth_code: str = ""
    hall: str = ""
    sort_name: str = ""  # family name first, pinyin for Chinese names


@dataclass(frozen=True)
class PlacedCard:
    card: BadgeCard
    name_size: float
    qr_uri: str


class AssetRefused(URLFetchingError):
    """WeasyPrint asked for something other than our own static files or a data: URI."""


class StaticOnlyFetcher(URLFetcher):
    """Lets WeasyPrint load data: URIs and files inside the static folder, and nothing else:
    no network, no other file on the server, whatever a badge's text or template says."""

    def __init__(self, static_folder: str | Path):
        super().__init__(allowed_protocols=("data", "file"))
        self.root = Path(static_folder).resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "file":
            from urllib.parse import unquote, urlsplit
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve()
            if parts.netloc in ("", "localhost") and path.is_relative_to(self.root) and path.is_file():
                return super().fetch(url, headers)
        elif scheme == "data":
            return super().fetch(url, headers)
        self.refused.append(url)
        raise AssetRefused(f"badge rendering may not load {url[:200]}")


def qr_data_uri(token: str) -> str:
    # Vector, no quiet zone of its own (the card leaves white space around it).
    return segno.make(token, error="m").svg_data_uri(border=0, omitsize=True)


def place(cards: list[BadgeCard], layout: Layout, qr: Callable[[str], str] = qr_data_uri) -> list[list[PlacedCard]]:
    """The cards on sheets, each with its name size and QR code."""
    sheets: list[list[PlacedCard]] = []
    for start in range(0, len(cards), layout.per_sheet):
        sheet = []
        for card in cards[start:start + layout.per_sheet]:
            size = fonts.fit_size(card.name, layout.name_width, layout.name_largest, layout.name_smallest)
            sheet.append(PlacedCard(card, size or layout.name_smallest, qr(card.token)))
        sheets.append(sheet)
    return sheets


def cut_marks(layout: Layout) -> list[tuple[float, float, float, float]]:
    """(left, top, width, height) of the marks: at each card corner, two short lines continuing
    the card's edges outwards, so they lie on cut lines and the cut removes them."""
    marks = set()
    card_w, card_h = layout.card
    for left, top in layout.positions():
        for x, dx in ((left, -1), (left + card_w, 1)):
            for y, dy in ((top, -1), (top + card_h, 1)):
                start_x = x + dx * 1 if dx > 0 else x - 1 - CUT_MARK
                start_y = y + dy * 1 if dy > 0 else y - 1 - CUT_MARK
                marks.add((round(start_x, 2), round(y, 2), CUT_MARK, 0))  # horizontal
                marks.add((round(x, 2), round(start_y, 2), 0, CUT_MARK))  # vertical
    page_w, page_h = layout.page
    return sorted(m for m in marks if m[0] >= 0 and m[1] >= 0 and m[0] + m[2] <= page_w and m[1] + m[3] <= page_h)


def marks_data_uri(layout: Layout) -> str:
    """The cut marks of a sheet as one SVG, the sheet's background: drawn once per page instead
    of as dozens of boxes to lay out."""
    page_w, page_h = layout.page
    lines = "".join(f'<path d="M{left} {top}h{width}v{height}"/>' for left, top, width, height in cut_marks(layout))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{page_w}mm" height="{page_h}mm" '
           f'viewBox="0 0 {page_w} {page_h}"><g fill="none" stroke="#000" stroke-width="0.2">{lines}</g></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def badge_html(cards: list[BadgeCard], layout: Layout, qr: Callable[[str], str] = qr_data_uri) -> str:
    sheets = place(cards, layout, qr)
    # One CSS rule per name size rather than a style attribute per card: cheaper for WeasyPrint.
    name_sizes = sorted({placed.name_size for sheet in sheets for placed in sheet})
    return render_template("badges/sheet.html", layout=layout, sheets=sheets, name_sizes=name_sizes,
                           marks=marks_data_uri(layout), origin=layout.positions()[0], colours=ROLE_COLOURS,
                           role_labels=ROLE_LABELS, font_family=fonts.CSS_FAMILY)


# In a run rendered by a worker process, the page names each QR code by its token and the worker
# draws the code: the QR encoding (mask choice) is a good part of the work per badge.
QR_SLOT = "qr-slot:"
_QR_SLOTS = re.compile(r'src="' + re.escape(QR_SLOT) + r'([A-Za-z0-9_.\-]+)"')


def html_to_pdf(html: str, static_folder: str) -> bytes:
    """WeasyPrint's part: lay out and write, fonts subset with HarfBuzz and embedded."""
    html = _QR_SLOTS.sub(lambda match: f'src="{qr_data_uri(match.group(1))}"', html)
    document = HTML(string=html, base_url=Path(static_folder).as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher(static_folder))
    return document.write_pdf()


def render_pdf(cards: list[BadgeCard], layout: Layout, processes: int = 1,
               progress: Callable[[int], None] | None = None) -> bytes:
    """One PDF with all the cards.

    A small batch is one WeasyPrint document. A large one is cut into runs of whole sheets that
    render side by side in worker processes (WeasyPrint is single-threaded Python) and are joined
    in order; ``progress`` hears how many cards are done after each run.
    """
    static = current_app.static_folder
    run = layout.per_sheet * SHEETS_PER_RUN
    runs = [cards[start:start + run] for start in range(0, len(cards), run)] or [cards]
    parts: list[bytes] = []
    with contextlib.ExitStack() as stack:
        if processes > 1 and len(runs) > 1:
            # A fresh worker per run keeps memory flat however long the batch (WeasyPrint's caches grow).
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=processes, mp_context=_worker_context(),
                                                           max_tasks_per_child=1))
            # The HTML (translations, name sizes) is made here, in the app; the workers do the rest.
            futures = [pool.submit(html_to_pdf, badge_html(part, layout, qr=QR_SLOT.__add__), static)
                       for part in runs]
            results = (future.result() for future in futures)
        else:
            results = (html_to_pdf(badge_html(part, layout), static) for part in runs)
        for pdf in results:
            parts.append(pdf)
            if progress:
                progress(min(len(parts) * run, len(cards)))
    return parts[0] if len(parts) == 1 else join_pdfs(parts)


def _worker_context():
    # A fork server forks workers from a clean process that already imported WeasyPrint: no
    # locks copied from the web process's threads, and no second of import time per worker.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "eventsapp.badges.rendering"])
    return context


def join_pdfs(parts: list[bytes]) -> bytes:
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
