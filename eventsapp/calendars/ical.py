"""iCalendar renderers: model objects in, ``icalendar`` components and bytes out.

Nothing here queries the database or reads the request; the services choose the rows and the
language, these functions only say how a row looks in a calendar (RFC 5545).

DTSTAMP is the time the entry was last revised (the row's ``updated_at``), as RFC 5545 allows
for a calendar without a METHOD. That makes a feed's bytes depend only on its data, so the
same data always gives the same ETag.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from icalendar.prop import vDDDTypes, vInt, vRecur, vText, vUri

from eventsapp.events.models import AgendaItem, Event, EventStatus
from eventsapp.i18n import pick  # services and views call it as ical.pick too

PRODID = "-//Hangzhou Talent Events//eventsapp//EN"
# The right-hand side of every UID. Fixed on purpose: a UID must never change for the same
# event, even if the site moves to another address (".invalid" can belong to nobody).
UID_DOMAIN = "talent-events.invalid"
TALENT_DAY_UID = f"talent-day@{UID_DOMAIN}"
# Offsets before 2000 do not matter for our events; fewer historic rules keep feeds short.
VTIMEZONE_FROM = date(2000, 1, 1)
FOLD_LIMIT = 75  # octets, RFC 5545 section 3.1


@dataclass(frozen=True)
class Entry:
    """What one VEVENT says, in the feed's language."""

    uid: str
    starts_at: datetime
    ends_at: datetime | None
    zone: str
    summary: str
    stamp: datetime
    sequence: int
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    description: str = ""
    location: str = ""
    url: str = ""
    recurrence_id: datetime | None = None
    rrule: tuple | None = None  # (name, value) pairs


def event_uid(event_id: int) -> str:
    return f"event-{event_id}@{UID_DOMAIN}"


def agenda_uid(item_id: int) -> str:
    return f"agenda-{item_id}@{UID_DOMAIN}"


def registration_uid(registration_id: int) -> str:
    return f"registration-{registration_id}@{UID_DOMAIN}"


def interview_uid(event_id: int, booth_id: int, candidate_id: int) -> str:
    """The same pair at the same fair keeps its UID across re-runs of the matching."""
    return f"interview-{event_id}-{booth_id}-{candidate_id}@{UID_DOMAIN}"


def pitch_uid(round_id: int, entry_id: int) -> str:
    """An entry pitches once per round: the same UID when its slot moves to another time or room."""
    return f"pitch-{round_id}-{entry_id}@{UID_DOMAIN}"


def event_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/events/{slug}"


def join_text(*parts: str, separator: str = "\n") -> str:
    return separator.join(part for part in parts if part)


def event_location(event: Event, language: str) -> str:
    return join_text(pick(event, "venue_name", language), event.venue_address, separator=", ")


def event_status(event: Event) -> str:
    return "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"


def event_entry(event: Event, language: str, base_url: str) -> Entry:
    url = event_url(base_url, event.slug)
    return Entry(
        uid=event_uid(event.id), starts_at=event.starts_at, ends_at=event.ends_at, zone=event.timezone,
        summary=pick(event, "title", language), stamp=event.updated_at, sequence=event.calendar_sequence or 0,
        status=event_status(event), description=join_text(pick(event, "description", language), url, separator="\n\n"),
        location=event_location(event, language), url=url)


def agenda_entry(item: AgendaItem, event: Event, language: str, base_url: str) -> Entry:
    url = event_url(base_url, event.slug)
    return Entry(
        uid=agenda_uid(item.id), starts_at=item.starts_at, ends_at=item.ends_at, zone=event.timezone,
        summary=pick(item, "title", language), stamp=event.updated_at, sequence=event.calendar_sequence or 0,
        status=event_status(event),
        description=join_text(pick(event, "title", language), item.speaker, url),
        location=join_text(item.room, event_location(event, language), separator=", "), url=url)


def _local_time(moment: datetime, zone: ZoneInfo) -> vDDDTypes:
    """The wall-clock time with its TZID. Given directly, because icalendar's own look-up of the
    zone's name was a third of the time of a 10,000-event feed."""
    value = vDDDTypes(moment.astimezone(zone).replace(tzinfo=None))
    value.params["TZID"] = zone.key
    return value


def _properties(entry: Entry) -> list[tuple[str, object]]:
    """The VEVENT's properties as icalendar values. Times carry the entry's TZID; the feed adds
    the matching VTIMEZONE."""
    zone = ZoneInfo(entry.zone)
    stamp = vDDDTypes(entry.stamp)
    properties = [("UID", vText(entry.uid)), ("DTSTAMP", stamp), ("LAST-MODIFIED", stamp),
                  ("SEQUENCE", vInt(entry.sequence))]
    if entry.recurrence_id is not None:
        properties.append(("RECURRENCE-ID", _local_time(entry.recurrence_id, zone)))
    properties.append(("DTSTART", _local_time(entry.starts_at, zone)))
    # Without an end a timed VEVENT lasts no time at all (RFC 5545 3.6.1); DTEND = DTSTART is invalid.
    if entry.ends_at is not None:
        properties.append(("DTEND", _local_time(entry.ends_at, zone)))
    if entry.rrule is not None:
        properties.append(("RRULE", vRecur(dict(entry.rrule))))
    properties.append(("SUMMARY", vText(entry.summary)))
    if entry.description:
        properties.append(("DESCRIPTION", vText(entry.description)))
    if entry.location:
        properties.append(("LOCATION", vText(entry.location)))
    if entry.url:
        properties.append(("URL", vUri(entry.url)))
    properties.append(("STATUS", vText(entry.status)))
    return properties


