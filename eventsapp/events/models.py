from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    case,
    false,
    literal_column,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db


class EventKind(enum.StrEnum):
    FAIR = "fair"
    COMPETITION = "competition"
    TALENT_DAY = "talent_day"
    CONFERENCE = "conference"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Series(db.Model):
    """A banner grouping several events, e.g. a graduate recruitment season."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(back_populates="series")


# Event.is_public as SQL, written exactly as the hybrid below renders it, with the statuses literal (not bound
# parameters), so both engines' planners see that a query asking it may use the partial indexes below. A CASE,
# not an OR: SQLite would otherwise answer the OR from the (status, ...) indexes and sort every public event.
# SQLite has no boolean type: a condition in its WHERE is rendered compared with 1.
PUBLIC_SQL = ("CASE WHEN (status = 'published') THEN true WHEN (status = 'cancelled') THEN (published_at IS NOT NULL) "
              "ELSE false END")
PUBLIC_SQL_SQLITE = f"{PUBLIC_SQL} = 1"
PUBLIC_ONLY = {"sqlite_where": text(PUBLIC_SQL_SQLITE), "postgresql_where": text(PUBLIC_SQL)}


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("title_zh <> '' OR title_en <> ''", name="has_title"),
        CheckConstraint("(kind = 'talent_day') = (talent_day_year IS NOT NULL)", name="talent_day_year_iff_kind"),
        CheckConstraint("retention_months IS NULL OR (retention_months BETWEEN 1 AND 120)",
                        name="retention_months_range"),
        Index("ix_event_status_starts_at", "status", "starts_at"),
        # Upcoming / past lists and their counts filter on status and ends_at.
        Index("ix_event_status_ends_at", "status", "ends_at"),
        # The API's event list walks events in (starts_at, id) order, keyset-paginated.
        Index("ix_event_starts_at_id", "starts_at", "id"),
        # The public list at 100,000 events (keyset pagination, see events.services.list_public_events): only
        # public events, in list order, so a page reads its 13 index entries and no more; with ends_at, so
        # whichever of them a planner picks for the count answers it from the index alone.
        Index("ix_event_public_starts_at_id", "starts_at", "id", "ends_at", **PUBLIC_ONLY),
        Index("ix_event_public_kind_starts_at_id", "kind", "starts_at", "id", "ends_at", **PUBLIC_ONLY),
        # Counts "N events" and finds the earliest event still running, from the index alone.
        Index("ix_event_public_ends_at_starts_at", "ends_at", "starts_at", "kind", **PUBLIC_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[EventKind] = mapped_column(enum_column_type(EventKind, "event_kind"), index=True)
    status: Mapped[EventStatus] = mapped_column(enum_column_type(EventStatus, "event_status"),
                                                default=EventStatus.DRAFT)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"), index=True)

    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    venue_name_zh: Mapped[str] = mapped_column(String(200), default="")
    venue_name_en: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_halls: Mapped[str] = mapped_column(String(200), default="")
    # One of candidates.choices.HANGZHOU_DISTRICTS, or empty: the analytics filter events by it.
    district: Mapped[str] = mapped_column(String(20), default="", server_default="", index=True)

    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column()

    # Who may register (empty: anyone) and whether an organizer approves each registration.
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    eligible_degrees: Mapped[str] = mapped_column(String(100), default="", server_default="")
    eligible_talent_classes: Mapped[str] = mapped_column(String(10), default="", server_default="")
    max_age: Mapped[int | None] = mapped_column()
    graduation_year_min: Mapped[int | None] = mapped_column()
    graduation_year_max: Mapped[int | None] = mapped_column()

    # Booths one organization may hold at this event (organizers raise it for big employers).
    max_booths_per_organization: Mapped[int] = mapped_column(default=1, server_default="1")

    # Badges print the holder's personal code (eventsapp.talentcode) instead of this event's own code, so one
    # card works at a whole season; a personal code replaced by its owner stops working on the card too.
    badge_personal_code: Mapped[bool] = mapped_column(default=False, server_default=false())

    # One Talent Day per year, enforced by the database so `talent-day ensure` stays idempotent.
    talent_day_year: Mapped[int | None] = mapped_column(unique=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was cancelled, in the organizer's words: on the public page and in the notice to everyone concerned.
    cancellation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # iCalendar SEQUENCE: raised whenever something a calendar shows changes (times, place, title,
    # agenda, status), so subscribed clients replace their copy.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    # How long after its end the event's personal data is kept (months; None: the site's RETENTION_MONTHS),
    # and when the retention job erased it (eventsapp.retention).
    retention_months: Mapped[int | None] = mapped_column()
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series | None] = relationship(back_populates="events")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="(AgendaItem.starts_at, AgendaItem.id)",
    )

    @hybrid_property
    def is_public(self) -> bool:
        """Whether the public may know the event: published, or cancelled after having been published (so
        people who planned to come, and their calendars, find out). A draft, and a draft cancelled before it
        was ever published, do not exist for the public: every public list, page, feed and search asks this."""
        return self.status == EventStatus.PUBLISHED or (
            self.status == EventStatus.CANCELLED and self.published_at is not None)

    @is_public.inplace.expression
    @classmethod
    def _is_public_condition(cls) -> ColumnElement[bool]:
        published, cancelled = (literal_column(f"'{status.value}'") for status in
                                (EventStatus.PUBLISHED, EventStatus.CANCELLED))
        return case((cls.status == published, literal_column("true")),
                    (cls.status == cancelled, cls.published_at.is_not(None)), else_=literal_column("false"))

    @property
    def halls(self) -> list[str]:
        return [hall.strip() for hall in self.venue_halls.split(",") if hall.strip()]

    def __repr__(self) -> str:
        return f"<Event {self.slug} {self.kind} {self.status}>"


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __table_args__ = (CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(100), default="")
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    speaker: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[Event] = relationship(back_populates="agenda_items")
