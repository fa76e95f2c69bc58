"""Matching preferences: the organizer's settings for a fair, the booths each candidate ranks, and
the employer's view of its booth's ranking of the candidates who ranked it.

Who takes part: candidates with a CONFIRMED registration at the fair, and active booths of the
fair (APPROVED, of an organization in good standing: organizations.access). The runs and the
employer's ranking page read what they rank through ``matchmaking.inputs`` and rank with
``ranking.rank_booth``, so the employer sees the order the engine gets. Services flush; the
caller commits.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth, booth_code_order
from eventsapp.booths.services import hosts_booths
from eventsapp.candidates.models import CandidateProfile
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.i18n import format_local_datetime
from eventsapp.matchmaking import fitscore
from eventsapp.matchmaking.inputs import read_booth_wants, read_matching_inputs
from eventsapp.matchmaking.models import BoothExclusion, CandidateChoice, MatchingRound, MatchRun, RunStatus
from eventsapp.matchmaking.ranking import NO_WANTS, BoothOrder, Ranked
from eventsapp.openings.models import Opening
from eventsapp.organizations.access import active_booth_condition, is_active_booth, visible_registrants_condition
from eventsapp.organizations.models import Industry, Organization
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed

MAX_RANKED = (1, 50)
INTERVIEWS_PER_CANDIDATE = (1, 20)
SLOT_MINUTES = (5, 240)
MAX_SEARCH_LENGTH = 100
BOOTHS_PER_PAGE = 20


class PreferenceRefused(Exception):
    """A change to a candidate's list cannot be made; ``reasons`` say why, for people."""

    def __init__(self, *reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(reason) for reason in reasons))


# --- The organizer's settings ---------------------------------------------------------------------

@dataclass
class RoundSettings:
    deadline: datetime  # aware, UTC
    interviews_start_at: datetime
    interviews_end_at: datetime
    max_ranked: int = 10
    interviews_per_candidate: int = 3
    slot_minutes: int = 30
    weights: dict[str, int] = field(default_factory=lambda: dict(fitscore.DEFAULT_WEIGHTS))


def hosts_matching(event: Event) -> bool:
    return hosts_booths(event)  # matching pairs candidates with booths


def matching_round(event_id: int) -> MatchingRound | None:
    return db.session.get(MatchingRound, event_id)


def weights_of(round_: MatchingRound | None) -> dict[str, int]:
    """The round's fit-score weights, every criterion present (the defaults without a round)."""
    if round_ is None:
        return dict(fitscore.DEFAULT_WEIGHTS)
    try:
        stored = json.loads(round_.weights_json or "{}")
    except ValueError:
        stored = {}
    return fitscore.clean_weights(stored)


