"""The figures of a period, computed by aggregate queries: one set for the page, the exports and the report.

What is counted (the page's help texts say the same in words):

- Events: published events whose start falls in the period (local dates in the site's time zone) and match
  the filters (kind, district). Cancelled events are counted apart and add nothing else.
- Registrations: every registration at those events, by status. "Registered" means active: confirmed,
  on the waiting list or awaiting approval.
- Attendance: confirmed registrations checked in at the door (``Registration.attended_at``). The no-show
  rate is, over events that have ended, the share of confirmed registrations that were not checked in.
- People: each person once, however many of the period's events they registered for (active
  registrations). Degree, talent class, graduation year and district are read from the person's profile;
  the district is the one the profile's free-text city names (``西湖区``, ``杭州市西湖区`` or ``Xihu``), else
  "other / not given". Under 35: younger than 35 in the year of their first event in the period
  (that year, UTC, minus the birth year); people who give no birth year are not counted as under 35.
- Employers: organizations with an approved booth at the events; booths: approved booths; openings and
  headcount: the openings those organizations list at those events. By industry: the organization's GB/T
  4754 section.
- Survey outcomes: the booths' reported outcomes (``surveys.models.BoothOutcome``) at the events: people
  interviewed, offered a job, hired; offers tied to a match: named candidates offered a job whose record
  names their interview. Satisfaction: the mean of every 1–5 rating answered in the events' surveys; NPS:
  over every 0–10 "would recommend" answer, the percentage of 9s and 10s minus that of 0s to 6s (−100 to
  100). Both for candidates, employers and everyone; shown only from 5 answers.
- Matching: interviews of the published schedules that still take place
  (matchmaking.interviews.live_interview_condition). First-choice share: the share of those interviews at
  the booth the candidate ranked first. Fill rate: interviews that take place ÷ the interview slots the
  booths offered in those schedules (their capacities as the run saw them).

Privacy: any count of people from 1 to 4 is suppressed (``PeopleCount.value`` is None, shown "<5"), and so
is a share whose part or whole is such a count, so no figure singles out fewer than 5 people.
"""
from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Integer, String, case, cast, distinct, exists, extract, func, literal, select, union_all

from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass
from eventsapp.dbtypes import utcnow
from eventsapp.events.choices import DISTRICT_PINYIN
from eventsapp.events.models import Event, EventKind, EventStatus, Series
from eventsapp.extensions import db
from eventsapp.matchmaking.interviews import live_interview_condition
from eventsapp.matchmaking.models import Interview, MatchRun, MatchRunBooth, RunStatus
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry, Organization
from eventsapp.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)

EPOCH = date(1970, 1, 1)
# A figure about fewer people than this is not shown.
PRIVACY_THRESHOLD = 5
UNDER_AGE = 35


