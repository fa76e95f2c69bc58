"""The interview e-mails: a published schedule (or its new times) is written to the outbox in bulk, one row
per candidate and per booth staff member, as messages the outbox worker writes later (``RENDERERS``): 100,000
of them take seconds, not minutes. The same readers give other features (reminders, change notices) a
person's interviews in the event's published schedule.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking import run_results
from eventsapp.matchmaking.interviews import live_interview_condition
from eventsapp.matchmaking.models import Interview
from eventsapp.matchmaking.schedules import ScheduledInterview, SlotGroup, group_by_slot
from eventsapp.notifications import services as outbox

CANDIDATE, EMPLOYER = "interviews_candidate", "interviews_employer"


def _interviews(run_id: int, *conditions) -> list[ScheduledInterview]:
    rows = db.session.execute(
        select(Interview, User.display_name, CandidateProfile.name, CandidateProfile.name_latin)
        .join(User, User.id == Interview.candidate_id)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == Interview.candidate_id)
        .where(Interview.run_id == run_id, live_interview_condition(), *conditions)
        .order_by(Interview.slot, Interview.starts_at, Interview.booth_id)).tuples().all()
    booths = {booth.id: booth for booth in db.session.scalars(
        select(Booth).where(Booth.id.in_({interview.booth_id for interview, *_ in rows}))
        .options(joinedload(Booth.organization), joinedload(Booth.hall)))}
    return [ScheduledInterview(interview.id, interview.slot, interview.starts_at, interview.ends_at,
                               booths[interview.booth_id], interview.candidate_id, name or display_name or "",
                               name_latin or "", interview.choice_position)
            for interview, display_name, name, name_latin in rows]


def candidate_interviews(run_id: int, candidate_id: int) -> list[ScheduledInterview]:
    """The candidate's interviews that take place in the run, by time."""
    return _interviews(run_id, Interview.candidate_id == candidate_id)


def booth_slots(run_id: int, booth_id: int) -> list[SlotGroup]:
    """The booth's interviews that take place in the run, slot by slot, each slot's candidates by name."""
    interviews = _interviews(run_id, Interview.booth_id == booth_id)
    interviews.sort(key=lambda item: (item.slot, item.candidate_name, item.candidate_id))
    return group_by_slot(interviews)


def published_interviews_of(event_id: int, candidate_id: int) -> list[ScheduledInterview]:
    run = run_results.published_run(event_id)
    return [] if run is None else candidate_interviews(run.id, candidate_id)


def published_booth_slots(event_id: int, booth_id: int) -> list[SlotGroup]:
    run = run_results.published_run(event_id)
    return [] if run is None else booth_slots(run.id, booth_id)


def render_candidate(stored: dict) -> dict:
    event, user = db.session.get(Event, stored["event_id"]), db.session.get(User, stored["user_id"])
    if event is None or user is None:
        raise outbox.CannotRender("the event or the candidate no longer exists")
    interviews = candidate_interviews(stored["run_id"], user.id)
    if not interviews:
        raise outbox.CannotRender(f"user {user.id} has no interview left in run {stored['run_id']}")
    return dict(name=user.display_name, event=event, interviews=interviews,
                replaces_earlier=stored.get("replaces_earlier", False),
                event_url=outbox.public_url("events.event_detail", slug=event.slug),
                my_interviews_url=outbox.public_url("match_runs.my_interviews"))


def render_employer(stored: dict) -> dict:
    event, user = db.session.get(Event, stored["event_id"]), db.session.get(User, stored["user_id"])
    booth = db.session.get(Booth, stored["booth_id"])
    if event is None or user is None or booth is None:
        raise outbox.CannotRender("the event, the booth or the staff member no longer exists")
    slots = booth_slots(stored["run_id"], booth.id)
    return dict(user=user, event=event, booth=booth, organization=booth.organization, slots=slots,
                count=sum(len(group.interviews) for group in slots),
                replaces_earlier=stored.get("replaces_earlier", False),
                event_url=outbox.public_url("events.event_detail", slug=event.slug),
                interviews_url=outbox.public_url("match_runs.booth_interviews", booth_id=booth.id))


RENDERERS = {CANDIDATE: render_candidate, EMPLOYER: render_employer}
