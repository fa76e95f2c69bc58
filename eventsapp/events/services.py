"""Events: saving with their rules, status changes, duplication, agenda and public queries.

Services take plain values and flush; the caller commits.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import selectinload

from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus, Series
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed
from eventsapp.webhooks import emit as webhooks

log = logging.getLogger(__name__)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TALENT_DAY_MONTH, TALENT_DAY_DAY = 9, 28


class EventStateError(Exception):
    """A status change that the event's current status does not allow."""


@dataclass
class EventData:
    """What an organizer fills in for an event; datetimes are aware."""

    kind: EventKind
    title_zh: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    slug: str = ""
    timezone: str = "Asia/Shanghai"
    series_id: int | None = None
    description_zh: str = ""
    description_en: str = ""
    venue_name_zh: str = ""
    venue_name_en: str = ""
    venue_address: str = ""
    venue_halls: str = ""
    district: str = ""  # one of candidates.choices.HANGZHOU_DISTRICTS, or empty
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    requires_approval: bool = False
    eligible_degrees: str = ""  # comma-separated degree codes; empty: any
    eligible_talent_classes: str = ""  # comma-separated classes A–F; empty: any
    max_age: int | None = None
    graduation_year_min: int | None = None
    graduation_year_max: int | None = None
    retention_months: int | None = None  # personal data kept this long after the end; None: the site's default


@dataclass
class AgendaItemData:
    starts_at: datetime
    ends_at: datetime | None = None
    room: str = ""
    title_zh: str = ""
    title_en: str = ""
    speaker: str = ""


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:70].rstrip("-")


def is_talent_day_date(moment: datetime, zone_name: str) -> bool:
    local = moment.astimezone(ZoneInfo(zone_name))
    return (local.month, local.day) == (TALENT_DAY_MONTH, TALENT_DAY_DAY)


def _slug_taken(slug: str, except_event: Event | None) -> bool:
    query = select(Event.id).where(Event.slug == slug)
    if except_event is not None and except_event.id is not None:
        query = query.where(Event.id != except_event.id)
    return db.session.scalar(query) is not None


def unique_slug(base: str, except_event: Event | None = None) -> str:
    base = slugify(base) or "event"
    candidate, number = base, 2
    while _slug_taken(candidate, except_event):
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _check_event(data: EventData, event: Event | None) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if not (data.title_zh.strip() or data.title_en.strip()):
        errors.append(("title_zh", _l("Give the event a title in at least one language.")))
    if data.slug:
        if not SLUG_PATTERN.fullmatch(data.slug):
            errors.append(("slug", _l("Use lower-case letters, digits and single hyphens only.")))
        elif _slug_taken(data.slug, event):
            errors.append(("slug", _l("Another event already uses this address.")))
    if data.ends_at <= data.starts_at:
        errors.append(("ends_at", _l("The event must end after it starts.")))
    if data.capacity is None or data.capacity < 1:
        errors.append(("capacity", _l("Capacity must be a whole number of at least 1.")))
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if closes is not None and closes > data.ends_at:
        errors.append(("registration_closes_at", _l("Registration must close before the event ends.")))
    if opens is not None and closes is not None and opens >= closes:
        errors.append(("registration_opens_at", _l("Registration must open before it closes.")))
    if opens is not None and opens >= data.ends_at:
        errors.append(("registration_opens_at", _l("Registration must open before the event ends.")))
    if data.graduation_year_min and data.graduation_year_max and data.graduation_year_min > data.graduation_year_max:
        errors.append(("graduation_year_max", _l("The last graduation year must not be before the first.")))
    if data.district and data.district not in HANGZHOU_DISTRICTS:
        errors.append(("district", _l("Choose a district from the list.")))
    if data.series_id is not None and db.session.get(Series, data.series_id) is None:
        errors.append(("series_id", _l("Choose a series from the list.")))
    if data.kind == EventKind.TALENT_DAY:
        errors.extend(_check_talent_day(data, event))
    return errors


