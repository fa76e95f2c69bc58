"""Organizations: employers' organizations (industry, size, standing), their staff and the invitations
that bring colleagues in."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db


class Industry(enum.StrEnum):
    """Sections of GB/T 4754-2017."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the standard's own letter
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741
    P = "P"
    Q = "Q"
    R = "R"
    S = "S"
    T = "T"


class OrganizationSize(enum.StrEnum):
    UNDER_20 = "under_20"
    FROM_20 = "20_99"
    FROM_100 = "100_499"
    FROM_500 = "500_999"
    FROM_1000 = "1000_plus"


class OrganizationStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"  # was verified; organizers stopped it, with a reason, until they reinstate it


class Organization(db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # Unified social credit code (GB 32100-2015): 18 characters, the last a check character.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    industry: Mapped[Industry] = mapped_column(enum_column_type(Industry, "industry"), index=True)
    size: Mapped[OrganizationSize] = mapped_column(enum_column_type(OrganizationSize, "organization_size"))
    city: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    logo_storage_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[OrganizationStatus] = mapped_column(
        enum_column_type(OrganizationStatus, "organization_status"), default=OrganizationStatus.PENDING, index=True)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was rejected or suspended, until it is verified or reinstated: its webhook endpoints stopped
    # since then start again then, not those left off from an older stop (eventsapp.webhooks.lifecycle).
    standing_lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Once verified, the name and credit code above are the verified ones, shown publicly; the owner's
    # later changes to them wait here until an organizer verifies them (the organization keeps working
    # under its verified identity meanwhile).
    pending_name_zh: Mapped[str | None] = mapped_column(String(200))
    pending_name_en: Mapped[str | None] = mapped_column(String(200))
    pending_credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    change_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Raised whenever the organization's booths stop or start working (suspended, reinstated, rejected,
    # verified): part of its interviews' iCalendar SEQUENCE, so calendars follow both ways.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[OrganizationMember]] = relationship(back_populates="organization",
                                                             cascade="all, delete-orphan")

    @property
    def has_pending_change(self) -> bool:
        return self.change_requested_at is not None


class MemberRole(enum.StrEnum):
    OWNER = "owner"  # the first account; invites the others
    STAFF = "staff"


class OrganizationMember(db.Model):
    """An employer account's place in its organization: one organization per account."""

    __tablename__ = "organization_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    role: Mapped[MemberRole] = mapped_column(enum_column_type(MemberRole, "member_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """An invitation for a colleague to join the organization; the e-mailed token is stored hashed."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
