"""Who may run the door of an event: decided here once; the check-in views ask and answer 403."""
from __future__ import annotations

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.extensions import db

DOOR_CREW_ROLES = (BadgeRole.ORGANIZER, BadgeRole.VOLUNTEER)


def can_run_door(user: User | None, event_id: int) -> bool:
    """Organizers and administrators, and the event's own crew with the organizer or volunteer role
    (a judge, or a volunteer of another event, may not)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_organizer:
        return True
    return db.session.scalar(select(EventCrew.id).where(
        EventCrew.event_id == event_id, EventCrew.user_id == user.id,
        EventCrew.role.in_(DOOR_CREW_ROLES))) is not None
