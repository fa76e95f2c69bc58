"""Webhook endpoints and their deliveries (the webhooks' outbox)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db


class WebhookEndpoint(db.Model):
    """An HTTPS address that receives signed deliveries of the event types it picked.

    An organizer's endpoint (``organization_id`` None) hears about one event (``event_id``) or all events
    (``event_id`` None) and is seen only by the organizer who made it. An employer's endpoint belongs to its
    organization (seen by its staff) and hears about that organization's booths.

    The secret is stored as it is, not hashed: signing needs it (HMAC), like GitHub's and Stripe's. It only
    proves to the receiver that a delivery comes from us; anyone who can read this table can read the data
    the deliveries carry anyway. It is shown once, when made or replaced; the pages show its last four
    characters."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"),
                                                        index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    event_types: Mapped[str] = mapped_column(String(500))  # space-separated, e.g. "registration.created"
    secret: Mapped[str] = mapped_column(String(100))
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set after too many failures
    disabled_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User] = relationship()

    @property
    def types(self) -> list[str]:
        return self.event_types.split()

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None

    @property
    def secret_hint(self) -> str:
        return "…" + self.secret[-4:]


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent, or to be retried
    SUCCEEDED = "succeeded"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt


class WebhookDelivery(db.Model):
    """One message to one endpoint, written in the transaction of the change it announces; the worker sends
    it. ``body`` is the exact JSON sent (and signed)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
                      Index("ix_webhook_delivery_endpoint_created", "endpoint_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(40), unique=True)  # the delivery id the receiver sees
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column_type(DeliveryStatus, "webhook_delivery_status"),
                                                   default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker that claimed the delivery holds it until then; one that died frees it when it passes.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column()
    last_duration_ms: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