def _check_talent_day(data: EventData, event: Event | None) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if not is_talent_day_date(data.starts_at, data.timezone):
        errors.append(("starts_at", _l("Talent Day is on 28 September: the event must start on that day.")))
    if not is_talent_day_date(data.ends_at, data.timezone):
        errors.append(("ends_at", _l("Talent Day is on 28 September: the event must end on that day.")))
    year = data.starts_at.astimezone(ZoneInfo(data.timezone)).year
    clash = select(Event.slug).where(Event.talent_day_year == year)
    if event is not None and event.id is not None:
        clash = clash.where(Event.id != event.id)
    if db.session.scalar(clash) is not None:
        errors.append(("starts_at", _l("There is already a Talent Day event for %(year)d.", year=year)))
    return errors


# What calendars show of an event and its agenda: a change to any of these raises the SEQUENCE.
CALENDAR_EVENT_FIELDS = ("slug", "title_zh", "title_en", "description_zh", "description_en", "venue_name_zh",
                         "venue_name_en", "venue_address", "timezone", "starts_at", "ends_at")
CALENDAR_AGENDA_FIELDS = tuple(field.name for field in fields(AgendaItemData))


def calendar_snapshot(row: Event | AgendaItem | None, names: tuple[str, ...]) -> tuple | None:
    return None if row is None else tuple(getattr(row, name) for name in names)


def bump_calendar_sequence(event: Event, before: tuple | None = None, after: tuple | None = None) -> None:
    """Raise the event's iCalendar SEQUENCE, unless ``before`` and ``after`` show nothing changed."""
    if before is not None and before == after:
        return
    event.calendar_sequence = (event.calendar_sequence or 0) + 1


def save_event(data: EventData, event: Event | None = None) -> Event:
    """Create an event (as a draft) or update one, after checking every rule."""
    if event is not None and event.status == EventStatus.CANCELLED:
        raise EventStateError("a cancelled event cannot be edited")
    errors = _check_event(data, event)
    if errors:
        raise ValidationFailed(errors)
    slug = data.slug or (event.slug if event is not None else "") or unique_slug(
        data.title_en or f"{data.kind.value}-{data.starts_at:%Y-%m-%d}", event)
    before = calendar_snapshot(event, CALENDAR_EVENT_FIELDS)
    if event is None:
        event = Event(status=EventStatus.DRAFT)
        db.session.add(event)
    for field in fields(EventData):
        value = getattr(data, field.name)
        setattr(event, field.name, value.strip() if isinstance(value, str) else value)
    event.slug = slug
    event.talent_day_year = (
        data.starts_at.astimezone(ZoneInfo(data.timezone)).year if data.kind == EventKind.TALENT_DAY else None
    )
    if before is not None:
        bump_calendar_sequence(event, before, calendar_snapshot(event, CALENDAR_EVENT_FIELDS))
    db.session.flush()
    return event


def event_data_from(event: Event) -> EventData:
    return EventData(**{field.name: getattr(event, field.name) for field in fields(EventData)})


def publish_event(event: Event) -> None:
    if event.status != EventStatus.DRAFT:
        raise EventStateError("only a draft can be published")
    event.status = EventStatus.PUBLISHED
    event.published_at = utcnow()
    bump_calendar_sequence(event)
    log.info("event %s published", event.slug)


def unpublish_event(event: Event) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise EventStateError("only a published event can be unpublished")
    event.status = EventStatus.DRAFT
    bump_calendar_sequence(event)
    log.info("event %s unpublished", event.slug)


CANCELLATION_REASON_MAX_LENGTH = 1000


def cancel_event(event: Event, reason: str) -> None:
    """Cancelled events that had been published stay visible (marked cancelled, with ``reason``) so people who
    planned to come find out; a draft never published stays hidden (Event.is_public). The reason is required:
    everyone concerned is told it (messages.services.tell_cancelled, called by whoever cancels)."""
    if event.status == EventStatus.CANCELLED:
        raise EventStateError("the event is already cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Say why the event is cancelled: everyone concerned is told."))])
    if len(reason) > CANCELLATION_REASON_MAX_LENGTH:
        raise ValidationFailed([("reason", _l("At most %(num)d characters.", num=CANCELLATION_REASON_MAX_LENGTH))])
    event.status = EventStatus.CANCELLED
    event.cancellation_reason = reason
    event.cancelled_at = utcnow()
    bump_calendar_sequence(event)
    webhooks.event_cancelled(event, event.cancelled_at)
    log.info("event %s cancelled", event.slug)


# What the two changes above mean for people, said on the organizer's confirmation page. Keep these
# true to what unpublish_event, cancel_event and the pages that hide drafts do.