@dataclass(frozen=True)
class PeopleCount:
    """A number of people (or of registrations, interviews: each one a person), or None when it is from 1 to
    4 and so would single people out."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"<{PRIVACY_THRESHOLD}" if self.value is None else str(self.value)


def people_count(number: int) -> PeopleCount:
    return PeopleCount(None if 0 < number < PRIVACY_THRESHOLD else number)


@dataclass(frozen=True)
class Share:
    """A part of a whole, from 0 to 1. None: suppressed (part or whole counts 1 to 4 people) or nothing to
    divide (the whole is 0; ``suppressed`` is then False)."""

    value: float | None
    suppressed: bool = False

    def __str__(self) -> str:
        if self.suppressed:
            return f"<{PRIVACY_THRESHOLD}"
        return "—" if self.value is None else f"{self.value:.1%}"


def share(part: int, whole: int, *, people: bool = True) -> Share:
    """``part / whole``; suppressed when either counts 1 to 4 people (``people=False``: slots, not people, in
    the whole)."""
    if whole == 0:
        return Share(None)
    if 0 < part < PRIVACY_THRESHOLD or (people and whole < PRIVACY_THRESHOLD):
        return Share(None, suppressed=True)
    return Share(part / whole)


@dataclass(frozen=True)
class Score:
    """An average of answers (a 1–5 satisfaction) or an NPS (−100 to 100), over ``answers`` answers; None
    when nobody answered or fewer than 5 did (``suppressed``)."""

    value: float | None
    answers: int
    suppressed: bool = False
    places: int = 1

    @property
    def answered(self) -> PeopleCount:
        return people_count(self.answers)

    def __str__(self) -> str:
        if self.suppressed:
            return f"<{PRIVACY_THRESHOLD}"
        return "—" if self.value is None else f"{self.value:.{self.places}f}"


def score(total: float, answers: int, places: int = 1) -> Score:
    if answers == 0:
        return Score(None, 0, places=places)
    if answers < PRIVACY_THRESHOLD:
        return Score(None, answers, suppressed=True, places=places)
    return Score(total / answers, answers, places=places)


@dataclass(frozen=True)
class SurveyRow:
    """Survey answers of one group (candidates, employers) or of everyone (``respondent`` None)."""

    respondent: Respondent | None
    responses: PeopleCount
    satisfaction: Score
    nps: Score


class PeriodKind(enum.StrEnum):
    YEAR = "year"
    HALF = "half"  # spring: January–June; autumn: July–December
    QUARTER = "quarter"
    SERIES = "series"  # every event of a series, whenever it takes place
    CUSTOM = "custom"  # chosen first and last day


@dataclass(frozen=True)
class Period:
    """Which events count: those starting from ``start`` to ``end`` (local dates, both included), or those of
    the series ``series_id``. Build one with the class methods."""

    kind: PeriodKind
    start: date | None = None
    end: date | None = None
    series_id: int | None = None
    number: int | None = None  # the half (1, 2) or the quarter (1–4)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise ValueError("a half is 1 (January–June) or 2 (July–December)")
        return cls(PeriodKind.HALF, date(year, 1 + 6 * (half - 1), 1),
                   date(year, 6, 30) if half == 1 else date(year, 12, 31), number=half)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("a quarter is 1 to 4")
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(PeriodKind.QUARTER, first, last - timedelta(days=1), number=quarter)

    @classmethod
    def series(cls, series_id: int) -> Period:
        return cls(PeriodKind.SERIES, series_id=series_id)

    @classmethod
    def custom(cls, start: date, end: date) -> Period:
        if end < start:
            raise ValueError("the period ends before it starts")
        return cls(PeriodKind.CUSTOM, start, end)

    def previous(self) -> Period | None:
        """The period just before, for comparisons (the year before, the half before …); None for a series."""
        if self.kind == PeriodKind.YEAR:
            return Period.year(self.start.year - 1)
        if self.kind == PeriodKind.HALF:
            return Period.half(self.start.year - (self.number == 1), 2 if self.number == 1 else 1)
        if self.kind == PeriodKind.QUARTER:
            return Period.quarter(self.start.year - (self.number == 1), 4 if self.number == 1 else self.number - 1)
        if self.kind == PeriodKind.CUSTOM:
            length = self.end - self.start
            return Period.custom(self.start - length - timedelta(days=1), self.start - timedelta(days=1))
        return None


@dataclass(frozen=True)
class Filters:
    kind: EventKind | None = None
    district: str = ""  # one of HANGZHOU_DISTRICTS (the event's), or empty: any


@dataclass(frozen=True)
class EventRow:
    event_id: int
    slug: str
    title_zh: str
    title_en: str
    starts_at: datetime
    kind: EventKind
    district: str
    series_id: int | None
    ended: bool
    registrations: PeopleCount  # active
    confirmed: PeopleCount
    attended: PeopleCount
    no_show_rate: Share  # only once the event has ended


@dataclass(frozen=True)
class SeriesRow:
    series_id: int
    title_zh: str
    title_en: str
    events: int
    registrations: PeopleCount  # active
    people: PeopleCount  # each person once within the series
    attended: PeopleCount


@dataclass(frozen=True)
class IndustryRow:
    industry: Industry
    employers: int
    booths: int
    openings: int
    headcount: int


@dataclass(frozen=True)
class PeopleRow:
    """One group of people in a breakdown (a degree, a class …); ``key`` None: not given."""

    key: object
    people: PeopleCount
    share: Share


@dataclass(frozen=True)
class AnalyticsFigures:
    period: Period
    filters: Filters
    computed_at: datetime
    events_held: int
    events_cancelled: int
    registrations: PeopleCount  # active registrations
    registrations_by_status: tuple[tuple[RegistrationStatus, PeopleCount], ...]
    confirmed_at_ended_events: PeopleCount
    attended: PeopleCount  # check-ins: confirmed registrations checked in
    attended_at_ended_events: PeopleCount
    no_show_rate: Share
    people: PeopleCount  # unique people registered
    attended_people: PeopleCount  # unique people checked in
    under_35: PeopleCount
    under_35_share: Share
    phds: PeopleCount
    postdocs: PeopleCount
    by_degree: tuple[PeopleRow, ...]  # key: Degree or None
    by_talent_class: tuple[PeopleRow, ...]  # key: TalentClass or None
    by_graduation_year: tuple[PeopleRow, ...]  # key: int or None
    by_district: tuple[PeopleRow, ...]  # key: a district of HANGZHOU_DISTRICTS, or None: other / not given
    employers: int
    booths: int
    openings: int
    headcount: int
    by_industry: tuple[IndustryRow, ...]
    interviews: PeopleCount
    matched_people: PeopleCount
    first_choice_share: Share
    interview_slots: int
    fill_rate: Share
    booths_reporting: int  # booths whose staff reported outcomes in a survey
    interviewed_reported: PeopleCount
    offers: PeopleCount
    hires: PeopleCount
    offers_from_matches: PeopleCount
    satisfaction: Score  # everyone's 1–5 ratings
    nps: Score  # everyone's "would recommend"
    surveys: tuple[SurveyRow, ...]  # candidates, employers, everyone
    registrations_by_week: tuple[tuple[date, PeopleCount], ...]  # Monday of each week, local dates
    per_event: tuple[EventRow, ...]
    per_series: tuple[SeriesRow, ...]
    zone: str = field(default="Asia/Shanghai")


def _bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    if period.start is None:
        return None
    first = datetime.combine(period.start, time(), zone).astimezone(UTC)
    after = datetime.combine(period.end + timedelta(days=1), time(), zone).astimezone(UTC)
    return first, after


def _event_conditions(period: Period, filters: Filters, zone: ZoneInfo) -> list:
    conditions = []
    bounds = _bounds(period, zone)
    if bounds is not None:
        conditions += [Event.starts_at >= bounds[0], Event.starts_at < bounds[1]]
    if period.series_id is not None:
        conditions.append(Event.series_id == period.series_id)
    if filters.kind is not None:
        conditions.append(Event.kind == filters.kind)
    if filters.district:
        conditions.append(Event.district == filters.district)
    return conditions


def district_of_city(city: str) -> str | None:
    """The Hangzhou district a free-text city names (``西湖区``, ``杭州市西湖区``, ``Xihu``), or None."""
    lowered = city.lower()
    for district in HANGZHOU_DISTRICTS:
        if district in city or DISTRICT_PINYIN[district].lower() in lowered:
            return district
    return None


def _people_breakdowns(conditions) -> dict[str, dict]:
    """Each person registered (active) at an event in scope once, grouped by every dimension in one query.

    The districts are read from the distinct cities, and the ages from the distinct (birth year, year of
    the first event) pairs, in Python: a handful of groups, where doing it per person in SQL costs more."""
    people = (select(Registration.user_id.label("user_id"),
                     func.min(Event.starts_at).label("first_start"),
                     func.max(case((Registration.attended_at.is_not(None), 1), else_=0)).label("attended"))
              .join(Event, Event.id == Registration.event_id)
              .where(Event.status == EventStatus.PUBLISHED, *conditions, Registration.status.in_(ACTIVE_STATUSES))
              .group_by(Registration.user_id).cte("people"))
    profiles = (select(people.c.attended,
                       cast(CandidateProfile.degree, String).label("degree"),
                       cast(CandidateProfile.talent_class, String).label("talent_class"),
                       cast(CandidateProfile.graduation_year, String).label("graduation_year"),
                       CandidateProfile.city.label("city"), CandidateProfile.birth_year.label("birth_year"),
                       extract("year", people.c.first_start).label("first_year"))
                .select_from(people.outerjoin(CandidateProfile, CandidateProfile.user_id == people.c.user_id))
                .cte("profiles"))
    parts = [select(literal("total").label("dimension"), literal("people").label("key"),
                    literal(None, Integer).label("year"), func.count().label("n")).select_from(profiles),
             select(literal("total"), literal("attended"), literal(None, Integer),
                    func.coalesce(func.sum(profiles.c.attended), 0)).select_from(profiles),
             select(literal("age"), cast(profiles.c.birth_year, String), cast(profiles.c.first_year, Integer),
                    func.count()).group_by(profiles.c.birth_year, profiles.c.first_year)]
    for dimension in ("degree", "talent_class", "graduation_year", "city"):
        column = profiles.c[dimension]
        parts.append(select(literal(dimension), column, literal(None, Integer), func.count()).group_by(column))
    found: dict[str, dict] = defaultdict(dict)
    under = 0
    for dimension, key, year, number in db.session.execute(union_all(*parts)):
        if dimension == "age":
            under += number if key is not None and year - int(key) < UNDER_AGE else 0
        elif dimension == "city":
            district = district_of_city(key or "")
            found["district"][district] = found["district"].get(district, 0) + int(number)
        else:
            found[dimension][key] = int(number)
    found["under_35"] = {"yes": under}
    return found


def _breakdown(counts: dict[str | None, int], keys: list, total: int, convert=lambda key: key) -> tuple[PeopleRow, ...]:
    """Rows for ``keys`` in order (those with nobody left out), then "not given" when anyone is."""
    rows = [PeopleRow(key, people_count(counts.get(str(key), 0)), share(counts.get(str(key), 0), total))
            for key in keys if counts.get(str(key), 0)]
    missing = sum(number for key, number in counts.items() if key in (None, ""))
    if missing:
        rows.append(PeopleRow(None, people_count(missing), share(missing, total)))
    return tuple(rows)


def _day_number(zone_name: str):
    """The local day a registration was made, as SQL: days since 1970-01-01 on the zone's clock (at its
    current offset from UTC), which is cheaper per row than converting each time to the zone."""
    offset = (datetime.now(ZoneInfo(zone_name)).utcoffset() or timedelta()).total_seconds()
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = extract("epoch", Registration.created_at)
    else:
        seconds = cast(func.strftime("%s", Registration.created_at), Integer)
    return func.floor((seconds + offset) / 86400)


def _registrations_by_week(scope, zone_name: str) -> tuple[tuple[date, PeopleCount], ...]:
    day = _day_number(zone_name).label("day")
    weeks: dict[date, int] = defaultdict(int)
    for number_of_days, number in db.session.execute(
            select(day, func.count()).where(Registration.event_id.in_(scope)).group_by(day)):
        when = EPOCH + timedelta(days=int(number_of_days))
        weeks[when - timedelta(days=when.weekday())] += number
    if not weeks:
        return ()
    first, last = min(weeks), max(weeks)
    return tuple((first + timedelta(weeks=index), people_count(weeks.get(first + timedelta(weeks=index), 0)))
                 for index in range((last - first).days // 7 + 1))


def _per_event(scope_conditions, scope, now: datetime) -> tuple[list, dict]:
    events = db.session.execute(
        select(Event.id, Event.slug, Event.title_zh, Event.title_en, Event.starts_at, Event.ends_at, Event.kind,
               Event.district, Event.series_id)
        .where(Event.status == EventStatus.PUBLISHED, *scope_conditions).order_by(Event.starts_at, Event.id)).all()
    counts: dict[int, dict[RegistrationStatus, tuple[int, int]]] = defaultdict(dict)
    for event_id, status, number, attended in db.session.execute(
            select(Registration.event_id, Registration.status, func.count(), func.count(Registration.attended_at))
            .where(Registration.event_id.in_(scope)).group_by(Registration.event_id, Registration.status)):
        counts[event_id][status] = (number, attended)
    return events, counts


def figures(period: Period, filters: Filters | None = None, *, zone: str | None = None,
            now: datetime | None = None) -> AnalyticsFigures:
    """Every figure of the analytics page for the period and filters, each person counted once where it
    says people, small counts suppressed (see the module's docstring for the definitions)."""
    filters = filters or Filters()
    zone = zone or current_app.config["DEFAULT_EVENT_TIMEZONE"]
    now = now or utcnow()
    conditions = _event_conditions(period, filters, ZoneInfo(zone))
    scope = select(Event.id).where(Event.status == EventStatus.PUBLISHED, *conditions).scalar_subquery()
    events_cancelled = db.session.scalar(select(func.count()).select_from(Event).where(
        Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None), *conditions))

    events, counts = _per_event(conditions, scope, now)
    by_status: dict[RegistrationStatus, int] = defaultdict(int)
    attended = confirmed_ended = attended_ended = 0
    event_rows = []
    for event in events:
        per_status = counts.get(event.id, {})
        confirmed, event_attended = per_status.get(RegistrationStatus.CONFIRMED, (0, 0))
        for status, (number, _attended) in per_status.items():
            by_status[status] += number
        ended = event.ends_at <= now
        attended += event_attended
        if ended:
            confirmed_ended += confirmed
            attended_ended += event_attended
        active = sum(per_status.get(status, (0, 0))[0] for status in ACTIVE_STATUSES)
        event_rows.append(EventRow(
            event.id, event.slug, event.title_zh, event.title_en, event.starts_at, event.kind, event.district,
            event.series_id, ended, people_count(active), people_count(confirmed), people_count(event_attended),
            share(confirmed - event_attended, confirmed) if ended else Share(None)))

    found = _people_breakdowns(conditions)
    total_people = found["total"].get("people", 0)
    degrees = found["degree"]
    under = found["under_35"].get("yes", 0)

    booths_by_industry = {industry: (booths, employers) for industry, booths, employers in db.session.execute(
        select(Organization.industry, func.count(Booth.id), func.count(distinct(Booth.organization_id)))
        .join(Organization, Organization.id == Booth.organization_id)
        .where(Booth.status == BoothStatus.APPROVED, Booth.event_id.in_(scope)).group_by(Organization.industry))}
    approved_booth = exists(select(Booth.id).where(
        Booth.event_id == Opening.event_id, Booth.organization_id == Opening.organization_id,
        Booth.status == BoothStatus.APPROVED))
    openings_by_industry = {industry: (number, headcount) for industry, number, headcount in db.session.execute(
        select(Organization.industry, func.count(Opening.id), func.coalesce(func.sum(Opening.headcount), 0))
        .join(Organization, Organization.id == Opening.organization_id)
        .where(Opening.event_id.in_(scope), approved_booth).group_by(Organization.industry))}
    industry_rows = tuple(
        IndustryRow(industry, booths_by_industry.get(industry, (0, 0))[1], booths_by_industry.get(industry, (0, 0))[0],
                    openings_by_industry.get(industry, (0, 0))[0], int(openings_by_industry.get(industry, (0, 0))[1]))
        for industry in Industry if industry in booths_by_industry or industry in openings_by_industry)

    interviews, first_choice, matched = db.session.execute(
        select(func.count(Interview.id), func.count(case((Interview.choice_position == 1, Interview.id))),
               func.count(distinct(Interview.candidate_id)))
        .join(MatchRun, MatchRun.id == Interview.run_id)
        .where(MatchRun.status == RunStatus.PUBLISHED, MatchRun.event_id.in_(scope), live_interview_condition())
    ).one()
    slots = db.session.scalar(
        select(func.coalesce(func.sum(MatchRunBooth.capacity), 0)).join(MatchRun, MatchRun.id == MatchRunBooth.run_id)
        .where(MatchRun.status == RunStatus.PUBLISHED, MatchRun.event_id.in_(scope)))

    return AnalyticsFigures(
        period=period, filters=filters, computed_at=now, zone=zone,
        events_held=len(events), events_cancelled=events_cancelled,
        registrations=people_count(sum(by_status[status] for status in ACTIVE_STATUSES)),
        registrations_by_status=tuple((status, people_count(by_status[status])) for status in RegistrationStatus),
        confirmed_at_ended_events=people_count(confirmed_ended), attended=people_count(attended),
        attended_at_ended_events=people_count(attended_ended),
        no_show_rate=share(confirmed_ended - attended_ended, confirmed_ended),
        people=people_count(total_people), attended_people=people_count(found["total"].get("attended", 0)),
        under_35=people_count(under), under_35_share=share(under, total_people),
        phds=people_count(degrees.get(Degree.PHD.value, 0)),
        postdocs=people_count(degrees.get(Degree.POSTDOC.value, 0)),
        by_degree=_breakdown(degrees, list(Degree), total_people),
        by_talent_class=_breakdown(found["talent_class"], list(TalentClass), total_people),
        by_graduation_year=_breakdown(found["graduation_year"], sorted(
            int(year) for year in found["graduation_year"] if year not in (None, "")), total_people),
        by_district=_breakdown(found["district"], list(HANGZHOU_DISTRICTS), total_people),
        employers=sum(employers for _booths, employers in booths_by_industry.values()),
        booths=sum(booths for booths, _employers in booths_by_industry.values()),
        openings=sum(number for number, _headcount in openings_by_industry.values()),
        headcount=int(sum(headcount for _number, headcount in openings_by_industry.values())),
        by_industry=industry_rows,
        interviews=people_count(interviews), matched_people=people_count(matched),
        first_choice_share=share(first_choice, interviews), interview_slots=int(slots),
        fill_rate=share(interviews, int(slots), people=False),
        **_survey_figures(scope),
        registrations_by_week=_registrations_by_week(scope, zone),
        per_event=tuple(event_rows), per_series=_per_series(events, counts, scope),
    )


