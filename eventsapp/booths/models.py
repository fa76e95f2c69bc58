"""Booths: the halls of a fair as grids of cells, and organizations' booths on them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.organizations.models import Organization


class Hall(db.Model):
    """A hall of a fair as a grid of cells; aisles and blocked cells cannot hold a booth."""

    __tablename__ = "hall"
    __table_args__ = (
        UniqueConstraint("event_id", "name", name="uq_hall_event_id_name"),
        CheckConstraint("rows BETWEEN 1 AND 60 AND cols BETWEEN 1 AND 60", name="grid_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))  # e.g. "A": booth codes are "A-12"
    rows: Mapped[int] = mapped_column()
    cols: Mapped[int] = mapped_column()
    aisle_rows: Mapped[str] = mapped_column(String(200), default="")  # 1-based numbers, comma-separated
    aisle_cols: Mapped[str] = mapped_column(String(200), default="")
    blocked_cells: Mapped[str] = mapped_column(Text, default="")  # "row:col" pairs, comma-separated
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()


class BoothType(enum.StrEnum):
    STANDARD = "standard"  # one cell
    DOUBLE = "double"  # two cells side by side


class BoothStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Booth(db.Model):
    """An organization's booth application at a fair, and once approved its place on the floor plan."""

    __tablename__ = "booth"
    __table_args__ = (
        UniqueConstraint("event_id", "code", name="uq_booth_event_id_code"),
        CheckConstraint("interviewers BETWEEN 1 AND 50", name="interviewers_range"),
        CheckConstraint("(hall_id IS NULL) = (code IS NULL)", name="placed_has_code"),
        Index("ix_booth_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    booth_type: Mapped[BoothType] = mapped_column(enum_column_type(BoothType, "booth_type"))
    interviewers: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[BoothStatus] = mapped_column(enum_column_type(BoothStatus, "booth_status"),
                                                default=BoothStatus.PENDING)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("hall.id", ondelete="SET NULL"), index=True)
    row: Mapped[int | None] = mapped_column()  # 1-based; a double booth also takes col + 1
    col: Mapped[int | None] = mapped_column()
    code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    organization: Mapped[Organization] = relationship()
    hall: Mapped[Hall | None] = relationship()


def booth_code_order() -> tuple:
    """ORDER BY booth code in natural order (A-2 before A-10), in SQL so that pages can be cut: by hall
    name, then the code's length (a hall's codes differ only in their number), then the code; booths
    without a code last. floorplan.code_sort_key is the same order in Python."""
    hall_name = select(Hall.name).where(Hall.id == Booth.hall_id).scalar_subquery()
    return (Booth.code.is_(None), func.upper(hall_name), func.length(Booth.code), Booth.code)
