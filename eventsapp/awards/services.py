"""A contest's last steps: a round's scores, advancing to the next round, the pitch schedule, awards and
their publication, and what the team, the judges and the public may see of them.

Services take plain values, raise ``AwardsError`` subclasses with a message for people, flush, and
leave the commit to the caller.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.audit.services import record
from eventsapp.awards import emails
from eventsapp.contests.models import (
    Award,
    Contest,
    ContestJudge,
    Entry,
    EntryRound,
    EntryRoundStatus,
    EntryState,
    Panel,
    PanelMember,
    PitchSlot,
    Round,
    RoundKind,
    RoundState,
    ScoreSheet,
    SheetState,
    TeamMember,
    Track,
)
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.judging import EntryScore
from eventsapp.judging.scoring import TIE_DECIMALS
from eventsapp.reviews.leaderboard import leaderboard
from eventsapp.webhooks import emit as webhooks

SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 3, 180
SLOTS_PER_SCHEDULE_MAX = 200


class AwardsError(Exception):
    """A decision refused, with the reason for people."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class ScoresUnreadable(AwardsError):
    pass


class RoundNotClosed(AwardsError):
    pass


class NoNextRound(AwardsError):
    pass


class AlreadyAdvanced(AwardsError):
    pass


class BadCut(AwardsError):
    pass


class TiesUndecided(AwardsError):
    def __init__(self, plans):
        super().__init__(_l("Some entries are tied at the cut-off: choose which of them advance."))
        self.plans = plans


class NotInRound(AwardsError):
    pass


class SlotTaken(AwardsError):
    pass


class ResultsPublished(AwardsError):
    pass


class NothingToPublish(AwardsError):
    pass


class AwardTaken(AwardsError):
    pass


# --- Finding things -----------------------------------------------------------------------------

def next_round(round_: Round) -> Round | None:
    return db.session.scalar(select(Round).where(Round.contest_id == round_.contest_id,
                                                 Round.position > round_.position)
                             .order_by(Round.position).limit(1))


def entries_in_round(round_: Round) -> list[Entry]:
    """Entries competing in the round: in the first round every submitted entry, later those with a row for
    the round; never a withdrawn one. In the order they entered."""
    query = (select(Entry).where(Entry.contest_id == round_.contest_id, Entry.state == EntryState.SUBMITTED)
             .options(selectinload(Entry.track), selectinload(Entry.members).selectinload(TeamMember.user))
             .order_by(Entry.id))
    in_round = exists().where(EntryRound.entry_id == Entry.id, EntryRound.round_id == round_.id)
    if round_.position != _first_position(round_.contest_id):
        query = query.where(in_round)
    return list(db.session.scalars(query))


def _first_position(contest_id: int) -> int:
    return db.session.scalar(select(func.min(Round.position)).where(Round.contest_id == contest_id)) or 1


# --- Scores --------------------------------------------------------------------------------------

