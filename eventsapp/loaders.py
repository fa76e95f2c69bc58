"""Loading what a URL names, or answering 404: an event (of the kind a page is for), the rows that
belong to one event, and a booth for its staff.

Views call these instead of writing their own ``_thing_or_404``: a row of another event is as
absent as a row that does not exist, so an organizer's URL cannot be bent to reach another
event's badge, hall or registration by changing only the child's id; an event without the part a
page shows (``hosts``, e.g. matchmaking's ``hosts_matching``) is as absent as no event.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import abort, make_response
from flask_login import current_user

from eventsapp.booths.models import Booth
from eventsapp.events.models import Event
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.main.errors import render_error
from eventsapp.organizations.access import can_use_shortlist


class _EventChild(Protocol):
    event_id: int


Child = TypeVar("Child", bound=_EventChild)


def event_or_404(event_id: int, hosts: Callable[[Event], bool] | None = None) -> Event:
    """The event, if it exists and (given ``hosts``) has what the page is about."""
    event = db.get_or_404(Event, event_id)
    if hosts is not None and not hosts(event):
        abort(404)
    return event


def event_child_or_404(model: type[Child], event_id: int, child_id: int) -> Child:
    """The row of ``model`` with ``child_id`` if it belongs to the event; 404 otherwise."""
    child = db.session.get(model, child_id)
    if child is None or child.event_id != event_id:
        abort(404)
    return child


def public_event_or_404(slug: str, *, drafts_for_organizers: bool = False,
                        hosts: Callable[[Event], bool] | None = None) -> Event:
    """The event at ``slug`` if the public may see it (Event.is_public): drafts, and drafts cancelled before
    publication, do not exist for the public (nor, unless ``drafts_for_organizers``, for organizers on a
    public page); nor, given ``hosts``, an event without what the page is about."""
    event = find_event_by_slug(slug)
    if event is None:
        abort(404)
    if not event.is_public and not (
            drafts_for_organizers and current_user.is_authenticated and current_user.is_organizer):
        abort(404)
    if hosts is not None and not hosts(event):
        abort(404)
    return event


def booth_or_404(booth_id: int) -> Booth:
    return db.get_or_404(Booth, booth_id)


def staff_booth_or_403(booth_id: int, refusal: str | None = None) -> Booth:
    """The booth for the signed-in staff of its organization while it is active (``can_use_shortlist``);
    404 when there is no such booth, 403 for anyone else (saying ``refusal`` when given)."""
    booth = booth_or_404(booth_id)
    if not can_use_shortlist(current_user._get_current_object(), booth):
        abort(make_response(render_error(403, refusal)) if refusal else 403)
    return booth
