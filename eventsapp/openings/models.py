"""Openings: the jobs an organization lists at a fair, and the booths candidates bookmark."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.booths.models import Booth
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db
from eventsapp.organizations.models import Organization


class Opening(db.Model):
    """A job an organization presents at a fair."""

    __tablename__ = "opening"
    __table_args__ = (
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint("salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max", name="salary_range"),
        Index("ix_opening_event_organization", "event_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    degree: Mapped[Degree | None] = mapped_column(enum_column_type(Degree, "degree"))  # the lowest accepted
    majors: Mapped[str] = mapped_column(String(500), default="")  # comma-separated
    skills: Mapped[str] = mapped_column(String(500), default="")  # comma-separated
    headcount: Mapped[int] = mapped_column(default=1)
    salary_min: Mapped[int | None] = mapped_column()  # yuan a month
    salary_max: Mapped[int | None] = mapped_column()
    work_city: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()


class Bookmark(db.Model):
    """A candidate's bookmarked booth."""

    __tablename__ = "bookmark"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booth: Mapped[Booth] = relationship()
