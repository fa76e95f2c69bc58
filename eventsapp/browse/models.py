"""What employers keep about the registrants they may see: each booth's shortlist and the record
of every profile and résumé view."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.organizations.models import Organization


class ShortlistEntry(db.Model):
    """A candidate on a booth's shortlist, with the employer's private note and rank."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (
        UniqueConstraint("booth_id", "candidate_id", name="uq_shortlist_entry_booth_id_candidate_id"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int | None] = mapped_column()  # 1 is the best; used by the matching
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    booth: Mapped[Booth] = relationship()
    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])


class ViewedItem(enum.StrEnum):
    PROFILE = "profile"
    RESUME = "resume"


class ProfileView(db.Model):
    """Every time employer staff open a candidate's profile or résumé: who, when, what."""

    __tablename__ = "profile_view"
    __table_args__ = (Index("ix_profile_view_candidate_created", "candidate_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    viewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    item: Mapped[ViewedItem] = mapped_column(enum_column_type(ViewedItem, "viewed_item"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    viewer: Mapped[User | None] = relationship(foreign_keys=[viewer_id])
    organization: Mapped[Organization | None] = relationship()
    event: Mapped[Event | None] = relationship()