def vevent(entry: Entry) -> icalendar.Event:
    """The entry as an icalendar component."""
    component = icalendar.Event()
    for name, value in _properties(entry):
        component[name] = value
    return component


# Entries are values: the same entry always gives the same bytes. Remembering them makes a feed
# rebuilt after one change, or a personal feed polled again, cost little more than its query.
@lru_cache(maxsize=20_000)
def vevent_bytes(entry: Entry) -> bytes:
    """The same VEVENT written straight to bytes: the values are encoded and escaped by icalendar,
    but its component machinery (parameter objects, sorting, content lines) is skipped. That
    machinery took three quarters of the time of a 10,000-event feed; a test checks that both give
    the same content lines."""
    lines = [b"BEGIN:VEVENT"]
    encoded: dict[int, bytes] = {}  # DTSTAMP and LAST-MODIFIED share one value: encode it once
    for name, value in _properties(entry):
        parameters = "".join(f";{key}={text}" for key, text in value.params.items())
        if id(value) not in encoded:
            encoded[id(value)] = value.to_ical()
        lines.append(fold(f"{name}{parameters}:".encode() + encoded[id(value)]))
    lines.append(b"END:VEVENT\r\n")
    return b"\r\n".join(lines)


@lru_cache(maxsize=64)
def _vtimezone(zone: str) -> icalendar.Timezone:
    timezone = icalendar.Timezone.from_tzid(zone, first_date=VTIMEZONE_FROM)
    # One RDATE per line instead of a comma-separated list: both are RFC 5545, but some readers
    # (vobject, hence the apps built on it) keep only the first date of a list and get DST wrong.
    for part in timezone.subcomponents:
        if "RDATE" in part:
            dates = [value.dt for value in part.pop("RDATE").dts]
            for moment in dates:
                part.add("RDATE", moment)
    return timezone


@dataclass(frozen=True)
class Feed:
    """A calendar: its name (in the feed's language), its entries and how often clients should poll."""

    name: str
    entries: list[Entry]
    refresh_minutes: int = 60

    @property
    def last_modified(self) -> datetime | None:
        return max((entry.stamp for entry in self.entries), default=None)


def _zones(feed: Feed) -> list[str]:
    return sorted({entry.zone for entry in feed.entries})


@lru_cache(maxsize=64)
def _vtimezone_bytes(zone: str) -> bytes:
    return b"".join(fold(line.encode("utf-8")) + b"\r\n" for line in _vtimezone(zone).content_lines(sorted=False)
                    if line)


def _calendar(feed: Feed) -> icalendar.Calendar:
    """The VCALENDAR's own properties, without its time zones and entries."""
    calendar = icalendar.Calendar()
    calendar["VERSION"] = vText("2.0")
    calendar["PRODID"] = vText(PRODID)
    calendar["CALSCALE"] = vText("GREGORIAN")
    calendar["NAME"] = vText(feed.name)  # RFC 7986
    calendar["X-WR-CALNAME"] = vText(feed.name)  # what Apple, Google and Outlook read
    refresh = f"PT{feed.refresh_minutes}M"
    calendar.add("REFRESH-INTERVAL", icalendar.vDuration.from_ical(refresh), parameters={"VALUE": "DURATION"})
    calendar["X-PUBLISHED-TTL"] = vText(refresh)
    return calendar


def feed_calendar(feed: Feed) -> icalendar.Calendar:
    """The feed as an icalendar object."""
    calendar = _calendar(feed)
    for zone in _zones(feed):
        calendar.add_component(_vtimezone(zone))
    for entry in feed.entries:
        calendar.add_component(vevent(entry))
    return calendar


def feed_bytes(feed: Feed) -> bytes:
    """The feed as served: ``feed_calendar(feed).to_ical()``, several times faster."""
    lines = [fold(line.encode("utf-8")) for line in _calendar(feed).content_lines(sorted=False) if line]
    end = lines.pop()  # END:VCALENDAR: the entries go before it
    return b"".join([b"\r\n".join(lines), b"\r\n", *map(_vtimezone_bytes, _zones(feed)),
                     *map(vevent_bytes, feed.entries), end, b"\r\n"])


def fold(line: bytes) -> bytes:
    """Fold a content line at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character
    or a backslash escape (some clients misread a fold between the two)."""
    if len(line) <= FOLD_LIMIT:
        return line
    parts, start, limit = [], 0, FOLD_LIMIT
    while len(line) - start > limit:
        end = start + limit
        while line[end] & 0xC0 == 0x80:  # a continuation byte: back up to the character's start
            end -= 1
        backslashes = 0
        while line[end - 1 - backslashes] == 0x5C and end - 1 - backslashes > start:
            backslashes += 1
        if backslashes % 2:  # the last one starts an escape ("\\,", "\\n"): keep it with what it escapes
            end -= 1
        parts.append(line[start:end])
        start, limit = end, FOLD_LIMIT - 1  # continuation lines begin with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)