def slot_count(start: datetime, end: datetime, slot_minutes: int) -> int:
    """How many whole slots the interview hours hold."""
    if end <= start or slot_minutes <= 0:
        return 0
    return int((end - start) // timedelta(minutes=slot_minutes))


def default_settings(event: Event) -> RoundSettings:
    """A first proposal: interviews all fair long, preferences until the day before."""
    return RoundSettings(deadline=event.starts_at - timedelta(days=1), interviews_start_at=event.starts_at,
                         interviews_end_at=event.ends_at)


def settings_of(round_: MatchingRound) -> RoundSettings:
    return RoundSettings(deadline=round_.deadline, interviews_start_at=round_.interviews_start_at,
                         interviews_end_at=round_.interviews_end_at, max_ranked=round_.max_ranked,
                         interviews_per_candidate=round_.interviews_per_candidate,
                         slot_minutes=round_.slot_minutes, weights=weights_of(round_))


def _in_range(value, bounds: tuple[int, int]) -> bool:
    return isinstance(value, int) and bounds[0] <= value <= bounds[1]


def _settings_errors(event: Event, settings: RoundSettings) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if not hosts_matching(event):
        errors.append((None, _l("Only fairs match candidates to booths.")))
    if event.status == EventStatus.CANCELLED:
        errors.append((None, _l("This event has been cancelled.")))
    for name, bounds in (("max_ranked", MAX_RANKED), ("interviews_per_candidate", INTERVIEWS_PER_CANDIDATE),
                         ("slot_minutes", SLOT_MINUTES)):
        if not _in_range(getattr(settings, name), bounds):
            errors.append((name, _l("Enter a whole number from %(min)d to %(max)d.", min=bounds[0], max=bounds[1])))
    for name in fitscore.CRITERIA:
        if not _in_range(settings.weights.get(name), (fitscore.WEIGHT_MIN, fitscore.WEIGHT_MAX)):
            errors.append((f"weight_{name}", _l("Enter a whole number from %(min)d to %(max)d.",
                                                min=fitscore.WEIGHT_MIN, max=fitscore.WEIGHT_MAX)))
    start, end = settings.interviews_start_at, settings.interviews_end_at
    if end <= start:
        errors.append(("interviews_end_at", _l("The interviews must end after they start.")))
    else:
        zone = ZoneInfo(event.timezone)
        fair_hours = _l("The interviews must take place while the fair is open (%(start)s to %(end)s).",
                        start=format_local_datetime(event.starts_at, event.timezone),
                        end=format_local_datetime(event.ends_at, event.timezone))
        if start < event.starts_at:
            errors.append(("interviews_start_at", fair_hours))
        if end > event.ends_at:
            errors.append(("interviews_end_at", fair_hours))
        if start.astimezone(zone).date() != end.astimezone(zone).date():
            errors.append(("interviews_end_at", _l("The interviews must start and end on the same day.")))
        if _in_range(settings.slot_minutes, SLOT_MINUTES) and slot_count(start, end, settings.slot_minutes) < 1:
            errors.append(("slot_minutes", _l("Not even one slot of %(minutes)d minutes fits into the interview "
                                              "hours.", minutes=settings.slot_minutes)))
    if settings.deadline >= start:
        errors.append(("deadline", _l("The deadline must be before the interviews start.")))
    longest = longest_list(event.id)
    if _in_range(settings.max_ranked, MAX_RANKED) and settings.max_ranked < longest:
        errors.append(("max_ranked", _l("A candidate has already ranked %(count)d booths: the maximum cannot be "
                                        "lower than that.", count=longest)))
    return errors


def save_round(event: Event, settings: RoundSettings) -> MatchingRound:
    """Open (or change) the fair's matching: candidates may rank booths until the deadline."""
    errors = _settings_errors(event, settings)
    if errors:
        raise ValidationFailed(errors)
    round_ = matching_round(event.id)
    if round_ is None:
        round_ = MatchingRound(event_id=event.id)
        db.session.add(round_)
    round_.deadline = settings.deadline
    round_.max_ranked = settings.max_ranked
    round_.interviews_per_candidate = settings.interviews_per_candidate
    round_.slot_minutes = settings.slot_minutes
    round_.interviews_start_at = settings.interviews_start_at
    round_.interviews_end_at = settings.interviews_end_at
    round_.weights_json = json.dumps({name: settings.weights[name] for name in fitscore.CRITERIA})
    db.session.flush()
    return round_


def longest_list(event_id: int) -> int:
    """The most booths any candidate has ranked at the fair (to warn before lowering the maximum)."""
    counts = (select(func.count().label("n")).where(CandidateChoice.event_id == event_id)
              .group_by(CandidateChoice.candidate_id).subquery())
    return db.session.scalar(select(func.max(counts.c.n))) or 0


def count_rankers(event_id: int) -> int:
    """How many candidates have ranked at least one booth at the fair."""
    return db.session.scalar(select(func.count(func.distinct(CandidateChoice.candidate_id)))
                             .where(CandidateChoice.event_id == event_id)) or 0


# --- Candidates: their ranked booths -------------------------------------------------------------

def is_open(round_: MatchingRound | None, now: datetime | None = None) -> bool:
    return round_ is not None and (now or utcnow()) < round_.deadline


def schedule_published(event_id: int) -> bool:
    """Whether the fair's interview schedule is out: then nobody's list changes any more, as the
    published schedule was made from them (whatever the deadline said)."""
    return db.session.scalar(select(MatchRun.id).where(MatchRun.event_id == event_id,
                                                       MatchRun.status == RunStatus.PUBLISHED).limit(1)) is not None


SCHEDULE_PUBLISHED = _l("The interview schedule for this fair has been published, so the lists are closed.")


def _confirmed(event_id: int, candidate_id: int, lock: bool = False) -> Registration | None:
    query = select(Registration).where(Registration.event_id == event_id, Registration.user_id == candidate_id,
                                       Registration.status == RegistrationStatus.CONFIRMED)
    if lock:  # one change to a candidate's list at a time: positions stay 1..n
        query = query.with_for_update()
    return db.session.scalar(query)


def why_cannot_rank(event: Event, user: User | None, now: datetime | None = None) -> list[str]:
    """Everything that stops this person from changing their list now; empty when they can."""
    round_ = matching_round(event.id)
    if not hosts_matching(event) or round_ is None:
        return [_l("This fair is not taking preferences for interviews.")]
    if event.status != EventStatus.PUBLISHED:
        return [_l("This event is not open for preferences.")]
    if schedule_published(event.id):
        return [SCHEDULE_PUBLISHED]
    if not is_open(round_, now):
        return [_l("Preferences closed on %(deadline)s.",
                   deadline=format_local_datetime(round_.deadline, event.timezone))]
    if user is None or not user.is_authenticated or user.role != Role.CANDIDATE:
        return [_l("Only candidates rank booths.")]
    if _confirmed(event.id, user.id) is None:
        return [_l("Only candidates with a confirmed registration for this fair can rank its booths.")]
    return []


def _check_can_rank(event: Event, user: User, now: datetime | None) -> MatchingRound:
    problems = why_cannot_rank(event, user, now)
    if problems:
        raise PreferenceRefused(*problems)
    _confirmed(event.id, user.id, lock=True)
    return matching_round(event.id)


def _choices(event_id: int, candidate_id: int) -> list[CandidateChoice]:
    return list(db.session.scalars(select(CandidateChoice).where(
        CandidateChoice.event_id == event_id, CandidateChoice.candidate_id == candidate_id)
        .order_by(CandidateChoice.position, CandidateChoice.id)))


def _renumber(choices: list[CandidateChoice]) -> None:
    for position, choice in enumerate(choices, start=1):
        if choice.position != position:
            choice.position = position


def add_choice(event: Event, user: User, booth_id: int, now: datetime | None = None) -> CandidateChoice:
    """Put a booth at the end of the candidate's list."""
    round_ = _check_can_rank(event, user, now)
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.event_id != event.id:
        raise PreferenceRefused(_l("This booth is not at this fair."))
    if not is_active_booth(booth):
        raise PreferenceRefused(_l("This booth is not taking part in the fair."))
    choices = _choices(event.id, user.id)
    if any(choice.booth_id == booth_id for choice in choices):
        raise PreferenceRefused(_l("This booth is already in your list."))
    if len(choices) >= round_.max_ranked:
        raise PreferenceRefused(_l("Your list is full: you can rank at most %(max)d booths. Remove one to add "
                                   "another.", max=round_.max_ranked))
    choice = CandidateChoice(event_id=event.id, candidate_id=user.id, booth_id=booth_id, position=len(choices) + 1)
    try:
        with db.session.begin_nested():  # a double click at the same moment: the unique index decides
            db.session.add(choice)
    except IntegrityError:
        raise PreferenceRefused(_l("This booth is already in your list.")) from None
    return choice


def remove_choice(event: Event, user: User, booth_id: int, now: datetime | None = None) -> None:
    """Take a booth off the list; the ones below move up."""
    _check_can_rank(event, user, now)
    choices = _choices(event.id, user.id)
    removed = [choice for choice in choices if choice.booth_id == booth_id]
    if not removed:
        raise LookupError(booth_id)
    db.session.delete(removed[0])
    _renumber([choice for choice in choices if choice.booth_id != booth_id])
    db.session.flush()


def move_choice(event: Event, user: User, booth_id: int, to_position: int, now: datetime | None = None) -> int:
    """Move a booth to a place in the list (clamped to 1..n); returns the place it got."""
    _check_can_rank(event, user, now)
    choices = _choices(event.id, user.id)
    moving = next((choice for choice in choices if choice.booth_id == booth_id), None)
    if moving is None:
        raise LookupError(booth_id)
    others = [choice for choice in choices if choice is not moving]
    place = min(max(to_position, 1), len(choices))
    others.insert(place - 1, moving)
    _renumber(others)
    db.session.flush()
    return place


def candidate_choices(event_id: int, candidate_id: int) -> list[CandidateChoice]:
    """The candidate's list, most wanted first, each with its booth, organization and hall loaded."""
    return list(db.session.scalars(select(CandidateChoice).where(
        CandidateChoice.event_id == event_id, CandidateChoice.candidate_id == candidate_id)
        .options(joinedload(CandidateChoice.booth).joinedload(Booth.organization),
                 joinedload(CandidateChoice.booth).joinedload(Booth.hall))
        .order_by(CandidateChoice.position, CandidateChoice.id)))


@dataclass
class RankableBooth:
    booth: Booth
    opening_titles: list[str]
    position: int | None  # where it is in the candidate's list, if it is


def rankable_booths(event_id: int, candidate_id: int | None, search: str = "", industry: Industry | None = None,
                    page: int = 1, per_page: int = BOOTHS_PER_PAGE):
    """One page of the fair's approved booths that match the search (organization name, booth code or
    an opening's title) and industry, by booth code; returns (pagination, [RankableBooth])."""
    query = (select(Booth).join(Booth.organization)
             .where(Booth.event_id == event_id, active_booth_condition())
             .options(joinedload(Booth.organization), joinedload(Booth.hall))
             .order_by(*booth_code_order(), Organization.name_zh, Booth.id))
    text = " ".join(search.split())[:MAX_SEARCH_LENGTH]
    if text:
        pattern = contains_pattern(text)
        titled = select(Opening.organization_id).where(Opening.event_id == event_id,
                                                       Opening.title.ilike(pattern, escape="\\"))
        query = query.where(or_(Organization.name_zh.ilike(pattern, escape="\\"),
                                Organization.name_en.ilike(pattern, escape="\\"),
                                Booth.code.ilike(pattern, escape="\\"), Booth.organization_id.in_(titled)))
    if industry is not None:
        query = query.where(Organization.industry == industry)
    pagination = db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)
    booths = list(pagination.items)
    titles = opening_titles(event_id, {booth.organization_id for booth in booths})
    positions = {}
    if candidate_id is not None and booths:
        positions = dict(db.session.execute(select(CandidateChoice.booth_id, CandidateChoice.position).where(
            CandidateChoice.event_id == event_id, CandidateChoice.candidate_id == candidate_id,
            CandidateChoice.booth_id.in_([booth.id for booth in booths]))).all())
    return pagination, [RankableBooth(booth, titles.get(booth.organization_id, []), positions.get(booth.id))
                        for booth in booths]


