"""The year-in-review report: the year's analytics figures told as a city's annual talent-work review
(headline sentences, the comparison with the year before, charts, a table per series and per event), as a
PDF rendered by WeasyPrint in the badges' fonts (Noto Sans CJK SC embedded).

``year_review`` reads the figures (the analytics service's, so the report and the page agree); the rest
turns them into HTML and bytes and reads nothing else. Figures the analytics suppress (fewer than 5 people)
stay suppressed here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML

from eventsapp import charts
from eventsapp.analytics.charts import analytics_charts
from eventsapp.analytics.services import AnalyticsFigures, PeopleCount, Period, Share
from eventsapp.analytics.snapshots import fresh
from eventsapp.badges import fonts
from eventsapp.badges.rendering import StaticOnlyFetcher
from eventsapp.events.choices import district_words
from eventsapp.events.models import EventKind
from eventsapp.i18n import to_zone
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.registrations.choices import status_words

LANGUAGES = {"zh_CN": "zh", "en": "en"}
FIRST_YEAR, LAST_YEAR = 2000, 2100


class NothingToReport(ValueError):
    """No published event started in the year."""


@dataclass(frozen=True)
class Comparison:
    """A headline figure this year and the year before, with the change in per cent (None: not comparable,
    because either is suppressed or the year before had none)."""

    label: str
    this_year: str
    last_year: str
    change: float | None


@dataclass(frozen=True)
class YearReview:
    year: int
    language: str  # "zh" or "en"
    figures: AnalyticsFigures
    previous: AnalyticsFigures
    generated_on: date
    # The year's charts in the report's language, as the analytics snapshot stored them (the page shows the
    # same SVG); None: draw them from the figures.
    charts: dict[str, Markup] | None = None


def year_review(year: int, language: str, *, today: date, max_age: timedelta = timedelta(0)) -> YearReview:
    """The year's figures and the year before's; NothingToReport when no event started in the year. The
    analytics snapshots (eventsapp.analytics.snapshots) computed at most ``max_age`` ago are used as they are,
    figures and charts, so the report says exactly what the page showed; older ones are computed now (and
    stored)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NothingToReport(year)
    current = fresh(Period.year(year), max_age=max_age)
    if not current.figures.events_held:
        raise NothingToReport(year)
    previous = fresh(Period.year(year - 1), max_age=max_age).figures
    return YearReview(year, language, current.figures, previous, today, current.charts.get(language))


def number(value: PeopleCount | int) -> str:
    """A figure as printed: thousands separated, "<5" when suppressed."""
    if isinstance(value, PeopleCount):
        return str(value) if value.value is None else f"{value.value:,}"
    return f"{value:,}"


def percent(value: Share) -> str:
    return str(value)


def change(now: PeopleCount | int, before: PeopleCount | int) -> float | None:
    now_value = now.value if isinstance(now, PeopleCount) else now
    before_value = before.value if isinstance(before, PeopleCount) else before
    if now_value is None or not before_value:
        return None
    return (now_value - before_value) / before_value


def _headline_pairs(review: YearReview) -> list[tuple[str, PeopleCount | int, PeopleCount | int]]:
    now, before = review.figures, review.previous
    return [
        (_("Events held"), now.events_held, before.events_held),
        (_("Registrations"), now.registrations, before.registrations),
        (_("People registered"), now.people, before.people),
        (_("People under 35"), now.under_35, before.under_35),
        (_("PhDs"), now.phds, before.phds),
        (_("Postdocs"), now.postdocs, before.postdocs),
        (_("Check-ins"), now.attended, before.attended),
        (_("Employers"), now.employers, before.employers),
        (_("Booths"), now.booths, before.booths),
        (_("Openings"), now.openings, before.openings),
        (_("Headcount offered"), now.headcount, before.headcount),
        (_("Interviews scheduled"), now.interviews, before.interviews),
        (_("Offers"), now.offers, before.offers),
        (_("Hires"), now.hires, before.hires),
    ]


