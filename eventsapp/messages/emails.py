"""The e-mails about an event as a whole, all queued unwritten in bulk (``message_written_later``) and
written by the outbox worker with ``RENDERERS``, in each recipient's language, from what the database holds
when it writes them.

Roles say why a person gets a message: ``registrant`` (registered: confirmed, waiting, awaiting approval),
``staff`` (of an organization with a booth) and ``judge`` (of the event's contest).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking.emails import published_booth_slots, published_interviews_of
from eventsapp.messages.models import Broadcast
from eventsapp.notifications import services as outbox
from eventsapp.organizations.models import OrganizationMember

CANCELLED, CHANGED, BROADCAST = "event_cancelled", "event_changed", "event_broadcast"
REMINDER, BOOTH_REMINDER = "event_reminder", "event_reminder_booth"
REGISTRANT, STAFF, JUDGE = "registrant", "staff", "judge"
MY_EVENTS_PATH = "/my/events"


def _event(stored: dict) -> Event:
    event = db.session.get(Event, stored.get("event_id"))
    if event is None:
        raise outbox.CannotRender(f"event {stored.get('event_id')} no longer exists")
    return event


def _user(stored: dict) -> User | None:
    return db.session.get(User, stored["user_id"]) if stored.get("user_id") is not None else None


def _base(event: Event, stored: dict) -> dict:
    return dict(event=event, user=_user(stored), role=stored.get("role", REGISTRANT),
                event_url=outbox.public_url("events.event_detail", slug=event.slug),
                my_events_url=outbox.public_path_url(MY_EVENTS_PATH))


def _booth(stored: dict, event: Event) -> Booth | None:
    booth = db.session.get(Booth, stored["booth_id"]) if stored.get("booth_id") is not None else None
    return booth if booth is not None and booth.event_id == event.id else None


@dataclass(frozen=True)
class BoothSchedule:
    """One of the staff member's booths with its published interviews (grouped by slot)."""

    booth: Booth
    slots: list
    interviews_url: str

    @property
    def label(self) -> str:
        """How the e-mail names the booth among several: its number, else its id."""
        return self.booth.code or f"#{self.booth.id}"

    @property
    def count(self) -> int:
        return sum(len(group.interviews) for group in self.slots)


def _staff_booths(stored: dict, event: Event, user: User | None, statuses: tuple[BoothStatus, ...]) -> list[Booth]:
    """Every booth at the event of the organizations the staff member works for (an organization may hold
    several), in ``statuses``; the booth the message was queued with when the person is gone."""
    if user is None:
        booth = _booth(stored, event)
        return [booth] if booth is not None else []
    return list(db.session.scalars(
        select(Booth).join(OrganizationMember, OrganizationMember.organization_id == Booth.organization_id)
        .where(OrganizationMember.user_id == user.id, Booth.event_id == event.id, Booth.status.in_(statuses))
        .order_by(Booth.code, Booth.id)))


def _schedules(event: Event, booths: list[Booth]) -> list[BoothSchedule]:
    return [BoothSchedule(booth, published_booth_slots(event.id, booth.id),
                          outbox.public_url("match_runs.booth_interviews", booth_id=booth.id)) for booth in booths]


def render_cancelled(stored: dict) -> dict:
    event = _event(stored)
    return dict(_base(event, stored), reason=event.cancellation_reason)


class Before:
    """What the event was before a change, from the JSON the notice was queued with."""

    def __init__(self, stored: dict):
        self.starts_at = datetime.fromisoformat(stored["starts_at"])
        self.ends_at = datetime.fromisoformat(stored["ends_at"])
        self.timezone = stored["timezone"]
        self.venue_name_zh, self.venue_name_en = stored["venue_name_zh"], stored["venue_name_en"]
        self.venue_address = stored["venue_address"]


def render_changed(stored: dict) -> dict:
    event = _event(stored)
    before = Before(stored["before"])
    context = _base(event, stored)
    user = context["user"]
    return dict(context, before=before,
                time_changed=(before.starts_at, before.ends_at, before.timezone)
                != (event.starts_at, event.ends_at, event.timezone),
                venue_changed=outbox.event_where(before) != outbox.event_where(event),
                interviews=published_interviews_of(event.id, user.id) if user is not None else [],
                booths=[schedule for schedule in _schedules(event, _staff_booths(
                    stored, event, user, (BoothStatus.PENDING, BoothStatus.APPROVED))) if schedule.slots]
                if stored.get("role") == STAFF else [])


def render_reminder(stored: dict) -> dict:
    event = _event(stored)
    context = _base(event, stored)
    user = context["user"]
    if user is None:
        raise outbox.CannotRender(f"user {stored.get('user_id')} no longer exists")
    return dict(context, badge_url=outbox.public_url("badges.my_badge", slug=event.slug),
                interviews=published_interviews_of(event.id, user.id),
                my_interviews_url=outbox.public_url("match_runs.my_interviews"))


def render_booth_reminder(stored: dict) -> dict:
    event = _event(stored)
    context = _base(event, stored)
    booths = _staff_booths(stored, event, context["user"], (BoothStatus.APPROVED,))
    if not booths or context["user"] is None:
        raise outbox.CannotRender(f"booth {stored.get('booth_id')} or its staff member no longer exists")
    schedules = _schedules(event, booths)
    return dict(context, booths=schedules, organization=booths[0].organization,
                count=sum(schedule.count for schedule in schedules),
                badge_url=outbox.public_url("badges.my_badge", slug=event.slug))


def render_broadcast(stored: dict) -> dict:
    broadcast = db.session.get(Broadcast, stored.get("broadcast_id"))
    if broadcast is None:
        raise outbox.CannotRender(f"broadcast {stored.get('broadcast_id')} no longer exists")
    event = db.session.get(Event, broadcast.event_id)
    return dict(_base(event, stored), broadcast=broadcast)


RENDERERS = {CANCELLED: render_cancelled, CHANGED: render_changed, REMINDER: render_reminder,
             BOOTH_REMINDER: render_booth_reminder, BROADCAST: render_broadcast}


def written_later(kind: str, email: str, locale: str | None, **context) -> dict:
    """An outbox row for the worker to write with ``RENDERERS``; ``context`` holds JSON values."""
    return outbox.message_written_later(kind, email, locale, context)
