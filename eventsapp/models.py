"""Every model, imported in one place so Alembic and the app see the whole schema."""
from eventsapp.accounts.models import Role, User
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus, Series

__all__ = ["AgendaItem", "Event", "EventKind", "EventStatus", "Role", "Series", "User"]
