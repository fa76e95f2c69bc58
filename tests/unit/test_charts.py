"""The server-side charts: well-formed SVG, no script, labels escaped, scalable to any width."""
import xml.etree.ElementTree as ET

from eventsapp import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def _texts(root: ET.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def test_a_bar_chart_is_well_formed_svg_without_script_that_scales_to_its_container():
    root = _parsed(charts.bar_chart("学历 Degrees", ["博士", "硕士"], [12, 34]))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    assert root.get("width") is None and root.get("height") is None
    assert not list(root.iter(f"{SVG}script"))
    assert {"学历 Degrees", "博士", "硕士", "12", "34"} <= set(_texts(root))


def test_labels_are_escaped_not_markup():
    svg = str(charts.bar_chart("t", ["<b>bold</b>"], [1]))
    assert "<b>" not in svg
    assert "<b>bold</b>" in _texts(_parsed(svg))


def test_every_kind_of_chart_draws_its_series_and_skips_missing_values():
    stacked = _parsed(charts.stacked_bar_chart("s", ["e1", "e2"], [("confirmed", [3, 4]), ("waiting", [1, None])]))
    assert {"confirmed", "waiting"} <= set(_texts(stacked))
    line = _parsed(charts.line_chart("l", ["W1", "W2", "W3"], [("2025", [1, 2, 3]), ("2026", [2, None, 5])]))
    assert {"2025", "2026"} <= set(_texts(line))
    ring = _parsed(charts.share_chart("r", ["A", "B", "C"], [5, 0, 3]))
    legend = set(_texts(ring))
    assert {"A", "C"} <= legend and "B" not in legend  # an empty share has no slice and no legend entry


def test_charts_carry_no_style_of_their_own_and_share_one_scoped_stylesheet():
    svg = str(charts.bar_chart("t", ["a"], [1]))
    assert "<style" not in svg and 'class="pygal-chart"' in svg
    for drawn in (charts.bar_chart("t", ["a"], [1]), charts.line_chart("t", ["a"], [("s", [1])]),
                  charts.share_chart("t", ["a"], [1]), charts.stacked_bar_chart("t", ["a"], [("s", [1])])):
        # A style attribute is refused by the pages' Content Security Policy (pygal hid its tooltip with one).
        assert not [element for element in _parsed(drawn).iter() if element.get("style") is not None]
    css = charts.stylesheet()
    assert "#chart-" not in css
    assert "svg.pygal-chart .color-0" in css and "svg.pygal-chart .color-15" in css
    assert charts.PALETTE[0] in css


def test_the_chart_stylesheet_is_served_as_css_from_the_app(client):
    response = client.get("/charts.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.get_data(as_text=True) == charts.stylesheet()