def unpublishing_consequences(event: Event, active_registrations: int, has_booths: bool) -> list:
    lines = [_l("Visitors can no longer find the event: its page and registration form answer “not found”, and it "
                "leaves the home page, the list of events and the public calendar feeds.")]
    if active_registrations:
        lines.append(ngettext(
            "%(num)d person registered (confirmed, waiting or awaiting approval) keeps the registration, but cannot "
            "open the event page or download a badge, and the event leaves their personal calendar until you "
            "publish it again. Nobody is told by e-mail.",
            "%(num)d people registered (confirmed, waiting or awaiting approval) keep their registrations, but "
            "cannot open the event page or download a badge, and the event leaves their personal calendars until "
            "you publish it again. Nobody is told by e-mail.", active_registrations))
    lines.append(_l("Meanwhile nobody can register."))
    if has_booths:
        lines.append(_l("Employers cannot apply for booths or change their openings, and candidates cannot rank "
                        "booths, until it is published again."))
    lines.append(_l("Publishing it again brings everything back as it was."))
    return lines


def cancellation_consequences(event: Event, active_registrations: int) -> list:
    if event.published_at is None:
        lines = [_l("The event was never published, so it stays hidden: visitors cannot find it, in the lists, "
                    "its page or the calendar feeds.")]
    else:
        lines = [_l("Visitors see the event marked cancelled, so people who planned to come find out; calendars "
                    "subscribed to it show it as cancelled.")]
    lines.append(_l("Registration closes at once."))
    if event.published_at is None:
        lines.append(_l("Nobody is e-mailed: nobody outside could know a draft."))
    else:
        if active_registrations:
            lines.append(ngettext(
                "%(num)d person is registered (confirmed, waiting or awaiting approval): the registration stays as "
                "it is, and they are e-mailed the cancellation with your reason, in their language.",
                "%(num)d people are registered (confirmed, waiting or awaiting approval): their registrations stay "
                "as they are, and each is e-mailed the cancellation with your reason, in their language.",
                active_registrations))
        lines.append(_l("The staff of every booth still applied for or approved, and the judges of its contest, are "
                        "e-mailed the cancellation with your reason too; the event page shows the reason."))
    lines.append(_l("This cannot be undone: a cancelled event can no longer be edited or published. To plan it "
                    "again, duplicate it."))
    return lines


def _shift_years(moment: datetime | None, zone_name: str, years: int) -> datetime | None:
    if moment is None or years == 0:
        return moment
    local = moment.astimezone(ZoneInfo(zone_name))
    day = min(local.day, 28) if (local.month, local.day) == (2, 29) else local.day
    return local.replace(year=local.year + years, day=day).astimezone(UTC)


def copy_event(source: Event, *, years_later: int = 0, title_zh: str | None = None,
               title_en: str | None = None, slug_base: str | None = None) -> Event:
    """A draft copy of an event and its agenda, optionally moved by whole years (local dates kept)."""
    zone = source.timezone
    copy = Event(
        status=EventStatus.DRAFT,
        kind=source.kind,
        series_id=source.series_id,
        title_zh=source.title_zh if title_zh is None else title_zh,
        title_en=source.title_en if title_en is None else title_en,
        description_zh=source.description_zh,
        description_en=source.description_en,
        venue_name_zh=source.venue_name_zh,
        venue_name_en=source.venue_name_en,
        venue_address=source.venue_address,
        venue_halls=source.venue_halls,
        timezone=zone,
        starts_at=_shift_years(source.starts_at, zone, years_later),
        ends_at=_shift_years(source.ends_at, zone, years_later),
        registration_opens_at=_shift_years(source.registration_opens_at, zone, years_later),
        registration_closes_at=_shift_years(source.registration_closes_at, zone, years_later),
        capacity=source.capacity,
        requires_approval=source.requires_approval,
        eligible_degrees=source.eligible_degrees,
        eligible_talent_classes=source.eligible_talent_classes,
        max_age=source.max_age,
        graduation_year_min=source.graduation_year_min,
        graduation_year_max=source.graduation_year_max,
        badge_personal_code=source.badge_personal_code,  # a season's events print the same kind of badge
        retention_months=source.retention_months,
    )
    copy.slug = unique_slug(slug_base or source.slug)
    if source.kind == EventKind.TALENT_DAY:
        copy.talent_day_year = copy.starts_at.astimezone(ZoneInfo(zone)).year
    copy.agenda_items = [
        AgendaItem(starts_at=_shift_years(item.starts_at, zone, years_later),
                   ends_at=_shift_years(item.ends_at, zone, years_later),
                   room=item.room, title_zh=item.title_zh, title_en=item.title_en, speaker=item.speaker)
        for item in source.agenda_items
    ]
    db.session.add(copy)
    db.session.flush()
    return copy


