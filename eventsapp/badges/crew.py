"""The event's crew: organizers, judges and volunteers who get badges without registering."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from eventsapp.accounts.models import User
from eventsapp.badges.models import CREW_ROLES, BadgeRole, EventCrew
from eventsapp.badges.services import issue_badges
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed


def crew_of(event_id: int) -> list[EventCrew]:
    return list(db.session.scalars(
        select(EventCrew).join(EventCrew.user).options(contains_eager(EventCrew.user))
        .where(EventCrew.event_id == event_id).order_by(EventCrew.role, User.display_name)))


def add_to_crew(event_id: int, email: str, role: BadgeRole, added_by_id: int | None) -> EventCrew:
    """Put an existing account on the crew; a second add of the same person changes their role."""
    if role not in CREW_ROLES:
        raise ValidationFailed([("role", _l("Choose organizer, judge or volunteer."))])
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise ValidationFailed([("email", _l("No account uses this e-mail address; ask the person to sign up first."))])
    member = db.session.scalar(select(EventCrew).where(EventCrew.event_id == event_id, EventCrew.user_id == user.id))
    if member is None:
        member = EventCrew(event_id=event_id, user_id=user.id, role=role, added_by_id=added_by_id)
        db.session.add(member)
    else:
        member.role = role
    db.session.flush()
    issue_badges(event_id, [user.id])
    return member


def remove_from_crew(event_id: int, crew_id: int) -> EventCrew | None:
    member = db.session.get(EventCrew, crew_id)
    if member is None or member.event_id != event_id:
        return None
    db.session.delete(member)
    db.session.flush()
    issue_badges(event_id, [member.user_id])  # someone also registered gets their candidate's badge
    return member
