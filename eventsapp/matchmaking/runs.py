"""Matching runs, computed and published: the organizer runs the engine on a fair's preferences
(a new DRAFT run), reviews it (matchmaking.run_results) and publishes it, which e-mails everyone
their interviews (what they then see: matchmaking.schedules).

A run reads the fair's matching inputs (matchmaking.inputs: confirmed registrants' ranked booths,
active booths only) and gets each booth's ranking of the candidates who ranked it from
``ranking.rank_booth``, the function the employer's ranking page calls too: the shortlist ranks
first, then the fit score, best first, leaving out the candidates the employer marked as not
acceptable; ties are broken by a lottery drawn from the run's seed. Capacity is interviewers × the
slots of the interview hours, so the schedule always fits the day. The run stores what it read
(MatchRunBooth, MatchRunCandidate) beside what it decided (Interview), so the same inputs and seed
reproduce it and every explanation is computed from exactly what the engine saw.

Services flush; the caller commits. Large tables are written with COPY (PostgreSQL) or Core
inserts in chunks.
"""
from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, insert, select, update

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import format_local_datetime
from eventsapp.matching import minimum_slots, schedule_interviews, stable_match
from eventsapp.matchmaking import emails, preferences
from eventsapp.matchmaking import inputs as matching_inputs
from eventsapp.matchmaking.interviews import live_interview_condition, staff_of
from eventsapp.matchmaking.models import (
    CancelReason,
    Interview,
    MatchingRound,
    MatchRun,
    MatchRunBooth,
    MatchRunCandidate,
    RunStatus,
)
from eventsapp.matchmaking.ranking import lottery_of
from eventsapp.notifications import services as outbox
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.webhooks import emit as webhooks

SEED_LIMIT = 2 ** 63  # seeds are stored in a BIGINT
INSERT_CHUNK_ROWS = 10_000


class MatchingRefused(Exception):
    """The run or the publication cannot be done; ``reasons`` say why, for people."""

    def __init__(self, *reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(reason) for reason in reasons))


class PublishingBeforeDeadline(MatchingRefused):
    """Candidates may still change their booth rankings: publishing now needs an explicit yes."""

    def __init__(self, deadline: datetime, zone: str):
        self.deadline = deadline
        super().__init__(_l("Candidates may change their booth rankings until %(deadline)s. Publishing the run now "
                            "ends that at once; confirm that you want to publish before the deadline.",
                            deadline=format_local_datetime(deadline, zone)))


# --- Settings ------------------------------------------------------------------------------------

def slots_per_day(settings: MatchingRound) -> int:
    """How many whole interview slots fit in the interview hours."""
    return preferences.slot_count(settings.interviews_start_at, settings.interviews_end_at, settings.slot_minutes)


def settings_snapshot(settings: MatchingRound) -> dict:
    return {"deadline": settings.deadline.isoformat(), "max_ranked": settings.max_ranked,
            "interviews_per_candidate": settings.interviews_per_candidate, "slot_minutes": settings.slot_minutes,
            "interviews_start_at": settings.interviews_start_at.isoformat(),
            "interviews_end_at": settings.interviews_end_at.isoformat(), "slots_per_day": slots_per_day(settings)}


def _checked_settings(event_id: int) -> MatchingRound:
    settings = db.session.get(MatchingRound, event_id)
    if settings is None:
        raise MatchingRefused(_l("Matching is not set up for this event yet: set the deadline, the interviews per "
                                 "candidate, the slot length and the interview hours first."))
    slots = slots_per_day(settings)
    if slots < 1:
        raise MatchingRefused(_l("The interview hours are shorter than one slot of %(minutes)d minutes.",
                                 minutes=settings.slot_minutes))
    if settings.interviews_per_candidate > slots:
        raise MatchingRefused(_l("The interview hours hold %(slots)d slots, fewer than the %(count)d interviews per "
                                 "candidate: lengthen the hours or shorten the slots.",
                                 slots=slots, count=settings.interviews_per_candidate))
    return settings


# --- Reading the inputs ----------------------------------------------------------------------------