def round_scores(round_id: int) -> list[EntryScore]:
    """The round's ranking, the very one the judging leaderboard shows (``reviews.leaderboard``: submitted
    sheets by the round's method, without withdrawn entries or judges in conflict), with every figure of
    ``judging.score_details``: the entry is its id, a judge is their ContestJudge id."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        return []
    try:
        return leaderboard(round_).scores
    except ValueError as error:
        raise ScoresUnreadable(_l("The scores of this round cannot be added up: %(reason)s",
                                  reason=str(error))) from error


# --- Advancing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    entry: Entry
    score: EntryScore | None  # None: no submitted sheet


@dataclass
class TrackPlan:
    """Who of one track advances, who is tied at the cut-off (seats left for them), who stops."""
    track: Track
    advancing: list[Standing] = field(default_factory=list)
    tied: list[Standing] = field(default_factory=list)
    eliminated: list[Standing] = field(default_factory=list)
    seats_for_tied: int = 0


def _key(score: EntryScore) -> float:
    return round(score.score, TIE_DECIMALS)


def plan_advance(round_: Round, *, top: int | None = None, min_score: float | None = None) -> list[TrackPlan]:
    """Per track: the top ``top`` entries, or every entry scoring at least ``min_score``. Entries tied at the
    top-N cut-off that would not all fit are listed apart, for the organizer to decide."""
    if (top is None) == (min_score is None):
        raise BadCut(_l("Choose either how many entries advance per track or the lowest score that advances."))
    if top is not None and top < 1:
        raise BadCut(_l("At least one entry per track must advance."))
    if min_score is not None and not 0 <= min_score <= 100:
        raise BadCut(_l("The lowest score must be between 0 and 100."))
    scores = {detail.entry: detail for detail in round_scores(round_.id)}
    plans: dict[int, TrackPlan] = {}
    for track in db.session.scalars(select(Track).where(Track.contest_id == round_.contest_id)
                                    .order_by(Track.position, Track.id)):
        plans[track.id] = TrackPlan(track)
    by_track: dict[int, list[Standing]] = {track_id: [] for track_id in plans}
    for entry in entries_in_round(round_):
        by_track.setdefault(entry.track_id, []).append(Standing(entry, scores.get(entry.id)))
    for track_id, standings in by_track.items():
        plan = plans.get(track_id) or plans.setdefault(track_id, TrackPlan(db.session.get(Track, track_id)))
        scored = sorted((s for s in standings if s.score is not None), key=lambda s: (-_key(s.score), s.entry.id))
        unscored = [s for s in standings if s.score is None]
        if min_score is not None:
            plan.advancing = [s for s in scored if _key(s.score) >= round(min_score, TIE_DECIMALS)]
            plan.eliminated = [s for s in scored if _key(s.score) < round(min_score, TIE_DECIMALS)] + unscored
            continue
        if len(scored) <= top:
            plan.advancing, plan.eliminated = scored, unscored
            continue
        cutoff = _key(scored[top - 1].score)
        above = [s for s in scored if _key(s.score) > cutoff]
        at = [s for s in scored if _key(s.score) == cutoff]
        below = [s for s in scored if _key(s.score) < cutoff]
        if len(above) + len(at) <= top:
            plan.advancing, plan.eliminated = above + at, below + unscored
        else:
            plan.advancing, plan.tied, plan.eliminated = above, at, below + unscored
            plan.seats_for_tied = top - len(above)
    return [plan for plan in plans.values() if plan.advancing or plan.tied or plan.eliminated]


@dataclass(frozen=True)
class AdvanceResult:
    next_round: Round
    advanced: list[Entry]
    eliminated: list[Entry]


def _lock(round_: Round) -> Round:
    """The round's row, locked until the commit (PostgreSQL): two organizers advancing at once take turns."""
    return db.session.scalars(select(Round).where(Round.id == round_.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def round_decided(round_: Round) -> bool:
    return bool(db.session.scalar(select(exists().where(
        EntryRound.round_id == round_.id, EntryRound.status != EntryRoundStatus.ENTERED))))


def already_advanced(round_: Round, following: Round) -> bool:
    return round_decided(round_) or bool(db.session.scalar(select(exists().where(
        EntryRound.round_id == following.id))))


def advance_round(round_: Round, actor: User | None, *, top: int | None = None, min_score: float | None = None,
                  tie_winners: Iterable[int] | None = None, address: str = "",
                  tell_teams: bool = True) -> AdvanceResult:
    """Promote the round's best entries to the next round and stop the others; each team is told by e-mail.

    ``tie_winners``: the ids of the entries tied at the cut-off that advance too (None while the
    organizer has not decided; then ``TiesUndecided`` lists the ties). A round is advanced once: a second
    organizer, at the same moment or later, gets ``AlreadyAdvanced``. ``tell_teams=False`` (the demo data)
    sends no e-mail."""
    round_ = _lock(round_)
    if round_.state != RoundState.CLOSED:
        raise RoundNotClosed(_l("Close the round before advancing entries: its scores may still change."))
    following = next_round(round_)
    if following is None:
        raise NoNextRound(_l("This is the last round: give awards instead."))
    if already_advanced(round_, following):
        raise AlreadyAdvanced(_l("Entries of this round were already advanced to the next round."))
    plans = plan_advance(round_, top=top, min_score=min_score)
    if not plans:
        raise BadCut(_l("No entry competes in this round."))
    tied = {standing.entry.id for plan in plans for standing in plan.tied}
    if tied and tie_winners is None:
        raise TiesUndecided(plans)
    winners = set(tie_winners or ())
    if not winners <= tied:
        raise BadCut(_l("Only entries tied at the cut-off can be chosen to advance."))
    advanced = [s.entry for plan in plans for s in plan.advancing + [t for t in plan.tied if t.entry.id in winners]]
    eliminated = [s.entry for plan in plans for s in plan.eliminated + [t for t in plan.tied
                                                                         if t.entry.id not in winners]]
    now = utcnow()
    existing = {row.entry_id: row for row in db.session.scalars(
        select(EntryRound).where(EntryRound.round_id == round_.id))}
    try:
        with db.session.begin_nested():
            for entry, status in [(e, EntryRoundStatus.ADVANCED) for e in advanced] + \
                                 [(e, EntryRoundStatus.ELIMINATED) for e in eliminated]:
                row = existing.get(entry.id)
                if row is None:
                    db.session.add(EntryRound(entry_id=entry.id, round_id=round_.id, status=status, decided_at=now))
                else:
                    row.status, row.decided_at = status, now
            for entry in advanced:
                db.session.add(EntryRound(entry_id=entry.id, round_id=following.id, status=EntryRoundStatus.ENTERED))
            db.session.flush()
    except IntegrityError as error:  # another organizer's advance got in first
        raise AlreadyAdvanced(_l("Entries of this round were already advanced to the next round.")) from error
    if tell_teams:
        for entry in advanced:
            emails.tell_advanced(entry, round_, following)
        for entry in eliminated:
            emails.tell_eliminated(entry, round_)
    cut = {"top": top} if top is not None else {"min_score": min_score}
    record(actor, "advanced", round_, after={**cut, "next_round": following.position, "advanced": len(advanced),
                                             "eliminated": len(eliminated),
                                             "ties_chosen": ", ".join(f"#{entry_id}" for entry_id in sorted(winners))},
           event_id=round_.contest.event_id, address=address)
    return AdvanceResult(following, advanced, eliminated)


def entry_standings(entry: Entry) -> list[tuple[Round, EntryRoundStatus]]:
    """The entry's status in each round it reached, in order (the first round without a row: entered)."""
    rows = {row.round_id: row.status for row in db.session.scalars(
        select(EntryRound).where(EntryRound.entry_id == entry.id))}
    standings = []
    for round_ in entry.contest.rounds:
        if round_.id in rows:
            standings.append((round_, rows[round_.id]))
        elif round_.position == entry.contest.rounds[0].position and entry.state == EntryState.SUBMITTED:
            standings.append((round_, EntryRoundStatus.ENTERED))
    return standings


# --- Pitch schedule ------------------------------------------------------------------------------

def round_slots(round_: Round) -> list[PitchSlot]:
    """The round's slots, cancelled ones aside."""
    return list(db.session.scalars(
        select(PitchSlot).where(PitchSlot.round_id == round_.id, PitchSlot.cancelled_at.is_(None))
        .options(selectinload(PitchSlot.entry).selectinload(Entry.track), selectinload(PitchSlot.panel))
        .order_by(PitchSlot.room, PitchSlot.starts_at)))


def unscheduled_entries(round_: Round) -> list[Entry]:
    """The round's entries without a slot yet, best of the previous round first."""
    scheduled = {slot.entry_id for slot in round_slots(round_) if slot.entry_id is not None}
    entries = [entry for entry in entries_in_round(round_) if entry.id not in scheduled]
    previous = db.session.scalar(select(Round).where(Round.contest_id == round_.contest_id,
                                                     Round.position < round_.position)
                                 .order_by(Round.position.desc()).limit(1))
    if previous is None:
        return entries
    try:
        order = {detail.entry: detail.rank for detail in round_scores(previous.id)}
    except ScoresUnreadable:
        order = {}
    return sorted(entries, key=lambda entry: (order.get(entry.id, len(order) + 1), entry.id))


SEQUENCE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _calendar_sequence() -> int:
    """A slot's SEQUENCE (its calendar entry's UID is the round and entry): minutes since 2026, so that an
    entry unscheduled and scheduled again, in a new slot, still gets a higher one than before."""
    return int((utcnow() - SEQUENCE_EPOCH).total_seconds() // 60)


def schedule_pitches(round_: Round, *, room: str, starts_at: datetime, minutes: int, entry_ids: list[int],
                     panel_id: int | None = None) -> list[PitchSlot]:
    """Slots of ``minutes`` one after another in ``room`` from ``starts_at``, for the entries in this order."""
    if round_.kind == RoundKind.ONLINE_REVIEW:
        raise NotInRound(_l("An online review has no pitches: schedule pitches in a roadshow or a final."))
    room = room.strip()
    if not room:
        raise SlotTaken(_l("Name the room."))
    if not SLOT_MINUTES_MIN <= minutes <= SLOT_MINUTES_MAX:
        raise SlotTaken(_l("A slot lasts between %(low)d and %(high)d minutes.", low=SLOT_MINUTES_MIN,
                           high=SLOT_MINUTES_MAX))
    if not entry_ids:
        raise NotInRound(_l("Choose the entries that pitch in this room."))
    if len(entry_ids) > SLOTS_PER_SCHEDULE_MAX or len(set(entry_ids)) != len(entry_ids):
        raise NotInRound(_l("Choose each entry once."))
    waiting = {entry.id: entry for entry in unscheduled_entries(round_)}
    if any(entry_id not in waiting for entry_id in entry_ids):
        raise NotInRound(_l("Only entries of this round without a slot can be scheduled."))
    if panel_id is not None and db.session.scalar(
            select(Panel.id).where(Panel.id == panel_id, Panel.round_id == round_.id)) is None:
        raise NotInRound(_l("That panel does not judge this round."))
    length = timedelta(minutes=minutes)
    ends_at = starts_at + length * len(entry_ids)
    clash = db.session.scalar(select(PitchSlot.id).where(
        PitchSlot.round_id == round_.id, PitchSlot.room == room, PitchSlot.cancelled_at.is_(None),
        PitchSlot.starts_at < ends_at, PitchSlot.ends_at > starts_at).limit(1))
    if clash is not None:
        raise SlotTaken(_l("The room already has pitches at that time."))
    # An entry scheduled again after its slot was removed: its calendar entry (one UID per round and entry)
    # must get a higher SEQUENCE than the cancellation, even within the same minute.
    cancelled = dict(db.session.execute(
        select(PitchSlot.entry_id, func.max(PitchSlot.sequence)).where(
            PitchSlot.round_id == round_.id, PitchSlot.entry_id.in_(entry_ids), PitchSlot.cancelled_at.is_not(None))
        .group_by(PitchSlot.entry_id)).tuples().all())
    slots = [PitchSlot(round_id=round_.id, panel_id=panel_id, entry_id=entry_id, room=room,
                       starts_at=starts_at + length * index, ends_at=starts_at + length * (index + 1),
                       sequence=max(_calendar_sequence(), cancelled.get(entry_id, -1) + 1))
             for index, entry_id in enumerate(entry_ids)]
    try:
        with db.session.begin_nested():
            db.session.add_all(slots)
            db.session.flush()
    except IntegrityError as error:
        raise SlotTaken(_l("Someone scheduled these entries or this time at the same moment: look again.")) from error
    return slots


def move_slot(slot: PitchSlot, later: bool) -> None:
    """Swap the slot's entry with the next (or previous) slot's in the same room: the running order."""
    if slot.cancelled_at is not None:
        raise SlotTaken(_l("That pitch has already been removed."))
    ordering = PitchSlot.starts_at.asc() if later else PitchSlot.starts_at.desc()
    comparison = PitchSlot.starts_at > slot.starts_at if later else PitchSlot.starts_at < slot.starts_at
    neighbour = db.session.scalar(select(PitchSlot).where(
        PitchSlot.round_id == slot.round_id, PitchSlot.room == slot.room, PitchSlot.cancelled_at.is_(None),
        comparison).order_by(ordering).limit(1))
    if neighbour is None:
        raise SlotTaken(_l("That pitch is already at the end of the running order."))
    mine, theirs = slot.entry_id, neighbour.entry_id
    slot.entry_id = neighbour.entry_id = None
    db.session.flush()  # one entry, one slot per round: free both before swapping
    slot.entry_id, neighbour.entry_id = theirs, mine
    slot.sequence = max(slot.sequence + 1, _calendar_sequence())
    neighbour.sequence = max(neighbour.sequence + 1, _calendar_sequence())
    db.session.flush()


def remove_slot(slot: PitchSlot, now: datetime | None = None) -> None:
    """Cancel the slot: it frees its room's time and its entry, and stays in the team's calendar feed as
    cancelled, with a higher SEQUENCE, so calendars drop the pitch."""
    if slot.cancelled_at is not None:
        raise SlotTaken(_l("That pitch has already been removed."))
    slot.cancelled_at = now or utcnow()
    slot.sequence = max(slot.sequence + 1, _calendar_sequence())
    db.session.flush()


def entry_slots(entry: Entry) -> list[tuple[Round, PitchSlot]]:
    """The entry's pitches, with their rounds, in time order."""
    return list(db.session.execute(select(Round, PitchSlot).join(PitchSlot, PitchSlot.round_id == Round.id)
                                   .where(PitchSlot.entry_id == entry.id, PitchSlot.cancelled_at.is_(None))
                                   .order_by(PitchSlot.starts_at)).tuples())


def judge_rooms(round_: Round, user: User) -> list[tuple[str, list[PitchSlot]]]:
    """(room, running order) of each room whose panel the user judges in this round; [] for anyone else."""
    panels = list(db.session.scalars(
        select(Panel).join(PanelMember, PanelMember.panel_id == Panel.id)
        .join(ContestJudge, ContestJudge.id == PanelMember.judge_id)
        .where(Panel.round_id == round_.id, ContestJudge.user_id == user.id,
               ContestJudge.contest_id == round_.contest_id)
        .order_by(Panel.room, Panel.id)))
    rooms = []
    for panel in panels:
        condition = or_(PitchSlot.panel_id == panel.id, and_(PitchSlot.panel_id.is_(None), panel.room != "",
                                                              PitchSlot.room == panel.room))
        rooms.append((panel.room or panel.name, list(db.session.scalars(
            select(PitchSlot).where(PitchSlot.round_id == round_.id, PitchSlot.cancelled_at.is_(None), condition)
            .options(selectinload(PitchSlot.entry).selectinload(Entry.track)).order_by(PitchSlot.starts_at)))))
    return rooms


def all_rooms(round_: Round) -> list[tuple[str, list[PitchSlot]]]:
    """(room, running order) of every room of the round: the organizer's view."""
    rooms: dict[str, list[PitchSlot]] = {}
    for slot in round_slots(round_):
        rooms.setdefault(slot.room, []).append(slot)
    return list(rooms.items())


# --- Awards and results --------------------------------------------------------------------------

def contest_awards(contest: Contest) -> list[Award]:
    return list(db.session.scalars(
        select(Award).where(Award.contest_id == contest.id)
        .options(selectinload(Award.entry).selectinload(Entry.members).selectinload(TeamMember.user),
                 selectinload(Award.track))
        .order_by(Award.track_id.is_not(None), Award.track_id, Award.rank, Award.id)))


def contest_entries(contest: Contest) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(Entry.contest_id == contest.id, Entry.state == EntryState.SUBMITTED)
        .options(selectinload(Entry.track), selectinload(Entry.members).selectinload(TeamMember.user))
        .order_by(Entry.track_id, Entry.id)))


def add_award(contest: Contest, *, entry_id: int, name_zh: str, name_en: str, rank: int, prize_amount: Decimal,
              whole_contest: bool = False) -> Award:
    if contest.results_published_at is not None:
        raise ResultsPublished(_l("The results are published: take them back before changing the awards."))
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.contest_id != contest.id or entry.state != EntryState.SUBMITTED:
        raise AwardTaken(_l("Choose a submitted entry of this contest."))
    name_zh, name_en = name_zh.strip(), name_en.strip()
    if not (name_zh or name_en):
        raise AwardTaken(_l("Name the award in Chinese or English."))
    award = Award(contest_id=contest.id, entry_id=entry.id, track_id=None if whole_contest else entry.track_id,
                  name_zh=name_zh, name_en=name_en, rank=rank, prize_amount=prize_amount)
    try:
        with db.session.begin_nested():
            db.session.add(award)
            db.session.flush()
    except IntegrityError as error:
        raise AwardTaken(_l("This entry already has an award of that name.")) from error
    return award


def remove_award(contest: Contest, award: Award) -> None:
    if contest.results_published_at is not None:
        raise ResultsPublished(_l("The results are published: take them back before changing the awards."))
    db.session.delete(award)
    db.session.flush()


def publish_results(contest: Contest, actor: User | None, address: str = "", tell_teams: bool = True) -> int:
    """Publish the awards: the public results page opens, every team gets a short e-mail (none with
    ``tell_teams=False``, for the demo data). Returns the number of e-mails queued."""
    contest = db.session.scalars(select(Contest).where(Contest.id == contest.id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
    if contest.results_published_at is not None:
        raise ResultsPublished(_l("The results are already published."))
    awards = contest_awards(contest)
    if not awards:
        raise NothingToPublish(_l("Give at least one award before publishing the results."))
    contest.results_published_at = utcnow()
    sent = 0
    for entry in contest_entries(contest) if tell_teams else []:
        sent += emails.tell_results(entry, contest)
    record(actor, "results_published", contest, after={"awards": len(awards)}, event_id=contest.event_id,
           address=address)
    db.session.flush()
    webhooks.contest_results_published(contest, len(awards))
    return sent


def unpublish_results(contest: Contest, actor: User | None, address: str = "") -> None:
    if contest.results_published_at is None:
        raise ResultsPublished(_l("The results are not published."))
    record(actor, "results_unpublished", contest, before={"published_at": contest.results_published_at},
           after={"published_at": None}, event_id=contest.event_id, address=address)
    contest.results_published_at = None
    db.session.flush()


@dataclass(frozen=True)
class TrackResults:
    track: Track | None  # None: awards of the whole contest
    awards: list[Award]


def published_results(contest: Contest) -> list[TrackResults]:
    """The awards grouped by track (the whole contest's first), by rank; [] until published."""
    if contest.results_published_at is None:
        return []
    grouped: dict[int | None, TrackResults] = {}
    for award in contest_awards(contest):
        grouped.setdefault(award.track_id, TrackResults(award.track, [])).awards.append(award)
    return list(grouped.values())


# --- The team's view -----------------------------------------------------------------------------

def team_entry(entry_id: int, user: User) -> Entry | None:
    """The entry if the user is on its team; None otherwise (the view answers 404)."""
    return db.session.scalar(select(Entry).join(TeamMember, TeamMember.entry_id == Entry.id)
                             .where(Entry.id == entry_id, TeamMember.user_id == user.id))


def user_entries(user: User, contest: Contest) -> list[Entry]:
    """The contest's entries, past their draft, whose team the user is on."""
    return list(db.session.scalars(select(Entry).join(TeamMember, TeamMember.entry_id == Entry.id)
                                   .where(TeamMember.user_id == user.id, Entry.contest_id == contest.id,
                                          Entry.state != EntryState.DRAFT)
                                   .order_by(Entry.id)))


@dataclass(frozen=True)
class SharedScore:
    round: Round
    score: EntryScore
    comments: list[str]


def shared_scores(entry: Entry) -> list[SharedScore]:
    """The entry's score and the judges' comments per round, once results are published and only if the
    organizer shares them; the judges stay unnamed."""
    contest = entry.contest
    if contest.results_published_at is None or not contest.share_scores_with_teams:
        return []
    shared = []
    for round_ in contest.rounds:
        try:
            details = {detail.entry: detail for detail in round_scores(round_.id)}
        except ScoresUnreadable:
            continue
        if entry.id not in details:
            continue
        comments = []
        for sheet in db.session.scalars(select(ScoreSheet).where(
                ScoreSheet.round_id == round_.id, ScoreSheet.entry_id == entry.id,
                ScoreSheet.state == SheetState.SUBMITTED).order_by(ScoreSheet.id)):
            comments += [text for text in [sheet.comment, *(sheet.comments or {}).values()] if text and text.strip()]
        shared.append(SharedScore(round_, details[entry.id], comments))
    return shared


def entry_awards(entry: Entry) -> list[Award]:
    """The entry's awards once published."""
    if entry.contest.results_published_at is None:
        return []
    return list(db.session.scalars(select(Award).where(Award.entry_id == entry.id).order_by(Award.rank, Award.id)))


def public_schedule(contest: Contest) -> list[tuple[Round, list[PitchSlot]]]:
    """Roadshow and final pitches, for the public event page: rounds with slots taken by an entry."""
    schedule = []
    for round_ in contest.rounds:
        if round_.kind == RoundKind.ONLINE_REVIEW:
            continue
        slots = [slot for slot in round_slots(round_) if slot.entry is not None
                 and slot.entry.state == EntryState.SUBMITTED]
        if slots:
            schedule.append((round_, sorted(slots, key=lambda slot: (slot.starts_at, slot.room))))
    return schedule