def _per_series(events: list, counts: dict, scope) -> tuple[SeriesRow, ...]:
    series_ids = sorted({event.series_id for event in events if event.series_id is not None})
    if not series_ids:
        return ()
    people = dict(db.session.execute(
        select(Event.series_id, func.count(distinct(Registration.user_id)))
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.event_id.in_(scope), Registration.status.in_(ACTIVE_STATUSES), Event.series_id.is_not(None))
        .group_by(Event.series_id)).all())
    titles = {series.id: series for series in db.session.scalars(select(Series).where(Series.id.in_(series_ids)))}
    rows = []
    for series_id in series_ids:
        members = [counts.get(event.id, {}) for event in events if event.series_id == series_id]
        registrations = sum(per_status.get(status, (0, 0))[0] for per_status in members for status in ACTIVE_STATUSES)
        attended = sum(per_status.get(RegistrationStatus.CONFIRMED, (0, 0))[1] for per_status in members)
        rows.append(SeriesRow(series_id, titles[series_id].title_zh, titles[series_id].title_en, len(members),
                              people_count(registrations), people_count(people.get(series_id, 0)),
                              people_count(attended)))
    return tuple(rows)


def _survey_figures(scope) -> dict:
    booths, interviewed, offers, hires = db.session.execute(
        select(func.count(BoothOutcome.booth_id), func.coalesce(func.sum(BoothOutcome.interviewed), 0),
               func.coalesce(func.sum(BoothOutcome.offers), 0), func.coalesce(func.sum(BoothOutcome.hires), 0))
        .where(BoothOutcome.event_id.in_(scope))).one()
    from_matches = db.session.scalar(select(func.count()).select_from(OutcomeCandidate).where(
        OutcomeCandidate.event_id.in_(scope), OutcomeCandidate.offered, OutcomeCandidate.interview_id.is_not(None)))
    in_scope = SurveyResponse.survey_id.in_(select(Survey.id).where(Survey.event_id.in_(scope)))
    responses = dict(db.session.execute(
        select(SurveyResponse.respondent, func.count()).where(in_scope).group_by(SurveyResponse.respondent)).all())
    # Per group and scale: answers, their sum, promoters (9–10) and detractors (0–6).
    scales: dict[tuple[Respondent, SurveyQuestionKind], tuple[int, int, int, int]] = {}
    for respondent, kind, answers, total, promoters, detractors in db.session.execute(
            select(SurveyResponse.respondent, SurveyQuestion.kind, func.count(SurveyAnswer.number),
                   func.coalesce(func.sum(SurveyAnswer.number), 0),
                   func.count(case((SurveyAnswer.number >= 9, 1))), func.count(case((SurveyAnswer.number <= 6, 1))))
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(in_scope, SurveyAnswer.number.is_not(None),
                   SurveyQuestion.kind.in_((SurveyQuestionKind.RATING, SurveyQuestionKind.RECOMMEND)))
            .group_by(SurveyResponse.respondent, SurveyQuestion.kind)):
        scales[(respondent, kind)] = (answers, int(total), promoters, detractors)

    def group(respondents: tuple[Respondent, ...], label: Respondent | None) -> SurveyRow:
        rating = [sum(scales.get((who, SurveyQuestionKind.RATING), (0, 0, 0, 0))[index] for who in respondents)
                  for index in range(4)]
        recommend = [sum(scales.get((who, SurveyQuestionKind.RECOMMEND), (0, 0, 0, 0))[index] for who in respondents)
                     for index in range(4)]
        nps = score(100 * (recommend[2] - recommend[3]), recommend[0], places=0)
        return SurveyRow(label, people_count(sum(responses.get(who, 0) for who in respondents)),
                         score(rating[1], rating[0]), nps)

    everyone = group(tuple(Respondent), None)
    return dict(booths_reporting=booths, interviewed_reported=people_count(int(interviewed)),
                offers=people_count(int(offers)), hires=people_count(int(hires)),
                offers_from_matches=people_count(from_matches), satisfaction=everyone.satisfaction, nps=everyone.nps,
                surveys=(group((Respondent.CANDIDATE,), Respondent.CANDIDATE),
                         group((Respondent.EMPLOYER,), Respondent.EMPLOYER), everyone))


def events_held(period: Period, filters: Filters | None = None, zone: str | None = None) -> int:
    """How many published events the period has (one cheap count: whether there is anything to report)."""
    conditions = _event_conditions(period, filters or Filters(),
                                   ZoneInfo(zone or current_app.config["DEFAULT_EVENT_TIMEZONE"]))
    return db.session.scalar(select(func.count()).select_from(Event).where(
        Event.status == EventStatus.PUBLISHED, *conditions))