def opening_titles(event_id: int, organization_ids: Collection[int]) -> dict[int, list[str]]:
    """Organization id → the titles of its openings at the fair (one query)."""
    if not organization_ids:
        return {}
    rows = db.session.execute(select(Opening.organization_id, Opening.title).where(
        Opening.event_id == event_id, Opening.organization_id.in_(list(organization_ids)))
        .order_by(Opening.created_at, Opening.id))
    titles: dict[int, list[str]] = {}
    for organization_id, title in rows:
        titles.setdefault(organization_id, []).append(title)
    return titles


# --- Booths: their ranking of the candidates who ranked them ---------------------------------------

@dataclass
class RankingRow:
    candidate_id: int
    profile: CandidateProfile
    shortlist_rank: int | None
    score: float
    parts: dict[str, float]
    sort_key: tuple[int, int, float]
    excluded: bool
    place: int | None = None  # the booth's place for them (ties share it); None when excluded
    tie: bool = False


@dataclass
class BoothRanking:
    rows: list[RankingRow]  # acceptable candidates the booth may see, in the booth's order
    excluded: list[RankingRow]
    weights: dict[str, int]
    wants: fitscore.BoothWants
    round: MatchingRound | None
    hidden: int = 0  # candidates who ranked the booth and did not agree to be seen: counted, nothing more


