"""Who is told what about an event: the cancellation and change notices, and organizers' broadcasts.

Every function here flushes or writes in the caller's transaction; the caller commits, so a message exists
exactly when the change it announces does. Recipients are read with one query per group and their outbox
rows written in bulk (``notifications.services.insert_messages``), each to be written by the worker in the
recipient's language. A person is written to once per notice, whatever the number of their roles.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.checkin.models import CheckIn
from eventsapp.contests.models import Contest, ContestJudge
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import current_language
from eventsapp.messages import emails
from eventsapp.messages.models import Broadcast, Segment
from eventsapp.notifications import services as outbox
from eventsapp.organizations.models import OrganizationMember
from eventsapp.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from eventsapp.validation import ValidationFailed

ACTIVE_BOOTH_STATUSES = (BoothStatus.PENDING, BoothStatus.APPROVED)
# What a change notice compares: the event's times and place.
NOTICE_FIELDS = ("starts_at", "ends_at", "timezone", "venue_name_zh", "venue_name_en", "venue_address")


@dataclass(frozen=True)
class Recipient:
    user_id: int | None
    email: str
    locale: str | None
    role: str
    booth_id: int | None = None


def recipients_of(query: Select, role: str) -> list[Recipient]:
    return [Recipient(user_id, email, locale, role, booth_id)
            for user_id, email, locale, booth_id in db.session.execute(query).tuples()]


def _registrants(event_id: int) -> Select:
    return (select(User.id, User.email, User.locale, None)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE_STATUSES),
                   User.erased_at.is_(None)).order_by(User.id))


def booth_staff_query(event_id: int, statuses=ACTIVE_BOOTH_STATUSES) -> Select:
    """Staff of the organizations with a booth in ``statuses``, with their (first) booth."""
    return (select(User.id, User.email, User.locale, func.min(Booth.id))
            .join(OrganizationMember, OrganizationMember.user_id == User.id)
            .join(Booth, Booth.organization_id == OrganizationMember.organization_id)
            .where(Booth.event_id == event_id, Booth.status.in_(statuses), User.erased_at.is_(None))
            .group_by(User.id, User.email, User.locale).order_by(User.id))


def _judges(event_id: int) -> list[Recipient]:
    rows = db.session.execute(
        select(ContestJudge.user_id, func.coalesce(User.email, ContestJudge.email), User.locale)
        .join(Contest, Contest.id == ContestJudge.contest_id)
        .outerjoin(User, User.id == ContestJudge.user_id)
        .where(Contest.event_id == event_id, User.erased_at.is_(None) | ContestJudge.user_id.is_(None))
        .order_by(ContestJudge.id)).tuples()
    return [Recipient(user_id, email, locale, emails.JUDGE) for user_id, email, locale in rows]


def _once_each(*groups: list[Recipient]) -> list[Recipient]:
    """Everyone once, in the first group that names them (their address, whatever its case)."""
    seen, people = set(), []
    for group in groups:
        for person in group:
            key = person.email.strip().lower()
            if key and key not in seen:
                seen.add(key)
                people.append(person)
    return people


def _queue(kind: str, event: Event, people: list[Recipient], **context) -> int:
    return outbox.insert_messages(
        emails.written_later(kind, person.email, person.locale, event_id=event.id, user_id=person.user_id,
                             role=person.role, booth_id=person.booth_id, **context) for person in people)


# --- Cancellation -------------------------------------------------------------------------------

def cancellation_recipients(event: Event) -> list[Recipient]:
    """Everyone registered (confirmed, waiting, awaiting approval), the staff of its active booths and its
    contest's judges; nobody for an event never published, which nobody outside could know."""
    if event.published_at is None:
        return []
    return _once_each(recipients_of(_registrants(event.id), emails.REGISTRANT),
                      recipients_of(booth_staff_query(event.id), emails.STAFF), _judges(event.id))


def tell_cancelled(event: Event) -> int:
    """Queue the cancellation notice (with ``event.cancellation_reason``) to everyone concerned; how many."""
    return _queue(emails.CANCELLED, event, cancellation_recipients(event))


# --- Change of date, time or venue --------------------------------------------------------------------

def notice_snapshot(event: Event) -> dict:
    return {name: getattr(event, name).isoformat() if isinstance(getattr(event, name), datetime)
            else getattr(event, name) for name in NOTICE_FIELDS}


def change_recipients(event: Event) -> list[Recipient]:
    if event.published_at is None:
        return []
    return _once_each(recipients_of(_registrants(event.id), emails.REGISTRANT),
                      recipients_of(booth_staff_query(event.id), emails.STAFF))


