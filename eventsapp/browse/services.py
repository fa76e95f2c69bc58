"""What employers do with the registrants they may see: browse and filter them, keep a shortlist per
booth, and leave a record of every look at a profile or résumé for the candidate to read.

Who may see whom is decided in eventsapp.organizations.access; these functions take that as given
(the booth, the event) and build on its condition. Callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, case, func, or_, select, text
from sqlalchemy.orm import aliased, selectinload

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.browse.models import ProfileView, ShortlistEntry, ViewedItem
from eventsapp.candidates.degrees import DEGREE_LADDER
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass
from eventsapp.checkin.models import BoothLead
from eventsapp.extensions import db
from eventsapp.organizations.access import visible_registrants_condition
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed

PER_PAGE = 25
AGE_LIMIT = 35  # "under 35": the city's definition of young talent
MAX_SEARCH_WORDS = 5
MAX_SKILL_TAGS = 10
NOTE_MAX_LENGTH = 2000
RANK_MAX = 9999

SORT_NAME = "name"
SORT_GRADUATION = "graduation_year"
SORT_GRADUATION_DESC = "-graduation_year"
SORT_DEGREE = "degree"

# Highest first; a profile without a degree comes last.
DEGREE_RANK = {Degree(value): rank for rank, value in enumerate(reversed(DEGREE_LADDER), start=1)} | {
    Degree.OTHER: len(DEGREE_LADDER) + 1}


@dataclass(frozen=True)
class BrowseFilters:
    """What an employer asked for; empty values do not filter."""

    degrees: tuple[Degree, ...] = ()
    major: str = ""
    school: str = ""
    graduation_from: int | None = None
    graduation_to: int | None = None
    talent_classes: tuple[TalentClass, ...] = ()
    skills: tuple[str, ...] = ()  # any of these tags
    under_35: bool = False
    search: str = ""  # every word in the name, Latin name, school or a skill
    sort: str = SORT_NAME


# --- Browsing -------------------------------------------------------------------------------------

def _contains(column, text: str):
    """The column contains the text, ignoring case. Text without upper and lower case (Chinese, digits)
    needs no case folding, and a plain LIKE spares folding every row of a large fair."""
    if text.lower() == text.upper():
        return column.like(contains_pattern(text), escape="\\")
    return column.ilike(contains_pattern(text), escape="\\")


def search_words(text: str) -> list[str]:
    return text.split()[:MAX_SEARCH_WORDS]


def _order_by(sort: str) -> list:
    profile = CandidateProfile
    if sort == SORT_GRADUATION:
        return [profile.graduation_year.is_(None), profile.graduation_year, profile.user_id]
    if sort == SORT_GRADUATION_DESC:
        return [profile.graduation_year.is_(None), profile.graduation_year.desc(), profile.user_id]
    if sort == SORT_DEGREE:
        return [case(DEGREE_RANK, value=profile.degree, else_=len(DEGREE_RANK) + 1), profile.user_id]
    # Latin letters give an order everyone reads alike; the few without them follow, by name.
    return [profile.name_latin == "", func.lower(profile.name_latin), profile.name, profile.user_id]


def _filter_conditions(filters: BrowseFilters, this_year: int) -> list:
    """The filters as SQL conditions, cheapest first: databases test them in about this order."""
    profile = CandidateProfile
    conditions = []
    if filters.degrees:
        conditions.append(profile.degree.in_(filters.degrees))
    if filters.talent_classes:
        conditions.append(profile.talent_class.in_(filters.talent_classes))
    if filters.graduation_from is not None:
        conditions.append(profile.graduation_year >= filters.graduation_from)
    if filters.graduation_to is not None:
        conditions.append(profile.graduation_year <= filters.graduation_to)
    if filters.under_35:
        conditions.append(profile.birth_year > this_year - AGE_LIMIT)
    if filters.major:
        conditions.append(_contains(profile.major, filters.major))
    if filters.school:
        conditions.append(_contains(profile.school, filters.school))
    # The search and the skills read the profile's precomputed, lower-cased columns: a LIKE on one column
    # of the row at hand, instead of three columns and a look into candidate_skill for each registrant.
    for word in search_words(filters.search):
        conditions.append(profile.search_text.like(contains_pattern(word.lower()), escape="\\"))
    if filters.skills:
        conditions.append(or_(*(profile.skill_keys.like(contains_pattern(f"\n{tag.lower()}\n"), escape="\\")
                                for tag in filters.skills)))
    return conditions


def registrants_query(event_id: int, filters: BrowseFilters, this_year: int) -> Select:
    """The event's visible registrants matching the filters, sorted, with their skills loaded."""
    profile = CandidateProfile
    # The join with the event's confirmed registrations leads the plan (the event's thousands of
    # registrants rather than every profile); the access condition stays the rule that decides who is
    # visible. Aliased, so that the condition's own subquery is not correlated with the join.
    confirmed = aliased(Registration)
    return (select(profile)
            .join(confirmed, (confirmed.user_id == profile.user_id) & (confirmed.event_id == event_id)
                  & (confirmed.status == RegistrationStatus.CONFIRMED))
            .where(*_filter_conditions(filters, this_year), visible_registrants_condition(event_id))
            .options(selectinload(profile.skills))
            .order_by(*_order_by(filters.sort)))


class CountedPagination(SelectPagination):
    """A page of a query and its total from one pass over the matches (a window count) rather than
    two: filtering the registrants of a large fair is the expensive part, so it is done once."""

    def _query_items(self) -> list:
        select_ = self._query_args["select"]
        counted = select_.add_columns(func.count().over().label("total")).limit(self.per_page).offset(
            self._query_offset)
        rows = self._query_args["session"].execute(counted).all()
        self._counted_total = rows[0].total if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._counted_total is not None:
            return self._counted_total
        return super()._query_count()  # a page past the end has no rows to carry the count


