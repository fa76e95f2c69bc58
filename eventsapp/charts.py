"""Charts drawn as SVG on the server with pygal: one code path for the pages and the PDFs.

A chart is plain data in (labels and numbers, already translated) and an SVG string out, so a view
puts it in a page with ``{{ chart }}`` and a report puts the same string in its WeasyPrint HTML.
No JavaScript: pygal's tooltips script would be fetched from the internet, and a PDF cannot run it;
each value is still written into the SVG (``<desc>``) and every chart has a title and a data table
beside it on the page for people who do not read charts.

No inline styles either: the pages' Content Security Policy allows only the app's own stylesheets. Every
chart shares one style, so pygal's per-chart ``<style>`` is taken out and served once as a stylesheet
(``stylesheet()``; pages link it with ``{{ chart_stylesheet() }}`` from templates/_macros/charts.html, a
PDF puts the same text in its own ``<style>``).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import pygal
from markupsafe import Markup
from pygal.style import Style

from eventsapp.badges.fonts import CSS_FAMILY

# The brand's red first, then colours that stay apart for people with the common colour-vision
# deficiencies (Okabe–Ito, darkened where white text or a white page needs more contrast).
PALETTE = ("#b3122b", "#0072b2", "#e69f00", "#009e73", "#56b4e9", "#cc79a7", "#7d5a00", "#555555")

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    opacity=".9",
    opacity_hover="1",
    colors=PALETTE,
    font_family=CSS_FAMILY + ", sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    title_font_size=16,
    legend_font_size=13,
    tooltip_font_size=13,
    guide_stroke_color="#dee2e6",
    major_guide_stroke_color="#ced4da",
    guide_stroke_dasharray="0",
    major_guide_stroke_dasharray="0",
)

# The SVG scales to its container (no fixed width and height), so the same chart fits a phone and an
# A4 page; these set its proportions.
WIDTH, HEIGHT = 800, 420


def _config(title: str, **options) -> dict:
    return {"title": title, "style": STYLE, "js": [], "disable_xml_declaration": True, "explicit_size": False,
            "width": WIDTH, "height": HEIGHT, "show_legend": False, "print_values": False,
            "truncate_label": -1, "truncate_legend": -1, "margin": 12, **options}


def _tree_without(chart: pygal.graph.graph.Graph, *, keep_style: bool = False):
    """The chart's SVG tree without pygal's inline configuration script (nothing runs it) and, unless
    kept, without its ``<style>`` (see ``stylesheet``)."""
    dropped = ("script",) if keep_style else ("script", "style")
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in [child for child in parent if isinstance(child.tag, str) and (
                child.tag.endswith(dropped) or "tooltip" in child.get("class", "").split())]:
            # The tooltip box is shown by pygal's script only, and hidden by a style attribute the Content
            # Security Policy refuses: without the script it has nothing to do.
            parent.remove(child)
    return tree


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    # pygal escapes the labels and titles it writes.
    return Markup(pygal.etree.etree.tostring(_tree_without(chart), encoding="unicode"))


# Enough series that every colour a chart can use has its rule.
STYLED_SERIES = 16


@cache
def stylesheet() -> str:
    """The CSS every chart needs, scoped to ``svg.pygal-chart`` instead of one chart's id."""
    chart = pygal.Bar(**_config("", show_legend=True))
    for number in range(STYLED_SERIES):
        chart.add(str(number), [1])
    tree = _tree_without(chart, keep_style=True)
    css = "".join(element.text or "" for element in tree.iter() if isinstance(element.tag, str)
                  and element.tag.endswith("style"))
    return re.sub(r"#chart-[0-9a-f-]+", "svg.pygal-chart", css)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], *, horizontal: bool = False,
              value_format: str = "{:,.0f}") -> Markup:
    """One series as bars; ``None`` values (e.g. figures suppressed for privacy) are left out."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(HEIGHT, 40 + 32 * len(labels)) if horizontal else HEIGHT
    chart = chart_class(**_config(title, height=height, print_values=True,
                                  formatter=lambda value: value_format.format(value),
                                  x_label_rotation=0 if horizontal or len(labels) <= 6 else 30))
    chart.x_labels = [str(label) for label in labels]
    chart.add(title, [value for value in values])
    return _svg(chart)


def stacked_bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                      *, horizontal: bool = False) -> Markup:
    """Several series stacked per label, with a legend (e.g. registrations by status per event)."""
    chart_class = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    height = max(HEIGHT, 80 + 32 * len(labels)) if horizontal else HEIGHT
    chart = chart_class(**_config(title, height=height, show_legend=True, legend_at_bottom=True,
                                  x_label_rotation=0 if horizontal or len(labels) <= 6 else 30))
    chart.x_labels = [str(label) for label in labels]
    for name, values in series:
        chart.add(str(name), list(values))
    return _svg(chart)


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> Markup:
    """Values over time (e.g. registrations per week), one line per series."""
    chart = pygal.Line(**_config(title, show_legend=len(series) > 1, legend_at_bottom=True,
                                 x_labels_major_count=12, show_minor_x_labels=False, dots_size=2,
                                 x_label_rotation=30))
    chart.x_labels = [str(label) for label in labels]
    for name, values in series:
        chart.add(str(name), list(values))
    return _svg(chart)


def share_chart(title: str, labels: Sequence[str], values: Sequence[float | None]) -> Markup:
    """Parts of a whole as a ring with a legend (e.g. degree or talent-class mix)."""
    chart = pygal.Pie(**_config(title, inner_radius=.45, show_legend=True, legend_at_bottom=True,
                                legend_at_bottom_columns=3, print_values=False))
    for label, value in zip(labels, values, strict=True):
        if value:
            chart.add(str(label), value)
    return _svg(chart)
