"""The analytics' charts, drawn by eventsapp.charts from the figures: the page and the report show the same
SVG. Suppressed figures (fewer than 5 people) are left out of every chart."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup

from eventsapp.analytics.services import AnalyticsFigures
from eventsapp.candidates.choices import DEGREE_LABELS, talent_class_words
from eventsapp.charts import bar_chart, line_chart, share_chart, stacked_bar_chart
from eventsapp.i18n import current_language, pick
from eventsapp.organizations.choices import INDUSTRY_LABELS


@lru_cache(maxsize=128)
def _draw(draw, *args, **options) -> Markup:
    """The chart ``draw(*args, **options)`` drew last time for the same figures and words: pygal takes tens
    of milliseconds a chart, and a page reloaded with nothing changed shows the same charts."""
    return draw(*args, **options)


def _frozen(values) -> tuple:
    return tuple(_frozen(value) if isinstance(value, (list, tuple)) else value for value in values)


def _chart(draw, *args, **options) -> Markup:
    return _draw(draw, *_frozen(args), **options)


# Longer labels (event titles, industries) are cut to fit beside their bar on a phone; the tables have them whole.
LABEL_LENGTH = 18


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[:LABEL_LENGTH - 1] + "…"


# Attendance is charted for the largest events only: a bar per event stays readable up to about this many.
EVENTS_CHARTED = 20


def _known(rows, words):
    """Labels and values of a breakdown's rows that are shown (not suppressed), "not given" last."""
    shown = [row for row in rows if not row.people.suppressed]
    return ([words(row.key) if row.key is not None else _("Not given") for row in shown],
            [row.people.value for row in shown])


def registrations_chart(figures: AnalyticsFigures) -> Markup:
    return _chart(line_chart, _("Registrations received per week"),
                      [week.isoformat() for week, _count in figures.registrations_by_week],
                      [(_("Registrations"), [count.value for _week, count in figures.registrations_by_week])])


def degree_chart(figures: AnalyticsFigures) -> Markup:
    return _chart(share_chart, _("People by degree"),
                  *_known(figures.by_degree, lambda degree: str(DEGREE_LABELS[degree])))


def talent_class_chart(figures: AnalyticsFigures) -> Markup:
    return _chart(share_chart, _("People by talent class"), *_known(figures.by_talent_class, talent_class_words))


def largest_events(figures: AnalyticsFigures):
    """The events with the most confirmed registrations, at most ``EVENTS_CHARTED``, in date order."""
    largest = sorted(figures.per_event, key=lambda row: -(row.confirmed.value or 0))[:EVENTS_CHARTED]
    return sorted(largest, key=lambda row: (row.starts_at, row.event_id))


def attendance_chart(figures: AnalyticsFigures) -> Markup:
    # pygal draws a horizontal chart's first bar at the bottom: the earliest event goes last, to be on top.
    rows = largest_events(figures)[::-1]
    language = current_language()
    checked_in = [row.attended.value for row in rows]
    not_come = [None if row.attended.suppressed or row.confirmed.suppressed or not row.ended
                else row.confirmed.value - row.attended.value for row in rows]
    return _chart(stacked_bar_chart, _("Attendance per event"), [_short(pick(row, "title", language)) for row in rows],
                  [(_("Checked in"), checked_in), (_("Confirmed, did not come"), not_come)], horizontal=True)


def industry_chart(figures: AnalyticsFigures) -> Markup:
    rows = figures.by_industry[::-1]  # section A on top
    labels = [_short(f"{row.industry.value} · {INDUSTRY_LABELS[row.industry]}") for row in rows]
    return _chart(bar_chart, _("Employers by industry"), labels, [row.employers for row in rows], horizontal=True)


def analytics_charts(figures: AnalyticsFigures) -> dict[str, Markup]:
    """Every chart of the page, by name; a chart with nothing to show is left out."""
    charts = {}
    if figures.registrations_by_week:
        charts["registrations"] = registrations_chart(figures)
    if any(not row.people.suppressed for row in figures.by_degree):
        charts["degree"] = degree_chart(figures)
    if any(not row.people.suppressed for row in figures.by_talent_class):
        charts["talent_class"] = talent_class_chart(figures)
    if figures.per_event:
        charts["attendance"] = attendance_chart(figures)
    if figures.by_industry:
        charts["industry"] = industry_chart(figures)
    return charts
