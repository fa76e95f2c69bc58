"""The hall map as SVG: a pure renderer."""
import xml.etree.ElementTree as ET

from eventsapp.booths.floorplan import HallGrid
from eventsapp.booths.svgmap import BoothMark, hall_svg, readable_text_color, short_label, text_width

SVG = "{http://www.w3.org/2000/svg}"


def mark(**overrides):
    values = dict(row=1, col=1, double=False, code="A-1", label="杭州云栖智能科技有限公司",
                  title="A-1 · 杭州云栖智能科技有限公司", color="#b3122b", href="#booth-A-1")
    values.update(overrides)
    return BoothMark(**values)


def test_labels_drop_the_legal_form_and_city_and_are_cut_to_fit():
    assert short_label("杭州云栖智能科技有限公司", 8) == "云栖智…"
    assert short_label("杭州云栖智能科技有限公司", 17) == "云栖智能科技"
    assert short_label("Hangzhou Cloud Tech Co., Ltd.", 17) == "Cloud Tech"
    assert short_label("Alibaba Group", 20) == "Alibaba"
    assert short_label("Alibaba Group Holding Limited", 8) == "Alibaba…"
    assert short_label("有限公司", 8) == "有限公司"  # nothing left: keep the name
    assert text_width(short_label("浙江大学医学院附属第一医院", 8)) <= 8


def test_text_on_a_booth_stays_readable():
    assert readable_text_color("#ffffff") != readable_text_color("#1f1f1f")
    assert readable_text_color("#b3122b") == "#ffffff"


def test_the_map_draws_cells_aisles_blocked_cells_and_booths_and_scales_to_the_width():
    grid = HallGrid("A", rows=3, cols=4, aisle_rows=frozenset({2}), blocked=frozenset({(3, 4)}))
    svg = hall_svg(grid, [mark(), mark(row=3, col=1, double=True, code="A-4", href="", state="dim")], title="Hall A")
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 160 120"
    # At most 1.4 times its size (its width and height), shrunk to the width of a phone by the page's CSS
    # (max-width: 100%) and keeping its shape; no style="...", which the Content-Security-Policy refuses.
    assert (root.get("width"), root.get("height")) == ("224", "168") and "style" not in root.attrib
    assert root.get("aria-label") == "Hall A"
    assert len(root.findall(f".//{SVG}rect[@class='cell-blocked']")) == 1
    booths = root.findall(f".//{SVG}g[@data-code]")
    assert [booth.get("data-code") for booth in booths] == ["A-1", "A-4"]
    link = root.find(f"{SVG}a")
    assert link.get("href") == "#booth-A-1"
    double_rect = booths[1].find(f"{SVG}rect")
    assert double_rect.get("width") == "76" and booths[1].get("opacity") == "0.25"
    # the free booth cells: 12 cells - 4 in the aisle - 1 blocked - 3 under booths
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#ffffff"]) == 4


def test_names_are_escaped():
    svg = hall_svg(HallGrid("A", 1, 1), [mark(label="<b>&", title='"x" <y>', href='#a"b')], title="<A>")
    root = ET.fromstring(svg)
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg and "&lt;A&gt;" in svg
    assert root.find(f"{SVG}a").get("href") == '#a"b'


def test_organizers_maps_number_the_free_cells_and_the_rows_and_columns():
    grid = HallGrid("A", rows=2, cols=3, aisle_cols=frozenset({2}))
    svg = hall_svg(grid, [mark(row=1, col=1)], title="Hall A", organizer=True)
    root = ET.fromstring(svg)
    free = root.findall(f".//{SVG}g[@class='cell-free']")
    assert [(cell.get("data-row"), cell.get("data-col"), cell.find(f"{SVG}text").text) for cell in free] == [
        ("1", "3", "2"), ("2", "1", "3"), ("2", "3", "4")]
    assert root.get("viewBox") == "0 0 138 98"  # room for the rulers
