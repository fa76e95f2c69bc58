"""Openings at a fair: employers keep their organization's list; anyone searches the openings of the
organizations that hold an approved booth; candidates bookmark booths. Services flush; callers commit."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth, booth_code_order
from eventsapp.candidates.degrees import DEGREE_LADDER
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.openings.models import Bookmark, Opening
from eventsapp.organizations import access
from eventsapp.organizations.models import Industry, Organization, OrganizationMember, OrganizationStatus
from eventsapp.textsearch import contains_pattern
from eventsapp.typedtext import clean_line, split_tags
from eventsapp.validation import ValidationFailed

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_WORK_CITY = 100
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_TAGS_TEXT = 500  # the stored column
MAX_HEADCOUNT = 10_000
MAX_SALARY = 1_000_000
MAX_SEARCH_LENGTH = 100
PER_PAGE = 20



@dataclass
class OpeningData:
    """An opening as typed: text as is (tags still in one line each), numbers as numbers or ``None``."""

    title: str = ""
    description: str = ""
    degree: Degree | None = None
    majors: str = ""
    skills: str = ""
    headcount: int | None = 1
    salary_min: int | None = None
    salary_max: int | None = None
    work_city: str = ""


@dataclass
class OpeningFilters:
    """What a visitor searches the openings of a fair for; empty values do not filter."""

    text: str = ""
    degree: Degree | None = None  # the visitor's degree: openings it satisfies
    major: str = ""
    city: str = ""
    industry: Industry | None = None
    organization_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.text or self.degree or self.major or self.city or self.industry or self.organization_id)


# --- Text ----------------------------------------------------------------------------------------

def _clean_text(text: str) -> str:
    """Several lines kept as lines, each without control characters; no empty lines at either end."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = ["".join(char for char in line if unicodedata.category(char) != "Cc" or char == "\t").rstrip()
            for line in lines]
    return "\n".join(kept).strip("\n").strip()


def parse_tags(text: str, field: str) -> list[str]:
    """Tags from one line (see eventsapp.typedtext), each at most MAX_TAG_LENGTH long, at most MAX_TAGS of them."""
    tags = split_tags(text)
    too_long = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
    errors = []
    if too_long:
        errors.append((field, _l("Each entry can have at most %(max)d characters: “%(tag)s…”.",
                                 max=MAX_TAG_LENGTH, tag=too_long[0][:20])))
    if len(tags) > MAX_TAGS:
        errors.append((field, _l("Enter at most %(max)d entries; you entered %(count)d.",
                                 max=MAX_TAGS, count=len(tags))))
    elif not too_long and len(",".join(tags)) > MAX_TAGS_TEXT:
        errors.append((field, _l("Too long in all: at most %(max)d characters together.", max=MAX_TAGS_TEXT)))
    if errors:
        raise ValidationFailed(errors)
    return tags


def tags_of(stored: str) -> list[str]:
    """The stored comma-separated text as a list."""
    return [tag for tag in (stored or "").split(",") if tag]


# --- Degrees and salaries ------------------------------------------------------------------------

def accepted_degrees(candidate_degree: Degree) -> tuple[Degree, ...]:
    """The requirements a candidate with this degree meets (besides "no requirement")."""
    if candidate_degree not in DEGREE_LADDER:
        return ()
    return tuple(Degree(value) for value in DEGREE_LADDER[:DEGREE_LADDER.index(candidate_degree) + 1])


def degree_satisfies(candidate_degree: Degree, required: Degree | None) -> bool:
    """Whether a candidate's degree meets an opening's lowest accepted degree."""
    return required is None or required in accepted_degrees(candidate_degree)


def format_salary(salary_min: int | None, salary_max: int | None) -> str:
    """“¥15,000–25,000 / month” in the page's language; "" when no salary is given."""
    low = format_decimal(salary_min) if salary_min is not None else None
    high = format_decimal(salary_max) if salary_max is not None else None
    if low is not None and high is not None:
        if salary_min == salary_max:
            return _("¥%(amount)s / month", amount=low)
        return _("¥%(min)s–%(max)s / month", min=low, max=high)
    if low is not None:
        return _("from ¥%(amount)s / month", amount=low)
    if high is not None:
        return _("up to ¥%(amount)s / month", amount=high)
    return ""


