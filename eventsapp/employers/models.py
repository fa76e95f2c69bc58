"""Employers: organizations and their staff, booths on a fair's floor plan, openings, and what
employers do with the candidates they may see (shortlists, the record of profile views)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
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


class ShortlistEntry(db.Model):
    """A candidate on a booth's shortlist, with the employer's private note and rank."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (
        UniqueConstraint("booth_id", "candidate_id", name="uq_shortlist_entry_booth_id_candidate_id"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        CheckConstraint("lead_rating IS NULL OR lead_rating BETWEEN 1 AND 4", name="lead_rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int | None] = mapped_column()  # 1 is the best; used by the matching
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Set when staff scanned the candidate's badge at the booth (lead capture): 1 (weak) to 4 (strong).
    lead_rating: Mapped[int | None] = mapped_column()
    lead_captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
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
