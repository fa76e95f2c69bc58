"""Whether an interview still takes place, and interviews that end before they happen.

An interview takes place while it is not cancelled and its booth is active (organizations.access): every
list, CSV, e-mail and calendar asks ``is_live`` / ``live_interview_condition`` here. When a candidate's
registration ends, their interviews in the published schedule are cancelled and each booth concerned
is told; when a booth is withdrawn or rejected, its interviews are cancelled and each candidate is told.
An organization suspended or rejected is reversible: its interviews are kept as they are, but leave
every list while it is not in good standing, and candidates read that the employer is unavailable.

A cancelled interview keeps its row (``Interview.cancelled_at``): the calendars show it as
cancelled, so subscribed phones remove it, while every list and CSV leaves it out. This module
reads and writes only matchmaking's own tables and the booths' staff, so the registration services
can call it without importing the matching runs. Services flush; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking.models import CancelReason, Interview, MatchRun, RunStatus
from eventsapp.notifications.services import public_url, queue_email
from eventsapp.organizations.access import active_booth_condition, is_active_booth
from eventsapp.organizations.models import OrganizationMember


def live_interview_condition():
    """``is_live`` as an SQL condition on Interview."""
    return Interview.cancelled_at.is_(None) & Interview.booth_id.in_(select(Booth.id).where(active_booth_condition()))


def is_live(interview: Interview) -> bool:
    """The interview takes place: not cancelled, and its booth is active (approved, of an organization in
    good standing)."""
    return interview.cancelled_at is None and is_active_booth(interview.booth)


def employer_unavailable(interview: Interview) -> bool:
    """Not cancelled, but its booth's organization is suspended or rejected for now: it may come back."""
    return interview.cancelled_at is None and not is_live(interview)


@dataclass(frozen=True)
class CancelledInterview:
    """What the booth's staff are told about one interview that will not take place."""

    starts_at: datetime
    ends_at: datetime
    candidate_name: str  # empty when the person deleted their account


def cancel_interviews_of(event_id: int, candidate_id: int, now: datetime | None = None,
                         name_hidden: bool = False) -> list[Interview]:
    """Cancel the candidate's interviews in the event's published schedule and e-mail each booth's
    staff once. ``name_hidden``: the person is deleting their account, so the e-mail does not name them."""
    interviews = list(db.session.scalars(
        select(Interview).join(MatchRun, MatchRun.id == Interview.run_id)
        .where(MatchRun.event_id == event_id, MatchRun.status == RunStatus.PUBLISHED,
               Interview.candidate_id == candidate_id, Interview.cancelled_at.is_(None))
        .options(joinedload(Interview.booth).joinedload(Booth.organization))
        .order_by(Interview.starts_at, Interview.booth_id)))
    if interviews:
        mark_cancelled(interviews, now or utcnow(), name_hidden)
    return interviews


def cancel_interviews_at_booth(booth: Booth, now: datetime | None = None) -> list[Interview]:
    """The booth was withdrawn or rejected: cancel its interviews in the event's published schedule and
    e-mail each candidate concerned, in their language. Flushes."""
    interviews = list(db.session.scalars(
        select(Interview).join(MatchRun, MatchRun.id == Interview.run_id)
        .where(MatchRun.event_id == booth.event_id, MatchRun.status == RunStatus.PUBLISHED,
               Interview.booth_id == booth.id, Interview.cancelled_at.is_(None))
        .options(joinedload(Interview.candidate)).order_by(Interview.starts_at, Interview.candidate_id)))
    if not interviews:
        return []
    for interview in interviews:
        interview.cancelled_at, interview.cancel_reason = now or utcnow(), CancelReason.BOOTH
    db.session.flush()
    event = db.session.get(Event, booth.event_id)
    for interview in interviews:
        person = interview.candidate
        if person.erased_at is not None:
            continue
        queue_email("interviews_cancelled_candidate", person.email, person.locale, "interviews_cancelled_candidate",
                    name=person.display_name, event=event, organization=booth.organization, interview=interview,
                    event_url=public_url("events.event_detail", slug=event.slug),
                    my_interviews_url=public_url("match_runs.my_interviews"))
    return interviews


def mark_cancelled(interviews: list[Interview], now: datetime, name_hidden: bool = False) -> None:
    """Cancel these interviews (of one event) with the candidate's registration and tell the staff of each
    booth concerned, in their language."""
    for interview in interviews:
        interview.cancelled_at, interview.cancel_reason = now, CancelReason.REGISTRATION
    db.session.flush()
    names = {} if name_hidden else _candidate_names({interview.candidate_id for interview in interviews})
    by_booth: dict[int, list[CancelledInterview]] = defaultdict(list)
    booths: dict[int, Booth] = {}
    for interview in interviews:
        booths[interview.booth_id] = interview.booth
        by_booth[interview.booth_id].append(CancelledInterview(interview.starts_at, interview.ends_at,
                                                               names.get(interview.candidate_id, "")))
    event = db.session.get(Event, booths[interviews[0].booth_id].event_id)
    event_url = public_url("events.event_detail", slug=event.slug)
    staff = staff_of({booth.organization_id for booth in booths.values()})
    for booth_id, cancelled in sorted(by_booth.items()):
        booth = booths[booth_id]
        for user in staff.get(booth.organization_id, ()):
            queue_email("interviews_cancelled_employer", user.email, user.locale, "interviews_cancelled_employer",
                        user=user, event=event, booth=booth, organization=booth.organization,
                        interviews=cancelled, event_url=event_url,
                        interviews_url=public_url("match_runs.booth_interviews", booth_id=booth.id))


def _candidate_names(candidate_ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(User.id, User.display_name, CandidateProfile.name, CandidateProfile.name_latin)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == User.id).where(User.id.in_(candidate_ids)))
    return {user_id: f"{name or display_name}{f' ({latin})' if latin and latin != name else ''}"
            for user_id, display_name, name, latin in rows}


def staff_of(organization_ids: set[int]) -> dict[int, list[User]]:
    """Organization id → its staff who can still be written to (not deleted accounts), in joining order."""
    staff: dict[int, list[User]] = defaultdict(list)
    for member in db.session.scalars(select(OrganizationMember).where(
            OrganizationMember.organization_id.in_(organization_ids)).options(joinedload(OrganizationMember.user))
            .order_by(OrganizationMember.id)):
        if member.user.erased_at is None:
            staff[member.organization_id].append(member.user)
    return staff
