"""Reminders before an event: when each event's reminder is due (the organizer's choice, on the event's
clock) and sending the due ones, once per person per event, from the scheduler.

Once: each reminder claims a ``sent_reminder`` row (unique per event, person and kind) with INSERT ... ON
CONFLICT DO NOTHING RETURNING, and its outbox row is written in the same transaction for exactly the rows
claimed. Two schedulers that look at the same event at once claim disjoint sets of people.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from eventsapp.accounts.models import User
from eventsapp.booths.models import BoothStatus
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.messages import emails
from eventsapp.messages.models import EventReminder, ReminderTiming, SentReminder
from eventsapp.messages.services import Recipient, booth_staff_query, recipients_of
from eventsapp.notifications import services as outbox
from eventsapp.registrations.models import Registration, RegistrationStatus

CLAIM_CHUNK = 1_000  # rows per INSERT: SQLite takes at most 32,766 bound values in one statement
LONGEST_LEAD = timedelta(hours=336)  # the most hours before an event a reminder may leave
TIMING_LABELS = {
    ReminderTiming.DAY_BEFORE: _l("The day before the event"),
    ReminderTiming.HOURS_BEFORE: _l("A number of hours before it starts"),
    ReminderTiming.OFF: _l("No reminder"),
}


@dataclass(frozen=True)
class ReminderChoice:
    timing: ReminderTiming = ReminderTiming.DAY_BEFORE
    hours_before: int | None = None


def reminder_choice(event_id: int) -> ReminderChoice:
    row = db.session.get(EventReminder, event_id)
    return ReminderChoice() if row is None else ReminderChoice(row.timing, row.hours_before)


def save_reminder_choice(event_id: int, choice: ReminderChoice) -> None:
    """Flushes; the caller commits."""
    row = db.session.get(EventReminder, event_id) or EventReminder(event_id=event_id)
    row.timing = choice.timing
    row.hours_before = choice.hours_before if choice.timing == ReminderTiming.HOURS_BEFORE else None
    db.session.add(row)
    db.session.flush()


def reminder_due_at(event: Event, choice: ReminderChoice, local_hour: int) -> datetime | None:
    """When the event's reminder leaves (aware UTC); None when it is off. "The day before" is at
    ``local_hour`` on the event's clock the day before its first day (daylight saving included)."""
    if choice.timing == ReminderTiming.OFF:
        return None
    if choice.timing == ReminderTiming.HOURS_BEFORE:
        return event.starts_at - timedelta(hours=choice.hours_before or 24)
    zone = ZoneInfo(event.timezone)
    day_before = event.starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day_before, time(local_hour), tzinfo=zone).astimezone(event.starts_at.tzinfo)


def events_due(now: datetime) -> list[Event]:
    """Published events not started yet whose reminder time has come."""
    events = db.session.scalars(select(Event).where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
                                                    Event.starts_at <= now + LONGEST_LEAD + timedelta(days=1)))
    hour = current_app.config["REMINDER_LOCAL_HOUR"]
    due = []
    for event in events:
        due_at = reminder_due_at(event, reminder_choice(event.id), hour)
        if due_at is not None and due_at <= now:
            due.append(event)
    return due


def _claim(event_id: int, people: list[Recipient], kind: str, now: datetime) -> set[int]:
    """Claim the reminder of ``kind`` for these people; the user ids claimed here (not already sent)."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    claimed = set()
    for start in range(0, len(people), CLAIM_CHUNK):
        statement = (insert(SentReminder).values([{"event_id": event_id, "user_id": person.user_id, "kind": kind,
                                                  "sent_at": now} for person in people[start:start + CLAIM_CHUNK]])
                     .on_conflict_do_nothing(index_elements=["event_id", "user_id", "kind"])
                     .returning(SentReminder.user_id))
        claimed.update(db.session.scalars(statement))
    return claimed


def _confirmed(event_id: int) -> list[Recipient]:
    return recipients_of(select(User.id, User.email, User.locale, None)
                         .join(Registration, Registration.user_id == User.id)
                         .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
                                User.erased_at.is_(None)).order_by(User.id), emails.REGISTRANT)


def send_reminders(event: Event, now: datetime) -> int:
    """Queue the event's reminder to every confirmed registrant and every staff member of its approved booths
    who has not had it; how many were queued."""
    sent = 0
    staff = recipients_of(booth_staff_query(event.id, (BoothStatus.APPROVED,)), emails.STAFF)
    for kind, people in ((emails.REMINDER, _confirmed(event.id)), (emails.BOOTH_REMINDER, staff)):
        already = set(db.session.scalars(select(SentReminder.user_id).where(SentReminder.event_id == event.id,
                                                                            SentReminder.kind == kind)))
        claimed = _claim(event.id, [person for person in people if person.user_id not in already], kind, now)
        sent += outbox.insert_messages(
            emails.written_later(kind, person.email, person.locale, event_id=event.id, user_id=person.user_id,
                                 booth_id=person.booth_id) for person in people if person.user_id in claimed)
    return sent


def send_due_reminders(now: datetime) -> str:
    """The scheduler's job: every due event's reminders, one transaction per event."""
    total = 0
    for event in events_due(now):
        total += send_reminders(event, now)
        db.session.commit()
    return f"{total} reminders queued" if total else ""
