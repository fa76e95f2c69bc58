"""Setting a contest up: turning a competition event into a contest, its settings, tracks, groups, rounds
and entry-form questions; the rules in words; and the organizers' list of entries. Services flush; the
caller commits. Every decision is written to the audit log."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.audit.services import record
from eventsapp.contests.models import (
    Aggregation,
    Contest,
    ContestGroup,
    ContestQuestion,
    Entry,
    EntryRound,
    EntryState,
    Round,
    RoundKind,
    RoundState,
    TeamMember,
    Track,
)
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventKind
from eventsapp.extensions import db
from eventsapp.registrations.questions import QuestionData, fill_question
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed

MAX_TEAM_SIZE = 50
MAX_TRACKS = 30
MAX_ROUNDS = 10


# --- The contest --------------------------------------------------------------------------------------

@dataclass
class ContestData:
    entries_open_at: datetime
    entries_close_at: datetime
    team_min: int = 1
    team_max: int = 5
    leader_max_age: int | None = None
    requires_overseas_experience: bool = False
    rules_zh: str = ""
    rules_en: str = ""
    share_scores_with_teams: bool = False


def find_contest(event_id: int) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.event_id == event_id))


def _contest_errors(data: ContestData) -> list[tuple[str, str]]:
    errors = []
    if data.entries_close_at <= data.entries_open_at:
        errors.append(("entries_close_at", _l("Entries must close after they open.")))
    if not 1 <= data.team_min <= MAX_TEAM_SIZE:
        errors.append(("team_min", _l("A team has from 1 to %(max)d people.", max=MAX_TEAM_SIZE)))
    if not 1 <= data.team_max <= MAX_TEAM_SIZE:
        errors.append(("team_max", _l("A team has from 1 to %(max)d people.", max=MAX_TEAM_SIZE)))
    elif data.team_max < data.team_min:
        errors.append(("team_max", _l("The largest team cannot be smaller than the smallest.")))
    if data.leader_max_age is not None and not 16 <= data.leader_max_age <= 100:
        errors.append(("leader_max_age", _l("Enter an age from 16 to 100, or leave it empty.")))
    return errors


def save_contest(event: Event, data: ContestData, actor: User, now: datetime | None = None) -> Contest:
    """Make the competition event a contest, or change its settings. A team larger than a new limit is
    refused: the organizer must first talk to that team."""
    if event.kind != EventKind.COMPETITION:
        raise ValidationFailed([(None, _l("Only a competition can be a contest."))])
    errors = _contest_errors(data)
    contest = find_contest(event.id)
    if contest is not None and not errors:
        largest = db.session.scalar(
            select(func.count(TeamMember.id)).join(Entry).where(Entry.contest_id == contest.id,
                                                                 Entry.state != EntryState.WITHDRAWN)
            .group_by(Entry.id).order_by(func.count(TeamMember.id).desc()).limit(1)) or 0
        if largest > data.team_max:
            errors.append(("team_max", _l("A team already has %(count)d people: the limit cannot be lower.",
                                          count=largest)))
    if errors:
        raise ValidationFailed(errors)
    before = {} if contest is None else {field.name: getattr(contest, field.name) for field in fields(ContestData)}
    if contest is None:
        contest = Contest(event_id=event.id)
        db.session.add(contest)
    for field in fields(ContestData):
        value = getattr(data, field.name)
        setattr(contest, field.name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    record(actor, "contest_created" if not before else "contest_updated", contest, before,
           {field.name: getattr(contest, field.name) for field in fields(ContestData)}, event_id=event.id, now=now)
    return contest


def window_state(contest: Contest, now: datetime | None = None) -> str:
    """not_yet_open, open or closed: whether teams may enter and edit their entries now."""
    now = now or utcnow()
    if now < contest.entries_open_at:
        return "not_yet_open"
    return "open" if now < contest.entries_close_at else "closed"


def describe_rules(contest: Contest) -> list[str]:
    """Who may enter, as sentences for the event page and the entry form."""
    lines = []
    if contest.team_min == contest.team_max:
        lines.append(_l("Teams of %(count)d people, the leader included.", count=contest.team_max))
    else:
        lines.append(_l("Teams of %(min)d to %(max)d people, the leader included.", min=contest.team_min,
                        max=contest.team_max))
    if contest.leader_max_age:
        lines.append(_l("The team leader is under %(age)d years old (by the birth year on their profile).",
                        age=contest.leader_max_age))
    if contest.requires_overseas_experience:
        lines.append(_l("The team leader has studied or worked abroad, and says where and when on the entry."))
    return lines


# --- Tracks and groups ----------------------------------------------------------------------------------

@dataclass
class NameData:
    name_zh: str = ""
    name_en: str = ""
    position: int = 0


NAMED = {"tracks": Track, "groups": ContestGroup}


def save_named(contest: Contest, model: type[Track] | type[ContestGroup], data: NameData, actor: User,
               row: Track | ContestGroup | None = None) -> Track | ContestGroup:
    """Add or rename a track or a group."""
    name_zh, name_en = data.name_zh.strip(), data.name_en.strip()
    if not (name_zh or name_en):
        raise ValidationFailed([("name_zh", _l("Give a name in at least one language."))])
    siblings = db.session.scalars(select(model).where(model.contest_id == contest.id)).all()
    for other in siblings:
        if other is not row and ((name_zh and other.name_zh == name_zh) or (name_en and other.name_en == name_en)):
            raise ValidationFailed([("name_zh" if name_zh and other.name_zh == name_zh else "name_en",
                                     _l("Another one already has this name."))])
    if row is None and len(siblings) >= MAX_TRACKS:
        raise ValidationFailed([(None, _l("At most %(max)d.", max=MAX_TRACKS))])
    before = {} if row is None else {"name_zh": row.name_zh, "name_en": row.name_en}
    if row is None:
        row = model(contest_id=contest.id)
        db.session.add(row)
    row.name_zh, row.name_en, row.position = name_zh, name_en, data.position or 0
    db.session.flush()
    record(actor, f"{row.__tablename__.removeprefix('contest_')}_saved", row, before,
           {"name_zh": row.name_zh, "name_en": row.name_en}, event_id=contest.event_id)
    return row


def delete_named(contest: Contest, row: Track | ContestGroup, actor: User) -> None:
    """Delete a track or group that no entry names (entries are never left without their track)."""
    column = Entry.track_id if isinstance(row, Track) else Entry.group_id
    if db.session.scalar(select(exists().where(column == row.id))):
        raise ValidationFailed([(None, _l("Entries are in it: move them elsewhere first."))])
    record(actor, f"{row.__tablename__.removeprefix('contest_')}_deleted", row,
           {"name_zh": row.name_zh, "name_en": row.name_en}, {}, event_id=contest.event_id)
    db.session.delete(row)
    db.session.flush()


# --- Rounds ------------------------------------------------------------------------------------------------

@dataclass
class RoundData:
    kind: RoundKind
    name_zh: str = ""
    name_en: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    blind: bool = False
    aggregation: Aggregation = Aggregation.MEAN
    reviews_per_entry: int = 3


def save_round(contest: Contest, data: RoundData, actor: User, row: Round | None = None) -> Round:
    """Add a round after the last one, or change one. The order of rounds is the order they were added."""
    errors = []
    if not (data.name_zh.strip() or data.name_en.strip()):
        errors.append(("name_zh", _l("Give a name in at least one language.")))
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        errors.append(("ends_at", _l("The round must end after it starts.")))
    if not 1 <= data.reviews_per_entry <= 50:
        errors.append(("reviews_per_entry", _l("Enter a whole number from %(min)d to %(max)d.", min=1, max=50)))
    existing = db.session.scalars(select(Round).where(Round.contest_id == contest.id)).all()
    if row is None and len(existing) >= MAX_ROUNDS:
        errors.append((None, _l("At most %(max)d rounds.", max=MAX_ROUNDS)))
    if errors:
        raise ValidationFailed(errors)
    before = {} if row is None else {field.name: getattr(row, field.name) for field in fields(RoundData)}
    if row is None:
        row = Round(contest_id=contest.id, position=max((other.position for other in existing), default=0) + 1,
                    state=RoundState.PLANNED)
        db.session.add(row)
    for field in fields(RoundData):
        value = getattr(data, field.name)
        setattr(row, field.name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    record(actor, "round_saved", row, before, {field.name: getattr(row, field.name) for field in fields(RoundData)},
           event_id=contest.event_id)
    return row


def delete_round(contest: Contest, row: Round, actor: User) -> None:
    """Only a round that has not started, and is the last one, can be deleted (the others keep their order)."""
    if row.state != RoundState.PLANNED or db.session.scalar(select(exists().where(EntryRound.round_id == row.id))):
        raise ValidationFailed([(None, _l("This round has started: it can no longer be deleted."))])
    if db.session.scalar(select(exists().where(Round.contest_id == contest.id, Round.position > row.position))):
        raise ValidationFailed([(None, _l("Only the last round can be deleted."))])
    record(actor, "round_deleted", row, {"name_zh": row.name_zh, "name_en": row.name_en}, {},
           event_id=contest.event_id)
    db.session.delete(row)
    db.session.flush()


def first_round(contest: Contest) -> Round | None:
    return db.session.scalar(select(Round).where(Round.contest_id == contest.id).order_by(Round.position).limit(1))


# --- Entry-form questions ------------------------------------------------------------------------------

def questions_of(contest: Contest) -> list[ContestQuestion]:
    return list(db.session.scalars(select(ContestQuestion).where(ContestQuestion.contest_id == contest.id)
                                   .order_by(ContestQuestion.position, ContestQuestion.id)))


def save_question(contest: Contest, data: QuestionData, actor: User,
                  question: ContestQuestion | None = None) -> ContestQuestion:
    """Checked and written like the registration questions (eventsapp.registrations.questions)."""
    question = question or ContestQuestion(contest_id=contest.id)
    fill_question(question, data)
    db.session.add(question)
    db.session.flush()
    record(actor, "question_saved", question, None, {"label_zh": question.label_zh, "label_en": question.label_en,
                                                     "kind": question.kind}, event_id=contest.event_id)
    return question


def delete_question(contest: Contest, question: ContestQuestion, actor: User) -> None:
    record(actor, "question_deleted", question, {"label_zh": question.label_zh, "label_en": question.label_en},
           {}, event_id=contest.event_id)
    db.session.delete(question)
    db.session.flush()


# --- The organizers' list of entries -------------------------------------------------------------------

@dataclass
class EntryFilters:
    state: EntryState | None = None
    track_id: int | None = None
    group_id: int | None = None
    search: str = ""


def entries_query(contest: Contest, filters: EntryFilters) -> Select:
    """The contest's entries, newest first, with their track, group, team and answers loaded."""
    query = (select(Entry).where(Entry.contest_id == contest.id)
             .options(selectinload(Entry.track), selectinload(Entry.group),
                      selectinload(Entry.members).selectinload(TeamMember.user),
                      selectinload(Entry.answers))
             .order_by(Entry.created_at.desc(), Entry.id.desc()))
    if filters.state is not None:
        query = query.where(Entry.state == filters.state)
    if filters.track_id is not None:
        query = query.where(Entry.track_id == filters.track_id)
    if filters.group_id is not None:
        query = query.where(Entry.group_id == filters.group_id)
    if filters.search:
        pattern = contains_pattern(filters.search)
        query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            Entry.title_zh, Entry.title_en, Entry.organization_name))))
    return query


def count_by_state(contest: Contest) -> dict[EntryState, int]:
    rows = db.session.execute(select(Entry.state, func.count()).where(Entry.contest_id == contest.id)
                              .group_by(Entry.state))
    counts = dict.fromkeys(EntryState, 0)
    counts.update({state: count for state, count in rows})
    return counts


def tracks_and_groups(contest: Contest) -> tuple[Sequence[Track], Sequence[ContestGroup]]:
    return (db.session.scalars(select(Track).where(Track.contest_id == contest.id)
                               .order_by(Track.position, Track.id)).all(),
            db.session.scalars(select(ContestGroup).where(ContestGroup.contest_id == contest.id)
                               .order_by(ContestGroup.position, ContestGroup.id)).all())