def browse_registrants(event_id: int, filters: BrowseFilters, this_year: int, page: int) -> CountedPagination:
    """One page of the registrants an employer may see, with the number of all that match."""
    if db.session.get_bind().dialect.name == "postgresql":
        # A parallel worker costs more to start than it saves on a query of this size, and a busy web
        # server has no idle core to give it (measured: 35 → 24 ms). For this transaction only.
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    return CountedPagination(select=registrants_query(event_id, filters, this_year), session=db.session,
                             page=page, per_page=PER_PAGE, error_out=False)


def visible_profile(event_id: int, candidate_id: int) -> CandidateProfile | None:
    """The candidate's profile if employers at this event may see it now."""
    return db.session.scalar(select(CandidateProfile).where(
        CandidateProfile.user_id == candidate_id, visible_registrants_condition(event_id))
        .options(selectinload(CandidateProfile.skills)))


# --- The record of views --------------------------------------------------------------------------

def record_view(candidate_id: int, viewer: User, organization_id: int, event_id: int,
                item: ViewedItem) -> ProfileView:
    view = ProfileView(candidate_id=candidate_id, viewer_id=viewer.id, organization_id=organization_id,
                       event_id=event_id, item=item)
    db.session.add(view)
    db.session.flush()
    return view


def views_of_query(candidate_id: int) -> Select:
    """Who looked at the candidate's profile or résumé, newest first."""
    return (select(ProfileView).where(ProfileView.candidate_id == candidate_id)
            .options(selectinload(ProfileView.organization), selectinload(ProfileView.event))
            .order_by(ProfileView.created_at.desc(), ProfileView.id.desc()))


# --- Shortlists -----------------------------------------------------------------------------------

@dataclass
class ShortlistRow:
    entry: ShortlistEntry
    profile: CandidateProfile | None  # None: the candidate can no longer be seen
    lead: BoothLead | None  # set when staff scanned the candidate's badge at the booth


def _check_entry(note: str, rank: int | None) -> str:
    note = (note or "").strip()
    errors = []
    if len(note) > NOTE_MAX_LENGTH:
        errors.append(("note", _l("At most %(max)d characters.", max=NOTE_MAX_LENGTH)))
    if rank is not None and not 1 <= rank <= RANK_MAX:
        errors.append(("rank", _l("Enter a rank from %(min)d (the best) to %(max)d, or leave it empty.",
                                  min=1, max=RANK_MAX)))
    if errors:
        raise ValidationFailed(errors)
    return note


def find_entry(booth: Booth, entry_id: int) -> ShortlistEntry | None:
    entry = db.session.get(ShortlistEntry, entry_id)
    return entry if entry is not None and entry.booth_id == booth.id else None


def entry_for(booth: Booth, candidate_id: int) -> ShortlistEntry | None:
    return db.session.scalar(select(ShortlistEntry).where(ShortlistEntry.booth_id == booth.id,
                                                          ShortlistEntry.candidate_id == candidate_id))


def add_to_shortlist(booth: Booth, candidate_id: int, added_by: User, note: str = "",
                     rank: int | None = None) -> ShortlistEntry:
    """Put a candidate the booth may see on its shortlist; adding someone twice keeps one entry.

    Raises LookupError when the candidate is not visible at the booth's event.
    """
    note = _check_entry(note, rank)
    if visible_profile(booth.event_id, candidate_id) is None:
        raise LookupError(candidate_id)
    entry = entry_for(booth, candidate_id)
    if entry is None:
        entry = ShortlistEntry(booth_id=booth.id, candidate_id=candidate_id, added_by_id=added_by.id)
        db.session.add(entry)
    if note:
        entry.note = note
    if rank is not None:
        entry.rank = rank
    db.session.flush()
    return entry


def update_entry(entry: ShortlistEntry, note: str, rank: int | None) -> ShortlistEntry:
    entry.note = _check_entry(note, rank)
    entry.rank = rank
    db.session.flush()
    return entry


def remove_entry(entry: ShortlistEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


def shortlist_of(booth: Booth) -> list[ShortlistRow]:
    """The booth's shortlist, ranked first (1 is the best), then in the order added; each entry with the
    candidate's profile while they can still be seen (they may withdraw consent or cancel)."""
    rows = db.session.execute(
        select(ShortlistEntry, BoothLead).outerjoin(BoothLead, BoothLead.shortlist_entry_id == ShortlistEntry.id)
        .where(ShortlistEntry.booth_id == booth.id)
        .order_by(ShortlistEntry.rank.is_(None), ShortlistEntry.rank, ShortlistEntry.created_at, ShortlistEntry.id)
    ).all()
    profiles = {profile.user_id: profile for profile in db.session.scalars(
        select(CandidateProfile).where(CandidateProfile.user_id.in_([entry.candidate_id for entry, _lead in rows]),
                                       visible_registrants_condition(booth.event_id))
        .options(selectinload(CandidateProfile.skills)))} if rows else {}
    return [ShortlistRow(entry, profiles.get(entry.candidate_id), lead) for entry, lead in rows]


def shortlisted_ids(booth: Booth, candidate_ids: list[int]) -> set[int]:
    """Which of these candidates are on the booth's shortlist."""
    if not candidate_ids:
        return set()
    return set(db.session.scalars(select(ShortlistEntry.candidate_id).where(
        ShortlistEntry.booth_id == booth.id, ShortlistEntry.candidate_id.in_(candidate_ids))))
