"""Talent Day: the city's holiday for talent, every 28 September, one event a year."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventsapp.events.models import Event, EventKind, EventStatus
from eventsapp.events.services import TALENT_DAY_DAY, TALENT_DAY_MONTH, copy_event, talent_day_titles, unique_slug
from eventsapp.extensions import db

DEFAULT_START_HOUR, DEFAULT_END_HOUR = 9, 17


def talent_day_date(year: int) -> date:
    return date(year, TALENT_DAY_MONTH, TALENT_DAY_DAY)


def find_talent_day(year: int) -> Event | None:
    return db.session.scalar(select(Event).where(Event.talent_day_year == year))


def _latest_talent_day_before(year: int) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.talent_day_year < year).order_by(Event.talent_day_year.desc()).limit(1)
    )


def _new_talent_day(year: int, zone_name: str, capacity: int) -> Event:
    zone = ZoneInfo(zone_name)
    day = talent_day_date(year)
    title_zh, title_en = talent_day_titles(None, year)
    event = Event(
        kind=EventKind.TALENT_DAY, status=EventStatus.DRAFT, talent_day_year=year,
        slug=unique_slug(f"talent-day-{year}"), title_zh=title_zh, title_en=title_en,
        timezone=zone_name, capacity=capacity,
        starts_at=datetime(day.year, day.month, day.day, DEFAULT_START_HOUR, tzinfo=zone).astimezone(UTC),
        ends_at=datetime(day.year, day.month, day.day, DEFAULT_END_HOUR, tzinfo=zone).astimezone(UTC),
    )
    db.session.add(event)
    db.session.flush()
    return event


def ensure_talent_days(first_year: int, years: int, zone_name: str = "Asia/Shanghai",
                       default_capacity: int = 1000) -> list[Event]:
    """Create the missing Talent Day drafts for ``first_year`` and the ``years - 1`` after it.

    Each new one copies the programme of the latest earlier Talent Day, moved to its own
    28 September at the same local times. Existing years are left alone, so running it
    twice changes nothing.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    created = []
    for year in range(first_year, first_year + years):
        if find_talent_day(year) is not None:
            continue
        previous = _latest_talent_day_before(year)
        if previous is None:
            created.append(_new_talent_day(year, zone_name, default_capacity))
            continue
        title_zh, title_en = talent_day_titles(previous, year)
        created.append(copy_event(previous, years_later=year - previous.talent_day_year,
                                  title_zh=title_zh, title_en=title_en, slug_base=f"talent-day-{year}"))
    return created


@dataclass
class TalentDayReadiness:
    year: int
    event: Event | None

    @property
    def is_published(self) -> bool:
        return self.event is not None and self.event.status == EventStatus.PUBLISHED


def next_talent_day(today: date) -> TalentDayReadiness:
    """The coming Talent Day (today's if it is 28 September) and its event, if any."""
    year = today.year if today <= talent_day_date(today.year) else today.year + 1
    return TalentDayReadiness(year=year, event=find_talent_day(year))
