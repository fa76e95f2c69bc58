"""Events: the public list with filters, one event, its agenda."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from eventsapp.api import access, core
from eventsapp.api import schemas as s
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import AgendaItem, Event, Series
from eventsapp.events.services import registration_state
from eventsapp.extensions import db
from eventsapp.i18n import localized

blp = core.blueprint("events", "Events: public list with filters, detail and agenda.")


def local_iso(value: datetime | None, zone_name: str) -> str | None:
    """ISO 8601 in the event's own time zone, with its offset (2026-09-28T09:00:00+08:00)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).isoformat()


def event_url_maker() -> Callable[[str], str]:
    """The public page's address of an event, by its slug: ``url_for`` once for a whole list (it costs more
    than the rest of an event's summary), then the slug put in its place."""
    marker = "__slug__"
    template = url_for("events.event_detail", slug=marker, _external=True)
    safe = "!$&'()*+,/:;=@"  # what werkzeug leaves unquoted in a path part
    return lambda slug: template.replace(marker, quote(slug, safe=safe))


def event_summary(event: Event, now: datetime, event_url: Callable[[str], str] | None = None) -> dict:
    zone = event.timezone
    return {
        "id": str(event.id), "slug": event.slug, "kind": event.kind, "status": event.status,
        "title_zh": event.title_zh, "title_en": event.title_en, "title": localized(event, "title"),
        "timezone": zone, "starts_at": local_iso(event.starts_at, zone), "ends_at": local_iso(event.ends_at, zone),
        "venue_name": localized(event, "venue_name"), "venue_address": event.venue_address,
        "district": event.district, "series": event.series.slug if event.series else None,
        "registration": registration_state(event, now),
        "url": (event_url or event_url_maker())(event.slug),
    }


def event_detail(event: Event, now: datetime) -> dict:
    zone = event.timezone
    return {
        **event_summary(event, now),
        "description_zh": event.description_zh, "description_en": event.description_en,
        "capacity": event.capacity, "requires_approval": event.requires_approval,
        "registration_opens_at": local_iso(event.registration_opens_at, zone),
        "registration_closes_at": local_iso(event.registration_closes_at, zone),
        "cancellation_reason": event.cancellation_reason,
    }


@blp.route("/events")
@blp.arguments(s.EventListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.EventSchema, "EventList"))
def list_events(limit: int, when: str, cursor: str | None = None, kind=None, series: str | None = None,
                starts_after: datetime | None = None, starts_before: datetime | None = None):
    """Public events (published, or cancelled after publication)

    Upcoming events come soonest first; past and all, latest first. Pages of `limit`, keyset-paginated."""
    now = utcnow()
    query = select(Event).where(Event.is_public).options(selectinload(Event.series))
    if kind is not None:
        query = query.where(Event.kind == kind)
    if series is not None:
        query = query.join(Series, Series.id == Event.series_id).where(Series.slug == series)
    if starts_after is not None:
        query = query.where(Event.starts_at >= starts_after)
    if starts_before is not None:
        query = query.where(Event.starts_at < starts_before)
    key = tuple_(Event.starts_at, Event.id)
    ascending = when == "upcoming"
    if when == "upcoming":
        query = query.where(Event.ends_at >= now)
    elif when == "past":
        query = query.where(Event.ends_at < now)
    if cursor is not None:
        after = core.decode_cursor(cursor, datetime, int)
        query = query.where(key > after if ascending else key < after)
    order = (Event.starts_at, Event.id) if ascending else (Event.starts_at.desc(), Event.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    rows, next_cursor = core.page(rows, limit, lambda event: (event.starts_at, event.id))
    event_url = event_url_maker()
    return core.dumped({"data": [event_summary(event, now, event_url) for event in rows], "next_cursor": next_cursor})


@blp.route("/events/<int:event_id>")
@blp.response(200, s.EventDetailSchema)
def get_event(event_id: int):
    """One event

    Drafts exist only for organizers reading with a token."""
    return event_detail(access.visible_event(event_id), utcnow())


@blp.route("/events/<int:event_id>/agenda")
@blp.response(200, s.list_of(s.AgendaItemSchema, "AgendaList"))
def get_agenda(event_id: int):
    """An event's agenda, in order, whole (not paged: next_cursor is always null)"""
    event = access.visible_event(event_id)
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == event.id)
                               .order_by(AgendaItem.starts_at, AgendaItem.id))
    zone = event.timezone
    return {"data": [{
        "id": str(item.id), "starts_at": local_iso(item.starts_at, zone), "ends_at": local_iso(item.ends_at, zone),
        "room": item.room, "title_zh": item.title_zh, "title_en": item.title_en, "speaker": item.speaker,
    } for item in items], "next_cursor": None}
