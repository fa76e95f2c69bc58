from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.dbtypes import UTCDateTime, utcnow
from eventsapp.extensions import db


class ApiToken(db.Model):
    """A personal access token: an account's rights, narrowed to ``scopes``. Only the SHA-256 digest of
    the secret is kept; the secret is shown once, when the token is made."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("user_id", "creation_nonce", name="uq_api_token_user_creation_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret ("tdp_ab12cd"), so the owner can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated, see eventsapp.api.tokens.SCOPES
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-time value of the form that made it: the same form sent again (a reload, a double click)
    # finds it here and makes nothing. Unique per account, so two submits at once cannot both make one.
    creation_nonce: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class IdempotentResponse(db.Model):
    """The response a creating POST gave, kept under the client's Idempotency-Key: the same request sent
    again gets it back instead of creating a second time. Written in the transaction that created."""

    __tablename__ = "api_idempotent_response"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_api_idempotent_response_token_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    # SHA-256 of method, path and body: the same key with another request is refused, not replayed.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
