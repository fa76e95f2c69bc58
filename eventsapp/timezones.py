"""Wall-clock times in an event's time zone and the aware UTC datetimes the database stores."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def to_utc(local: datetime | None, zone_name: str) -> datetime | None:
    """A wall-clock time typed in the event's zone, as an aware UTC datetime."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def to_local_naive(moment: datetime | None, zone_name: str) -> datetime | None:
    """An aware datetime as the wall-clock time in the zone, without a zone (what a form field shows)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
