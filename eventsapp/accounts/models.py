from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import UTCDateTime, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.candidates.models import CandidateProfile


class Role(enum.StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"
    ORGANIZER = "organizer"
    ADMIN = "admin"


SELF_SERVICE_ROLES = (Role.CANDIDATE, Role.EMPLOYER)
STAFF_ROLES = (Role.ORGANIZER, Role.ADMIN)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the account services, so this also makes e-mails unique ignoring case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda roles: [r.value for r in roles],
             create_constraint=True, name="role"),
        index=True,
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person deleted their account: personal data is gone, anonymous counts stay.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # A candidate's profile, read with the account on every request (accounts.services.load_user).
    # Read-only: profiles are created and deleted on their own (candidates.services.find_profile).
    candidate_profile: Mapped[CandidateProfile | None] = relationship(viewonly=True)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    # The token of the login this account object was loaded for (accounts.services.load_user), or was
    # just given (start_login_session); not a column: the database keeps only its digest (LoginSession).
    login_token = None

    @property
    def session_marker(self) -> str:
        """Changes with the password: a password reset link works only until the password changed."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What the session and remember-me cookies carry: the login's token, not the account's id, so
        that ending the login (log out, a new password) makes every copy of those cookies worthless."""
        if self.login_token is None:
            raise RuntimeError("start_login_session(user) before login_user(user)")
        return self.login_token

    @property
    def is_organizer(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(db.Model):
    """One login: a browser or device. The session and remember-me cookies carry its token, of which only
    the SHA-256 digest is kept. Logging out deletes the row, a new password deletes the account's other
    rows, so a copied cookie stops working at once. A login lasts at most LOGIN_SESSION_LIFETIME."""

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")
