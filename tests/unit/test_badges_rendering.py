"""Badge PDFs: fonts, name fitting, layouts, cut marks, QR codes and the restricted fetcher."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from eventsapp.badges import fonts, rendering
from eventsapp.badges.models import BadgeRole
from eventsapp.badges.rendering import LAYOUTS, BadgeCard

# CI installs poppler-utils (make test-packages), so there a missing tool fails rather than skips.
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="needs poppler-utils")
MM = 72 / 25.4  # points per millimetre
RARE = "䶮𠇔堃喆昇赟犇淼燚鑫"
# Long names that still fit at some size: the widest Latin capitals, a long hyphenated name,
# a Uyghur name written in Chinese characters, and rare characters.
LONG_NAMES = ["WWWWWWWWWWWWWWWWWWWWWWWW", "Wolfeschlegelsteinhausenbergerdorff-Montgomery",
              "阿卜杜热合曼·买买提明·艾力", "欧阳" + RARE, "Ω" * 20]


def card(name: str, latin: str = "", role: BadgeRole = BadgeRole.CANDIDATE, **extra) -> BadgeCard:
    values = dict(number="ABC2345", role=role, name=name, name_latin=latin, organization="浙江大学",
                  event_title="2027 杭州新春人才交流大会", dates="2027年2月20日 09:00 – 16:00",
                  token="secret-secret-12.signature-signature-signature-signatur")
    values.update(extra)
    return BadgeCard(**values)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


def words(pdf: bytes, tmp_path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, text) of every word, in points, from poppler's bbox output."""
    source = tmp_path / "words.pdf"
    source.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(source), "-"], capture_output=True, text=True, check=True).stdout
    result, page = [], -1
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if match:
            result.append((page, *map(float, match.groups()[:4]), match.group(5)))
    return result


def test_fonts_come_from_fontconfig_files():
    regular, bold = fonts.faces(), fonts.faces(bold=True)
    assert [face.family for face in regular] == ["DejaVu Sans", "Noto Sans CJK SC"]
    assert all(Path(face.path).is_file() for face in regular + bold)
    assert fonts.find_face("No Such Font Family", False) is None  # a substitute is not "found"


def test_rare_name_characters_are_drawable_and_unassigned_ones_are_not():
    assert fonts.missing_characters("欧阳" + RARE) == []
    assert fonts.missing_characters("王\ue000明\u0378") == ["\ue000", "\u0378"]  # private use, unassigned
    assert fonts.missing_characters("Zoë Ñúñez 이민호 さくら") == []


def test_width_estimate_is_never_below_full_width_for_cjk():
    assert fonts.width_em("张伟") == pytest.approx(2.0)
    assert fonts.width_em("i") < fonts.width_em("W")
    assert fonts.fit_size("张伟", 82, 20, 7) == 20
    assert fonts.fit_size("W" * 200, 82, 20, 7) is None


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_long_names_shrink_and_stay_inside_the_card(request_ctx, tmp_path, layout):
    spec = LAYOUTS[layout]
    names = [name for name in LONG_NAMES if fonts.fit_size(name, spec.name_width, spec.name_largest,
                                                           spec.name_smallest)]
    assert len(names) >= 4
    cards = [card(name) for name in names]
    pdf = rendering.render_pdf(cards, spec)
    found = words(pdf, tmp_path)
    positions = spec.positions()
    for index, name in enumerate(names):
        page, slot = divmod(index, spec.per_sheet)
        left, _top = positions[slot]
        inner_left, inner_right = (left + spec.padding) * MM, (left + spec.card[0] - spec.padding) * MM
        hits = [w for w in found if w[0] == page and w[5] == name]
        assert hits, f"{name} not found on page {page}"
        _, x_min, _, x_max, _, _ = min(hits, key=lambda w: abs(w[1] - inner_left))
        assert inner_left - 1 <= x_min and x_max <= inner_right + 0.5, (layout, name, x_min, x_max)


def test_a_name_too_long_for_any_size_is_reported(app):
    from eventsapp.badges.batches import preprint_check

    with app.app_context():
        problems = preprint_check([card("W" * 100), card("张伟")], LAYOUTS["a4-2x4"])
    assert [(p.name, p.too_long) for p in problems] == [("W" * 100, True)]


@pytest.mark.parametrize("layout, size, per_page", [
    ("single", (210, 297), 1), ("a4-2x4", (210, 297), 8), ("a4-a6", (210, 297), 4), ("letter-4x3", (215.9, 279.4), 6)])
def test_layouts_have_their_paper_size_and_cards_per_sheet(request_ctx, layout, size, per_page):
    cards = [card(f"李{i}", number=f"N{i:06d}") for i in range(per_page + 1)]
    reader = PdfReader(io.BytesIO(rendering.render_pdf(cards, LAYOUTS[layout])))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)) == size
    first = reader.pages[0].extract_text()
    assert sum(f"N{i:06d}" in first for i in range(per_page + 1)) == per_page


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_cut_marks_lie_on_cut_lines_outside_the_cards(layout):
    spec = LAYOUTS[layout]
    cuts_x = {round(x, 2) for left, _ in spec.positions() for x in (left, left + spec.card[0])}
    cuts_y = {round(y, 2) for _, top in spec.positions() for y in (top, top + spec.card[1])}
    marks = rendering.cut_marks(spec)
    assert marks
    for left, top, width, height in marks:
        assert (width == 0 and round(left, 2) in cuts_x) or (height == 0 and round(top, 2) in cuts_y)
        for card_left, card_top in spec.positions():  # never across a card's face
            inside_x = card_left + 0.01 < left + width / 2 < card_left + spec.card[0] - 0.01
            inside_y = card_top + 0.01 < top + height / 2 < card_top + spec.card[1] - 0.01
            assert not (inside_x and inside_y)


