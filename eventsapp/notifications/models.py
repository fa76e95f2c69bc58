from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent, or to be retried
    SENT = "sent"
    LOGGED = "logged"  # no SMTP configured: written to the log instead
    FAILED = "failed"  # gave up after the last retry


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as the change that causes it, sent afterwards."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(10))
    status: Mapped[OutboxStatus] = mapped_column(enum_column_type(OutboxStatus, "outbox_status"),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Set for a message queued to be written later (registrations, on their hot path): what its
    # template needs, e.g. {"event_id": 4, "user_id": 7, "position": 3}. The subject and bodies stay empty
    # until the outbox worker (or the outbox page) writes them; None once written.
    render_context: Mapped[dict | None] = mapped_column(JSON)
    # The e-mail's Message-ID, given when the message is first claimed for sending and kept for every
    # later attempt: a message sent again (its worker died after the server took it) is the same message,
    # and mail programs show it once.
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