# --- Employers: keeping the list -----------------------------------------------------------------

def _why_not_allowed(member: OrganizationMember | None) -> str:
    if member is None:
        return _l("Your account does not belong to an organization yet. Register your organization "
                  "or ask a colleague to invite you.")
    if member.organization.status == OrganizationStatus.PENDING:
        return _l("Your organization is waiting for the organizers' verification. You can add openings "
                  "once it is verified.")
    if member.organization.status == OrganizationStatus.SUSPENDED:
        return _l("Your organization is suspended by the organizers, so it cannot list openings. See your "
                  "organization's page for the reason.")
    return _l("Your organization was not verified, so it cannot list openings. See your "
              "organization's page for the reason.")


def why_organization_cannot_list(user: User) -> list[str]:
    """Why this employer account may not list openings at all (access.can_change_openings decides)."""
    if access.can_change_openings(user):
        return []
    return [_why_not_allowed(access.membership_of(user))]


def why_cannot_change_openings(user: User, event: Event, now: datetime | None = None) -> list[str]:
    """Everything that stops this employer account from adding or changing openings at the event now."""
    now = now or utcnow()
    problems = why_organization_cannot_list(user)
    if event.status == EventStatus.CANCELLED:
        problems.append(_l("This event has been cancelled."))
    elif event.status != EventStatus.PUBLISHED:
        problems.append(_l("This event is not open yet."))
    elif now >= event.ends_at:
        problems.append(_l("This event is over: its openings can no longer be changed."))
    return problems


def _opening_errors(data: OpeningData) -> list[tuple[str, str]]:
    errors = []
    title = clean_line(data.title)
    if not title:
        errors.append(("title", _l("Enter the job title.")))
    elif len(title) > MAX_TITLE:
        errors.append(("title", _l("At most %(max)d characters.", max=MAX_TITLE)))
    if len(_clean_text(data.description)) > MAX_DESCRIPTION:
        errors.append(("description", _l("At most %(max)d characters.", max=MAX_DESCRIPTION)))
    if data.degree is not None and data.degree not in DEGREE_LADDER:
        errors.append(("degree", _l("Choose a degree from the list, or no requirement.")))
    for field, text in (("majors", data.majors), ("skills", data.skills)):
        try:
            parse_tags(text, field)
        except ValidationFailed as failure:
            errors.extend(failure.errors)
    if data.headcount is None:
        errors.append(("headcount", _l("Enter how many people you want to hire.")))
    elif not 1 <= data.headcount <= MAX_HEADCOUNT:
        errors.append(("headcount", _l("Enter a whole number from %(min)d to %(max)d.", min=1, max=MAX_HEADCOUNT)))
    salary_ok = True
    for field, value in (("salary_min", data.salary_min), ("salary_max", data.salary_max)):
        if value is not None and not 0 <= value <= MAX_SALARY:
            errors.append((field, _l("Enter a monthly amount in yuan from 0 to %(max)s.", max="1,000,000")))
            salary_ok = False
    if salary_ok and data.salary_min is not None and data.salary_max is not None and data.salary_min > data.salary_max:
        errors.append(("salary_max", _l("The highest salary cannot be lower than the lowest.")))
    if len(clean_line(data.work_city)) > MAX_WORK_CITY:
        errors.append(("work_city", _l("At most %(max)d characters.", max=MAX_WORK_CITY)))
    return errors


def save_opening(organization_id: int, event_id: int, data: OpeningData, opening: Opening | None = None) -> Opening:
    """Add an opening for the organization at the event, or change ``opening``; who may do so is the caller's rule."""
    errors = _opening_errors(data)
    if errors:
        raise ValidationFailed(errors)
    if opening is None:
        opening = Opening(organization_id=organization_id, event_id=event_id)
        db.session.add(opening)
    opening.title = clean_line(data.title)
    opening.description = _clean_text(data.description)
    opening.degree = data.degree
    opening.majors = ",".join(parse_tags(data.majors, "majors"))
    opening.skills = ",".join(parse_tags(data.skills, "skills"))
    opening.headcount = data.headcount
    opening.salary_min = data.salary_min
    opening.salary_max = data.salary_max
    opening.work_city = clean_line(data.work_city)
    db.session.flush()
    return opening