def _visible_rankers(booth: Booth) -> tuple[dict[int, CandidateProfile], int]:
    """The profiles of the candidates who ranked the booth and whom its staff may see (confirmed at the
    fair and consenting, organizations/access.py), and how many others the matching counts (confirmed)."""
    ranked_it = select(CandidateChoice.candidate_id).where(CandidateChoice.event_id == booth.event_id,
                                                           CandidateChoice.booth_id == booth.id)
    profiles = {profile.user_id: profile for profile in db.session.scalars(
        select(CandidateProfile).where(CandidateProfile.user_id.in_(ranked_it),
                                       visible_registrants_condition(booth.event_id))
        .options(selectinload(CandidateProfile.skills)))}
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == booth.event_id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.user_id.in_(ranked_it)))
    return profiles, confirmed - len(profiles)


def booth_ranking(booth: Booth) -> BoothRanking:
    """The employer's view of its booth's ranking: ``ranking.rank_booth``, the function the runs
    rank with, over the candidates the booth may see only. Nothing about the others — no score,
    part, place or id, which would tell e.g. their degree — is read or computed for the page; they
    are only counted. Places are among the visible candidates (the matching's order between them);
    ties are listed in candidate id order, as the run's lottery is drawn only when it runs."""
    event_id = booth.event_id
    round_ = matching_round(event_id)
    weights = weights_of(round_)
    profiles, hidden = _visible_rankers(booth)
    read = read_matching_inputs(event_id, weights, booth_ids={booth.id}, candidate_ids=profiles.keys()) \
        if profiles else None
    order = read.booth_order(booth.id) if read is not None else BoothOrder([], [])

    def shown(ranked: Ranked, excluded: bool) -> RankingRow:
        return RankingRow(ranked.candidate_id, profiles[ranked.candidate_id], ranked.shortlist_rank, ranked.score,
                          ranked.parts, ranked.sort_key, excluded)
    rows = [shown(ranked, False) for ranked in order.ranked]
    excluded = [shown(ranked, True) for ranked in order.excluded]
    keys = [row.sort_key for row in rows]
    for index, row in enumerate(rows):
        row.tie = (index > 0 and keys[index - 1] == keys[index]) or (
            index + 1 < len(rows) and keys[index + 1] == keys[index])
        row.place = rows[index - 1].place if index > 0 and keys[index - 1] == keys[index] else index + 1
    wants = (read.wants if read is not None else read_booth_wants(event_id, {booth.id})).get(booth.id, NO_WANTS)
    return BoothRanking(rows, excluded, weights, wants, round_, hidden)


