"""The organizer's event form as a browser posts it, and the event it stored: for the tests of managing
events and of what their edits change (calendars)."""
from __future__ import annotations

from sqlalchemy import select

from eventsapp.events.models import Event
from eventsapp.extensions import db


def event_form(**overrides) -> dict[str, str]:
    """The fields of a valid new fair (times on Hangzhou's clock); ``overrides`` replace any of them."""
    data = dict(kind="fair", series_id="", slug="", title_zh="金秋招聘会", title_en="Golden Autumn Fair",
                description_zh="", description_en="", venue_name_zh="杭州国际博览中心",
                venue_name_en="Hangzhou International Expo Center", venue_address="", venue_halls="A, B",
                timezone="Asia/Shanghai", starts_at="2030-10-17T09:00", ends_at="2030-10-17T16:00",
                registration_opens_at="", registration_closes_at="2030-10-16T18:00", capacity="3000")
    data.update(overrides)
    return data


def stored(app, slug) -> Event | None:
    """The event with this slug as the database holds it now."""
    with app.app_context():
        return db.session.scalar(select(Event).where(Event.slug == slug))
