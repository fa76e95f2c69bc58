"""What people are told about their registrations, by e-mail.

The messages go through the outbox (eventsapp.notifications). Registering queues its message
unwritten, in the same transaction and as a plain INSERT (``message_written_later``); the outbox
worker writes it with ``RENDERERS``, which the application registers with the outbox by kind.

The confirmation queued so is also the registration fast path's deferred work: writing it issues the
badge that comes with the place if it is still missing (``render_confirmed_later``). On PostgreSQL the
fast path inserts the badge in its one statement already; on SQLite it would be one more statement
while the event is locked, so the worker issues it. Every other way to a confirmed place issues the
badge at once.
"""
from __future__ import annotations

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.badges.services import issue_badges
from eventsapp.extensions import db
from eventsapp.notifications import services as outbox
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations.models import Registration

MY_EVENTS_PATH = "/my/events"
CONFIRMED, WAITLISTED, PENDING = "registration_confirmed", "registration_waitlisted", "registration_pending"
PROMOTED, REJECTED, CANCELLED = "registration_promoted", "registration_rejected", "registration_cancelled"


def _context(registration: Registration, **context) -> dict:
    event = registration.event
    return dict(user=registration.user, event=event, registration=registration,
                event_url=outbox.public_url("events.event_detail", slug=event.slug),
                events_url=outbox.public_url("events.event_list"),
                my_events_url=outbox.public_path_url(MY_EVENTS_PATH), **context)


def render_later(stored: dict) -> dict:
    """The template context of a message queued unwritten (``message_written_later``)."""
    event_id, user_id = stored.pop("event_id", None), stored.pop("user_id", None)
    registration = db.session.scalar(select(Registration).where(Registration.event_id == event_id,
                                                                Registration.user_id == user_id))
    if registration is None:
        raise outbox.CannotRender(f"the registration of user {user_id} for event {event_id} no longer exists")
    return _context(registration, **stored)


def render_confirmed_later(stored: dict) -> dict:
    """As ``render_later``, for a confirmation queued by the registration fast path: issues the
    person's badge first (idempotent; nothing if the place is gone by now)."""
    if stored.get("event_id") is not None and stored.get("user_id") is not None:
        issue_badges(stored["event_id"], [stored["user_id"]])
    return render_later(stored)


RENDERERS = {**dict.fromkeys((WAITLISTED, PENDING, PROMOTED, REJECTED, CANCELLED), render_later),
             CONFIRMED: render_confirmed_later}


def message_written_later(user: User, kind: str, event_id: int, **context) -> dict | None:
    """The outbox row of a message about ``user``'s registration for the event, for the outbox worker to
    write before sending; None when they deleted their account (no address left). ``context``: JSON values."""
    if user.erased_at is not None:
        return None
    return outbox.message_written_later(kind, user.email, user.locale,
                                        {"event_id": event_id, "user_id": user.id, **context})


def _tell(registration: Registration, kind: str, *, later: bool = False, **context) -> OutboxMessage | None:
    """One message to the registered person; none when they deleted their account (no address left).

    ``later=True`` inserts at once, in the same transaction, a row that the outbox worker writes before
    sending, and returns None."""
    user = registration.user
    if user.erased_at is not None:
        return None
    if later:
        db.session.execute(outbox.INSERT_MESSAGE, message_written_later(user, kind, registration.event_id, **context))
        return None
    return outbox.queue_email(kind, user.email, user.locale, kind, **_context(registration, **context))


def tell_confirmed(registration: Registration, later: bool = False) -> OutboxMessage | None:
    return _tell(registration, CONFIRMED, later=later)


def tell_waitlisted(registration: Registration, position: int, later: bool = False) -> OutboxMessage | None:
    return _tell(registration, WAITLISTED, later=later, position=position)


def tell_pending(registration: Registration, later: bool = False) -> OutboxMessage | None:
    """The registration waits for an organizer's approval."""
    return _tell(registration, PENDING, later=later)


def tell_promoted(registration: Registration) -> OutboxMessage | None:
    """A place became free and the person moved from the waiting list to confirmed."""
    return _tell(registration, PROMOTED)


def tell_rejected(registration: Registration, reason: str) -> OutboxMessage | None:
    return _tell(registration, REJECTED, reason=(reason or "").strip())


def tell_cancelled(registration: Registration, reason: str, by_organizer: bool) -> OutboxMessage | None:
    return _tell(registration, CANCELLED, reason=(reason or "").strip(), by_organizer=by_organizer)
