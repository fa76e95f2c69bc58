from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, and_, false, or_
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


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("title_zh <> '' OR title_en <> ''", name="has_title"),
        CheckConstraint("(kind = 'talent_day') = (talent_day_year IS NOT NULL)", name="talent_day_year_iff_kind"),
        Index("ix_event_status_starts_at", "status", "starts_at"),
        # Upcoming / past lists and their counts filter on status and ends_at.
        Index("ix_event_status_ends_at", "status", "ends_at"),
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

    # One Talent Day per year, enforced by the database so `talent-day ensure` stays idempotent.
    talent_day_year: Mapped[int | None] = mapped_column(unique=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # iCalendar SEQUENCE: raised whenever something a calendar shows changes (times, place, title,
    # agenda, status), so subscribed clients replace their copy.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

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
        return or_(cls.status == EventStatus.PUBLISHED,
                   and_(cls.status == EventStatus.CANCELLED, cls.published_at.is_not(None)))

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
