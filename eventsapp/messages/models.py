from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db


class ReminderTiming(enum.StrEnum):
    OFF = "off"
    DAY_BEFORE = "day_before"  # the day before the event, at REMINDER_LOCAL_HOUR on its clock (the default)
    HOURS_BEFORE = "hours_before"


class EventReminder(db.Model):
    """The organizer's choice of reminder for an event; an event without a row is reminded the day before."""

    __tablename__ = "event_reminder"
    __table_args__ = (
        CheckConstraint("timing <> 'hours_before' OR hours_before BETWEEN 1 AND 336", name="hours_before_range"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    timing: Mapped[ReminderTiming] = mapped_column(enum_column_type(ReminderTiming, "reminder_timing"))
    hours_before: Mapped[int | None] = mapped_column()


class SentReminder(db.Model):
    """One reminder sent to one person for one event: the unique key makes it once, however many
    schedulers run. Inserted in the same transaction as the outbox row."""

    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "kind", name="uq_sent_reminder_event_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Segment(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ATTENDED = "attended"
    ABSENT = "absent"  # confirmed, and not checked in
    EMPLOYERS = "employers"  # staff of organizations with an approved booth


class Broadcast(db.Model):
    """A message an organizer sent to a segment of an event, in Chinese and in English."""

    __tablename__ = "broadcast"
    __table_args__ = (Index("ix_broadcast_event_id_sent_at", "event_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    segment: Mapped[Segment] = mapped_column(enum_column_type(Segment, "broadcast_segment"))
    subject_zh: Mapped[str] = mapped_column(String(200))
    subject_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sent_by: Mapped[User | None] = relationship()
