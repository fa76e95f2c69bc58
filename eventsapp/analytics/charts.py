"""The analytics' charts, drawn by eventsapp.charts from the figures: the page and the report show the same
SVG. Suppressed figures (fewer than 5 people) are left out of every chart."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from eventsapp.analytics.services import AnalyticsFigures
from eventsapp.candidates.choices import DEGREE_LABELS, talent_class_words
from eventsapp.charts import bar_chart, line_chart, share_chart, stacked_bar_chart
from eventsapp.i18n import current_language, pick
from eventsapp.organizations.choices import INDUSTRY_LABELS

# Attendance is charted for the largest events only: a bar per event stays readable up to about this many.
EVENTS_CHARTED = 20


def _known(rows, words):
    """Labels and values of a breakdown's rows that are shown (not suppressed), "not given" last."""
    shown = [row for row in rows if not row.people.suppressed]
    return ([words(row.key) if row.key is not None else _("Not given") for row in shown],
            [row.people.value for row in shown])


def registrations_chart(figures: AnalyticsFigures) -> Markup:
    return line_chart(_("Registrations received per week"),
                      [week.isoformat() for week, _count in figures.registrations_by_week],
                      [(_("Registrations"), [count.value for _week, count in figures.registrations_by_week])])


def degree_chart(figures: AnalyticsFigures) -> Markup:
    return share_chart(_("People by degree"), *_known(figures.by_degree, lambda degree: str(DEGREE_LABELS[degree])))


def talent_class_chart(figures: AnalyticsFigures) -> Markup:
    return share_chart(_("People by talent class"), *_known(figures.by_talent_class, talent_class_words))


def largest_events(figures: AnalyticsFigures):
    """The events with the most confirmed registrations, at most ``EVENTS_CHARTED``, in date order."""
    largest = sorted(figures.per_event, key=lambda row: -(row.confirmed.value or 0))[:EVENTS_CHARTED]
    return sorted(largest, key=lambda row: (row.starts_at, row.event_id))


def attendance_chart(figures: AnalyticsFigures) -> Markup:
    rows = largest_events(figures)
    language = current_language()
    checked_in = [row.attended.value for row in rows]
    not_come = [None if row.attended.suppressed or row.confirmed.suppressed or not row.ended
                else row.confirmed.value - row.attended.value for row in rows]
    return stacked_bar_chart(_("Attendance per event"), [pick(row, "title", language) for row in rows],
                             [(_("Checked in"), checked_in), (_("Confirmed, did not come"), not_come)],
                             horizontal=True)


def industry_chart(figures: AnalyticsFigures) -> Markup:
    rows = figures.by_industry
    return bar_chart(_("Employers by industry"), [f"{row.industry.value} · {INDUSTRY_LABELS[row.industry]}"
                                                  for row in rows], [row.employers for row in rows], horizontal=True)


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