@dataclass
class RunInputs:
    """Everything the engine gets, as plain data (ids), plus what the summary records."""

    event_id: int
    seed: int
    settings: dict
    weights: dict[str, int]
    candidate_prefs: dict[int, list[int]]  # candidate id → booth ids, most wanted first
    booth_rankings: dict[int, list[int]]  # booth id → candidate ids, best first
    capacities: dict[int, int]
    interviewers: dict[int, int]
    quota: int
    slots_per_day: int
    slot_minutes: int
    interviews_start_at: datetime
    excluded_pairs: int = 0
    shortlisted_pairs: int = 0

    def summary(self) -> dict:
        return {
            "candidates": len(self.candidate_prefs),
            "choices": sum(len(booths) for booths in self.candidate_prefs.values()),
            "booths": len(self.capacities),
            "booths_ranked": sum(1 for ranking in self.booth_rankings.values() if ranking),
            "total_capacity": sum(self.capacities.values()),
            "demand": sum(min(len(booths), self.quota) for booths in self.candidate_prefs.values()),
            "shortlisted_pairs": self.shortlisted_pairs,
            "excluded_pairs": self.excluded_pairs,
            "seed": self.seed,
            "settings": self.settings,
            "weights": self.weights,
        }


def load_inputs(event_id: int, seed: int | None = None) -> RunInputs:
    """Read a fair's matching inputs and rank every booth's candidates; refuse what cannot be run."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise LookupError(event_id)
    settings = _checked_settings(event_id)
    if seed is None:
        seed = secrets.randbits(63)
    elif not 0 <= seed < SEED_LIMIT:
        raise MatchingRefused(_l("The seed must be a whole number from 0 to %(limit)d.", limit=SEED_LIMIT - 1))
    booths = matching_inputs.active_booths(event_id)
    if not booths:
        raise MatchingRefused(_l("This event has no approved booths: there is nothing to match."))
    weights = preferences.weights_of(settings)
    read = matching_inputs.read_matching_inputs(event_id, weights)
    candidate_prefs = read.choices
    if not candidate_prefs:
        raise MatchingRefused(_l("No confirmed candidate has ranked an approved booth yet: there is nothing to match."))
    lottery = {candidate_id: number for number, candidate_id in enumerate(lottery_of(candidate_prefs, seed))}
    rankings = {booth_id: read.booth_order(booth_id, lottery).candidate_ids()
                for booth_id, _ in booths}
    slots = slots_per_day(settings)
    interviewers = dict(booths)
    return RunInputs(
        event_id=event_id, seed=seed, settings=settings_snapshot(settings), weights=weights,
        candidate_prefs=candidate_prefs, booth_rankings=rankings,
        capacities={booth_id: count * slots for booth_id, count in interviewers.items()},
        interviewers=interviewers, quota=settings.interviews_per_candidate, slots_per_day=slots,
        slot_minutes=settings.slot_minutes, interviews_start_at=settings.interviews_start_at,
        excluded_pairs=read.pairs(read.excluded), shortlisted_pairs=read.pairs(read.shortlist_ranks))


# --- The engine ------------------------------------------------------------------------------------

@dataclass
class RunOutcome:
    assignment: dict[int, list[int]]  # candidate id → booth ids, in the candidate's order
    slot_of: dict[tuple[int, int], int]  # (candidate id, booth id) → slot number from 0
    slots: int  # the schedule's length in slots


def compute(inputs: RunInputs) -> RunOutcome:
    """Stable matching, then the shortest timetable; it always fits the interview hours."""
    assignment = stable_match(inputs.candidate_prefs, inputs.booth_rankings, inputs.capacities, inputs.quota)
    slot_of = schedule_interviews(assignment, inputs.interviewers)
    slots = minimum_slots(assignment, inputs.interviewers)
    # Capacity = interviewers × slots of the day and quota <= slots of the day, so the shortest
    # schedule (König) never needs more slots than the day has.
    assert slots <= inputs.slots_per_day, (slots, inputs.slots_per_day)
    assert all(slot < inputs.slots_per_day for slot in slot_of.values())
    return RunOutcome(assignment, slot_of, slots)


# --- Saving ---------------------------------------------------------------------------------------

def results_summary(inputs: RunInputs, outcome: RunOutcome) -> dict:
    candidates = len(inputs.candidate_prefs)
    matched = sum(1 for booths in outcome.assignment.values() if booths)
    first = sum(1 for candidate_id, booths in outcome.assignment.items()
                if booths and booths[0] == inputs.candidate_prefs[candidate_id][0])
    per_booth = Counter(booth for booths in outcome.assignment.values() for booth in booths)
    interviews = sum(per_booth.values())
    return {
        "candidates": candidates,
        "matched": matched,
        "share_matched": matched / candidates if candidates else 0.0,
        "first_choice": first,
        "share_first_choice": first / candidates if candidates else 0.0,
        "unmatched": candidates - matched,
        "interviews": interviews,
        "slots_used": outcome.slots,
        "slots_per_day": inputs.slots_per_day,
        "total_capacity": sum(inputs.capacities.values()),
        "share_capacity_used": interviews / sum(inputs.capacities.values()) if inputs.capacities else 0.0,
        # [booth id, interviews, capacity] for every booth of the run
        "fill": [[booth_id, per_booth.get(booth_id, 0), capacity] for booth_id, capacity in inputs.capacities.items()],
    }


def bulk_insert(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL (the fastest way in), Core
    executemany in chunks elsewhere. Values must already be what the columns store (ints, text,
    aware UTC datetimes): no type conversion happens on the way."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(
                f"COPY {connection.dialect.identifier_preparer.quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = insert(table)
    for start in range(0, len(rows), INSERT_CHUNK_ROWS):
        connection.execute(statement, [dict(zip(columns, row, strict=True))
                                       for row in rows[start:start + INSERT_CHUNK_ROWS]])


def save_run(inputs: RunInputs, outcome: RunOutcome, actor: User | None) -> MatchRun:
    """Store the run as a DRAFT with what it read and the timetable. Flushes."""
    run = MatchRun(event_id=inputs.event_id, seed=inputs.seed, status=RunStatus.DRAFT, slots=outcome.slots,
                   inputs_summary=json.dumps(inputs.summary(), separators=(",", ":")),
                   results_summary=json.dumps(results_summary(inputs, outcome), separators=(",", ":")),
                   created_by_id=actor.id if actor is not None else None, created_at=utcnow())
    db.session.add(run)
    db.session.flush()
    run_id, compact = run.id, json.JSONEncoder(separators=(",", ":")).encode
    bulk_insert(MatchRunBooth.__table__, ("run_id", "booth_id", "capacity", "interviewers", "ranking_json"), [
        (run_id, booth_id, capacity, inputs.interviewers[booth_id], compact(inputs.booth_rankings.get(booth_id, [])))
        for booth_id, capacity in inputs.capacities.items()])
    bulk_insert(MatchRunCandidate.__table__, ("run_id", "candidate_id", "choices_json"), [
        (run_id, candidate_id, compact(booths)) for candidate_id, booths in inputs.candidate_prefs.items()])
    start, length = inputs.interviews_start_at, timedelta(minutes=inputs.slot_minutes)
    times = [(start + length * slot, start + length * (slot + 1)) for slot in range(inputs.slots_per_day)]
    rows = []
    slot_of = outcome.slot_of
    for candidate_id, booths in outcome.assignment.items():
        if not booths:
            continue
        ranked = inputs.candidate_prefs[candidate_id]
        for booth_id in booths:
            slot = slot_of[(candidate_id, booth_id)]
            rows.append((run_id, candidate_id, booth_id, slot, *times[slot], ranked.index(booth_id) + 1))
    bulk_insert(Interview.__table__, ("run_id", "candidate_id", "booth_id", "slot", "starts_at", "ends_at",
                                      "choice_position"), rows)
    return run


def run_matching(event_id: int, actor: User | None, seed: int | None = None) -> MatchRun:
    """Run the matching for a fair and keep the result as a new DRAFT run (in the audit log too). Flushes."""
    inputs = load_inputs(event_id, seed)
    run = save_run(inputs, compute(inputs), actor)
    audit.record(actor, "computed", run, after={"status": run.status, "seed": run.seed}, now=run.created_at)
    return run


# --- Publishing -----------------------------------------------------------------------------------

def publishing_early(event_id: int, now: datetime | None = None) -> MatchingRound | None:
    """The fair's matching settings while candidates may still rank booths (None after the deadline):
    publishing a run then ends their ranking early."""
    round_ = preferences.matching_round(event_id)
    return round_ if preferences.is_open(round_, now) else None


def publish_run(event_id: int, run_id: int, now: datetime | None = None, *,
                before_deadline_confirmed: bool = False, actor: User | None = None) -> MatchRun:
    """Make a DRAFT run the event's schedule: an earlier published run becomes SUPERSEDED, and every
    matched candidate and the staff of every booth with interviews are e-mailed; both changes are written
    to the audit log as ``actor``'s (None: the system, e.g. the command line). Flushes.

    Before the preferences' deadline this is refused (PublishingBeforeDeadline) unless
    ``before_deadline_confirmed``: a published run ends the candidates' ranking.

    The event's runs are locked first (a row lock on PostgreSQL), so two organizers publishing at
    once are served one after the other and only one run is ever PUBLISHED."""
    runs = list(db.session.scalars(select(MatchRun).where(MatchRun.event_id == event_id)
                                   .order_by(MatchRun.id).with_for_update()))
    run = next((candidate for candidate in runs if candidate.id == run_id), None)
    if run is None:
        raise LookupError(run_id)
    if run.status == RunStatus.PUBLISHED:
        raise MatchingRefused(_l("This run is already published."))
    if run.status == RunStatus.SUPERSEDED:
        raise MatchingRefused(_l("This run was published before and has been replaced by a later one; run the "
                                 "matching again to publish a new schedule."))
    now = now or utcnow()
    early = publishing_early(event_id, now)
    if early is not None and not before_deadline_confirmed:
        raise PublishingBeforeDeadline(early.deadline, early.event.timezone)
    replaced = [other for other in runs if other.status == RunStatus.PUBLISHED]
    for other in replaced:
        other.status = RunStatus.SUPERSEDED
        audit.record(actor, "superseded", other, {"status": RunStatus.PUBLISHED}, {"status": other.status}, now=now)
    run.status, run.published_at = RunStatus.PUBLISHED, now
    audit.record(actor, "published", run, {"status": RunStatus.DRAFT}, {"status": run.status}, now=now)
    db.session.flush()
    _cancel_interviews_of_ended_registrations(run, run.published_at)
    _send_interview_emails(run, replaces_earlier=bool(replaced))
    webhooks.matching_run_published(run, now)
    return run


def _cancel_interviews_of_ended_registrations(run: MatchRun, now: datetime) -> None:
    """A registration that ended, or a booth withdrawn or rejected, between the run and its publication
    takes its interviews with it, as it would have after (see matchmaking.interviews); nobody is told
    about a schedule they never had."""
    no_longer_confirmed = ~exists().where(Registration.event_id == run.event_id,
                                          Registration.user_id == Interview.candidate_id,
                                          Registration.status == RegistrationStatus.CONFIRMED)
    db.session.execute(update(Interview).where(Interview.run_id == run.id, Interview.cancelled_at.is_(None),
                                               no_longer_confirmed)
                       .values(cancelled_at=now, cancel_reason=CancelReason.REGISTRATION))
    booth_gone = Interview.booth_id.in_(select(Booth.id).where(Booth.status.in_(
        (BoothStatus.WITHDRAWN, BoothStatus.REJECTED))))
    db.session.execute(update(Interview).where(Interview.run_id == run.id, Interview.cancelled_at.is_(None),
                                               booth_gone).values(cancelled_at=now, cancel_reason=CancelReason.BOOTH))


def announce_new_times(run: MatchRun) -> None:
    """The published schedule's times changed (the event moved): e-mail everyone in it their interviews again."""
    _send_interview_emails(run, replaces_earlier=True)


