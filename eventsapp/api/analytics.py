"""Analytics figures for organizers: the analytics page's own snapshot (analytics.snapshots.stored_figures,
computed by the scheduler), with the same suppression of groups of fewer than five people."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from eventsapp.analytics.forms import FIRST_YEAR, LAST_YEAR, LONGEST_CUSTOM_PERIOD
from eventsapp.analytics.services import AnalyticsFigures, Filters, PeopleCount, Period, Score, Share
from eventsapp.analytics.snapshots import stored_figures
from eventsapp.api import access, core, errors
from eventsapp.api import schemas as s
from eventsapp.api.events import local_iso
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.events.models import EventKind, Series
from eventsapp.extensions import db
from eventsapp.i18n import localized

blp = core.blueprint("analytics", "The organizers' analytics figures of a period (small groups suppressed).")
SECURED = {"security": [{core.BEARER_SCHEME: []}]}

# The page's headline figures, by the name the API gives them.
FIGURES = ("events_held", "events_cancelled", "registrations", "confirmed_at_ended_events", "attended",
           "attended_at_ended_events", "no_show_rate", "people", "attended_people", "under_35", "under_35_share",
           "phds", "postdocs", "employers", "booths", "openings", "headcount", "interviews", "matched_people",
           "first_choice_share", "interview_slots", "fill_rate", "booths_reporting", "interviewed_reported",
           "offers", "hires", "offers_from_matches", "satisfaction", "nps")


def figure_json(value: PeopleCount | Share | Score | int) -> dict:
    """A figure as the API sends it: suppressed ones (1 to 4 people) have no value, as the page shows "<5"."""
    if isinstance(value, PeopleCount | Share | Score):
        return {"value": value.value, "suppressed": value.suppressed}
    return {"value": value, "suppressed": False}


def _bad(field: str, message: str) -> errors.ApiError:
    return errors.ApiError(422, "invalid_request", message, fields={field: message})


def chosen_period(period: str, year: int | None, half: int, quarter: int, series: int | None,
                  start, end) -> Period:
    """The period of the request, checked as the page's form checks it."""
    year = year or datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).year
    if period == "half":
        return Period.half(year, half)
    if period == "quarter":
        return Period.quarter(year, quarter)
    if period == "series":
        if series is None or db.session.get(Series, series) is None:
            raise _bad("series", _("Choose a series."))
        return Period.series(series)
    if period == "custom":
        if start is None or end is None:
            raise _bad("start" if start is None else "end", _("Enter a date."))
        if end < start:
            raise _bad("end", _("The period must not end before it starts."))
        if end - start > LONGEST_CUSTOM_PERIOD:
            raise _bad("end", _("Choose at most three years."))
        if not (FIRST_YEAR <= start.year and end.year <= LAST_YEAR):
            raise _bad("start", _("Choose dates from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
        return Period.custom(start, end)
    return Period.year(year)


def figures_json(result: AnalyticsFigures) -> tuple[dict, list[dict]]:
    per_event = [{"event_id": str(row.event_id), "title": localized(row, "title"),
                  "starts_at": local_iso(row.starts_at, result.zone), "ended": row.ended,
                  "registrations": figure_json(row.registrations), "confirmed": figure_json(row.confirmed),
                  "attended": figure_json(row.attended), "no_show_rate": figure_json(row.no_show_rate)}
                 for row in result.per_event]
    return {name: figure_json(getattr(result, name)) for name in FIGURES}, per_event


@blp.route("/analytics")
@blp.doc(**SECURED)
@blp.arguments(s.AnalyticsArgs, location="query", as_kwargs=True)
@blp.response(200, s.AnalyticsSchema)
def analytics(period: str, half: int, quarter: int, year: int | None = None, series: int | None = None,
              start=None, end=None, kind: EventKind | None = None, district: str | None = None):
    """The figures of a period, as the analytics page shows them: counts of 1 to 4 people are suppressed
    (organizers; scope: analytics:read). `ready` is false until the scheduler has computed them first."""
    access.analyst()
    if district is not None and district not in HANGZHOU_DISTRICTS:
        raise _bad("district", _("Not a valid choice."))
    chosen = chosen_period(period, year, half, quarter, series, start, end)
    shown = stored_figures(chosen, Filters(kind=kind, district=district or ""))
    result = shown.figures
    if result is None:
        return {"ready": False, "refresh_requested": shown.refresh_requested, "computed_at": None, "figures": None,
                "per_event": []}
    headline, per_event = figures_json(result)
    return {"ready": True, "refresh_requested": shown.refresh_requested,
            "computed_at": local_iso(result.computed_at, result.zone), "figures": headline, "per_event": per_event}
