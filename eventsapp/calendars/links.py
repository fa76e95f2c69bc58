""""Add to calendar" links: the web calendars' own templates for a new entry, times in UTC."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

# Long descriptions make URLs that some browsers and servers refuse; the event page has the rest.
MAX_DETAILS = 800


@dataclass(frozen=True)
class AddToCalendar:
    google: str
    outlook: str
    office365: str
    yahoo: str


def _compact(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_to_calendar_links(title: str, starts_at: datetime, ends_at: datetime, details: str, location: str,
                          zone: str) -> AddToCalendar:
    details = details if len(details) <= MAX_DETAILS else details[:MAX_DETAILS - 1] + "…"
    outlook = {"path": "/calendar/action/compose", "rru": "addevent", "subject": title,
               "startdt": _iso(starts_at), "enddt": _iso(ends_at), "body": details, "location": location}
    return AddToCalendar(
        google="https://calendar.google.com/calendar/render?" + urlencode({
            "action": "TEMPLATE", "text": title, "dates": f"{_compact(starts_at)}/{_compact(ends_at)}",
            "details": details, "location": location, "ctz": zone}, quote_via=quote),
        outlook="https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook, quote_via=quote),
        office365="https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(outlook, quote_via=quote),
        yahoo="https://calendar.yahoo.com/?" + urlencode({
            "v": "60", "title": title, "st": _compact(starts_at), "et": _compact(ends_at), "desc": details,
            "in_loc": location}, quote_via=quote),
    )


def subscribe_links(feed_url: str) -> tuple[str, str]:
    """The webcal:// address (one click in Apple Calendar and Outlook) and Google's subscribe page."""
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    return webcal, "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}, quote_via=quote)