def opening_data_of(opening: Opening) -> OpeningData:
    """What the edit form shows: tags separated by commas and spaces."""
    return OpeningData(title=opening.title, description=opening.description, degree=opening.degree,
                       majors=", ".join(tags_of(opening.majors)), skills=", ".join(tags_of(opening.skills)),
                       headcount=opening.headcount, salary_min=opening.salary_min, salary_max=opening.salary_max,
                       work_city=opening.work_city)


def delete_opening(opening: Opening) -> None:
    db.session.delete(opening)
    db.session.flush()


def openings_of_organization(organization_id: int, event_id: int) -> list[Opening]:
    return list(db.session.scalars(select(Opening).where(
        Opening.organization_id == organization_id, Opening.event_id == event_id).order_by(Opening.id)))


def count_openings_by_event(organization_id: int, event_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(Opening.event_id, func.count()).where(
        Opening.organization_id == organization_id, Opening.event_id.in_(event_ids)).group_by(Opening.event_id))
    return dict(rows.all())


def booths_of_organization(organization_id: int, event_ids: list[int]) -> dict[int, list[Booth]]:
    """The organization's booth applications at these events, by event: what decides whether openings show."""
    booths = db.session.scalars(select(Booth).where(
        Booth.organization_id == organization_id, Booth.event_id.in_(event_ids)).order_by(Booth.id))
    result: dict[int, list[Booth]] = {}
    for booth in booths:
        result.setdefault(booth.event_id, []).append(booth)
    return result


# --- Everyone: searching a fair's openings ------------------------------------------------------

def _approved_booth_at_event():
    """SQL condition on Opening: its organization holds an active booth (approved, organization in good
    standing) at the opening's event."""
    return exists().where(Booth.event_id == Opening.event_id, Booth.organization_id == Opening.organization_id,
                          access.active_booth_condition())


def search_query(event_id: int, filters: OpeningFilters) -> Select:
    """The public openings of the event matching the filters, each with its organization loaded."""
    query = (select(Opening).join(Opening.organization)
             .where(Opening.event_id == event_id, _approved_booth_at_event())
             .options(contains_eager(Opening.organization))
             .order_by(Opening.created_at.desc(), Opening.id.desc()))
    text = clean_line(filters.text)[:MAX_SEARCH_LENGTH]
    if text:
        pattern = contains_pattern(text)
        query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            Opening.title, Opening.description, Opening.skills, Opening.majors,
            Organization.name_zh, Organization.name_en))))
    if filters.degree is not None:
        accepted = accepted_degrees(filters.degree)
        query = query.where(or_(Opening.degree.is_(None), Opening.degree.in_(accepted)) if accepted
                            else Opening.degree.is_(None))
    major = clean_line(filters.major)[:MAX_SEARCH_LENGTH]
    if major:
        query = query.where(Opening.majors.ilike(contains_pattern(major), escape="\\"))
    city = clean_line(filters.city)[:MAX_SEARCH_LENGTH]
    if city:
        query = query.where(Opening.work_city.ilike(contains_pattern(city), escape="\\"))
    if filters.industry is not None:
        query = query.where(Organization.industry == filters.industry)
    if filters.organization_id is not None:
        query = query.where(Opening.organization_id == filters.organization_id)
    return query


def search_openings(event_id: int, filters: OpeningFilters, page: int = 1, per_page: int = PER_PAGE):
    """One page of the search (a Flask-SQLAlchemy pagination)."""
    return db.paginate(search_query(event_id, filters), page=max(page, 1), per_page=per_page, error_out=False)