def talent_day_titles(source: Event | None, year: int) -> tuple[str, str]:
    """The previous titles with the year replaced, or the default titles."""
    if source is not None and source.talent_day_year is not None:
        old = str(source.talent_day_year)
        return source.title_zh.replace(old, str(year)), source.title_en.replace(old, str(year))
    return f"{year} 杭州人才日", f"Hangzhou Talent Day {year}"


def duplicate_event(source: Event) -> Event:
    """Organizer's "duplicate": same programme as a new draft.

    A Talent Day can only exist once a year, so its copy moves to the next year that has none.
    """
    if source.kind != EventKind.TALENT_DAY:
        return copy_event(source, slug_base=f"{source.slug}-copy")
    years = 1
    while db.session.scalar(select(Event.id).where(Event.talent_day_year == source.talent_day_year + years)):
        years += 1
    year = source.talent_day_year + years
    title_zh, title_en = talent_day_titles(source, year)
    return copy_event(source, years_later=years, title_zh=title_zh, title_en=title_en,
                      slug_base=f"talent-day-{year}")


def _check_agenda_item(event: Event, data: AgendaItemData) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if not (data.title_zh.strip() or data.title_en.strip()):
        errors.append(("title_zh", _l("Give the item a title in at least one language.")))
    if not (event.starts_at - timedelta(hours=12) <= data.starts_at <= event.ends_at):
        errors.append(("starts_at", _l("The item must start during the event.")))
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        errors.append(("ends_at", _l("The item must end after it starts.")))
    return errors


def save_agenda_item(event: Event, data: AgendaItemData, item: AgendaItem | None = None) -> AgendaItem:
    errors = _check_agenda_item(event, data)
    if errors:
        raise ValidationFailed(errors)
    before = calendar_snapshot(item, CALENDAR_AGENDA_FIELDS)
    if item is None:
        item = AgendaItem(event=event)
        db.session.add(item)
    for field in fields(AgendaItemData):
        value = getattr(data, field.name)
        setattr(item, field.name, value.strip() if isinstance(value, str) else value)
    bump_calendar_sequence(event, before, calendar_snapshot(item, CALENDAR_AGENDA_FIELDS))
    db.session.flush()
    return item


def delete_agenda_item(item: AgendaItem) -> None:
    bump_calendar_sequence(item.event)
    db.session.delete(item)
    db.session.flush()


# --- Public queries -------------------------------------------------------------------------

@dataclass
class EventFilters:
    kind: EventKind | None = None
    month: date | None = None  # first day of the month, in the site's default time zone
    when: str = "upcoming"  # "upcoming", "past" or "all"
    series_id: int | None = None


def month_bounds(month: date, zone_name: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(zone_name)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), following.astimezone(UTC)


def public_events_query(filters: EventFilters, now: datetime, zone_name: str) -> Select:
    """Public events matching ``filters``, in list order: upcoming soonest first, past and all latest first."""
    query = _public_filtered(select(Event), filters, now, zone_name)
    if filters.when == "upcoming":
        return query.order_by(Event.starts_at, Event.id)
    return query.order_by(Event.starts_at.desc(), Event.id.desc())


def _public_filtered(query: Select, filters: EventFilters, now: datetime, zone_name: str) -> Select:
    query = query.where(Event.is_public)
    if filters.kind is not None:
        query = query.where(Event.kind == filters.kind)
    if filters.series_id is not None:
        query = query.where(Event.series_id == filters.series_id)
    if filters.month is not None:
        start, end = month_bounds(filters.month, zone_name)
        query = query.where(Event.starts_at >= start, Event.starts_at < end)
    if filters.when == "upcoming":
        query = query.where(Event.ends_at >= now)
    elif filters.when == "past":
        # An event that has ended also started before now: said for the index, which is in start order.
        query = query.where(Event.ends_at < now, Event.starts_at < now)
    return query