def test_pdf_embeds_subset_fonts_and_nothing_else(request_ctx, tmp_path):
    pdf = rendering.render_pdf([card("欧阳䶮", "Ouyang Yan")], LAYOUTS["single"])
    path = tmp_path / "badge.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    families = {re.sub(r"^[A-Z]{6}\+", "", row.split()[0]) for row in rows}
    assert families <= {"DejaVu-Sans", "DejaVu-Sans-Bold", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}
    assert "Noto-Sans-CJK-SC-Bold" in families
    assert all(" yes yes yes " in f" {' '.join(row.split()[-5:-2])} " for row in rows)  # embedded, subset, unicode


def _name_pixels(pdf: bytes, tmp_path: Path, name: str) -> Image.Image:
    source = tmp_path / f"{abs(hash(name))}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(source), str(source.with_suffix(""))],
                   check=True)
    image = Image.open(source.with_suffix(".png")).convert("L")
    left, top = LAYOUTS["single"].positions()[0]
    scale = 200 / 25.4  # pixels per mm
    return image.crop((int((left + 4) * scale), int((top + 8.5) * scale), int((left + 40) * scale),
                       int((top + 18.5) * scale)))


@pytest.mark.skipif(shutil.which("pdftoppm") is None and not os.environ.get("CI"), reason="needs poppler-utils")
def test_rare_character_prints_a_glyph_not_a_box(request_ctx, tmp_path):
    """pdftotext would 'find' the character even in an empty box: look at the pixels instead."""
    rare = _name_pixels(rendering.render_pdf([card("䶮")], LAYOUTS["single"]), tmp_path, "䶮")
    other_rare = _name_pixels(rendering.render_pdf([card("燚")], LAYOUTS["single"]), tmp_path, "燚")
    box = _name_pixels(rendering.render_pdf([card("\ue000")], LAYOUTS["single"]), tmp_path, "\ue000")
    box_too = _name_pixels(rendering.render_pdf([card("\ue001")], LAYOUTS["single"]), tmp_path, "\ue001")

    def ink(image):
        return sum(image.point(lambda value: 255 if value < 128 else 0).histogram()[255:])

    assert ink(rare) > 200 and ink(other_rare) > 200
    assert ImageChops.difference(box, box_too).getbbox() is None  # both missing: the same empty box
    assert ImageChops.difference(rare, box).getbbox() is not None
    assert ImageChops.difference(rare, other_rare).getbbox() is not None  # real, different glyphs


def test_qr_code_is_vector_svg_of_the_token(request_ctx):
    uri = rendering.qr_data_uri("hello-token")
    assert uri.startswith("data:image/svg+xml")
    html = rendering.badge_html([card("张伟")], LAYOUTS["single"])
    assert 'class="qr" src="data:image/svg+xml' in html


def test_fetcher_allows_data_and_static_files_only(app, tmp_path):
    fetcher = rendering.StaticOnlyFetcher(app.static_folder)
    static_file = next(Path(app.static_folder).rglob("*.css"))
    assert fetcher.fetch(static_file.as_uri()).read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    escape = Path(app.static_folder).as_uri() + "/../../eventsapp/config.py"
    for url in ["http://127.0.0.1:9/x.png", "https://example.com/a.css", secret.as_uri(), "file:///etc/passwd",
                escape, "ftp://example.com/x", "file://otherhost/etc/passwd"]:
        with pytest.raises(rendering.AssetRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 7


def test_rendering_refuses_what_a_template_or_name_would_fetch(request_ctx, tmp_path, monkeypatch):
    refused: list[str] = []
    original = rendering.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except rendering.AssetRefused:
            refused.append(url)
            raise

    monkeypatch.setattr(rendering.StaticOnlyFetcher, "fetch", spy)
    html = ('<img src="http://127.0.0.1:9/track.png"><link rel="stylesheet" href="file:///etc/passwd">'
            '<p>名字</p>')
    pdf = rendering.html_to_pdf(html, rendering.current_app.static_folder)
    assert pdf.startswith(b"%PDF")
    assert set(refused) == {"http://127.0.0.1:9/track.png", "file:///etc/passwd"}
    # A name is text, never markup: nothing in it is fetched.
    pdf = rendering.render_pdf([card('<img src="http://127.0.0.1:9/x.png">')], LAYOUTS["single"])
    assert "http://127.0.0.1:9/x.png" not in refused[2:]


def test_large_batches_render_in_runs_and_report_progress(request_ctx, monkeypatch):
    monkeypatch.setattr(rendering, "SHEETS_PER_RUN", 1)
    cards = [card(f"王{i}", number=f"N{i:06d}") for i in range(10)]
    seen: list[int] = []
    for processes in (1, 2):
        seen.clear()
        pdf = rendering.render_pdf(cards, LAYOUTS["a4-a6"], processes=processes, progress=seen.append)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 3
        assert seen == [4, 8, 10]
        text = [page.extract_text() for page in reader.pages]
        assert "N000000" in text[0] and "N000009" in text[2]  # in order


def test_importing_the_renderer_keeps_pillow_strict_about_damaged_images():
    """WeasyPrint switches Pillow to accept truncated images on import; logo uploads rely on the default."""
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
