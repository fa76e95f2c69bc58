from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration


class BadgeRole(enum.StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"  # booth staff
    ORGANIZER = "organizer"
    JUDGE = "judge"
    VOLUNTEER = "volunteer"


CREW_ROLES = (BadgeRole.ORGANIZER, BadgeRole.JUDGE, BadgeRole.VOLUNTEER)


class EventCrew(db.Model):
    """People working an event who are neither candidates nor booth staff: they get badges,
    and volunteers and organizers on the crew may run the door check-in."""

    __tablename__ = "event_crew"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_crew_event_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[BadgeRole] = mapped_column(enum_column_type(BadgeRole, "badge_role"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Badge(db.Model):
    """One person's badge at one event. Reissuing revokes the row and adds a new one, so an old
    printed code scans as "revoked" rather than as unknown."""

    __tablename__ = "badge"
    __table_args__ = (
        UniqueConstraint("event_id", "number", name="uq_badge_event_id_number"),
        # At most one valid badge per person and event.
        Index("uq_badge_event_holder_active", "event_id", "holder_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[BadgeRole] = mapped_column(enum_column_type(BadgeRole, "badge_role"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                        index=True)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    # Printed on the badge and typed at the door when a code will not scan.
    number: Mapped[str] = mapped_column(String(16))
    # The random secret the QR token signs: no personal data, not derivable from ids.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[Event] = relationship()
    holder: Mapped[User] = relationship()
    registration: Mapped[Registration | None] = relationship()
    booth: Mapped[Booth | None] = relationship()