@dataclass
class EventPage:
    """One page of the public list: its events, how many match in all, and the events the "next" and
    "previous" links continue after and before (None: no such page)."""

    items: list[Event]
    total: int
    next_after: int | None
    previous_before: int | None


def list_public_events(filters: EventFilters, per_page: int, zone_name: str, *, after: int | None = None,
                       before: int | None = None, now: datetime | None = None) -> EventPage:
    """A page of public events, by keyset: the ``per_page`` events following the event ``after`` (or
    preceding ``before``) in list order, or the first page. A cursor that is not a public event (deleted,
    unpublished, an id made up) gives the first page.

    However deep the page, the database reads only that page's index entries, plus one count that runs
    on an index alone (it also gives the earliest start of an upcoming event, so the page query starts
    its index scan there instead of at the oldest event)."""
    now = now or utcnow()
    ascending = filters.when == "upcoming"
    counted = select(func.count(), func.min(Event.starts_at)).select_from(Event)
    total, earliest_start = db.session.execute(_public_filtered(counted, filters, now, zone_name)).one()
    query = _public_filtered(select(Event), filters, now, zone_name).options(selectinload(Event.series))
    if ascending and earliest_start is not None:
        query = query.where(Event.starts_at >= earliest_start)
    cursor = _public_cursor(after if after is not None else before)
    backwards = cursor is not None and after is None
    key = tuple_(Event.starts_at, Event.id)
    if cursor is not None:
        # Forwards in list order is later for upcoming events and earlier for past and all.
        query = query.where(key > cursor if ascending != backwards else key < cursor)
    order = (Event.starts_at, Event.id) if ascending != backwards else (Event.starts_at.desc(), Event.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(per_page + 1)))
    more = len(rows) > per_page
    items = rows[:per_page]
    if backwards:
        items.reverse()
    has_next = more if not backwards else True
    has_previous = cursor is not None if not backwards else more
    return EventPage(items=items, total=total,
                     next_after=items[-1].id if items and has_next else None,
                     previous_before=items[0].id if items and has_previous else None)


def _public_cursor(event_id: int | None) -> tuple | None:
    if event_id is None:
        return None
    row = db.session.execute(select(Event.starts_at, Event.id).where(Event.id == event_id, Event.is_public)).first()
    return tuple(row) if row is not None else None


def next_public_events(limit: int, now: datetime | None = None) -> list[Event]:
    query = (select(Event).where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= (now or utcnow()))
             .order_by(Event.starts_at, Event.id).limit(limit))
    return list(db.session.scalars(query))


def events_to_manage_next(limit: int, now: datetime | None = None) -> list[Event]:
    """Drafts and published events that have not ended, soonest first: the organizer's to-do list."""
    query = (select(Event).where(Event.ends_at >= (now or utcnow()), Event.status != EventStatus.CANCELLED)
             .order_by(Event.starts_at, Event.id).limit(limit))
    return list(db.session.scalars(query))


def find_event_by_slug(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def registration_state(event: Event, now: datetime | None = None) -> str:
    """'not_yet_open', 'open', 'closed' or 'cancelled': what the event page tells visitors."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return "not_yet_open"
    closes = event.registration_closes_at or event.ends_at
    return "open" if now < closes else "closed"


def count_events_by_status() -> dict[EventStatus, int]:
    rows = db.session.execute(select(Event.status, func.count()).group_by(Event.status))
    counts = {status: 0 for status in EventStatus}
    counts.update(dict(rows.all()))
    return counts


def list_series() -> list[Series]:
    return list(db.session.scalars(select(Series).order_by(Series.title_en, Series.id)))


def create_series(slug: str, title_zh: str, title_en: str) -> Series:
    errors: list[tuple[str | None, str]] = []
    if not SLUG_PATTERN.fullmatch(slug):
        errors.append(("slug", _l("Use lower-case letters, digits and single hyphens only.")))
    elif db.session.scalar(select(Series.id).where(Series.slug == slug)) is not None:
        errors.append(("slug", _l("Another series already uses this address.")))
    if not (title_zh.strip() or title_en.strip()):
        errors.append(("title_zh", _l("Give the series a title in at least one language.")))
    if errors:
        raise ValidationFailed(errors)
    series = Series(slug=slug, title_zh=title_zh.strip(), title_en=title_en.strip())
    db.session.add(series)
    db.session.flush()
    return series