def comparisons(review: YearReview) -> list[Comparison]:
    return [Comparison(label, number(now), number(before), change(now, before))
            for label, now, before in _headline_pairs(review)]


def _talent_day_sentence(review: YearReview) -> str:
    day = next((row for row in review.figures.per_event if row.kind == EventKind.TALENT_DAY), None)
    if day is None:
        return ""
    return _("The Talent Day on 28 September drew %(registrations)s registrations and %(attended)s check-ins.",
             registrations=number(day.registrations), attended=number(day.attended))


def headline_sentences(review: YearReview) -> list[str]:
    """The year's figures in the words of an annual review; each sentence in the report's language."""
    f = review.figures
    sentences = [
        _("In %(year)s, %(people)s people registered at %(events)s events (%(registrations)s registrations); "
          "%(under_35)s of them were under 35 (%(share)s).", year=review.year, people=number(f.people),
          events=number(f.events_held), registrations=number(f.registrations), under_35=number(f.under_35),
          share=percent(f.under_35_share)),
        _("%(phds)s PhDs and %(postdocs)s postdocs took part.", phds=number(f.phds), postdocs=number(f.postdocs)),
        _("%(employers)s employers at %(booths)s booths offered %(openings)s openings for %(headcount)s people.",
          employers=number(f.employers), booths=number(f.booths), openings=number(f.openings),
          headcount=number(f.headcount)),
        _("%(interviews)s interviews were scheduled through matching, %(first)s of them at the booth the candidate "
          "ranked first.", interviews=number(f.interviews), first=percent(f.first_choice_share)),
        _("There were %(attended)s check-ins at the door; the no-show rate was %(rate)s.",
          attended=number(f.attended), rate=percent(f.no_show_rate)),
    ]
    if f.booths_reporting:
        sentences.append(_("In the post-event surveys, employers at %(booths)s booths reported %(offers)s job offers "
                           "and %(hires)s hires; satisfaction averaged %(satisfaction)s of 5 and the NPS was %(nps)s.",
                           booths=number(f.booths_reporting), offers=number(f.offers), hires=number(f.hires),
                           satisfaction=str(f.satisfaction), nps=str(f.nps)))
    talent_day = _talent_day_sentence(review)
    return sentences + ([talent_day] if talent_day else [])


# The values pygal writes into each data point for tooltips and screen readers of the page (``<desc>``):
# a PDF draws none of them, and WeasyPrint's SVG code spends a third of a chart's time on them.
DESCRIPTIONS = re.compile(r"<desc\b[^>]*>.*?</desc>", re.S)


def _styled(chart: Markup, css: str) -> Markup:
    """The chart for the PDF: with the charts' stylesheet inside it (WeasyPrint draws an inline SVG with the
    SVG's own styles only, not the page's), without the data points' descriptions."""
    chart = Markup(DESCRIPTIONS.sub("", str(chart)))
    opening = chart.index(">") + 1
    return Markup(chart[:opening]) + Markup("<style>") + Markup(css) + Markup("</style>") + Markup(chart[opening:])


def year_report_html(review: YearReview) -> str:
    language = review.language
    locale = "zh_CN" if language == "zh" else "en"
    with force_locale(locale):
        return render_template(
            "reports/year.html", review=review, f=review.figures, language=language,
            sentences=headline_sentences(review), comparisons=comparisons(review),
            charts=[_styled(chart, charts.stylesheet()) for chart in (
                review.charts if review.charts is not None else analytics_charts(review.figures)).values()],
            font_family=fonts.CSS_FAMILY, number=number, percent=percent,
            district_words=district_words, industry_labels=INDUSTRY_LABELS, status_words=status_words,
            local_date=lambda value: to_zone(value, review.figures.zone).date().isoformat())


def render_year_report(review: YearReview, static_folder: str | Path) -> bytes:
    """The report as one A4 PDF; WeasyPrint loads nothing but our static files and data: URIs."""
    return HTML(string=year_report_html(review), base_url=Path(static_folder).as_uri() + "/",
                url_fetcher=StaticOnlyFetcher(static_folder)).write_pdf()
