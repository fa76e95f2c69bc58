from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.badges.models import Badge
from eventsapp.dbtypes import UTCDateTime, utcnow
from eventsapp.extensions import db


class CheckIn(db.Model):
    """A person let in at an event's door. The unique key makes two gates scanning the same
    badge at once record one check-in."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("event_id", "holder_id", name="uq_check_in_event_id_holder_id"),
        Index("ix_check_in_event_checked_in_at", "event_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badge.id", ondelete="SET NULL"), index=True)
    # When the person came in: the scan time, which for a queued offline scan is earlier than recorded_at.
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    gate: Mapped[str] = mapped_column(String(40), default="")
    method: Mapped[str] = mapped_column(String(10), default="scan")  # scan, number, search
    # The phone's id for the scan: an offline queue that sends the same scan again sends the same id,
    # which tells a retry from a second scan of the same badge.
    scan_id: Mapped[str] = mapped_column(String(40), default="", server_default="")

    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    badge: Mapped[Badge | None] = relationship()