def tell_changed(event: Event, before: dict) -> int:
    """When the event's date, time or venue differ from ``before`` (``notice_snapshot``), queue the change
    notice (old → new) to everyone registered and the staff of its booths; how many were queued. The notice
    carries each person's interview times in the published schedule, so a move that also moves the interviews
    is one e-mail per person."""
    if before == notice_snapshot(event):
        return 0
    return _queue(emails.CHANGED, event, change_recipients(event), before=before)


# --- Broadcasts ---------------------------------------------------------------------------------

SEGMENT_LABELS = {
    Segment.CONFIRMED: _l("Everyone confirmed"),
    Segment.WAITLISTED: _l("The waiting list"),
    Segment.ATTENDED: _l("People who came (checked in)"),
    Segment.ABSENT: _l("Confirmed people who did not come"),
    Segment.EMPLOYERS: _l("Employers with approved booths (their staff)"),
}


def _segment_query(event_id: int, segment: Segment) -> Select:
    if segment == Segment.EMPLOYERS:
        return booth_staff_query(event_id, (BoothStatus.APPROVED,))
    checked_in = exists().where(CheckIn.event_id == event_id, CheckIn.holder_id == User.id)
    query = select(User.id, User.email, User.locale, None).where(User.erased_at.is_(None)).order_by(User.id)
    if segment == Segment.ATTENDED:
        return query.where(checked_in)
    status = RegistrationStatus.WAITLISTED if segment == Segment.WAITLISTED else RegistrationStatus.CONFIRMED
    query = query.where(exists().where(Registration.event_id == event_id, Registration.user_id == User.id,
                                       Registration.status == status))
    return query.where(~checked_in) if segment == Segment.ABSENT else query


def segment_recipients(event_id: int, segment: Segment) -> list[Recipient]:
    return recipients_of(_segment_query(event_id, segment), emails.STAFF if segment == Segment.EMPLOYERS
                   else emails.REGISTRANT)


def count_segment(event_id: int, segment: Segment) -> int:
    return db.session.scalar(select(func.count()).select_from(_segment_query(event_id, segment).subquery()))


@dataclass
class BroadcastData:
    segment: Segment
    subject_zh: str
    subject_en: str
    body_zh: str
    body_en: str


def broadcasts_in_last_hour(event_id: int, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Broadcast).where(
        Broadcast.event_id == event_id, Broadcast.sent_at > now - timedelta(hours=1)))


def send_broadcast(event: Event, data: BroadcastData, actor: User | None, now: datetime | None = None) -> Broadcast:
    """Write the broadcast to everyone in the segment, in bulk; logged with the audit log. Refused
    (ValidationFailed) for an event never published, for a segment with nobody in it, and beyond
    BROADCASTS_PER_EVENT_PER_HOUR: the event's row is locked first, so the count holds across processes.
    Flushes; the caller commits."""
    now = now or utcnow()
    db.session.scalar(select(Event.id).where(Event.id == event.id).with_for_update())
    limit = current_app.config["BROADCASTS_PER_EVENT_PER_HOUR"]
    if event.published_at is None:
        raise ValidationFailed([(None, _l("A draft that was never published has nobody to write to."))])
    if broadcasts_in_last_hour(event.id, now) >= limit:
        raise ValidationFailed([(None, _l("At most %(num)d messages per event may be sent in an hour; try again "
                                          "later.", num=limit))])
    people = segment_recipients(event.id, data.segment)
    if not people:
        raise ValidationFailed([("segment", _l("Nobody is in this group yet."))])
    broadcast = Broadcast(event_id=event.id, segment=data.segment, subject_zh=data.subject_zh.strip(),
                          subject_en=data.subject_en.strip(), body_zh=data.body_zh.strip(),
                          body_en=data.body_en.strip(), recipients=len(people),
                          sent_by_id=actor.id if actor is not None else None, sent_at=now)
    db.session.add(broadcast)
    db.session.flush()
    outbox.insert_messages(emails.written_later(emails.BROADCAST, person.email, person.locale,
                                                broadcast_id=broadcast.id, user_id=person.user_id,
                                                role=person.role) for person in people)
    audit.record(actor, "broadcast", broadcast, after={"segment": data.segment, "recipients": len(people),
                                                       "subject_en": broadcast.subject_en}, now=now)
    return broadcast


def list_broadcasts(event_id: int) -> list[Broadcast]:
    return list(db.session.scalars(select(Broadcast).where(Broadcast.event_id == event_id)
                                   .order_by(Broadcast.sent_at.desc(), Broadcast.id.desc())))


def broadcast_names(ids) -> dict[int, str]:
    return {broadcast_id: localized_subject for broadcast_id, localized_subject in db.session.execute(
        select(Broadcast.id, Broadcast.subject_zh if current_language() == "zh" else Broadcast.subject_en)
        .where(Broadcast.id.in_(ids))).tuples()}