def why_booth_ranking_closed(event_id: int) -> list[str]:
    """Why the booth's not-acceptable marks can no longer change; empty while they can."""
    return [SCHEDULE_PUBLISHED] if schedule_published(event_id) else []


def set_acceptable(booth: Booth, candidate_id: int, acceptable: bool, actor_id: int | None) -> None:
    """Mark a candidate who ranked the booth as not acceptable for it, or acceptable again; refused
    once the schedule is published. Only candidates the booth may see: for anyone else LookupError,
    as if they had not ranked it (the answer must not tell whether they did)."""
    closed = why_booth_ranking_closed(booth.event_id)
    if closed:
        raise PreferenceRefused(*closed)
    ranked = db.session.scalar(select(CandidateChoice.id).join(
        CandidateProfile, CandidateProfile.user_id == CandidateChoice.candidate_id).where(
        CandidateChoice.event_id == booth.event_id, CandidateChoice.booth_id == booth.id,
        CandidateChoice.candidate_id == candidate_id, visible_registrants_condition(booth.event_id)))
    if ranked is None:
        raise LookupError(candidate_id)
    existing = db.session.get(BoothExclusion, (booth.id, candidate_id))
    if acceptable and existing is not None:
        db.session.delete(existing)
    elif not acceptable and existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(BoothExclusion(booth_id=booth.id, candidate_id=candidate_id, created_by_id=actor_id))
        except IntegrityError:  # marked at the same moment by a colleague
            pass
    db.session.flush()



def closed_by_schedule(event: Event, user: User | None) -> str | None:
    """For pages that offer "Rank this booth": the reason a confirmed candidate's list is closed
    because the schedule is out (they would otherwise expect the buttons); None otherwise."""
    if user is None or not user.is_authenticated or user.role != Role.CANDIDATE or matching_round(event.id) is None:
        return None
    if not schedule_published(event.id) or _confirmed(event.id, user.id) is None:
        return None
    return SCHEDULE_PUBLISHED


def ranked_positions(event: Event, user: User | None) -> dict[int, int] | None:
    """For pages that list a fair's booths: None when this visitor cannot rank booths now, else
    booth id → place in their list (empty when they have ranked none yet)."""
    if user is None or not user.is_authenticated or why_cannot_rank(event, user):
        return None
    return {choice.booth_id: choice.position for choice in _choices(event.id, user.id)}
