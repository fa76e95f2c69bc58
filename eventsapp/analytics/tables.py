"""The analytics' tables in the reader's language: the page shows them, the exports write them (CSV and XLSX)
and the report can print them. Cells stay numbers (or ``PeopleCount`` / ``Share``) until written out."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.analytics.services import AnalyticsFigures, PeopleCount, Score, Share
from eventsapp.candidates.choices import DEGREE_LABELS, talent_class_words
from eventsapp.events.choices import KIND_LABELS, district_words
from eventsapp.i18n import current_language, pick, to_zone
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.registrations.choices import STATUS_LABELS
from eventsapp.spreadsheets import Column
from eventsapp.surveys.models import Respondent

RESPONDENT_LABELS = {Respondent.CANDIDATE: _l("Candidates"), Respondent.EMPLOYER: _l("Employers"), None: _l("Everyone")}


@dataclass(frozen=True)
class Table:
    key: str  # stable: the export's file name and the page's anchor
    title: str
    help: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]  # cells: str, int, PeopleCount or Share


# Every table's key, in the page's order: the exports' addresses name them.
TABLE_KEYS = ("events", "series", "registrations", "degree", "talent_class", "graduation_year", "district",
              "industry", "surveys")
NOT_GIVEN = _l("Not given")
PEOPLE = Column("people", _l("Number of people"))
SHARE = Column("share", _l("Share of people"))


def _people_rows(rows, words) -> tuple[tuple, ...]:
    return tuple((words(row.key) if row.key is not None else str(NOT_GIVEN), row.people, row.share) for row in rows)


def analytics_tables(figures: AnalyticsFigures) -> list[Table]:
    """Every table of the analytics page, in the page's order."""
    language = current_language()
    return [
        Table("events", _("Events"), _("Each published event of the period that matches the filters. "
                                       "Registered: confirmed, on the waiting list or awaiting approval. "
                                       "No-show rate: confirmed but not checked in, once the event has ended."),
              (Column("event", _l("Event")), Column("date", _l("Date")), Column("kind", _l("Kind")),
               Column("district", _l("District")), Column("registered", _l("Registered")),
               Column("confirmed", _l("Confirmed")), Column("attended", _l("Checked in")),
               Column("no_show_rate", _l("No-show rate"))),
              tuple((pick(row, "title", language), to_zone(row.starts_at, figures.zone).date().isoformat(),
                     str(KIND_LABELS[row.kind]),
                     district_words(row.district, language) if row.district else "", row.registrations, row.confirmed,
                     row.attended, row.no_show_rate) for row in figures.per_event)),
        Table("series", _("Series"), _("Each series with events in the period. People: each person once within "
                                       "the series, however many of its events they registered for."),
              (Column("series", _l("Series")), Column("events", _l("Events")),
               Column("registered", _l("Registered")), PEOPLE, Column("attended", _l("Checked in"))),
              tuple((pick(row, "title", language), row.events, row.registrations, row.people, row.attended)
                    for row in figures.per_series)),
        Table("registrations", _("Registrations by status"),
              _("Every registration at the period's events, by where it stands now. A person registered for two "
                "events counts twice here."),
              (Column("status", _l("Status")), Column("registrations", _l("Registrations"))),
              tuple((str(STATUS_LABELS[status]), count) for status, count in figures.registrations_by_status)),
        Table("degree", _("People by degree"), _("Each person once, by the degree in their profile."),
              (Column("degree", _l("Degree")), PEOPLE, SHARE),
              _people_rows(figures.by_degree, lambda degree: str(DEGREE_LABELS[degree]))),
        Table("talent_class", _("People by talent class"),
              _("Each person once, by the talent class (A–F) in their profile."),
              (Column("talent_class", _l("Talent class")), PEOPLE, SHARE),
              _people_rows(figures.by_talent_class, talent_class_words)),
        Table("graduation_year", _("People by graduation year"),
              _("Each person once, by the year they graduated or will graduate."),
              (Column("graduation_year", _l("Graduation year")), PEOPLE, SHARE),
              _people_rows(figures.by_graduation_year, str)),
        Table("district", _("People by district"),
              _("Each person once, by the Hangzhou district their profile's city names; anything else is "
                "counted as not given."),
              (Column("district", _l("District")), PEOPLE, SHARE),
              _people_rows(figures.by_district, lambda district: district_words(district, language))),
        Table("industry", _("Employers by industry"),
              _("Organizations with an approved booth at the period's events, by their GB/T 4754 section; the "
                "openings they list at those events and the people they want to hire."),
              (Column("industry", _l("Industry")), Column("employers", _l("Employers")),
               Column("booths", _l("Booths")), Column("openings", _l("Openings")),
               Column("headcount", _l("Headcount"))),
              tuple((f"{row.industry.value} · {INDUSTRY_LABELS[row.industry]}", row.employers, row.booths,
                     row.openings, row.headcount) for row in figures.by_industry)),
        Table("surveys", _("Survey answers"),
              _("Answers to the surveys of the period's events. Satisfaction: the mean of every 1–5 rating. NPS: "
                "of every 0–10 “would you recommend” answer, the percentage of 9 and 10 minus that of 0 to 6 "
                "(from −100 to 100). Shown from 5 answers."),
              (Column("respondents", _l("Who answered")), Column("responses", _l("Responses")),
               Column("satisfaction", _l("Satisfaction (1–5)")), Column("nps", _l("NPS"))),
              tuple((str(RESPONDENT_LABELS[row.respondent]), row.responses, row.satisfaction, row.nps)
                    for row in figures.surveys)),
    ]


# The page lists the events table this many rows at a time (a city's year has hundreds of events); its CSV
# and XLSX have every row.
EVENTS_PER_PAGE = 25


@dataclass(frozen=True)
class EventsPage:
    """Which rows of the events table the page lists: ``number`` of ``pages`` (from 1), rows ``first`` to
    ``last`` (from 1) of ``total``."""

    number: int
    pages: int
    first: int
    last: int
    total: int


def paged_events(tables: list[Table], number: int, per_page: int | None = None) -> EventsPage:
    """Cut the events table of ``tables`` (in place) to its page ``number``, kept within the pages there are
    (an out-of-range or absurd number shows the nearest page)."""
    per_page = per_page or EVENTS_PER_PAGE
    index = next(index for index, table in enumerate(tables) if table.key == "events")
    table = tables[index]
    total = len(table.rows)
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    tables[index] = Table(table.key, table.title, table.help, table.columns, table.rows[start:start + per_page])
    return EventsPage(number, pages, start + 1 if total else 0, min(start + per_page, total), total)


def cell_text(value) -> str:
    """A cell as text: suppressed counts read "<5", shares as percentages."""
    if isinstance(value, (PeopleCount, Share, Score)):
        return str(value)
    return "" if value is None else str(value)


def cell_value(value):
    """A cell as a spreadsheet keeps it: numbers as numbers, shares as fractions, suppressed as "<5"."""
    if isinstance(value, PeopleCount):
        return str(value) if value.suppressed else value.value
    if isinstance(value, Share):
        return str(value) if value.suppressed or value.value is None else value.value
    if isinstance(value, Score):
        return str(value) if value.suppressed or value.value is None else value.value
    return value


def number_format(value) -> str | None:
    """How a spreadsheet shows the cell's number, as the page does: shares in per cent, scores rounded."""
    if isinstance(value, Share) and value.value is not None:
        return "0.0%"
    if isinstance(value, Score) and value.value is not None:
        return "0" if value.places == 0 else "0." + "0" * value.places
    return None
