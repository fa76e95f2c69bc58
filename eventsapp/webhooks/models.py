"""Webhook endpoints and their deliveries (the webhooks' outbox)."""
from __future__ import annotations

import enum
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.extensions import db
from eventsapp.webhooks.vault import SEALED_LENGTH, SecretUnreadable, seal, unseal


class WebhookEndpoint(db.Model):
    """An HTTPS address that receives signed deliveries of the event types it picked.

    An organizer's endpoint (``organization_id`` None) hears about one event (``event_id``) or all events
    (``event_id`` None) and is seen only by the organizer who made it. An employer's endpoint belongs to its
    organization (seen by its staff) and hears about that organization's booths.

    The secret cannot be hashed: signing needs it (HMAC), like GitHub's and Stripe's. It is stored encrypted
    (``webhooks.vault``, key ``WEBHOOK_SECRET_KEY``; former keys in ``WEBHOOK_OLD_SECRET_KEYS``), so a backup
    does not hold it in clear; ``secret`` reads and writes it in clear. It is shown once, when made or
    replaced; the pages show its last four characters.

    ``disabled_reason`` is a code (``webhooks.problems``): too many failures, or the organization stopped."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"),
                                                        index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    event_types: Mapped[str] = mapped_column(String(500))  # space-separated, e.g. "registration.created"
    secret_sealed: Mapped[str] = mapped_column("secret", String(SEALED_LENGTH))
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set after too many failures
    disabled_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")  # a problem code
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
    def shown_as(self) -> str:
        """The endpoint in an e-mail: its host (and port) and path, without the query or user info, which often
        carry a token (``?access_token=…``); after its description when it has one."""
        parts = urlsplit(self.url)
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:  # not a port: the address was checked when saved, so only an old row's oddity
            port = ""
        address = f"{host}{port}{parts.path}"
        return f"{self.description} ({address})" if self.description else address

    @property
    def secret(self) -> str:
        return unseal(self.secret_sealed)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = seal(value)

    @property
    def secret_hint(self) -> str:
        try:
            return "…" + self.secret[-4:]
        except SecretUnreadable:
            return "…"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent, or to be retried
    SUCCEEDED = "succeeded"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt


class WebhookDelivery(db.Model):
    """One message to one endpoint, written in the transaction of the change it announces; the worker sends
    it. ``body`` is the exact JSON sent (and signed). ``subject_user_id`` (the person whose data it carries)
    and ``event_id`` say whose and which event's personal data it holds: deleting the account or the event's
    retention blanks ``body`` and sets ``erased_at`` (eventsapp.webhooks.lifecycle), and an erased
    delivery is neither sent nor redelivered. ``last_error`` is a problem code (``webhooks.problems``)."""

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
    # Plain ids, no foreign keys: adding one would lock user_account and event (busy tables) while migrating,
    # and erased accounts and events keep their rows anyway.
    subject_user_id: Mapped[int | None] = mapped_column(index=True)
    event_id: Mapped[int | None] = mapped_column(index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