def _send_interview_emails(run: MatchRun, replaces_earlier: bool) -> None:
    """One e-mail to every matched candidate and to every staff member of each booth with interviews, written
    to the outbox in bulk, for the worker to write (matchmaking.emails)."""
    live = select(Interview.candidate_id, Interview.booth_id).where(Interview.run_id == run.id,
                                                                     live_interview_condition()).subquery()
    candidates = db.session.execute(select(User.id, User.email, User.locale).where(
        User.erased_at.is_(None), User.id.in_(select(live.c.candidate_id))).order_by(User.id)).tuples().all()
    booths = db.session.execute(select(Booth.id, Booth.organization_id).where(
        Booth.id.in_(select(live.c.booth_id))).order_by(Booth.id)).tuples().all()
    staff = staff_of({organization_id for _, organization_id in booths})
    base = {"run_id": run.id, "event_id": run.event_id, "replaces_earlier": replaces_earlier}
    outbox.insert_messages(chain(
        (outbox.message_written_later(emails.CANDIDATE, email, locale, {**base, "user_id": user_id})
         for user_id, email, locale in candidates),
        (outbox.message_written_later(emails.EMPLOYER, user.email, user.locale,
                                      {**base, "user_id": user.id, "booth_id": booth_id})
         for booth_id, organization_id in booths for user in staff.get(organization_id, ()))))
