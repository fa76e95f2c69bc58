from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from eventsapp.dbtypes import UTCDateTime, utcnow
from eventsapp.extensions import db


class PersonalCode(db.Model):
    """A person's code: a random secret (no personal data, not derived from any id) that the QR token
    signs. Replacing the code revokes the row and adds a new one, so the old QR scans as "replaced"
    at once, on phones and on badges printed with it alike."""

    __tablename__ = "personal_code"
    __table_args__ = (
        # At most one working code per person.
        Index("uq_personal_code_user_active", "user_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
