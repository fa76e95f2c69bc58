"""Loading what a URL names, or answering 404: an event, and the rows that belong to one event.

Views call these instead of writing their own ``_thing_or_404``: a row of another event is as
absent as a row that does not exist, so an organizer's URL cannot be bent to reach another
event's badge, hall or registration by changing only the child's id.
"""
from __future__ import annotations

from typing import Protocol, TypeVar

from flask import abort
from flask_login import current_user

from eventsapp.events.models import Event
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db


class _EventChild(Protocol):
    event_id: int


Child = TypeVar("Child", bound=_EventChild)


def event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def event_child_or_404(model: type[Child], event_id: int, child_id: int) -> Child:
    """The row of ``model`` with ``child_id`` if it belongs to the event; 404 otherwise."""
    child = db.session.get(model, child_id)
    if child is None or child.event_id != event_id:
        abort(404)
    return child


def public_event_or_404(slug: str, *, drafts_for_organizers: bool = False) -> Event:
    """The event at ``slug`` if the public may see it (Event.is_public): drafts, and drafts cancelled before
    publication, do not exist for the public (nor, unless ``drafts_for_organizers``, for organizers on a
    public page)."""
    event = find_event_by_slug(slug)
    if event is None:
        abort(404)
    if not event.is_public and not (
            drafts_for_organizers and current_user.is_authenticated and current_user.is_organizer):
        abort(404)
    return event