def approved_booths_by_organization(event_id: int, organization_ids: list[int]) -> dict[int, list[Booth]]:
    """Organization id → its approved booths at the event, halls loaded: one query for a whole page."""
    if not organization_ids:
        return {}
    booths = db.session.scalars(select(Booth).where(
        Booth.event_id == event_id, Booth.organization_id.in_(set(organization_ids)),
        access.active_booth_condition()).options(joinedload(Booth.hall)).order_by(*booth_code_order(), Booth.id))
    result: dict[int, list[Booth]] = {}
    for booth in booths:
        result.setdefault(booth.organization_id, []).append(booth)
    return result


def organization_at_event(event_id: int, organization_id: int) -> Organization | None:
    """The organization, if it holds an approved booth at the event (for the search's organization filter)."""
    return db.session.scalar(select(Organization).where(Organization.id == organization_id, exists().where(
        Booth.event_id == event_id, Booth.organization_id == Organization.id, access.active_booth_condition())))


def cities_at_event(event_id: int) -> list[str]:
    """The work cities named by the event's public openings, for the filter's suggestions."""
    return list(db.session.scalars(select(Opening.work_city).distinct().where(
        Opening.event_id == event_id, Opening.work_city != "", _approved_booth_at_event())
        .order_by(Opening.work_city)))


# --- Candidates: bookmarks ----------------------------------------------------------------------

def bookmarkable_booth(booth_id: int) -> Booth | None:
    """The booth, if candidates may bookmark it: active (approved, organization in good standing), at a
    published event."""
    return db.session.scalar(select(Booth).join(Booth.event).where(
        Booth.id == booth_id, access.active_booth_condition(), Event.status == EventStatus.PUBLISHED))


def set_bookmark(user: User, booth_id: int, bookmarked: bool) -> Booth:
    """Bookmark the booth, or remove the bookmark; doing either twice changes nothing.

    Raises LookupError for a booth that does not exist, or that cannot be bookmarked: only approved
    booths of published events can be. A bookmark can always be removed, even after the booth was withdrawn.
    """
    if not bookmarked:
        booth = db.session.get(Booth, booth_id)
        if booth is None:
            raise LookupError(booth_id)
        db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.booth_id == booth_id))
        db.session.flush()
        return booth
    booth = bookmarkable_booth(booth_id)
    if booth is None:
        raise LookupError(booth_id)
    if db.session.get(Bookmark, (user.id, booth_id)) is None:
        try:
            with db.session.begin_nested():  # a second submit at the same moment finds the row taken
                db.session.add(Bookmark(user_id=user.id, booth_id=booth_id))
        except IntegrityError:
            pass
    return booth


def bookmarked_booth_ids(user: User | None, booth_ids: list[int]) -> set[int]:
    """Which of these booths the user has bookmarked; empty for visitors and for other roles."""
    if user is None or not user.is_authenticated or not booth_ids:
        return set()
    return set(db.session.scalars(select(Bookmark.booth_id).where(
        Bookmark.user_id == user.id, Bookmark.booth_id.in_(set(booth_ids)))))


@dataclass
class EventBookmarks:
    event: Event
    bookmarks: list[Bookmark]


def bookmarks_of(user: User) -> list[EventBookmarks]:
    """The user's bookmarks grouped by event, soonest event first; events not public are left out."""
    bookmarks = db.session.scalars(
        select(Bookmark).join(Bookmark.booth).join(Booth.event).join(Booth.organization)
        .where(Bookmark.user_id == user.id, Event.is_public)
        .options(contains_eager(Bookmark.booth).contains_eager(Booth.event),
                 contains_eager(Bookmark.booth).contains_eager(Booth.organization),
                 contains_eager(Bookmark.booth).joinedload(Booth.hall))
        .order_by(Event.starts_at, Event.id, *booth_code_order(), Booth.id))
    return [EventBookmarks(event=event, bookmarks=list(group))
            for event, group in groupby(bookmarks, key=lambda bookmark: bookmark.booth.event)]


def is_bookmark_visible(booth: Booth) -> bool:
    """Whether a bookmarked booth is still on show: approved, at a published event."""
    return access.is_active_booth(booth) and booth.event.status == EventStatus.PUBLISHED

