"""Check-ins at the door, and the leads employer staff capture by scanning badges at their booth."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.badges.models import Badge
from eventsapp.browse.models import ShortlistEntry
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
    method: Mapped[str] = mapped_column(String(10), default="scan")  # scan, personal (a personal code), number, search
    # The phone's id for the scan: an offline queue that sends the same scan again sends the same id,
    # which tells a retry from a second scan of the same badge.
    scan_id: Mapped[str] = mapped_column(String(40), default="", server_default="")

    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    badge: Mapped[Badge | None] = relationship()


class BoothLead(db.Model):
    """A candidate whose badge the booth's staff scanned (lead capture): when, by whom, and a rating from
    1 (weak) to 4 (strong). A lead is always on the booth's shortlist: its entry holds the candidate and
    the note, and the lead goes when the entry goes."""

    __tablename__ = "booth_lead"
    __table_args__ = (CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 4", name="rating_range"),)

    shortlist_entry_id: Mapped[int] = mapped_column(ForeignKey("shortlist_entry.id", ondelete="CASCADE"),
                                                    primary_key=True)
    rating: Mapped[int | None] = mapped_column()
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    entry: Mapped[ShortlistEntry] = relationship()
